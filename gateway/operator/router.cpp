// /api/v1/...: the operator API (docs/operator-api.md), behind a bearer token: the bootstrap
// operator token or a staff token (gateway/operator/staff_auth.hpp). An address that failed to
// authenticate too often is refused 429 before its token is looked up (auth_throttle.hpp).
// Authentication reads the staff tables on the reader pool; the route (router.hpp's table: its
// method, the caller's role, then its endpoint from endpoints.hpp) then runs on that same reader
// thread, and writes (case actions, notes, replies, assignment, the sweep, audit entries) go to
// the writer through the exchange: never on an I/O thread.

#include "gateway/operator/router.hpp"

#include <limits>
#include <string_view>

#include "adapters/http/query_string.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/routes/routes.hpp"
#include "gateway/server/app_state.hpp"

namespace minsheng::gateway {

namespace operator_api {

namespace {

using http::verb;

// The endpoints of endpoints.hpp as the table calls them.
template <void (*fn)(const call&)>
void no_id(const call& c, std::int64_t) {
    fn(c);
}

// POST /api/v1/volunteers/ZY{id}/approve|refuse: {id} is the application's number.
template <bool approve>
void decide(const call& c, std::int64_t number) {
    decide_volunteer(c, number, approve);
}

unsigned role_bit(std::string_view role) {
    if (role == "admin") return admins;
    if (role == "supervisor") return supervisors;
    if (role == "worker") return workers;
    return 0;
}

}  // namespace

std::string_view to_string(scope_rule rule) {
    switch (rule) {
        case scope_rule::own:
            return "own";
        case scope_rule::shared:
            return "shared";
        case scope_rule::filtered:
            return "filtered";
        case scope_rule::per_case:
            return "per_case";
        case scope_rule::admin_only:
            return "admin_only";
    }
    return "unknown";
}

const std::vector<route_spec>& routes() {
    using enum scope_rule;
    constexpr unsigned staff_leads = admins | supervisors;
    static const std::vector<route_spec> table = {
        {verb::get, "/api/v1/me", every_role, own, no_id<me>},
        {verb::post, "/api/v1/me/wechat-code", every_role, own, no_id<wechat_code>},
        {verb::get, "/api/v1/cases", every_role, filtered, no_id<list_cases>},
        {verb::get, "/api/v1/cases.csv", every_role, filtered, no_id<export_cases>},
        {verb::get, "/api/v1/cases/{id}", every_role, per_case, get_case},
        {verb::get, "/api/v1/cases/{id}/possible-duplicates", every_role, per_case,
         possible_duplicates},
        {verb::post, "/api/v1/cases/{id}/actions", every_role, per_case, act},
        {verb::post, "/api/v1/cases/{id}/notes", every_role, per_case, add_note},
        {verb::post, "/api/v1/cases/{id}/reply", every_role, per_case, reply},
        {verb::post, "/api/v1/cases/{id}/followers/split", every_role, per_case, split_follower},
        {verb::get, "/api/v1/canned", every_role, shared, no_id<list_canned>},
        {verb::get, "/api/v1/staff", every_role, filtered, no_id<list_staff>},
        {verb::post, "/api/v1/assign/auto", staff_leads, filtered, no_id<assign_auto>},
        // Volunteer applications ("ZY12"): listed for the caller's communities; deciding one
        // outside them is 403 (decide_volunteer checks the application's community).
        {verb::get, "/api/v1/volunteers", every_role, filtered, no_id<list_volunteers>},
        {verb::post, "/api/v1/volunteers/ZY{id}/approve", every_role, per_case, decide<true>},
        {verb::post, "/api/v1/volunteers/ZY{id}/refuse", every_role, per_case, decide<false>},
        // Community moves: listed for the caller's communities (the new community); confirming
        // one outside them is 403 (confirm_move checks the move's community).
        {verb::get, "/api/v1/residents/moves", every_role, filtered, no_id<list_moves>},
        {verb::post, "/api/v1/residents/moves/{id}/confirm", every_role, per_case, confirm_move},
        {verb::get, "/api/v1/audit", admins, admin_only, no_id<list_audit>},
        // The program's queues: admins and supervisors; its timers: admins.
        {verb::get, "/api/v1/outbox", staff_leads, filtered, no_id<list_outbox>},
        {verb::get, "/api/v1/proposals", staff_leads, filtered, no_id<list_proposals>},
        {verb::get, "/api/v1/ranking", staff_leads, filtered, no_id<ranking>},
        {verb::post, "/api/v1/sweep", admins, admin_only, no_id<sweep>},
        {verb::get, "/api/v1/stats", every_role, filtered, no_id<stats>},
        {verb::get, "/api/v1/stats/demand.svg", every_role, filtered, no_id<stats>},
        {verb::get, "/api/v1/stats/resources.svg", every_role, filtered, no_id<stats>},
        // 主动发现: the households of the caller's street (docs/discovery.md); workers 403.
        {verb::get, "/api/v1/discovery", staff_leads, filtered, no_id<list_discovery>},
        {verb::get, "/api/v1/discovery.csv", staff_leads, filtered, no_id<export_discovery>},
        {verb::post, "/api/v1/discovery/visits", staff_leads, per_case, no_id<visit_discovery>},
        {verb::get, "/api/v1/stats/grids.svg", every_role, filtered, no_id<stats>},
    };
    return table;
}

bool matches(const route_spec& route, std::string_view path, std::int64_t& case_id) {
    constexpr std::string_view hole = "{id}";
    const auto at = route.path.find(hole);
    if (at == std::string_view::npos) {
        case_id = 0;
        return path == route.path;
    }
    const auto head = route.path.substr(0, at);
    const auto tail = route.path.substr(at + hole.size());
    if (path.size() <= head.size() + tail.size() || !path.starts_with(head) ||
        !path.ends_with(tail))
        return false;
    auto id = adapters::http::whole_number(
        path.substr(head.size(), path.size() - head.size() - tail.size()), 1,
        std::numeric_limits<std::int64_t>::max());
    if (!id) return false;
    case_id = *id;
    return true;
}

namespace {

void route(const call& c) {
    const std::string& path = c.x.ctx().path;
    const route_spec* same_path = nullptr;  // a route of this path with another method
    for (const auto& r : routes()) {
        std::int64_t case_id = 0;
        if (!matches(r, path, case_id)) continue;
        if (r.method != c.x.req().method()) {
            if (!same_path) same_path = &r;
            continue;
        }
        if ((r.roles & role_bit(c.who.role)) == 0)
            return c.refuse(http::status::forbidden, "forbidden",
                            "your role may not use this endpoint");
        return r.serve(c, case_id);
    }
    // The statistics say their 404 and 405 in their own words (templates/stats/).
    if (is_stats_path(path)) return stats(c);
    if (same_path) {
        c.only(same_path->method);  // refuses 405
        return;
    }
    if (path.starts_with("/api/v1/cases/"))
        return c.refuse(http::status::not_found, "not_found", "no such case");
    c.refuse(http::status::not_found, "not_found", "no such endpoint");
}

}  // namespace

}  // namespace operator_api

namespace http = boost::beast::http;

exchange::error_format operator_error_format(const exchange& x) {
    // The statistics say a 500 in their own words.
    return operator_api::is_stats_path(x.ctx().path)
               ? operator_api::error_format(x.app().templates->render("stats/unavailable"))
               : operator_api::error_format();
}

void serve_operator(const exchange_ptr& x) {
    auto& app = x->app();
    // Before any token is looked up: an address with too many failed authentications waits.
    if (auto d = app.staff->auth_failures.admit(x->ctx().peer); !d.allowed) {
        app.stats.rate_limited.inc("auth");
        return x->refuse(http::status::too_many_requests, "rate_limited",
                         "too many failed authentications from this address; please wait",
                         d.retry_after_seconds);
    }
    x->on_reader([](exchange& ex, adapters::db::reader& r) {
        auto& state = ex.app();
        const auto authorization = ex.req()[http::field::authorization];
        auto who = authenticate_operator(state.cfg, r, authorization, state.now());
        if (!who) {
            // A wrong credential is a guess; no credential at all is not.
            if (!authorization.empty()) state.staff->auth_failures.failed(ex.ctx().peer);
            return ex.refuse(http::status::unauthorized, "unauthorized",
                             "a valid operator bearer token is required");
        }
        operator_api::route(operator_api::call{ex, r, std::move(*who)});
    });
}

}  // namespace minsheng::gateway
