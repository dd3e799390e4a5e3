// case_service's work orders: a grid worker's open orders and the steps they take on one.
#include "dialog/cases/work_orders.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "dialog/cases/detail/service_support.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/values/geo.hpp"

namespace minsheng::dialog::cases {
namespace {

order_result outcome(order_outcome what, case_record c) { return {what, std::move(c)}; }

// The idempotency prefix of the event about to be written on c.
std::string event_prefix(unit_of_work& uow, const case_record& c) {
    return "case:" + std::to_string(c.id) + ":ev:" + std::to_string(uow.events_of(c.id).size());
}

// Whether the assignee accepted the order since it was last assigned.
bool accepted_since_assigned(unit_of_work& uow, const case_record& c) {
    bool accepted = false;
    for (const auto& e : uow.events_of(c.id)) {
        if (e.action == "assign") accepted = false;
        if (e.action == "order_accepted") accepted = true;
    }
    return accepted;
}

std::string place_note(geo_point p) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "arrived at %.6f,%.6f", p.lat, p.lng);
    return buf;
}

}  // namespace

const std::vector<std::string>& open_order_statuses() {
    static const std::vector<std::string> s = {std::string(status::assigned),
                                               std::string(status::in_progress)};
    return s;
}

std::vector<case_record> case_service::orders_of(unit_of_work& uow, const bound_staff& staff,
                                                 std::size_t limit) const {
    if (staff.role != "worker" || staff.id.empty()) return {};
    case_query q;
    q.statuses = open_order_statuses();
    q.assignee = staff.id;
    q.limit = 1000;
    auto orders = uow.list_cases(q);
    std::stable_sort(orders.begin(), orders.end(), [](const case_record& a, const case_record& b) {
        const auto due = [](const case_record& c) {
            return c.deadline_at > 0 ? c.deadline_at : std::numeric_limits<std::int64_t>::max();
        };
        if (due(a) != due(b)) return due(a) < due(b);
        return a.id < b.id;
    });
    if (orders.size() > limit) orders.resize(limit);
    return orders;
}

order_result case_service::order_act(unit_of_work& uow, const bound_staff& staff,
                                     std::string_view number, order_step step,
                                     std::string_view text, std::optional<geo_point> where,
                                     std::int64_t now) const {
    auto found = uow.find_case(number);
    if (!found) return outcome(order_outcome::not_found, {});
    const case_record c = std::move(*found);
    // Only the order's own worker: not a worker of another grid, not a supervisor, not a stranger.
    if (staff.role != "worker" || staff.id.empty() || c.assignee != staff.id)
        return outcome(order_outcome::not_yours, c);
    const bool assigned = c.status == status::assigned;
    if (!assigned && c.status != status::in_progress)
        return outcome(order_outcome::wrong_status, c);
    const bool needs_text = step == order_step::progress || step == order_step::photo ||
                            step == order_step::done || step == order_step::give_back;
    if (needs_text && text.empty()) return outcome(order_outcome::needs_text, c);

    const actor by = actor::op(staff.id);
    const std::string note(text);
    detail::outbox out(uow, *templates_, now);
    // An event that moves nothing: the case is touched (compare-and-set) so that a concurrent
    // change is seen, then the event written.
    const auto mark = [&](const case_record& on, std::string_view action, const std::string& n,
                          std::string_view resident_key) -> order_result {
        case_record u = on;
        u.updated_at = std::max(now, on.updated_at);
        if (!uow.update_case(u, on.status, on.updated_at))
            return outcome(order_outcome::wrong_status, uow.get_case(on.id).value_or(on));
        const auto prefix = event_prefix(uow, on);
        uow.add_event({0, on.id, now, by.key(), std::string(action), on.status, on.status, n});
        if (!resident_key.empty())
            out.to_person(prefix, "resident", detail::reporter_of(on), resident_key,
                          {{"number", on.number}, {"community", on.community}}, on.id);
        return outcome(order_outcome::done, std::move(u));
    };
    const auto act_as_worker = [&](action a, act_args args) -> order_result {
        auto r = act(uow, c.id, a, by, args, now);
        if (!r.ok()) return outcome(order_outcome::wrong_status, std::move(r.after));
        return outcome(order_outcome::done, std::move(r.after));
    };

    switch (step) {
        case order_step::accept:
            if (!assigned || accepted_since_assigned(uow, c))
                return outcome(order_outcome::wrong_status, c);
            return mark(c, "order_accepted", "", "notify/order_accepted");
        case order_step::arrive: {
            if (!assigned) return outcome(order_outcome::wrong_status, c);
            // A location; or, from the mobile page when the phone will not tell it, the place the
            // worker typed (in `text`; the chat never sends one). With neither, nothing written.
            const bool located = where && valid_point(*where);
            if (!located && text.empty()) return outcome(order_outcome::needs_location, c);
            act_args args;
            args.note = located ? place_note(*where) : "arrived at: " + note;
            return act_as_worker(action::start, args);
        }
        case order_step::progress:
        case order_step::photo: {
            case_record on = c;
            if (assigned) {
                act_args args;
                args.note = step == order_step::photo ? "photo" : "progress";
                auto started = act_as_worker(action::start, args);
                if (started.what != order_outcome::done) return started;
                on = std::move(started.after);
            }
            return mark(on, step == order_step::photo ? "order_photo" : "order_progress", note, "");
        }
        case order_step::done: {
            act_args args;
            args.note = note;
            args.result = note;
            return act_as_worker(action::report_done, args);
        }
        case order_step::give_back: {
            case_record u = c;
            u.status = std::string(status::accepted);
            u.assignee.clear();
            u.updated_at = std::max(now, c.updated_at);
            if (!uow.update_case(u, c.status, c.updated_at))
                return outcome(order_outcome::wrong_status, uow.get_case(c.id).value_or(c));
            const auto prefix = event_prefix(uow, c);
            uow.add_event({0, c.id, now, by.key(), "return_order", c.status, u.status, note});
            // The community's workers (the case has no assignee now: every bound worker of it).
            out.to_staff(prefix, "worker", c.community, "notify/worker_order_returned",
                         {{"number", c.number},
                          {"community", c.community},
                          {"assignee", staff.name.empty() ? staff.id : staff.name},
                          {"reason", note}},
                         c.id);
            return outcome(order_outcome::done, std::move(u));
        }
    }
    return outcome(order_outcome::wrong_status, c);
}

}  // namespace minsheng::dialog::cases
