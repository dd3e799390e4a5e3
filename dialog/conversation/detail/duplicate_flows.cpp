// One problem, one case in chat: a complaint that is the same problem as an open case makes the
// resident a follower of that case (dialog/cases/duplicates.hpp decides); "不是同一个问题" right
// after gives them their own case; a follower rates the case they followed once it is done.

#include <array>
#include <string_view>
#include <vector>

#include "dialog/cases/duplicates.hpp"
#include "dialog/conversation/detail/flows.hpp"
#include "dialog/intake/same_problem.hpp"

namespace minsheng::dialog::detail {
namespace {

// How residents say that the case they were joined to is another matter (normalised text).
constexpr std::array<std::string_view, 14> not_same_words = {
    "不是同一个", "不是同一件",   "不是同一问题", "不是一个问题", "不是一回事",
    "两回事",     "不是这个问题", "不是这件事",   "不是一样的",   "不一样",
    "另一个问题", "另外一个问题", "不同的问题",   "说的不是"};

}  // namespace

bool says_not_same(const nlu::understanding& u) {
    for (auto w : not_same_words)
        if (u.normalised.find(w) != std::string::npos) return true;
    return false;
}

namespace {

// A problem told again by its reporter (what they said now is added to their case, wish or
// project, for the case worker or the volunteer) or by a follower (nothing to write). Either way
// "不是同一个问题" right after still opens a case of its own.
bool told_again(turn& t, const appeal_draft& a, const intake::reported_case& before) {
    const auto& c = before.c;
    if (!before.following) {
        auto added = t.service.add_detail(t.uow, c.id, t.actor(), a.description, t.now);
        if (!added.ok()) return false;  // changed meanwhile: filed as a case of its own
    }
    auto pending = about_case(stage::await_not_same, c.id, c.number);
    pending.draft = a;
    t.ask(std::move(pending));
    t.say(before.following      ? "reply/already_following"
          : c.kind == "wish"    ? "reply/already_wished"
          : c.kind == "project" ? "reply/already_proposed"
                                : "reply/already_reported",
          {{"number", c.number}, {"status", cases::case_service::status_label(t.texts, c)}});
    return true;
}

case_draft draft_for_search(const turn& t, const appeal_draft& a) {
    case_draft d;
    d.from = t.m.from;
    d.reporter_id = t.m.user_id;
    d.kind = a.kind;
    d.category = a.category;
    d.description = a.description;
    d.address = a.address;
    d.community = a.community;
    d.location = a.location;
    return d;
}

const nlu::understanding* understood_of(const turn& t, const appeal_draft& a) {
    return t.u && a.description == t.m.text ? t.u : nullptr;
}

}  // namespace

bool tell_own_need_again(turn& t, const appeal_draft& a) {
    if (!t.engine || !t.duplicates || a.own_case || (a.kind != "wish" && a.kind != "project"))
        return false;
    const auto d = draft_for_search(t, a);
    const auto before = intake::reported_before(*t.engine, t.uow, *t.duplicates, d, t.now,
                                                t.sketches, understood_of(t, a));
    return before && told_again(t, a, *before);
}

bool join_same_problem(turn& t, const appeal_draft& a) {
    if (!t.engine || !t.duplicates || a.own_case) return false;
    const auto d = draft_for_search(t, a);
    const nlu::understanding* understood = understood_of(t, a);
    // Told again by someone who reported it or follows it: no new case, and no second row.
    if (auto before = intake::reported_before(*t.engine, t.uow, *t.duplicates, d, t.now, t.sketches,
                                              understood))
        return told_again(t, a, *before);
    const auto same =
        intake::same_problem(*t.engine, t.uow, *t.duplicates, d, t.now, t.sketches, understood);
    // A follower row already there (following it, or told us it is another problem): this is
    // an appeal of its own.
    // What they said is kept on their row: should it prove another problem, their own case
    // opens from it (intake::split_follower).
    if (!same || !intake::follow(
                     t.uow, *same, t.me(), t.m.from == channel::miniprogram ? "mp" : "chat", t.now,
                     followed_report{intake::draft_of(report_of(t, a), nullptr, t.now), {}}))
        return false;
    auto pending = about_case(stage::await_not_same, same->id, same->number);
    pending.draft = a;
    t.ask(std::move(pending));
    t.say(
        "reply/duplicate_joined",
        {{"number", same->number}, {"status", cases::case_service::status_label(t.texts, *same)}});
    return true;
}

bool leave_for_own_case(turn& t, const pending_state& s) {
    if (!t.u || !says_not_same(*t.u)) return false;
    t.uow.leave_case(s.case_id, t.me(), t.now);
    return true;
}

bool rate_followed_case(turn& t, int rating) {
    if (rating < 1 || rating > 5) return false;
    // The cases this user follows, and those their verified phone follows by a 12345 call (the
    // caller who bound that phone here rates in chat as well as on the centre's return visit).
    std::vector<person_ref> as{t.me()};
    if (const auto me = t.uow.get_person(t.me());
        me && !me->phone.empty() && me->phone_verified_at != 0)
        as.push_back({channel::hotline, me->phone});
    for (const auto& who : as)
        for (const auto& f : t.uow.followed_by(who, 20)) {
            if (f.left_at != 0 || f.rating != 0) continue;
            const auto c = t.uow.get_case(f.case_id);
            if (!c || (c->status != "done" && c->status != "confirmed" && c->status != "closed"))
                continue;
            if (!t.uow.rate_followed(c->id, who, rating)) continue;
            t.forget();
            t.say("reply/follower_rated",
                  {{"number", c->number}, {"rating", std::to_string(rating)}});
            return true;
        }
    return false;
}

}  // namespace minsheng::dialog::detail
