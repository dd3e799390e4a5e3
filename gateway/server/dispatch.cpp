#include "gateway/server/dispatch.hpp"

#include <cstdio>

#include "gateway/exchange.hpp"
#include "gateway/routes/routes.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;

namespace {

std::string_view route_of(std::string_view path) {
    auto starts = [&](std::string_view p) { return path.rfind(p, 0) == 0; };
    if (path == "/wechat/oa") return "wechat_oa";
    if (starts("/api/v1/")) return "api";
    if (starts("/public/v1/")) return "public";
    if (starts("/hotline/")) return "hotline";
    if (starts("/mp/v1/")) return "mp";
    if (starts("/open311/v2/")) return "open311";
    if (path == "/" || path == "/console" || starts("/console/")) return "console";
    if (path == "/healthz") return "healthz";
    if (path == "/metrics") return "metrics";
    return "unknown";
}

void route(const app_ptr& app, exchange& ex) {
    auto x = ex.shared_from_this();
    const std::string& route = x->ctx().route;
    const auto method = x->req().method();
    if (route == "wechat_oa") {
        if (method != http::verb::get && method != http::verb::post)
            return x->refuse(http::status::method_not_allowed, "method_not_allowed",
                             "only GET and POST are allowed on /wechat/oa");
        return serve_wechat_oa(x);
    }
    if (route == "api") return serve_operator(x);
    if (route == "public") return serve_public(x);
    if (route == "hotline") return serve_hotline(x);
    if (route == "mp") return serve_mp(x);
    if (route == "open311") return serve_open311(x);
    if (route == "console") return serve_console(x);
    if (route != "unknown" && method != http::verb::get)
        return x->refuse(http::status::method_not_allowed, "method_not_allowed",
                         "only GET is allowed here");
    if (route == "healthz")
        return x->answer(http::status::ok, "{\"status\":\"ok\"}\n", "application/json");
    if (route == "metrics")
        return x->answer(http::status::ok, app->stats.render(),
                         "text/plain; version=0.0.4; charset=utf-8");
    x->refuse(http::status::not_found, "not_found", "no such endpoint");
}

}  // namespace

void dispatch(const app_ptr& app, http_request&& req, respond_fn respond) {
    request_ctx ctx;
    char idbuf[24];
    std::snprintf(idbuf, sizeof idbuf, "r%08llx",
                  static_cast<unsigned long long>(app->request_seq.fetch_add(1) + 1));
    ctx.id = idbuf;
    ctx.start = std::chrono::steady_clock::now();
    auto [path, query] = adapters::http::split_target(req.target());
    ctx.route = std::string(route_of(path));
    ctx.path = std::move(path);

    // Every answer passes here: latency, request id header, one log line.
    auto done = [app, id = ctx.id, route = ctx.route, start = ctx.start,
                 respond = std::move(respond)](http_response&& res) {
        res.set("X-Request-Id", id);
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        app->stats.latency.observe(route, secs);
        if (app->log->should_log(spdlog::level::info))
            app->log->info("{} {} {} {:.2f}ms", id, route, res.result_int(), secs * 1e3);
        respond(std::move(res));
    };
    const bool query_ok = query.has_value();
    if (query_ok) ctx.query = std::move(*query);
    auto x = exchange::make(app, std::move(ctx), std::move(req), std::move(done));
    if (!query_ok)
        return x->refuse(http::status::bad_request, "bad_query",
                         "the query string has a bad escape or a repeated parameter");

    // Every route runs inside the exchange's error boundary: an exception in its synchronous part
    // (on this I/O thread) answers 500 like one in its reader or writer work.
    x->run([&app](exchange& ex) { route(app, ex); });
}

}  // namespace minsheng::gateway
