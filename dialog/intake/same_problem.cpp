#include "dialog/intake/same_problem.hpp"

#include "dialog/intake/appeal_sketch.hpp"
#include "dialog/nlu/normalizer.hpp"

namespace minsheng::dialog::intake {

std::optional<case_record> same_problem(const nlu::engine& engine, unit_of_work& uow,
                                        const cases::duplicate_policy& policy, const case_draft& d,
                                        std::int64_t now) {
    if (d.kind != "complaint" || d.category.empty()) return std::nullopt;
    auto appeal = sketch_of(engine.understand(d.description), d.location, now);
    appeal.category = d.category;
    if (appeal.place.empty() && !d.address.empty())
        appeal.place = cases::place_key(engine.normalise(d.address).text);

    duplicate_candidates_query q;
    q.category = d.category;
    q.community = d.community;
    q.near = d.location;
    q.radius_m = policy.radius_for(d.category);
    q.since = now - policy.max_age_seconds;
    std::optional<case_record> best;
    double best_similarity = 0.0;
    for (const auto& c : uow.duplicate_candidates(q)) {
        if (c.from == d.from && c.reporter_id == d.reporter_id) continue;  // their own
        const auto j = cases::judge_duplicate(appeal, sketch_of(engine, c), policy);
        if (j.verdict == cases::duplicate_verdict::same && j.similarity > best_similarity) {
            best = c;
            best_similarity = j.similarity;
        }
    }
    return best;
}

bool follow(unit_of_work& uow, const case_record& c, const person_ref& who, std::string via,
            std::int64_t now) {
    case_follower f;
    f.case_id = c.id;
    f.who = who;
    f.joined_at = now;
    f.via = std::move(via);
    return uow.add_follower(f);
}

}  // namespace minsheng::dialog::intake
