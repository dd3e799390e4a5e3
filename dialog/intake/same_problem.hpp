#pragma once
// One problem, one case for every filing channel: the open case of someone else that a report is
// the same problem as (dialog/cases/duplicates.hpp decides), and making the reporter its
// follower. Runs wherever the unit of work is (the writer); throws what the unit of work throws.
// Thread-safe given a shared immutable engine.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/cases/duplicates.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/intake/sketch_cache.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog::intake {

// The open complaint of another reporter that `d` (a complaint draft, as draft_of makes it)
// reports the same problem as, of its category or one confusable with it (one store query per
// category), the most similar when several are; nullopt when none, or `d` is
// not a complaint or has no category. `cache`, when given, keeps the candidates' sketches;
// `understood`, when given, is the caller's understanding of exactly `d.description` (not
// understood again).
std::optional<case_record> same_problem(const nlu::engine& engine, unit_of_work& uow,
                                        const cases::duplicate_policy& policy, const case_draft& d,
                                        std::int64_t now, sketch_cache* cache = nullptr,
                                        const nlu::understanding* understood = nullptr);

// A report that repeats a problem its reporter already has an open case for: their own open
// complaint, wish or project, or a case they follow and have not left (`following`). Residents
// send the whole story again when nothing seems to happen; that is no new case (and no second
// wish on the wall for volunteers to claim twice).
struct reported_case {
    case_record c;
    bool following = false;
};

// The open case of `d`'s kind of its own reporter (d.from, d.reporter_id), or one they follow,
// that `d` reports the same problem as by the decision same_problem uses (the most similar when
// several are; their 20 newest cases and 20 newest followed ones are looked at); for their own
// wish or project by cases::judge_own_need (no place or age gate). nullopt when none, or `d` is
// not a complaint, wish or project, or has no category. `cache` and `understood` as for
// same_problem.
std::optional<reported_case> reported_before(const nlu::engine& engine, unit_of_work& uow,
                                             const cases::duplicate_policy& policy,
                                             const case_draft& d, std::int64_t now,
                                             sketch_cache* cache = nullptr,
                                             const nlu::understanding* understood = nullptr);

// Makes `who` a follower of case `c` ("chat" | "hotline" | "mp" | "open311" | "merge"); false,
// nothing written, when they have a row on it already (following, or left it). `own`: what they
// reported (the draft their filing was about to open, draft_of's, and its attachments), kept on
// the row for split_follower.
bool follow(unit_of_work& uow, const case_record& c, const person_ref& who, std::string via,
            std::int64_t now, std::optional<followed_report> own = std::nullopt);

// Someone joined to case `c` whose problem proves another one after all (the 12345 centre or a
// case worker says so): they leave `c` and their own case opens from what they reported (the
// kept draft, created now; its attachments added as their detail lines), returned. nullopt,
// nothing written, when `who` does not follow `c` or no report of theirs was kept (a follower by
// a merge). The case service enqueues what a new case enqueues; telling the person is the
// caller's. Runs on the writer; `engine` normalises the description for the handling rules.
std::optional<case_record> split_follower(const cases::case_service& service, unit_of_work& uow,
                                          const nlu::engine& engine, const case_record& c,
                                          const person_ref& who, std::int64_t now);

// split_follower, then what goes with it: a `follower_split` event on `c` by `actor` naming the
// new case (operators only), and the person told (`hotline/case_split` to a 12345 caller, by
// SMS; `notify/follower_split` to the others), keyed `idempotency_key` ("" : "split:" and the new
// case's number; never a person's id, which operators read in the outbox).
std::optional<case_record> split_off(const cases::case_service& service,
                                     const template_set& templates, unit_of_work& uow,
                                     const nlu::engine& engine, const case_record& c,
                                     const person_ref& who, const std::string& actor,
                                     const std::string& idempotency_key, std::int64_t now);

// Possible duplicates for operators: an open case the decision rates `possible` (or `same`: two
// cases of one problem that were not joined, e.g. after "不是同一个问题") against another case.
struct near_miss {
    case_record c;
    cases::duplicate_decision decision;
};

// The store query for the open cases that may be the same problem as case `subject`: its kind,
// category, community and coordinates, opened at most max_age_seconds before it.
duplicate_candidates_query candidates_near(const cases::duplicate_policy& policy,
                                           const case_record& subject);

// The same for its category and each category the policy calls confusable with it
// (duplicate_policy::categories_for), its own first: what the intake searches. With the subject's
// place key (its sketch's `place`), cases naming that place anywhere are candidates too
// (look_for_place).
std::vector<duplicate_candidates_query> candidates_near_all(const cases::duplicate_policy& policy,
                                                            const case_record& subject,
                                                            std::string_view place_key = {});

// Where a filing is, as the duplicate search looks for it (case_draft::place): the
// cases::place_core of the place key of the longest address the understanding of `description`
// names (as its sketch has it), else of `address` normalised; "" when neither names one.
// `understood`: the understanding of exactly `description` when the caller has it (otherwise
// the engine understands it). Channels set report::place with it.
std::string place_of(const nlu::engine& engine, std::string_view description,
                     std::string_view address, const nlu::understanding* understood);

// Makes `q` also match the open cases opened at the place of `place_key` (a cases::place_key):
// its cases::place_core, and `also` (a core, "" none) when that differs. Nothing to look for
// when both are "" (a key that is all city and district).
void look_for_place(duplicate_candidates_query& q, std::string_view place_key,
                    std::string_view also = {});

// Of `candidates`, those the duplicate decision rates `possible` or `same` against `subject`
// (the later-opened case of each pair is judged as the appeal, the earlier as the open case: the
// same judge_duplicate as the intake), most similar first. Never `subject` itself, a private
// case, a case not open, nor anything when `subject` is private or not a complaint.
std::vector<near_miss> near_misses(const nlu::engine& engine, const cases::duplicate_policy& policy,
                                   const case_record& subject,
                                   const std::vector<case_record>& candidates,
                                   sketch_cache* cache = nullptr);

}  // namespace minsheng::dialog::intake
