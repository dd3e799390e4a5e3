#include "gateway/server/dispatch.hpp"

#include <cstdio>

#include "dialog/utf8.hpp"
#include "gateway/exchange.hpp"
#include "gateway/grid_page/grid_page.hpp"
#include "gateway/routes/routes.hpp"
#include "gateway/server/calendar_health.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;

std::string_view route_of(std::string_view path) {
    auto starts = [&](std::string_view p) { return path.rfind(p, 0) == 0; };
    if (path == "/wechat/oa") return "wechat_oa";
    if (starts("/api/v1/")) return "api";
    if (starts("/public/v1/")) return "public";
    if (starts("/hotline/")) return "hotline";
    if (starts("/mp/v1/")) return "mp";
    if (starts("/open311/v2/")) return "open311";
    if (path == "/" || path == "/console" || starts("/console/")) return "console";
    if (path == "/grid" || starts("/grid/")) return "grid";
    if (path == "/healthz") return "healthz";
    if (path == "/metrics") return "metrics";
    return "unknown";
}

namespace {

// Every decoded query key and value must be UTF-8: they are echoed into JSON answers, logs and
// the audit trail, and a byte that is not text would fail there instead of here.
bool text_query(const adapters::http::query_params& q) {
    for (const auto& [k, v] : q)
        if (!dialog::is_valid_utf8(k) || !dialog::is_valid_utf8(v)) return false;
    return true;
}

// The route's error format, set before anything can be refused.
exchange::error_format error_format_for(const exchange& x) {
    const auto& route = x.ctx().route;
    if (route == "api") return operator_error_format(x);
    if (route == "mp") return mp_error_format(x);
    if (route == "open311") return open311_error_format(x);
    if (route == "public" || route == "hotline" || route == "grid") return json_error_format();
    return {};
}

// The per-address bucket of a route that needs no account; null for the others.
rate_limiter* bucket_of(app_state& app, std::string_view route) {
    if (route == "public") return app.public_by_peer.get();
    if (route == "open311") return app.open311_by_peer.get();
    if (route == "hotline") return app.hotline_by_peer.get();
    return nullptr;
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
    if (route == "grid") return grid_page::serve_grid_page(x);
    if (route != "unknown" && method != http::verb::get)
        return x->refuse(http::status::method_not_allowed, "method_not_allowed",
                         "only GET is allowed here");
    if (route == "healthz") {
        // Warnings are fixed ASCII codes: no escaping needed.
        auto warnings = app->warnings;
        if (check_calendar(app->service->calendar(), app->now()).warn)
            warnings.emplace_back(calendar_warning);
        std::string body = "{\"status\":\"ok\",\"warnings\":[";
        for (std::size_t i = 0; i < warnings.size(); ++i)
            body += (i ? ",\"" : "\"") + warnings[i] + "\"";
        return x->answer(http::status::ok, body + "]}\n", "application/json");
    }
    if (route == "metrics") {
        if (app->connections) app->stats.connections_open.store(app->connections->load());
        const auto cal = check_calendar(app->service->calendar(), app->now());
        return x->answer(http::status::ok,
                         app->stats.render() +
                             "# HELP minsheng_calendar_next_year_loaded Whether the working-day "
                             "calendar lists next year (China time); 0 from November is a "
                             "warning.\n"
                             "# TYPE minsheng_calendar_next_year_loaded gauge\n"
                             "minsheng_calendar_next_year_loaded " +
                             (cal.next_year_loaded ? "1" : "0") + "\n",
                         "text/plain; version=0.0.4; charset=utf-8");
    }
    x->refuse(http::status::not_found, "not_found", "no such endpoint");
}

}  // namespace

void dispatch(const app_ptr& app, http_request&& req, const std::string& peer, respond_fn respond) {
    request_ctx ctx;
    char idbuf[24];
    std::snprintf(idbuf, sizeof idbuf, "r%08llx",
                  static_cast<unsigned long long>(app->request_seq.fetch_add(1) + 1));
    ctx.id = idbuf;
    ctx.start = std::chrono::steady_clock::now();
    auto [path, query] = adapters::http::split_target(req.target());
    ctx.route = std::string(route_of(path));
    ctx.path = std::move(path);
    // Behind a trusted proxy the client is whom its X-Forwarded-For names (every such header).
    if (app->trusted_proxies.empty()) {
        ctx.peer = peer;
    } else {
        std::string forwarded;
        for (auto [it, end] = req.equal_range("X-Forwarded-For"); it != end; ++it) {
            if (!forwarded.empty()) forwarded += ',';
            forwarded.append(it->value().data(), it->value().size());
        }
        ctx.peer = client_address(peer, forwarded, app->trusted_proxies);
    }

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
    if (auto format = error_format_for(*x)) x->set_error_format(std::move(format));
    if (!query_ok)
        return x->refuse(http::status::bad_request, "bad_query",
                         "the query string has a bad escape or a repeated parameter");
    if (!text_query(x->ctx().query))
        return x->refuse(http::status::bad_request, "bad_query",
                         "the query string must be UTF-8 text");
    if (auto* bucket = bucket_of(*app, x->ctx().route)) {
        // Before any work, and before the hotline's HMAC check: a client without an account
        // spends only its own address's tokens.
        if (auto d = bucket->take(x->ctx().route + ":" + x->ctx().peer); !d.allowed) {
            app->stats.rate_limited.inc(x->ctx().route);
            return x->refuse(http::status::too_many_requests, "rate_limited",
                             "too many requests from this address; please slow down",
                             d.retry_after_seconds);
        }
    }

    // Every route runs inside the exchange's error boundary: an exception in its synchronous part
    // (on this I/O thread) answers 500 like one in its reader or writer work.
    x->run([&app](exchange& ex) { route(app, ex); });
}

}  // namespace minsheng::gateway
