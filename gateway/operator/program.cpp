// The program's queues and timers (router.cpp checks the role: admins and supervisors, the sweep
// admins only). A supervisor sees only what is about the communities of their street; asking for
// another community is 403:
//   GET  /api/v1/outbox     notifications, by status and case, with the pending and dead counts
//   GET  /api/v1/proposals  open 微实事 proposals, of one community or all in scope
//   GET  /api/v1/ranking    the volunteer points ranking of this China-time month
//   POST /api/v1/sweep      one timer sweep now, answered with its figures once committed

#include <limits>
#include <optional>

#include "adapters/http/query_string.hpp"
#include "dialog/values/civil_time.hpp"
#include "dialog/values/iso8601.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/server/sweep.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

void list_outbox(const call& c) {
    adapters::db::outbox_filter f;
    if (auto v = c.param("status")) {
        if (*v != "pending" && *v != "delivered" && *v != "dead")
            return c.refuse(http::status::bad_request, "bad_parameter",
                            "status must be pending, delivered or dead");
        f.status = *v;
    }
    if (auto v = c.param("case_id")) {
        auto n = adapters::http::whole_number(*v, 1, std::numeric_limits<std::int64_t>::max());
        if (!n)
            return c.refuse(http::status::bad_request, "bad_parameter",
                            "case_id must be a case id");
        f.case_id = *n;
    }
    if (!c.limit(f.limit)) return;
    // Everything for an admin; otherwise the rows about their communities, counts included.
    const bool all = c.who.sees_all();
    const auto& scope = c.who.communities;
    json arr = json::array();
    for (const auto& row : all ? c.r.list_outbox(f) : c.r.list_outbox_in(f, scope))
        arr.push_back(views::outbox(row));
    auto count = [&](std::string_view status) {
        return all ? c.r.count_outbox(status) : c.r.count_outbox_in(status, scope);
    };
    c.answer(http::status::ok, {{"notifications", std::move(arr)},
                                {"pending", count("pending")},
                                {"dead", count("dead")}});
}

namespace {

// The `community` parameter, "" when absent; false after refusing 403 when it names a community
// outside the caller's scope.
bool community_in_scope(const call& c, std::string& community) {
    community = c.param("community") ? *c.param("community") : "";
    if (community.empty() || c.who.sees_community(community)) return true;
    c.refuse(http::status::forbidden, "forbidden", "not your community");
    return false;
}

}  // namespace

void list_proposals(const call& c) {
    std::string community;
    if (!community_in_scope(c, community)) return;
    std::size_t limit = 100;
    if (!c.limit(limit)) return;
    const auto proposals = !community.empty() || c.who.sees_all()
                               ? c.r.open_proposals(community, limit)
                               : c.r.open_proposals_in(c.who.communities, limit);
    json arr = json::array();
    for (const auto& p : proposals) arr.push_back(views::proposal(p));
    c.answer(http::status::ok, {{"proposals", std::move(arr)}});
}

void ranking(const call& c) {
    std::string community;
    if (!community_in_scope(c, community)) return;
    std::size_t limit = 20;
    if (!c.limit(limit)) return;
    auto [since, until] = dialog::china_month(c.app().now());
    const auto rows = !community.empty() || c.who.sees_all()
                          ? c.r.ranking(community, since, until, limit)
                          : c.r.ranking_in(c.who.communities, since, until, limit);
    c.answer(http::status::ok, {{"community", community},
                                {"since", dialog::format_iso8601(since)},
                                {"until", dialog::format_iso8601(until)},
                                {"ranking", views::ranking(rows)}});
}

void sweep(const call& c) {
    // run_sweep answers on an I/O thread after the commit; the exchange is held by value.
    run_sweep(c.x.app_shared(),
              [x = c.x.shared_from_this()](std::optional<dialog::cases::sweep_report> r) {
                  // Outside any exchange boundary: nothing below may throw past here.
                  try {
                      if (!r) return x->internal("the sweep failed");
                      json body{{"leases_expired", r->leases_expired},
                                {"reminders", r->reminders},
                                {"escalations", r->escalations},
                                {"confirm_notices", r->confirm_notices},
                                {"auto_confirmed", r->auto_confirmed},
                                {"auto_closed", r->auto_closed},
                                {"proposals_expired", r->proposals_expired}};
                      x->answer(http::status::ok, views::json_text(body), json_type);
                  } catch (const std::exception& e) {
                      x->internal(e.what());
                  }
              });
}

}  // namespace minsheng::gateway::operator_api
