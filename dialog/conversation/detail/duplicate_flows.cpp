// One problem, one case in chat: a complaint that is the same problem as an open case makes the
// resident a follower of that case (dialog/cases/duplicates.hpp decides); "不是同一个问题" right
// after gives them their own case; a follower rates the case they followed once it is done.

#include <array>
#include <string_view>

#include "dialog/cases/duplicates.hpp"
#include "dialog/conversation/detail/flows.hpp"
#include "dialog/intake/appeal_sketch.hpp"
#include "dialog/nlu/normalizer.hpp"

namespace minsheng::dialog::detail {
namespace {

// How residents say that the case they were joined to is another matter (normalised text).
constexpr std::array<std::string_view, 14> not_same_words = {
    "不是同一个", "不是同一件",   "不是同一问题", "不是一个问题", "不是一回事",
    "两回事",     "不是这个问题", "不是这件事",   "不是一样的",   "不一样",
    "另一个问题", "另外一个问题", "不同的问题",   "说的不是"};

bool is_mine(const turn& t, const case_record& c) {
    return c.from == t.m.from && c.reporter_id == t.m.user_id;
}

}  // namespace

bool says_not_same(const nlu::understanding& u) {
    for (auto w : not_same_words)
        if (u.normalised.find(w) != std::string::npos) return true;
    return false;
}

bool join_same_problem(turn& t, const appeal_draft& a) {
    if (!t.engine || !t.duplicates || a.kind != "complaint" || a.category.empty()) return false;
    const auto& policy = *t.duplicates;
    auto appeal = intake::sketch_of(t.engine->understand(a.description), a.location, t.now);
    appeal.category = a.category;
    if (appeal.place.empty() && !a.address.empty())
        appeal.place = cases::place_key(t.engine->normalise(a.address).text);

    duplicate_candidates_query q;
    q.category = a.category;
    q.community = a.community;
    q.near = a.location;
    q.radius_m = policy.radius_for(a.category);
    q.since = t.now - policy.max_age_seconds;
    std::optional<case_record> best;
    double best_similarity = 0.0;
    for (const auto& c : t.uow.duplicate_candidates(q)) {
        if (is_mine(t, c)) continue;
        const auto d = cases::judge_duplicate(appeal, intake::sketch_of(*t.engine, c), policy);
        if (d.verdict == cases::duplicate_verdict::same && d.similarity > best_similarity) {
            best = c;
            best_similarity = d.similarity;
        }
    }
    if (!best) return false;
    case_follower f;
    f.case_id = best->id;
    f.who = t.me();
    f.joined_at = t.now;
    f.via = t.m.from == channel::miniprogram ? "mp" : "chat";
    // A row already there: following it, or told us it is another problem. Either way, this is
    // an appeal of its own.
    if (!t.uow.add_follower(f)) return false;
    auto pending = about_case(stage::await_not_same, best->id, best->number);
    pending.draft = a;
    t.ask(std::move(pending));
    t.say(
        "reply/duplicate_joined",
        {{"number", best->number}, {"status", cases::case_service::status_label(t.texts, *best)}});
    return true;
}

bool leave_for_own_case(turn& t, const pending_state& s) {
    if (!t.u || !says_not_same(*t.u)) return false;
    t.uow.leave_case(s.case_id, t.me(), t.now);
    return true;
}

bool rate_followed_case(turn& t, int rating) {
    if (rating < 1 || rating > 5) return false;
    for (const auto& f : t.uow.followed_by(t.me(), 20)) {
        if (f.left_at != 0 || f.rating != 0) continue;
        const auto c = t.uow.get_case(f.case_id);
        if (!c || (c->status != "done" && c->status != "confirmed" && c->status != "closed"))
            continue;
        if (!t.uow.rate_followed(c->id, t.me(), rating)) continue;
        t.forget();
        t.say("reply/follower_rated", {{"number", c->number}, {"rating", std::to_string(rating)}});
        return true;
    }
    return false;
}

}  // namespace minsheng::dialog::detail
