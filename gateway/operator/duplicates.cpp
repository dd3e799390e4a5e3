// GET /api/v1/cases/{id}/possible-duplicates: the open cases that may be the same problem as
// case {id} (one problem, one case, docs/cases.md), computed on demand by the intake's own
// decision (dialog/intake/same_problem.hpp near_misses) for operators to merge. Scoped like the
// case: {id} outside the caller's scope is 403, candidates outside it are left out; private
// cases are never a subject nor a candidate.

#include <cmath>
#include <set>

#include "dialog/intake/appeal_sketch.hpp"
#include "dialog/intake/same_problem.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/server/app_state.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

namespace {

constexpr std::size_t max_near = 50;
constexpr std::size_t max_anywhere = 200;

std::string_view verdict_name(dialog::cases::duplicate_verdict v) {
    return v == dialog::cases::duplicate_verdict::same ? "same" : "possible";
}

}  // namespace

void possible_duplicates(const call& c, std::int64_t id) {
    auto found = c.r.get_case(id);
    if (!found) return c.refuse(http::status::not_found, "not_found", "no such case");
    if (!c.who.may_see(*found))
        return c.refuse(http::status::forbidden, "forbidden", outside_scope);
    const dialog::cases::duplicate_policy policy;
    json list = json::array();
    if (!found->is_private && found->kind == "complaint" && !found->category.empty()) {
        // For its category and each one the classifier confuses with it (as the intake
        // searches): near it (its community, or its radius) or naming its place, then the newest
        // anywhere: a case whose community is unknown may still be at the same place, which the
        // decision judges. Each once.
        const auto place =
            dialog::intake::sketch_of(*c.app().nlu, *found, c.app().sketches.get()).place;
        std::vector<dialog::case_record> visible;
        std::set<std::int64_t> seen;
        for (auto near : dialog::intake::candidates_near_all(policy, *found, place)) {
            near.limit = max_near;
            auto anywhere = near;
            anywhere.community.clear();
            anywhere.near.reset();
            anywhere.place.clear();
            anywhere.place_also.clear();
            anywhere.limit = max_anywhere;
            for (const auto& q : {near, anywhere})
                for (auto& one : c.r.duplicate_candidates(q))
                    if (c.who.may_see(one) && seen.insert(one.id).second)
                        visible.push_back(std::move(one));
        }
        for (const auto& m : dialog::intake::near_misses(*c.app().nlu, policy, *found, visible,
                                                         c.app().sketches.get())) {
            json one = views::operator_case(m.c);
            one["verdict"] = std::string(verdict_name(m.decision.verdict));
            one["similarity"] = std::round(m.decision.similarity * 100.0) / 100.0;
            one["distance_m"] =
                m.decision.distance_m < 0 ? json(nullptr) : json(std::round(m.decision.distance_m));
            list.push_back(std::move(one));
        }
    }
    c.answer(http::status::ok, {{"case", found->number}, {"possible_duplicates", std::move(list)}});
}

}  // namespace minsheng::gateway::operator_api
