// /api/v1/stats, /api/v1/stats/demand.svg, /api/v1/stats/resources.svg, /api/v1/stats/grids.svg
// (the 网格图, gateway/grid/grid_map.hpp): the program's
// statistics for an authenticated operator, scoped to the communities they may see
// (docs/statistics.md). Computed with the call's reader; every message a person reads comes from
// templates/stats/ (router.cpp sets the 500's message to stats/unavailable).

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <variant>

#include "adapters/db/statistics.hpp"
#include "dialog/intake/certificates.hpp"
#include "dialog/values/civil_time.hpp"
#include "gateway/grid/grid_map.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/operator/staff_auth.hpp"
#include "gateway/operator/stats_render.hpp"

namespace minsheng::gateway::operator_api {

namespace {

using dialog::civil_date;

constexpr std::string_view svg_type = "image/svg+xml; charset=utf-8";
// The default window: this many days, ending today (China time), both ends included.
constexpr std::int64_t default_days = 30;

enum class picture { none, demand, resources, grids };

// What the caller asked for, once the query is understood and within their scope.
struct stats_request {
    civil_date since;
    civil_date until;
    adapters::db::stats_query query;
    stats_render::window window;
};

civil_date add_days(civil_date d, std::int64_t days) {
    return dialog::date_of_day_number(dialog::day_number(d) + days);
}

// Why a query is refused: the status, the error code and the template of its message.
struct stats_refusal {
    http::status status = http::status::bad_request;
    std::string code;
    std::string template_key;
};

std::variant<stats_request, stats_refusal> parse_request(const call& c, std::int64_t now) {
    const operator_identity& who = c.who;
    const config& cfg = c.app().cfg;
    auto get = [&](const char* k) -> std::optional<std::string> {
        if (auto v = c.param(k)) return *v;
        return std::nullopt;
    };
    stats_request r;
    r.until = dialog::china_date(now);
    r.since = add_days(r.until, -(default_days - 1));
    for (auto [name, date] : {std::pair{"since", &r.since}, std::pair{"until", &r.until}}) {
        if (auto v = get(name)) {
            auto d = dialog::parse_date(*v);
            if (!d)
                return stats_refusal{http::status::bad_request, "bad_parameter", "stats/bad_date"};
            *date = *d;
        }
    }
    if (r.since > r.until)
        return stats_refusal{http::status::bad_request, "bad_parameter", "stats/bad_range"};

    // The scope: a community asked for must be one they see; otherwise everything they see.
    const auto community = get("community");
    dialog::case_query scope;
    scope.community = community;
    if (!who.scope(scope))
        return stats_refusal{http::status::forbidden, "forbidden", "stats/forbidden"};
    if (community)
        r.query.communities = {*community};
    else if (!who.sees_all())
        r.query.communities = who.communities;

    r.query.since = dialog::china_unix(r.since, 0);
    r.query.until = dialog::china_unix(add_days(r.until, 1), 0);
    r.query.now = now;
    for (const auto& st : cfg.program.settings.stations)
        r.query.stations.push_back({st.code, st.community});
    for (const auto& cc : cfg.communities) r.query.listed.push_back(cc.name);

    r.window.since = dialog::format_date(r.since);
    r.window.until = dialog::format_date(r.until);
    if (!r.query.communities.empty()) r.window.communities = r.query.communities;
    return r;
}

picture picture_of(std::string_view path) {
    if (path == "/api/v1/stats/demand.svg") return picture::demand;
    if (path == "/api/v1/stats/resources.svg") return picture::resources;
    if (path == "/api/v1/stats/grids.svg") return picture::grids;
    return picture::none;
}

// The 网格图: the grids in scope with their cases in hand now (gateway/grid/grid_map.hpp).
void grid_map(const call& c, const stats_request& r) {
    auto& app = c.app();
    const auto& texts = *app.templates;
    const auto& scope = r.query.communities;
    const auto in_scope = [&](const std::string& community) {
        return scope.empty() || std::find(scope.begin(), scope.end(), community) != scope.end();
    };
    std::vector<dialog::cases::grid_area> areas;
    for (const auto& cc : app.cfg.communities)
        if (in_scope(cc.name)) areas.insert(areas.end(), cc.areas.begin(), cc.areas.end());
    std::vector<dialog::case_record> open;
    if (!areas.empty()) {
        dialog::case_query q;
        using namespace dialog::cases::status;
        q.statuses = {std::string(received), std::string(accepted), std::string(assigned),
                      std::string(claimed), std::string(in_progress)};
        q.communities = scope;
        q.limit = 1000;
        for (;;) {
            auto page = c.r.list_cases(q);
            if (page.empty()) break;
            q.before_id = page.back().id;
            const bool last = page.size() < q.limit;
            open.insert(open.end(), std::make_move_iterator(page.begin()),
                        std::make_move_iterator(page.end()));
            if (last) break;
        }
    }
    std::string scope_text;
    for (const auto& name : scope)
        scope_text += (scope_text.empty() ? "" : texts.render("stats/scope_separator")) + name;
    if (scope_text.empty()) scope_text = texts.render("stats/scope_all");
    const auto counts = grid::count_by_grid(areas, app.staff->assignment_rule, open, r.query.now);
    http_response res = c.x.response(
        http::status::ok, grid::grid_map_svg(areas, counts, r.window.until, scope_text, texts),
        svg_type);
    res.set(http::field::cache_control, "private, no-store");
    c.x.answer(std::move(res));
}

}  // namespace

bool is_stats_path(std::string_view path) {
    return path == "/api/v1/stats" || path.starts_with("/api/v1/stats/");
}

void stats(const call& c) {
    auto& app = c.app();
    auto refuse = [&](http::status s, std::string_view code, const std::string& key) {
        c.refuse(s, code, app.templates->render(key));
    };
    const std::string& path = c.x.ctx().path;
    const picture pic = picture_of(path);
    if (pic == picture::none && path != "/api/v1/stats")
        return refuse(http::status::not_found, "not_found", "stats/not_found");
    if (c.x.req().method() != http::verb::get)
        return refuse(http::status::method_not_allowed, "method_not_allowed",
                      "stats/method_not_allowed");

    auto parsed = parse_request(c, app.now());
    if (auto* no = std::get_if<stats_refusal>(&parsed))
        return refuse(no->status, no->code, no->template_key);
    const auto& r = std::get<stats_request>(parsed);

    if (pic == picture::grids) return grid_map(c, r);

    const auto figures = adapters::db::compute_statistics(c.r, r.query);
    std::string body;
    std::string_view type = svg_type;
    switch (pic) {
        case picture::demand:
            body = stats_render::demand_svg(figures, r.window, *app.templates);
            break;
        case picture::resources:
            body = stats_render::resources_svg(figures, r.window, *app.templates);
            break;
        case picture::grids:
            break;  // answered above
        case picture::none: {
            // Names come from residents' answers: never let a bad byte fail the whole answer.
            auto j = stats_render::to_json(figures, r.window);
            // Each certificate item's name from the city's list (its id when the list lacks it).
            for (auto& cert : j["certificates"]) {
                const auto id = cert["item"].get<std::string>();
                const auto* item = app.certificates ? app.certificates->find(id) : nullptr;
                cert["name"] = item ? item->name : id;
            }
            body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
            type = json_type;
            break;
        }
    }
    http_response res = c.x.response(http::status::ok, std::move(body), type);
    // Scoped to the caller: no shared cache may keep it.
    res.set(http::field::cache_control, "private, no-store");
    c.x.answer(std::move(res));
}

}  // namespace minsheng::gateway::operator_api
