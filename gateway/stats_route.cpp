// /api/v1/stats, /api/v1/stats/demand.svg, /api/v1/stats/resources.svg: the program's
// statistics for an authenticated operator, scoped to the communities they may see
// (docs/statistics.md). route_api calls serve_stats after authentication, on a read thread, so
// the queries run here directly on a reader of the pool.

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <variant>

#include "adapters/sqlite_store/statistics.hpp"
#include "dialog/cases/civil_time.hpp"
#include "gateway/detail/app_impl.hpp"
#include "gateway/staff_auth.hpp"
#include "gateway/stats_render.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway {

namespace http = boost::beast::http;

namespace {

using dialog::cases::civil_date;

constexpr std::string_view json_type = "application/json; charset=utf-8";
constexpr std::string_view svg_type = "image/svg+xml; charset=utf-8";
// The default window: this many days, ending today (China time), both ends included.
constexpr std::int64_t default_days = 30;

enum class picture { none, demand, resources };

// What the caller asked for, once the query is understood and within their scope.
struct stats_request {
    civil_date since;
    civil_date until;
    adapters::sqlite_store::stats_query query;
    stats_render::window window;
};

civil_date add_days(civil_date d, std::int64_t days) {
    return dialog::cases::date_of_day_number(dialog::cases::day_number(d) + days);
}

// Why a query is refused: the status, the error code and the template of its message.
struct refusal {
    http::status status = http::status::bad_request;
    std::string code;
    std::string template_key;
};

std::variant<stats_request, refusal> parse_request(const app::impl::request_ctx& ctx,
                                                   const operator_identity& who, const config& cfg,
                                                   std::int64_t now) {
    auto get = [&](const char* k) -> std::optional<std::string> {
        auto it = ctx.query.find(k);
        if (it == ctx.query.end() || it->second.empty()) return std::nullopt;
        return it->second;
    };
    stats_request r;
    r.until = dialog::cases::china_date(now);
    r.since = add_days(r.until, -(default_days - 1));
    for (auto [name, date] : {std::pair{"since", &r.since}, std::pair{"until", &r.until}}) {
        if (auto v = get(name)) {
            auto d = dialog::cases::parse_date(*v);
            if (!d) return refusal{http::status::bad_request, "bad_parameter", "stats/bad_date"};
            *date = *d;
        }
    }
    if (r.since > r.until)
        return refusal{http::status::bad_request, "bad_parameter", "stats/bad_range"};

    // The scope: a community asked for must be one they see; otherwise everything they see.
    const auto community = get("community");
    dialog::case_query scope;
    scope.community = community;
    if (!who.scope(scope)) return refusal{http::status::forbidden, "forbidden", "stats/forbidden"};
    if (community)
        r.query.communities = {*community};
    else if (!who.sees_all())
        r.query.communities = who.communities;

    r.query.since = dialog::cases::china_unix(r.since, 0);
    r.query.until = dialog::cases::china_unix(add_days(r.until, 1), 0);
    r.query.now = now;
    for (const auto& st : cfg.program.settings.stations)
        r.query.stations.push_back({st.code, st.community});
    for (const auto& c : cfg.communities) r.query.listed.push_back(c.name);

    r.window.since = dialog::cases::format_date(r.since);
    r.window.until = dialog::cases::format_date(r.until);
    if (!r.query.communities.empty()) r.window.communities = r.query.communities;
    return r;
}

picture picture_of(std::string_view path) {
    if (path == "/api/v1/stats/demand.svg") return picture::demand;
    if (path == "/api/v1/stats/resources.svg") return picture::resources;
    return picture::none;
}

}  // namespace

void app::impl::serve_stats(request_ctx ctx, http_request&& req,
                            std::function<void(http_response&&)> respond,
                            const operator_identity& who) {
    auto reject = [&](http::status s, std::string_view code, const std::string& key) {
        stats.requests_rejected.inc(code);
        if (log->should_log(spdlog::level::warn)) log->warn("{} stats rejected: {}", ctx.id, code);
        respond(make_response(req, s, views::error_body(code, templates->render(key)).dump() + "\n",
                              json_type));
    };
    const picture pic = picture_of(ctx.path);
    if (pic == picture::none && ctx.path != "/api/v1/stats")
        return reject(http::status::not_found, "not_found", "stats/not_found");
    if (req.method() != http::verb::get)
        return reject(http::status::method_not_allowed, "method_not_allowed",
                      "stats/method_not_allowed");

    auto parsed = parse_request(ctx, who, cfg, now());
    if (auto* no = std::get_if<refusal>(&parsed))
        return reject(no->status, no->code, no->template_key);
    const auto& r = std::get<stats_request>(parsed);

    adapters::sqlite_store::statistics figures;
    try {
        auto reader = readers->acquire();
        figures = adapters::sqlite_store::compute_statistics(*reader, r.query);
        readers->release(std::move(reader));
    } catch (const std::exception& e) {
        stats.errors.inc(ctx.route);
        log->error("{} stats read failure: {}", ctx.id, e.what());
        return respond(make_response(
            req, http::status::internal_server_error,
            views::error_body("internal", templates->render("stats/unavailable")).dump() + "\n",
            json_type));
    }

    std::string body;
    std::string_view type = svg_type;
    switch (pic) {
        case picture::demand:
            body = stats_render::demand_svg(figures, r.window, *templates);
            break;
        case picture::resources:
            body = stats_render::resources_svg(figures, r.window, *templates);
            break;
        case picture::none:
            // Names come from residents' answers: never let a bad byte fail the whole answer.
            body = stats_render::to_json(figures, r.window)
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                   "\n";
            type = json_type;
            break;
    }
    http_response res = make_response(req, http::status::ok, std::move(body), type);
    // Scoped to the caller: no shared cache may keep it.
    res.set(http::field::cache_control, "private, no-store");
    respond(std::move(res));
}

}  // namespace minsheng::gateway
