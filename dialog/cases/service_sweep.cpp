// case_service::sweep: the timers. Idempotent: every step selects only what it has not done yet
// (claims still held, reminded_at/escalated_at still 0, confirm_notice_at still 0, cases still
// done, proposals still open), so a second sweep at the same instant changes nothing. Every step
// pages through its rows by id (a keyset cursor, oldest first), so it sees every due row however
// many there are, each once: a row it handles or refuses stays behind the cursor, and the cursor
// only moves forward.
#include <algorithm>
#include <string>
#include <vector>

#include "dialog/cases/detail/service_support.hpp"
#include "dialog/cases/service.hpp"

namespace minsheng::dialog::cases {
namespace {

// Rows asked for per query. A store may return fewer than asked, so only an empty page ends a
// step.
constexpr std::size_t page = 200;

// Cases someone still has to work on: reminders and escalations are about them. Once reported
// done, a case waits for the resident, not for its handler.
std::vector<std::string> active_statuses() {
    return {std::string(status::received), std::string(status::accepted),
            std::string(status::assigned), std::string(status::claimed),
            std::string(status::in_progress)};
}

// Runs `step` on every case `q` lists, page by page in id order. Returns how many cases step()
// handled (returned true for).
template <typename Step>
int for_each_case(unit_of_work& uow, case_query q, Step step) {
    q.limit = page;
    q.oldest_first = true;
    q.before_id = 0;
    q.after_id = 0;
    int done = 0;
    while (true) {
        const auto batch = uow.list_cases(q);
        if (batch.empty()) return done;
        for (const auto& c : batch)
            if (step(c)) ++done;
        q.after_id = batch.back().id;
    }
}

// Runs `step` on every open proposal whose voting time is over at `now`, page by page in id
// order. Returns how many proposals step() handled.
template <typename Step>
int for_each_proposal_to_expire(unit_of_work& uow, std::int64_t now, Step step) {
    std::int64_t after_id = 0;
    int done = 0;
    while (true) {
        const auto batch = uow.proposals_to_expire(now, after_id, page);
        if (batch.empty()) return done;
        for (const auto& p : batch)
            if (step(p)) ++done;
        after_id = batch.back().id;
    }
}

}  // namespace

int case_service::send_confirm_notices(unit_of_work& uow, std::int64_t now) const {
    // Due confirm_notice_seconds before auto_confirm_seconds in done are over; a case found
    // later (the sweep was down) is told now and confirmed no earlier than the notice says.
    case_query q;
    q.statuses = {std::string(status::done)};
    q.confirm_noticed = false;
    q.updated_before = now - (settings_.auto_confirm_seconds - settings_.confirm_notice_seconds);
    detail::outbox out(uow, *templates_, now);
    const std::string date = detail::format_day(now + settings_.confirm_notice_seconds);
    return for_each_case(uow, q, [&](const case_record& c) {
        if (!asks_resident(c)) return false;
        case_record u = c;
        u.confirm_notice_at = now;
        u.updated_at = std::max(now, c.updated_at);
        if (!uow.update_case(u, c.status, c.updated_at)) return false;
        const std::string prefix =
            "case:" + std::to_string(c.id) + ":ev:" + std::to_string(uow.events_of(c.id).size());
        uow.add_event({0, c.id, now, actor::sys().key(), "confirm_notice", c.status, "",
                       "confirmed automatically on " + date + " unless the resident answers"});
        std::vector<person_ref> residents{detail::reporter_of(c)};
        for (auto& p : detail::merged_reporters(uow, c))
            if (std::find(residents.begin(), residents.end(), p) == residents.end())
                residents.push_back(std::move(p));
        for (const auto& p : residents) {
            if (p.from != channel::wechat_oa && p.from != channel::miniprogram) continue;
            out.to_person(prefix, "resident", p,
                          p.from == channel::miniprogram ? "notify/case_confirm_notice_mp"
                                                         : "notify/case_confirm_notice",
                          {{"number", c.number}, {"date", date}}, c.id);
        }
        return true;
    });
}

int case_service::confirm_noticed(unit_of_work& uow, std::int64_t now) const {
    // Only cases whose resident was told at least confirm_notice_seconds ago.
    case_query q;
    q.statuses = {std::string(status::done)};
    q.confirm_noticed_by = now - settings_.confirm_notice_seconds;
    act_args args;
    args.note = "confirmed automatically: the resident was told " +
                std::to_string(settings_.confirm_notice_seconds / seconds_per_day) +
                " days before and did not answer";
    return for_each_case(uow, q, [&](const case_record& c) {
        return act(uow, c.id, action::confirm, actor::sys(), args, now).ok();
    });
}

sweep_report case_service::sweep(unit_of_work& uow, std::int64_t now) const {
    sweep_report report;
    const actor system = actor::sys();

    // Claims whose lease ran out, claimed or in progress, go back to the wall, at any hour.
    {
        case_query q;
        q.statuses = {std::string(status::claimed), std::string(status::in_progress)};
        q.claim_expired_at = now;
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
        q.remind_due_at = now;
        report.reminders =
            for_each_case(uow, q, [&](const case_record& c) { return mark(c, false); });
        q.remind_due_at.reset();
        q.overdue_at = now;
        report.escalations =
            for_each_case(uow, q, [&](const case_record& c) { return mark(c, true); });
    }

    report.confirm_notices = send_confirm_notices(uow, now);
    report.auto_confirmed = confirm_noticed(uow, now);

    // Cases left confirmed without a rating, or done with nobody to ask, are closed by the
    // system. A resident who can answer confirms first (above), by word or by silence.
    {
        case_query q;
        q.statuses = {std::string(status::done), std::string(status::confirmed)};
        q.updated_before = now - settings_.auto_close_seconds;  // waiting longer than that
        act_args args;
        args.note = "closed automatically after " +
                    std::to_string(settings_.auto_close_seconds / seconds_per_day) +
                    " days without an answer";
        report.auto_closed = for_each_case(uow, q, [&](const case_record& c) {
            if (c.status == status::done && asks_resident(c)) return false;
            return act(uow, c.id, action::close, system, args, now).ok();
        });
    }

    // Proposals whose voting time is over without passing expire.
    {
        detail::outbox out(uow, *templates_, now);
        report.proposals_expired = for_each_proposal_to_expire(uow, now, [&](const proposal& p) {
            proposal u = p;
            u.status = "expired";
            u.updated_at = now;
            if (!uow.update_proposal(u, "open")) return false;
            out.to_person("proposal:" + std::to_string(p.id) + ":expired", "resident", p.proposer,
                          "notify/proposal_expired",
                          {{"title", p.title},
                           {"proposal", p.number},
                           {"votes", std::to_string(p.votes)},
                           {"threshold", std::to_string(p.threshold)}},
                          0);
            return true;
        });
    }
    return report;
}

}  // namespace minsheng::dialog::cases
