#include "dialog/intake/same_problem.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "dialog/cases/lifecycle.hpp"
#include "dialog/intake/appeal_sketch.hpp"
#include "dialog/nlu/normalizer.hpp"

namespace minsheng::dialog::intake {
namespace {

duplicate_candidates_query query_for(const cases::duplicate_policy& policy, std::string kind,
                                     const std::string& category, const std::string& community,
                                     std::optional<geo_point> near, std::int64_t at) {
    duplicate_candidates_query q;
    q.kind = std::move(kind);
    q.category = category;
    q.community = community;
    q.near = near;
    q.radius_m = policy.radius_for(category);
    q.since = at - policy.max_age_seconds;
    return q;
}

// Whether case c's description, normalised, names any of the object lines `named` (its words
// without the places name no more than the whole text, so "no" is final).
bool names_any(const nlu::engine& engine, const case_record& c, std::uint64_t named) {
    return (cases::object_lines(engine.normalise(c.description).text) & named) != 0;
}

// The appeal's sketch for the duplicate decision; its own sketch kept in `cache` by its text.
cases::appeal_sketch appeal_sketch_of(const nlu::engine& engine, const case_draft& d,
                                      std::int64_t now, sketch_cache* cache,
                                      const nlu::understanding* understood) {
    auto appeal =
        sketch_of(understood ? *understood : engine.understand(d.description), std::nullopt, 0);
    if (cache) cache->keep_text(d.description, appeal);
    appeal.location = d.location;
    appeal.at = now;
    appeal.category = d.category;
    if (appeal.place.empty() && !d.address.empty())
        appeal.place = cases::place_key(engine.normalise(d.address).text);
    return appeal;
}

// How many of a person's own and followed cases reported_before looks at.
constexpr std::size_t own_cases_looked_at = 20;

}  // namespace

std::string place_of(const nlu::engine& engine, std::string_view description,
                     std::string_view address, const nlu::understanding* understood) {
    std::string key =
        sketch_of(understood ? *understood : engine.understand(description), std::nullopt, 0).place;
    if (key.empty() && !address.empty()) key = cases::place_key(engine.normalise(address).text);
    return cases::place_core(key);
}

void look_for_place(duplicate_candidates_query& q, std::string_view place_key,
                    std::string_view also) {
    q.place = cases::place_core(place_key);
    q.place_also = also == q.place ? std::string() : std::string(also);
}

std::optional<reported_case> reported_before(const nlu::engine& engine, unit_of_work& uow,
                                             const cases::duplicate_policy& policy,
                                             const case_draft& d, std::int64_t now,
                                             sketch_cache* cache,
                                             const nlu::understanding* understood) {
    // A complaint, or a wish or project of their own: one need, one wish on the wall.
    const bool complaint = d.kind == "complaint";
    if ((!complaint && d.kind != "wish" && d.kind != "project") || d.category.empty())
        return std::nullopt;
    // Open and not reported done, as the candidates of same_problem (a done case's problem
    // told again is the reopening's business).
    const auto candidate = [&](const case_record& c) {
        return c.kind == d.kind && cases::is_open(c.status) && c.status != cases::status::done;
    };
    std::vector<reported_case> candidates;
    for (auto& c : uow.cases_of(d.from, d.reporter_id, own_cases_looked_at))
        if (candidate(c)) candidates.push_back({std::move(c), false});
    for (const auto& f : uow.followed_by({d.from, d.reporter_id}, own_cases_looked_at)) {
        if (f.left_at != 0) continue;
        auto c = uow.get_case(f.case_id);
        if (c && candidate(*c)) candidates.push_back({std::move(*c), true});
    }
    if (candidates.empty()) return std::nullopt;
    const auto appeal = appeal_sketch_of(engine, d, now, cache, understood);
    std::optional<reported_case> best;
    double best_similarity = 0.0;
    for (auto& r : candidates) {
        const auto theirs = sketch_of(engine, r.c, cache);
        // A wish or project is the person's own need: neither its place nor its age is a gate.
        const auto j = complaint || r.following ? cases::judge_duplicate(appeal, theirs, policy)
                                                : cases::judge_own_need(appeal, theirs, policy);
        if (j.verdict == cases::duplicate_verdict::same && j.similarity > best_similarity) {
            best_similarity = j.similarity;
            best = std::move(r);
        }
    }
    return best;
}

std::optional<case_record> same_problem(const nlu::engine& engine, unit_of_work& uow,
                                        const cases::duplicate_policy& policy, const case_draft& d,
                                        std::int64_t now, sketch_cache* cache,
                                        const nlu::understanding* understood) {
    if (d.kind != "complaint" || d.category.empty()) return std::nullopt;
    // The text's own sketch, kept for the case this appeal may open (the next appeal meets it).
    const auto appeal = appeal_sketch_of(engine, d, now, cache, understood);

    std::optional<case_record> best;
    double best_similarity = 0.0;
    // A case of another category passes only for the same things named (cross_category): none
    // named, no such query; none in common with a candidate's words, no need to understand it.
    const std::uint64_t named = cases::object_lines(appeal.words);
    // Without a community or coordinates the place gate compares place keys: an appeal without
    // one can be the same problem as no case.
    const bool anywhere = d.community.empty() && !d.location;
    if (anywhere && appeal.place.empty()) return std::nullopt;
    // The cases opened at its place are candidates too, however many newer ones the category
    // has elsewhere (the newest alone miss it in a busy city): the place as this search sees it,
    // and as the draft was given it (case_draft::place, when the channel computed it apart).
    // Its category, then each category the classifier confuses with it (one indexed query each;
    // the decision lets those through only for the same things named, nothing conflicting).
    for (const auto& category : policy.categories_for(d.category)) {
        const bool other = category != d.category;
        if (other && named == 0) continue;
        auto q = query_for(policy, "complaint", category, d.community, d.location, now);
        q.radius_m = policy.radius_for(d.category);  // the place gate judges with the appeal's
        // Each candidate is understood again: another category's five newest are enough (its
        // case was filed there by a misreading, not usually many times over).
        if (other) q.limit = std::min<std::size_t>(q.limit, 5);
        // By community or near, or at the place; anywhere, at the place; with no core to look
        // for (a key that is all city and district), the category's newest anywhere.
        look_for_place(q, appeal.place, d.place);
        for (const auto& c : uow.duplicate_candidates(q)) {
            if (c.from == d.from && c.reporter_id == d.reporter_id) continue;  // their own
            if (other && !names_any(engine, c, named)) continue;
            const auto j = cases::judge_duplicate(appeal, sketch_of(engine, c, cache), policy);
            if (j.verdict == cases::duplicate_verdict::same && j.similarity > best_similarity) {
                best = c;
                best_similarity = j.similarity;
            }
        }
    }
    return best;
}

bool follow(unit_of_work& uow, const case_record& c, const person_ref& who, std::string via,
            std::int64_t now, std::optional<followed_report> own) {
    case_follower f;
    f.case_id = c.id;
    f.who = who;
    f.joined_at = now;
    f.via = std::move(via);
    f.report = std::move(own);
    return uow.add_follower(f);
}

std::optional<case_record> split_follower(const cases::case_service& service, unit_of_work& uow,
                                          const nlu::engine& engine, const case_record& c,
                                          const person_ref& who, std::int64_t now) {
    std::optional<followed_report> own;
    for (auto& f : uow.followers_of(c.id))
        if (f.who == who && f.left_at == 0) own = std::move(f.report);
    if (!own || !uow.leave_case(c.id, who, now)) return std::nullopt;
    case_draft d = std::move(own->draft);
    d.from = who.from;
    d.reporter_id = who.user_id;
    d.created_at = now;
    const std::string normalised = engine.normalise(d.description).text;
    case_record rec = service.open(uow, d, normalised, now);
    const auto as = cases::actor::of(who);
    for (const auto& line : own->attachments) {
        auto added = service.add_detail(uow, rec.id, as, line, now);
        if (added.ok()) rec = std::move(added.after);
    }
    return rec;
}

std::optional<case_record> split_off(const cases::case_service& service,
                                     const template_set& templates, unit_of_work& uow,
                                     const nlu::engine& engine, const case_record& c,
                                     const person_ref& who, const std::string& actor,
                                     const std::string& idempotency_key, std::int64_t now) {
    auto opened = split_follower(service, uow, engine, c, who, now);
    if (!opened) return opened;
    uow.add_event({0, c.id, now, actor, "follower_split", "", "", opened->number});
    const bool by_call = who.from == channel::hotline;
    const std::string key = by_call ? "hotline/case_split" : "notify/follower_split";
    const std::string category =
        opened->category.empty() ? templates.render("hotline/category_unknown") : opened->category;
    notification note;
    note.audience = "resident";
    note.to = who;
    note.template_key = key;
    note.vars_json =
        nlohmann::json{{"number", opened->number}, {"left", c.number}, {"category", category}}
            .dump();
    note.text = templates.render(
        key, {{"number", opened->number}, {"left", c.number}, {"category", category}});
    note.case_id = opened->id;
    note.idempotency_key = idempotency_key.empty() ? "split:" + opened->number : idempotency_key;
    note.created_at = now;
    uow.enqueue(note);
    return opened;
}

duplicate_candidates_query candidates_near(const cases::duplicate_policy& policy,
                                           const case_record& subject) {
    return query_for(policy, subject.kind, subject.category, subject.community, subject.location,
                     subject.created_at);
}

std::vector<duplicate_candidates_query> candidates_near_all(const cases::duplicate_policy& policy,
                                                            const case_record& subject,
                                                            std::string_view place_key) {
    std::vector<duplicate_candidates_query> out;
    for (const auto& category : policy.categories_for(subject.category)) {
        out.push_back(query_for(policy, subject.kind, category, subject.community, subject.location,
                                subject.created_at));
        // The radius is the subject's category's: the place gate judges with the appeal's.
        out.back().radius_m = policy.radius_for(subject.category);
        look_for_place(out.back(), place_key);
    }
    return out;
}

std::vector<near_miss> near_misses(const nlu::engine& engine, const cases::duplicate_policy& policy,
                                   const case_record& subject,
                                   const std::vector<case_record>& candidates,
                                   sketch_cache* cache) {
    std::vector<near_miss> out;
    if (subject.is_private || subject.kind != "complaint" || subject.category.empty()) return out;
    const auto mine = sketch_of(engine, subject, cache);
    const std::uint64_t named = cases::object_lines(mine.words);
    for (const auto& c : candidates) {
        if (c.id == subject.id || c.is_private || !cases::is_open(c.status) ||
            c.kind != subject.kind)
            continue;
        if (!c.category.empty() && c.category != subject.category && !names_any(engine, c, named))
            continue;
        const auto theirs = sketch_of(engine, c, cache);
        // The later report is the appeal, the earlier the case it may duplicate.
        const bool later = c.created_at > subject.created_at ||
                           (c.created_at == subject.created_at && c.id > subject.id);
        const auto j = later ? cases::judge_duplicate(theirs, mine, policy)
                             : cases::judge_duplicate(mine, theirs, policy);
        if (j.verdict == cases::duplicate_verdict::different) continue;
        out.push_back({c, j});
    }
    std::stable_sort(out.begin(), out.end(), [](const near_miss& a, const near_miss& b) {
        return a.decision.similarity > b.decision.similarity;
    });
    return out;
}

}  // namespace minsheng::dialog::intake
