// case_service::act and add_detail: one lifecycle step, its audit trail, its points and the
// notifications it causes.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dialog/cases/detail/service_support.hpp"
#include "dialog/cases/service.hpp"

namespace minsheng::dialog::cases {
namespace {

using detail::outbox;

constexpr std::int64_t seconds_per_hour = 3600;

act_result refuse(refusal why, case_record found, std::string detail) {
    act_result r;
    r.why = why;
    r.after = std::move(found);
    r.detail = std::move(detail);
    return r;
}

// The reporter, or a reporter of a case merged into c. Only the case's own reporter may cancel
// it: a resident whose case was merged into another must not withdraw the others' request.
bool is_reporter(unit_of_work& uow, const case_record& c, const std::string& key,
                 bool own_only = false) {
    if (detail::reporter_of(c).key() == key) return true;
    if (own_only) return false;
    const auto merged = detail::merged_reporters(uow, c);
    return std::any_of(merged.begin(), merged.end(),
                       [&](const person_ref& p) { return p.key() == key; });
}

// The claiming volunteer, or the assigned case worker (acting as "worker:<id>", or as the
// operator of that name).
bool is_handler(const case_record& c, const actor& who) {
    if (who.is == actor::kind::system) return false;
    if (!c.claimer.empty() && who.key() == c.claimer) return true;
    if (c.assignee.empty()) return false;
    return who.key() == "worker:" + c.assignee ||
           (who.is == actor::kind::operator_ && who.id == c.assignee);
}

// Every role `who` holds on c for action a, most specific first.
std::vector<role> roles_of(unit_of_work& uow, const case_record& c, action a, const actor& who) {
    std::vector<role> roles;
    switch (who.is) {
        case actor::kind::system:
            roles.push_back(role::system);
            return roles;
        case actor::kind::operator_:
            roles.push_back(role::operator_);
            if (is_handler(c, who)) roles.push_back(role::handler);
            return roles;
        case actor::kind::person:
            break;
    }
    if (is_reporter(uow, c, who.id, a == action::cancel)) roles.push_back(role::reporter);
    if (is_handler(c, who)) roles.push_back(role::handler);
    // Only claim needs a volunteer who is not the claimer (the claimer acts as the handler).
    if (a == action::claim) {
        if (auto ref = person_ref::parse(who.id)) {
            if (auto p = uow.get_person(*ref); p && p->volunteer) roles.push_back(role::volunteer);
        }
    }
    return roles;
}

bool allowed_for_someone(std::string_view from, action a, bool has_handler) {
    for (role r : {role::reporter, role::volunteer, role::handler, role::operator_, role::system})
        if (next_status(from, a, r, has_handler)) return true;
    return false;
}

bool reopens(action a, bool low_rating) {
    return a == action::not_solved || a == action::reopen || (a == action::rate && low_rating);
}

// The resident's text for a status change, or "" when the change is not news to them.
std::string_view resident_template(action a, const actor& who, bool low_rating,
                                   const case_record& before, const case_record& after) {
    if (before.status == after.status) return "";
    switch (a) {
        case action::accept:
            return "notify/case_accepted";
        case action::assign:
            return "notify/case_assigned";
        case action::claim:
            return "notify/wish_claimed";
        case action::release:
        case action::lease_expired:
            return "notify/wish_back_on_wall";
        case action::start:
            return "notify/case_in_progress";
        case action::report_done:
            return asks_resident(after) ? "notify/case_done" : "notify/case_done_closes";
        case action::confirm:
            return who.is == actor::kind::system ? "notify/case_auto_confirmed"
                                                 : "notify/case_confirmed";
        case action::rate:
            return low_rating ? "notify/case_reopened" : "notify/case_rated";
        case action::not_solved:
        case action::reopen:
            return "notify/case_reopened";
        case action::close:
            return who.is == actor::kind::system ? "notify/case_auto_closed" : "notify/case_closed";
        case action::cancel:
            return "notify/case_cancelled";
        case action::merge:
            return "notify/case_merged";
    }
    return "";
}

struct change {
    const case_record& before;
    const case_record& after;
    action a;
    const actor& who;
    const act_args& args;
    bool low_rating = false;
    std::string prefix;  // "case:<id>:ev:<n>", the idempotency prefix of this event
    const case_record* target = nullptr;  // merge: the case that absorbed this one
};

void notify_change(const detail::context& ctx, unit_of_work& uow, outbox& out, const change& ch) {
    const case_record& c = ch.after;
    const auto whole_days = [](std::int64_t seconds) {
        return std::to_string(std::max<std::int64_t>(seconds / seconds_per_day, 1));
    };
    template_set::vars vars = {
        {"number", c.number},
        {"status", case_service::status_label(ctx.templates, c)},
        {"days", whole_days(ctx.settings.auto_close_seconds)},
        {"confirm_days", whole_days(ctx.settings.auto_confirm_seconds)},
        {"rating", ch.args.rating > 0 ? std::to_string(ch.args.rating) : ""},
        {"target", ch.target ? ch.target->number : ""},
        {"deadline", detail::format_day(c.deadline_at)},
        {"assignee", c.assignee},
        {"community", c.community},
        {"result", ch.args.result},
    };

    // The reporter and the reporters of cases merged into this one.
    std::vector<std::string> told;  // person keys already told about this event
    std::string resident_key(resident_template(ch.a, ch.who, ch.low_rating, ch.before, c));
    // A grid worker's 办结 carries the result the resident reads.
    if (ch.a == action::report_done && !resident_key.empty() && !ch.args.result.empty())
        resident_key += "_result";
    if (!resident_key.empty()) {
        std::vector<person_ref> residents{detail::reporter_of(c)};
        for (auto& p : detail::merged_reporters(uow, c))
            if (std::find(residents.begin(), residents.end(), p) == residents.end())
                residents.push_back(std::move(p));
        for (const auto& p : residents) {
            out.to_person(ch.prefix, "resident", p, resident_key, vars, c.id);
            told.push_back(p.key());
        }
        // Followers (one problem, one case) hear what the reporter hears, except the reporter's
        // own questions; when it is done they are asked for their own rating.
        const std::string_view key = resident_key;
        const bool done = key.starts_with("notify/case_done");
        if (done || !key.starts_with("notify/case_confirm")) {
            for (const auto& f : uow.followers_of(c.id)) {
                if (f.left_at != 0) continue;
                if (std::find(told.begin(), told.end(), f.who.key()) != told.end()) continue;
                // A caller who follows by a call is asked on the 12345 centre's return visit.
                const std::string_view asked = f.who.from == channel::hotline
                                                   ? "notify/follower_done_call"
                                                   : "notify/follower_done";
                out.to_person(ch.prefix, "resident", f.who, done ? asked : key, vars, c.id);
                told.push_back(f.who.key());
            }
        }
    }

    // Voters of the proposal this project came from: every status change.
    if (c.proposal_id != 0 && ch.before.status != c.status) {
        if (auto prop = uow.get_proposal(c.proposal_id)) {
            template_set::vars v = vars;
            v.emplace_back("title", prop->title);
            v.emplace_back("proposal", prop->number);
            for (const auto& voter : uow.voters(c.proposal_id)) {
                if (std::find(told.begin(), told.end(), voter.key()) != told.end()) continue;
                out.to_person(ch.prefix, "voter", voter, "notify/voter_progress", v, c.id);
            }
        }
    }

    // The volunteer who held (or still holds) the claim.
    const std::string& claimer = ch.before.claimer;
    if (auto volunteer = person_ref::parse(claimer); volunteer && claimer != ch.who.key()) {
        std::string_view key;
        template_set::vars v = vars;
        switch (ch.a) {
            case action::release:
                key = "notify/volunteer_released";
                break;
            case action::lease_expired:
                key = "notify/volunteer_lease_expired";
                v.emplace_back("hours",
                               std::to_string(ctx.settings.claim_lease_seconds / seconds_per_hour));
                break;
            case action::cancel:
                key = "notify/volunteer_cancelled";
                break;
            case action::merge:
                key = "notify/volunteer_merged";
                break;
            default:
                if (reopens(ch.a, ch.low_rating) && c.claimer == claimer)
                    key = "notify/volunteer_reopened";
                break;
        }
        if (!key.empty()) out.to_person(ch.prefix, "volunteer", *volunteer, key, v, c.id);
    }

    // The community's case workers.
    std::string_view worker_key;
    if (ch.a == action::assign)
        worker_key = "notify/worker_assigned";
    else if (ch.a == action::rate && ch.low_rating)
        worker_key = "notify/worker_low_rating";
    else if (reopens(ch.a, ch.low_rating))
        worker_key = "notify/worker_reopened";
    else if (ch.a == action::cancel &&
             (ch.before.status == status::assigned || !ch.before.assignee.empty()))
        worker_key = "notify/worker_cancelled";
    if (!worker_key.empty()) out.to_staff(ch.prefix, "worker", c.community, worker_key, vars, c.id);
}

// Credits the claimer of a wish the resident confirmed; notifies them once.
void credit_claimer(const detail::context& ctx, unit_of_work& uow, outbox& out,
                    const case_record& c, std::int64_t now) {
    if (c.kind != "wish" || c.claimer.empty() || ctx.settings.points_per_wish <= 0) return;
    const auto volunteer = person_ref::parse(c.claimer);
    if (!volunteer) return;
    ledger_posting p;
    p.at = now;
    p.reason = "wish_confirmed";
    p.case_id = c.id;
    p.idempotency_key = "wish_confirmed:" + std::to_string(c.id);
    p.entries = {{"issued", -ctx.settings.points_per_wish},
                 {"person:" + c.claimer, ctx.settings.points_per_wish}};
    if (!uow.post(p)) return;  // credited before: the points and their message went out then
    out.to_person("case:" + std::to_string(c.id) + ":points", "volunteer", *volunteer,
                  "notify/volunteer_points",
                  {{"number", c.number},
                   {"points", std::to_string(ctx.settings.points_per_wish)},
                   {"balance", std::to_string(uow.balance("person:" + c.claimer))}},
                  c.id);
}

bool is_held(std::string_view status) {
    return status == status::claimed || status == status::in_progress;
}

// Claims cannot be hoarded: a claim by `who` is refused while they hold max_active_claims
// wishes (naming them), or while max_dropped_claims of their claims were dropped within the
// window (saying from when they may claim again). nullopt: the claim may go ahead.
std::optional<act_result> claim_limit(const program_settings& settings, unit_of_work& uow,
                                      const case_record& c, const actor& who, std::int64_t now) {
    const std::string key = who.key();
    const int max_held = settings.max_active_claims;
    if (max_held > 0 && uow.count_held_claims(key) >= max_held) {
        case_query q;
        q.claimer = key;
        q.statuses = {std::string(status::claimed), std::string(status::in_progress)};
        q.oldest_first = true;
        q.limit = static_cast<std::size_t>(max_held);
        act_result r = refuse(refusal::claim_limit, c,
                              "you hold " + std::to_string(max_held) +
                                  " wishes already; finish or release one first");
        for (const auto& held : uow.list_cases(q)) r.held.push_back(held.number);
        return r;
    }
    const int max_dropped = settings.max_dropped_claims;
    if (max_dropped > 0) {
        const std::int64_t window = settings.claim_drop_window_seconds;
        const auto dropped = uow.dropped_claims(key, now - window + 1);
        if (dropped.size() >= static_cast<std::size_t>(max_dropped)) {
            act_result r = refuse(refusal::claim_cooldown, c,
                                  "you released or let expire " + std::to_string(dropped.size()) +
                                      " claims lately; claim again later");
            // Once this one leaves the window, fewer than max_dropped remain in it.
            r.retry_at = dropped[dropped.size() - static_cast<std::size_t>(max_dropped)] + window;
            return r;
        }
    }
    return std::nullopt;
}

std::string event_note(action a, const act_args& args, const case_record* target) {
    std::string note = args.note;
    const auto add = [&](const std::string& s) {
        if (!note.empty()) note += "; ";
        note += s;
    };
    if (a == action::rate) {
        add("rating " + std::to_string(args.rating));
        if (!args.comment.empty()) add(args.comment);
    }
    if (a == action::assign) add("assignee " + args.assignee);
    if (a == action::merge && target) add("merged into " + target->number);
    return note;
}

// A merge joins everyone the merged case kept informed to the case that absorbs it: its reporter,
// the reporters of cases merged into it and its followers still following become followers of
// `into` (via "merge"), except the reporter of `into` and anyone with a row on it already (a
// follower, or someone who said it is not their problem): add_follower writes each once.
void move_followers(unit_of_work& uow, const case_record& from, const case_record& into,
                    std::int64_t now) {
    std::vector<person_ref> people{detail::reporter_of(from)};
    for (auto& p : detail::merged_reporters(uow, from)) people.push_back(std::move(p));
    for (const auto& f : uow.followers_of(from.id))
        if (f.left_at == 0) people.push_back(f.who);
    const person_ref kept = detail::reporter_of(into);
    for (const auto& p : people) {
        if (p == kept) continue;
        case_follower f;
        f.case_id = into.id;
        f.who = p;
        f.joined_at = now;
        f.via = "merge";
        uow.add_follower(f);
    }
}

}  // namespace

act_result case_service::act(unit_of_work& uow, std::int64_t case_id, action a, const actor& who,
                             const act_args& args, std::int64_t now) const {
    const detail::context ctx{*templates_, *calendar_, hours_, settings_};
    auto loaded = uow.get_case(case_id);
    if (!loaded) return refuse(refusal::not_found, {}, "no case " + std::to_string(case_id));
    const case_record c = std::move(*loaded);
    const bool has_handler = !c.assignee.empty() || !c.claimer.empty();

    if (a == action::claim) {
        const bool held = is_held(c.status);
        if (held && !c.claimer.empty() && c.claimer != who.key())
            return refuse(refusal::taken, c,
                          "another volunteer has already claimed this wish; thank you, please "
                          "choose another wish on the wall");
        if (held && c.claimer == who.key())
            return refuse(refusal::wrong_status, c, "you have already claimed this wish");
        if (c.kind != "wish" || !on_wish_wall(c.handling_mode) || c.status != status::accepted)
            return refuse(refusal::not_on_wall, c, "this case is not a wish open for claiming");
        if (who.is != actor::kind::person)
            return refuse(refusal::not_allowed, c, "only a volunteer may claim a wish");
        if (same_human(uow, who.key(), c))
            return refuse(refusal::not_allowed, c, "a resident cannot claim their own wish");
    }

    const std::vector<role> roles = roles_of(uow, c, a, who);
    std::optional<std::string_view> to;
    for (role r : roles)
        if ((to = next_status(c.status, a, r, has_handler))) break;
    if (!to) {
        if (a == action::claim)
            return refuse(refusal::not_volunteer, c,
                          "only registered volunteers may claim wishes; register first");
        if (allowed_for_someone(c.status, a, has_handler))
            return refuse(refusal::not_allowed, c,
                          std::string(to_string(a)) + " is not for this actor on this case");
        return refuse(refusal::wrong_status, c,
                      std::string(to_string(a)) + " is not possible from status " + c.status);
    }

    if (a == action::claim)
        if (auto refused = claim_limit(settings_, uow, c, who, now)) return std::move(*refused);

    // Arguments.
    std::optional<case_record> target;
    if (a == action::rate && (args.rating < 1 || args.rating > 5))
        return refuse(refusal::invalid, c, "a rating is 1 to 5");
    if (a == action::assign && args.assignee.empty())
        return refuse(refusal::invalid, c, "assign needs an assignee");
    if (a == action::merge) {
        if (args.merge_into == c.id)
            return refuse(refusal::invalid, c, "a case cannot be merged into itself");
        // A private case (a grid worker's report of a resident in difficulty) is nobody's
        // duplicate: merging it would tell its reporter's problem to others, and the reverse.
        if (c.is_private) return refuse(refusal::invalid, c, "a private case cannot be merged");
        target = uow.get_case(args.merge_into);
        if (!target || !is_open(target->status))
            return refuse(refusal::invalid, c, "merge needs an open case to merge into");
        if (target->is_private)
            return refuse(refusal::invalid, c, "a case cannot be merged into a private case");
    }
    const bool low_rating = a == action::rate && args.rating <= settings_.low_rating;
    if (low_rating) to = next_status(c.status, action::not_solved, role::reporter, has_handler);

    case_record u = c;
    u.status = std::string(*to);
    u.updated_at = std::max(now, c.updated_at);
    switch (a) {
        case action::assign:
            u.assignee = args.assignee;
            break;
        case action::claim:
            u.claimer = who.key();
            u.claim_expires_at = now + settings_.claim_lease_seconds;
            break;
        case action::release:
        case action::lease_expired:
            u.claimer.clear();
            u.claim_expires_at = 0;
            break;
        case action::report_done:
            u.claim_expires_at = 0;  // the claim ended by completion; the claimer stays recorded
            break;
        case action::rate:
            u.rating = args.rating;
            u.rating_comment = args.comment;
            break;
        case action::merge:
            u.merged_into = target->id;
            break;
        default:
            break;
    }
    // Any action by the claimer on a live claim renews its lease; a wish coming back to its
    // claimer (reopened) gets a fresh one, so no wish is held without a lease.
    if (!u.claimer.empty() && is_held(u.status) && (who.key() == u.claimer || !is_held(c.status)))
        u.claim_expires_at = now + settings_.claim_lease_seconds;
    // A notice of automatic confirmation is about one stay in done.
    if (u.status != c.status) u.confirm_notice_at = 0;
    u.closed_at = is_terminal(u.status) ? now : 0;

    if (!uow.update_case(u, c.status, c.updated_at)) {
        auto now_stored = uow.get_case(case_id);
        return refuse(refusal::wrong_status, now_stored.value_or(c),
                      "the case changed meanwhile; look at it again");
    }

    const std::string prefix =
        "case:" + std::to_string(c.id) + ":ev:" + std::to_string(uow.events_of(c.id).size());
    uow.add_event({0, c.id, now, who.key(), std::string(to_string(a)), c.status, u.status,
                   event_note(a, args, target ? &*target : nullptr)});
    if (target)
        uow.add_event({0, target->id, now, who.key(), std::string(to_string(a)), "", "",
                       "absorbed " + c.number + (args.note.empty() ? "" : "; " + args.note)});
    if (target) move_followers(uow, c, *target, now);

    outbox out(uow, *templates_, now);
    const bool confirms =
        a == action::confirm || (a == action::rate && !low_rating && c.status == status::done);
    if (confirms) credit_claimer(ctx, uow, out, u, now);
    notify_change(ctx, uow, out,
                  change{c, u, a, who, args, low_rating, prefix, target ? &*target : nullptr});

    act_result r;
    r.after = std::move(u);
    return r;
}

act_result case_service::add_detail(unit_of_work& uow, std::int64_t case_id, const actor& who,
                                    std::string_view detail_text, std::int64_t now) const {
    auto loaded = uow.get_case(case_id);
    if (!loaded) return refuse(refusal::not_found, {}, "no case " + std::to_string(case_id));
    const case_record c = std::move(*loaded);
    if (who.is != actor::kind::person || !is_reporter(uow, c, who.id))
        return refuse(refusal::not_allowed, c, "only the reporter may add details");
    if (!is_open(c.status)) return refuse(refusal::wrong_status, c, "the case is no longer open");

    case_record u = c;
    u.updated_at = std::max(now, c.updated_at);
    if (!u.claimer.empty() && is_held(u.status))
        u.claim_expires_at = now + settings_.claim_lease_seconds;
    if (!uow.update_case(u, c.status, c.updated_at)) {
        auto now_stored = uow.get_case(case_id);
        return refuse(refusal::wrong_status, now_stored.value_or(c),
                      "the case changed meanwhile; look at it again");
    }
    const std::string prefix =
        "case:" + std::to_string(c.id) + ":ev:" + std::to_string(uow.events_of(c.id).size());
    uow.add_event({0, c.id, now, who.key(), "detail", c.status, "", std::string(detail_text)});

    outbox out(uow, *templates_, now);
    const template_set::vars vars = {
        {"number", c.number}, {"detail", std::string(detail_text)}, {"assignee", c.assignee}};
    const auto claimer = person_ref::parse(c.claimer);
    if (claimer && is_open(c.status))
        out.to_person(prefix, "volunteer", *claimer, "notify/volunteer_detail", vars, c.id);
    else
        out.to_staff(prefix, "worker", c.community, "notify/worker_detail", vars, c.id);

    act_result r;
    r.after = std::move(u);
    return r;
}

std::optional<wish_contact> case_service::reveal_contact(unit_of_work& uow, const case_record& c,
                                                         const person_ref& who,
                                                         std::string_view where,
                                                         std::int64_t now) const {
    if (!is_held(c.status) || c.claimer.empty() || c.claimer != who.key()) return std::nullopt;
    wish_contact out;
    out.address = c.address;
    if (!c.contact_phone.empty())
        out.phone = c.contact_phone;
    else if (auto p = uow.get_person(detail::reporter_of(c)); p && !p->phone.empty())
        out.phone = p->phone;
    else if (c.from == channel::hotline)
        out.phone = c.reporter_id;
    uow.add_event({0, c.id, now, who.key(), "contact_shown", c.status, "", std::string(where)});
    return out;
}

}  // namespace minsheng::dialog::cases
