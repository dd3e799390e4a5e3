// Volunteer applications (docs/operator-api.md, docs/security.md "vetted volunteers"): a
// community worker decides on the applications of their community, a supervisor on those of
// their street's communities, an admin on all.
//   GET  /api/v1/volunteers                 applications in the caller's scope, by status
//   POST /api/v1/volunteers/{ZYn}/approve   approves one; the applicant is told
//   POST /api/v1/volunteers/{ZYn}/refuse    refuses one; the applicant is told politely
// A decision is written on the person (who, when) and to the staff audit trail. No view here
// shows a phone or a WeChat id.

#include <limits>

#include "adapters/db/staff.hpp"
#include "adapters/http/query_string.hpp"
#include "dialog/values/iso8601.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

namespace {

namespace store_ns = adapters::db;

json application_view(const dialog::person& p) {
    auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    return {{"application", "ZY" + std::to_string(p.volunteer_number)},
            {"status", p.volunteer_status},
            {"name", or_null(p.name)},
            {"community", or_null(p.community)},
            {"skills", or_null(p.skills)},
            {"channel", std::string(dialog::to_string(p.who.from))},
            {"applied_at", views::time_or_null(p.registered_at)},
            {"decided_by", or_null(p.volunteer_decided_by)},
            {"decided_at", views::time_or_null(p.volunteer_decided_at)}};
}

dialog::cases::volunteer_decider decider_of(const operator_identity& who) {
    dialog::cases::volunteer_decider d;
    d.actor = dialog::cases::actor::op(who.id).key();
    d.all = who.sees_all();
    d.communities = who.communities;
    return d;
}

}  // namespace

void list_volunteers(const call& c) {
    std::string status = "applied";
    if (auto v = c.param("status")) {
        if (*v != "applied" && *v != "approved" && *v != "refused" && *v != "all")
            return c.refuse(http::status::bad_request, "bad_parameter",
                            "status must be applied, approved, refused or all");
        status = *v == "all" ? "" : *v;
    }
    std::size_t limit = 100;
    if (!c.limit(limit)) return;
    // community=: one community, which must be in the caller's scope (403 otherwise).
    std::vector<std::string> communities = c.who.communities;
    if (auto v = c.param("community"); v && !v->empty()) {
        if (!c.who.sees_community(*v))
            return c.refuse(http::status::forbidden, "forbidden", "not your community");
        communities = {*v};
    }
    json arr = json::array();
    if (c.who.sees_all() || !communities.empty())
        for (const auto& p : c.r.list_volunteers(status, communities, limit))
            arr.push_back(application_view(p));
    c.answer(http::status::ok, {{"applications", std::move(arr)}});
}

void decide_volunteer(const call& c, std::int64_t number, bool approve) {
    c.x.on_writer<outcome>(
        [app = c.x.app_shared(), by = decider_of(c.who), number, approve](store_ns::store& st) {
            const std::int64_t now = app->now();
            outcome o;
            st.run([&](dialog::unit_of_work& uow) {
                const auto r = app->service->decide_volunteer(uow, number, approve, by, now);
                switch (r.why) {
                    case dialog::cases::refusal::none:
                        o = outcome::answer(http::status::ok, application_view(r.after));
                        return;
                    case dialog::cases::refusal::not_allowed:
                        o = outcome::refusal(http::status::forbidden, "forbidden",
                                             "this application is outside your communities");
                        return;
                    case dialog::cases::refusal::wrong_status:
                        o = outcome::refusal(
                            http::status::conflict, "wrong_status",
                            "the application is already " + r.after.volunteer_status);
                        return;
                    default:
                        o = outcome::refusal(http::status::not_found, "not_found",
                                             "no such volunteer application");
                        return;
                }
            });
            if (o.refused.empty())
                store_ns::append_audit(
                    st, {0, now, by.actor, approve ? "volunteer_approve" : "volunteer_refuse",
                         "ZY" + std::to_string(number), ""});
            return o;
        },
        deliver);
}

}  // namespace minsheng::gateway::operator_api
