// Who handles a case, as the operator API sees it: the store's staff rows as the assignment
// rule's candidates (dialog/cases/assignment.hpp), and POST /api/v1/assign/auto, which spreads
// the waiting cases in the caller's scope over the least-loaded workers in one unit of work,
// with one audit entry.

#include <string>
#include <utility>

#include "adapters/db/staff.hpp"
#include "gateway/operator/endpoints.hpp"

namespace minsheng::gateway::operator_api {

namespace store_ns = adapters::db;

dialog::cases::roster roster_of(store_ns::store& st) {
    dialog::cases::roster r;
    for (auto& m : store_ns::list_staff(st))
        r.staff.push_back({std::move(m.id), std::move(m.role), std::move(m.community),
                           std::move(m.grid), m.active});
    r.open_cases = store_ns::open_cases_by_assignee(st);
    return r;
}

void assign_auto(const call& c) {
    c.x.on_writer<outcome>(
        [app = c.x.app_shared(), who = c.who](store_ns::store& st) {
            const std::int64_t t = app->now();
            const auto by = dialog::cases::actor::op(who.id);
            const auto staff = roster_of(st);
            std::vector<dialog::cases::auto_assigned> assigned;
            st.run([&](dialog::unit_of_work& uow) {
                assigned.clear();
                auto q = dialog::cases::assignment::waiting_cases();
                if (!who.scope(q)) return;
                auto loads = staff;  // this attempt's own count of what it assigns
                assigned =
                    app->staff->assignment_rule.assign_waiting(uow, *app->service, q, loads, by, t);
            });
            store_ns::append_audit(st, {0, t, by.key(), "assign_auto", "",
                                        "cases " + std::to_string(assigned.size())});
            json arr = json::array();
            for (const auto& a : assigned)
                arr.push_back(
                    {{"case", a.number}, {"case_id", a.case_id}, {"assignee", a.assignee}});
            return outcome::answer(http::status::ok, {{"assigned", std::move(arr)}});
        },
        deliver);
}

}  // namespace minsheng::gateway::operator_api
