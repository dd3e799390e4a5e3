// case_service::sweep: the timers. Idempotent: every step selects only what it has not done yet
// (claims still held, reminded_at/escalated_at still 0, cases still done, proposals still open),
// so a second sweep at the same instant changes nothing.
#include <algorithm>
#include <string>
#include <vector>

#include "dialog/cases/detail/service_support.hpp"
#include "dialog/cases/service.hpp"

namespace minsheng::dialog::cases {
namespace {

// Rows fetched per query; a step repeats its query while a full page made progress.
constexpr std::size_t page = 200;

// Cases someone still has to work on: reminders and escalations are about them. Once reported
// done, a case waits for the resident, not for its handler.
std::vector<std::string> active_statuses() {
    return {std::string(status::received), std::string(status::accepted),
            std::string(status::assigned), std::string(status::claimed),
            std::string(status::in_progress)};
}

// Runs `step` on every case `q` lists, re-listing while a full page made progress. Returns how
// many cases step() handled.
template <typename Step>
int for_each_case(unit_of_work& uow, case_query q, Step step) {
    q.limit = page;
    int done = 0;
    while (true) {
        const auto batch = uow.list_cases(q);
        int progressed = 0;
        for (const auto& c : batch)
            if (step(c)) ++progressed;
        done += progressed;
        if (batch.size() < page || progressed == 0) return done;
    }
}

}  // namespace

sweep_report case_service::sweep(unit_of_work& uow, std::int64_t now) const {
    sweep_report report;
    const actor system = actor::sys();

    // Claims whose lease ran out go back to the wall, at any hour.
    {
        case_query q;
        q.statuses = {std::string(status::claimed)};
        q.claim_expired_at = now;
        q.oldest_first = true;
        act_args args;
        args.note = "claim lease of " + std::to_string(settings_.claim_lease_seconds / 3600) +
                    " hours expired";
        report.leases_expired = for_each_case(uow, q, [&](const case_record& c) {
            return act(uow, c.id, action::lease_expired, system, args, now).ok();
        });
    }

    // Reminders and escalations reach people only in working hours.
    if (hours_.in_working_hours(*calendar_, now)) {
        detail::outbox out(uow, *templates_, now);
        const auto mark = [&](const case_record& c, bool escalate) {
            case_record u = c;
            (escalate ? u.escalated_at : u.reminded_at) = now;
            u.updated_at = std::max(now, c.updated_at);
            if (!uow.update_case(u, c.status, c.updated_at)) return false;
            const std::string action_name = escalate ? "escalate" : "remind";
            uow.add_event({0, c.id, now, system.key(), action_name, c.status, "",
                           "deadline " + detail::format_day(c.deadline_at)});
            const std::string prefix = "case:" + std::to_string(c.id) + ":" + action_name;
            const template_set::vars vars = {{"number", c.number},
                                             {"deadline", detail::format_day(c.deadline_at)},
                                             {"community", c.community},
                                             {"assignee", c.assignee},
                                             {"summary", public_summary(c)}};
            if (escalate) {
                out.to_staff(prefix, "supervisor", c.community, "notify/supervisor_overdue", vars,
                             c.id);
            } else if (auto claimer = person_ref::parse(c.claimer)) {
                out.to_person(prefix, "volunteer", *claimer, "notify/volunteer_reminder", vars,
                              c.id);
            } else {
                out.to_staff(prefix, "worker", c.community, "notify/worker_reminder", vars, c.id);
            }
            return true;
        };
        case_query q;
        q.statuses = active_statuses();
        q.oldest_first = true;
        q.remind_due_at = now;
        report.reminders =
            for_each_case(uow, q, [&](const case_record& c) { return mark(c, false); });
        q.remind_due_at.reset();
        q.overdue_at = now;
        report.escalations =
            for_each_case(uow, q, [&](const case_record& c) { return mark(c, true); });
    }

    // Cases left done (or confirmed without a rating) are closed by the system.
    {
        case_query q;
        q.statuses = {std::string(status::done), std::string(status::confirmed)};
        q.oldest_first = true;
        q.limit = 100000;  // no time filter in case_query: look at every waiting case
        act_args args;
        args.note = "closed automatically after " +
                    std::to_string(settings_.auto_close_seconds / seconds_per_day) +
                    " days without an answer";
        for (const auto& c : uow.list_cases(q)) {
            if (now - c.updated_at <= settings_.auto_close_seconds) continue;
            if (act(uow, c.id, action::close, system, args, now).ok()) ++report.auto_closed;
        }
    }

    // Proposals whose voting time is over without passing expire.
    {
        detail::outbox out(uow, *templates_, now);
        // Newest first: the expired ones are at the end, so look at every open proposal.
        for (const auto& p : uow.open_proposals("", 100000)) {
            if (p.closes_at == 0 || p.closes_at > now) continue;
            proposal u = p;
            u.status = "expired";
            u.updated_at = now;
            if (!uow.update_proposal(u, "open")) continue;
            ++report.proposals_expired;
            out.to_person("proposal:" + std::to_string(p.id) + ":expired", "resident", p.proposer,
                          "notify/proposal_expired",
                          {{"title", p.title},
                           {"proposal", p.number},
                           {"votes", std::to_string(p.votes)},
                           {"threshold", std::to_string(p.threshold)}},
                          0);
        }
    }
    return report;
}

}  // namespace minsheng::dialog::cases
