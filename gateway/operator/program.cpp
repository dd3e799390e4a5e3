// The program's queues and timers, for admins and supervisors (router.cpp checks the role):
//   GET  /api/v1/outbox     notifications, by status and case, with the pending and dead counts
//   GET  /api/v1/proposals  open 微实事 proposals, of one community or all
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
    adapters::sqlite_store::outbox_filter f;
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
    json arr = json::array();
    for (const auto& row : c.r.list_outbox(f)) arr.push_back(views::outbox(row));
    c.answer(http::status::ok, {{"notifications", std::move(arr)},
                                {"pending", c.r.count_outbox("pending")},
                                {"dead", c.r.count_outbox("dead")}});
}

void list_proposals(const call& c) {
    const std::string community = c.param("community") ? *c.param("community") : "";
    std::size_t limit = 100;
    if (!c.limit(limit)) return;
    json arr = json::array();
    for (const auto& p : c.r.open_proposals(community, limit)) arr.push_back(views::proposal(p));
    c.answer(http::status::ok, {{"proposals", std::move(arr)}});
}

void ranking(const call& c) {
    const std::string community = c.param("community") ? *c.param("community") : "";
    std::size_t limit = 20;
    if (!c.limit(limit)) return;
    auto [since, until] = dialog::china_month(c.app().now());
    c.answer(http::status::ok,
             {{"community", community},
              {"since", dialog::format_iso8601(since)},
              {"until", dialog::format_iso8601(until)},
              {"ranking", views::ranking(c.r.ranking(community, since, until, limit))}});
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
                                {"auto_closed", r->auto_closed},
                                {"proposals_expired", r->proposals_expired}};
                      x->answer(http::status::ok, views::json_text(body), json_type);
                  } catch (const std::exception& e) {
                      x->internal(e.what());
                  }
              });
}

}  // namespace minsheng::gateway::operator_api
