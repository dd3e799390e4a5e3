// /api/v1/...: the operator API (docs/operator-api.md), behind a bearer token: the bootstrap
// operator token or a staff token (gateway/operator/staff_auth.hpp). Authentication reads the
// staff tables on the reader pool; the endpoint (endpoints.hpp) then runs on that same reader
// thread, and writes (case actions, notes, replies, assignment, the sweep, audit entries) go to
// the writer through the exchange: never on an I/O thread.

#include <limits>
#include <string_view>

#include "adapters/http/query_string.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/routes/routes.hpp"

namespace minsheng::gateway {

namespace {

using namespace operator_api;

// /api/v1/volunteers and /api/v1/volunteers/{ZYn}/approve|refuse (volunteers.cpp).
void volunteers(const call& c, std::string_view path) {
    constexpr std::string_view prefix = "/api/v1/volunteers";
    std::string_view rest = path.substr(prefix.size());
    if (rest.empty()) {
        if (c.only(http::verb::get)) list_volunteers(c);
        return;
    }
    rest.remove_prefix(1);
    const auto slash = rest.find('/');
    const std::string_view verb = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    const auto number = application_number(rest.substr(0, slash));
    if (!number || (verb != "approve" && verb != "refuse"))
        return c.refuse(http::status::not_found, "not_found", "no such endpoint");
    if (c.only(http::verb::post)) decide_volunteer(c, *number, verb == "approve");
}

void route(const call& c) {
    const std::string& path = c.x.ctx().path;
    constexpr std::string_view cases_prefix = "/api/v1/cases/";
    if (is_stats_path(path)) return stats(c);
    if (path == "/api/v1/me") {
        if (c.only(http::verb::get)) me(c);
        return;
    }
    if (path == "/api/v1/me/wechat-code") {
        if (c.only(http::verb::post)) wechat_code(c);
        return;
    }
    if (path == "/api/v1/cases") {
        if (c.only(http::verb::get)) list_cases(c);
        return;
    }
    if (path == "/api/v1/cases.csv") {
        if (c.only(http::verb::get)) export_cases(c);
        return;
    }
    if (path.starts_with(cases_prefix)) {
        std::string_view rest = std::string_view(path).substr(cases_prefix.size());
        std::string_view sub;
        if (auto slash = rest.find('/'); slash != std::string_view::npos) {
            sub = rest.substr(slash + 1);
            rest = rest.substr(0, slash);
        }
        auto id = adapters::http::whole_number(rest, 1, std::numeric_limits<std::int64_t>::max());
        if (!id || !(sub.empty() || sub == "actions" || sub == "notes" || sub == "reply"))
            return c.refuse(http::status::not_found, "not_found", "no such case");
        if (sub.empty()) {
            if (c.only(http::verb::get)) get_case(c, *id);
            return;
        }
        if (!c.only(http::verb::post)) return;
        if (sub == "notes") return add_note(c, *id);
        if (sub == "reply") return reply(c, *id);
        return act(c, *id);
    }
    if (path == "/api/v1/canned") {
        if (c.only(http::verb::get)) list_canned(c);
        return;
    }
    if (path == "/api/v1/staff") {
        if (c.only(http::verb::get)) list_staff(c);
        return;
    }
    if (path == "/api/v1/assign/auto") {
        if (c.only(http::verb::post) && c.roles({"admin", "supervisor"})) assign_auto(c);
        return;
    }
    if (path == "/api/v1/volunteers" || path.starts_with("/api/v1/volunteers/"))
        return volunteers(c, path);
    if (path == "/api/v1/audit") {
        if (c.only(http::verb::get) && c.roles({"admin"})) list_audit(c);
        return;
    }
    // The program's queues and timers: admins and supervisors.
    if (path == "/api/v1/outbox") {
        if (c.roles({"admin", "supervisor"}) && c.only(http::verb::get)) list_outbox(c);
        return;
    }
    if (path == "/api/v1/proposals") {
        if (c.roles({"admin", "supervisor"}) && c.only(http::verb::get)) list_proposals(c);
        return;
    }
    if (path == "/api/v1/ranking") {
        if (c.roles({"admin", "supervisor"}) && c.only(http::verb::get)) ranking(c);
        return;
    }
    if (path == "/api/v1/sweep") {
        if (c.roles({"admin", "supervisor"}) && c.only(http::verb::post)) sweep(c);
        return;
    }
    c.refuse(http::status::not_found, "not_found", "no such endpoint");
}

}  // namespace

exchange::error_format operator_error_format(const exchange& x) {
    // The statistics say a 500 in their own words.
    return is_stats_path(x.ctx().path)
               ? operator_api::error_format(x.app().templates->render("stats/unavailable"))
               : operator_api::error_format();
}

void serve_operator(const exchange_ptr& x) {
    x->on_reader([](exchange& ex, adapters::sqlite_store::reader& r) {
        auto& app = ex.app();
        auto who =
            authenticate_operator(app.cfg, r, ex.req()[http::field::authorization], app.now());
        if (!who)
            return ex.refuse(http::status::unauthorized, "unauthorized",
                             "a valid operator bearer token is required");
        route(call{ex, r, std::move(*who)});
    });
}

}  // namespace minsheng::gateway
