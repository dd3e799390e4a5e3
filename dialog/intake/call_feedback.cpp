#include "dialog/intake/call_feedback.hpp"

#include "dialog/intake/same_problem.hpp"

namespace minsheng::dialog::intake {

namespace {

bool finished(const case_record& c) {
    return c.status == "done" || c.status == "confirmed" || c.status == "closed";
}

}  // namespace

call_rating_result rate_by_call(const cases::case_service& service, unit_of_work& uow,
                                const call_rating& r, std::int64_t now) {
    call_rating_result out;
    if (r.rating < 1 || r.rating > 5) {
        out.outcome = call_rating_outcome::invalid;
        return out;
    }
    auto c = uow.find_case(r.number);
    if (!c) return out;
    out.after = *c;
    const person_ref caller{channel::hotline, r.caller_phone};

    // The caller who reported it: a rating as in chat, from the reporter's own act.
    if (c->from == channel::hotline && c->reporter_id == r.caller_phone) {
        cases::act_args args;
        args.rating = r.rating;
        args.comment = r.comment;
        auto done =
            service.act(uow, c->id, cases::action::rate, cases::actor::of(caller), args, now);
        if (done.ok()) {
            out.outcome = call_rating_outcome::rated_as_reporter;
            out.after = std::move(done.after);
        } else {
            out.outcome = done.why == cases::refusal::wrong_status
                              ? call_rating_outcome::not_ratable
                              : call_rating_outcome::not_the_caller;
        }
        return out;
    }

    // A caller who follows it (their call was the same problem, or their case was merged in).
    for (const auto& f : uow.followers_of(c->id)) {
        if (f.who != caller) continue;
        if (f.left_at != 0 || f.rating != 0) {
            out.outcome = call_rating_outcome::already_rated;
        } else if (!finished(*c)) {
            out.outcome = call_rating_outcome::not_ratable;
        } else if (uow.rate_followed(c->id, caller, r.rating)) {
            out.outcome = call_rating_outcome::rated_as_follower;
            // Operators read what the caller added beside the rating on the case's history (a
            // note: never on a public view).
            if (!r.comment.empty())
                uow.add_event({0, c->id, now, caller.key(), "follower_rated", "", "", r.comment});
        } else {
            out.outcome = call_rating_outcome::already_rated;
        }
        return out;
    }
    out.outcome = call_rating_outcome::not_the_caller;
    return out;
}

call_split_result split_by_call(const cases::case_service& service, const template_set& templates,
                                unit_of_work& uow, const nlu::engine& engine, const call_split& r,
                                std::int64_t now) {
    call_split_result out;
    auto c = uow.find_case(r.number);
    if (!c) return out;
    out.left = *c;
    const person_ref caller{channel::hotline, r.caller_phone};
    if (c->status == "merged") {
        out.outcome = call_split_outcome::merged;
        return out;
    }
    const case_follower* row = nullptr;
    const auto followers = uow.followers_of(c->id);
    for (const auto& f : followers)
        if (f.who == caller) row = &f;
    if (!row) {
        out.outcome = call_split_outcome::not_the_caller;
        return out;
    }
    if (row->left_at != 0) {
        out.outcome = call_split_outcome::not_following;
        return out;
    }
    auto opened = split_off(service, templates, uow, engine, *c, caller, caller.key(),
                            r.idempotency_key, now);
    if (!opened) {
        out.outcome = call_split_outcome::no_report;
        return out;
    }
    out.outcome = call_split_outcome::split;
    out.opened = std::move(*opened);
    return out;
}

}  // namespace minsheng::dialog::intake
