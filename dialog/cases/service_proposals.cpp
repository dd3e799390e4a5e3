// case_service::propose and vote: 微实事 proposals (a few per person per day), one vote per
// human resident of the community (identity.hpp), and the project case the passing vote opens.
#include <string>
#include <utility>

#include "dialog/cases/detail/service_support.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::dialog::cases {

namespace proposal_status {
inline constexpr std::string_view open = "open";
inline constexpr std::string_view passed = "passed";
}  // namespace proposal_status

propose_result case_service::propose(unit_of_work& uow, const person_ref& who,
                                     std::string community, std::string title,
                                     std::string description, std::int64_t now) const {
    propose_result r;
    const auto p = uow.get_person(who);
    if (const std::int64_t from = p && p->community == community ? community_counts_from(*p) : 0;
        from > now) {
        r.why = refusal::community_cooling;
        r.counts_from = from;
        return r;
    }
    if (settings_.max_proposals_per_day > 0) {
        const std::int64_t day_start = now - china_second_of_day(now);
        if (uow.count_proposals(who, day_start) >= settings_.max_proposals_per_day) {
            r.why = refusal::daily_limit;
            return r;
        }
    }
    proposal_draft d;
    d.proposer = who;
    d.community = std::move(community);
    d.title = std::move(title);
    d.description = std::move(description);
    d.threshold = settings_.proposal_threshold;
    d.created_at = now;
    d.closes_at =
        settings_.proposal_voting_seconds > 0 ? now + settings_.proposal_voting_seconds : 0;
    r.after = uow.create_proposal(d);
    return r;
}

vote_result case_service::vote(unit_of_work& uow, std::string_view proposal_number,
                               const person_ref& voter, std::int64_t now) const {
    vote_result r;
    auto found = uow.find_proposal(proposal_number);
    if (!found) {
        r.why = refusal::not_found;
        return r;
    }
    r.after = *found;
    if (found->status != proposal_status::open ||
        (found->closes_at != 0 && now >= found->closes_at)) {
        r.why = refusal::closed;
        return r;
    }
    const auto profile = uow.get_person(voter);
    if (!profile || profile->community.empty() || profile->community != found->community) {
        r.why = refusal::wrong_community;
        return r;
    }
    if (settings_.votes_need_verified_phone &&
        (profile->phone.empty() || profile->phone_verified_at == 0)) {
        r.why = refusal::phone_required;
        return r;
    }
    if (const std::int64_t from = community_counts_from(*profile); from > now) {
        r.why = refusal::community_cooling;
        r.counts_from = from;
        return r;
    }
    if (!uow.add_vote(found->id, voter, identity_keys(*profile), now)) {
        r.why = refusal::already_voted;
        return r;
    }
    r.after = uow.get_proposal(found->id).value_or(*found);
    if (r.after.votes < r.after.threshold || r.after.status != proposal_status::open) return r;

    proposal passed = r.after;
    passed.status = std::string(proposal_status::passed);
    passed.updated_at = now;
    if (!uow.update_proposal(passed, proposal_status::open)) return r;  // passed meanwhile

    case_draft d;
    d.from = passed.proposer.from;
    d.reporter_id = passed.proposer.user_id;
    d.kind = "project";
    d.category = "";
    d.urgency = "normal";
    d.description = passed.description.empty() ? passed.title : passed.description;
    d.community = passed.community;
    d.source_key = "proposal:" + passed.number;
    d.created_at = now;
    d.proposal_id = passed.id;
    case_record project = open(uow, d, d.description, now);

    passed.case_id = project.id;
    uow.update_proposal(passed, proposal_status::passed);
    r.after = uow.get_proposal(passed.id).value_or(passed);
    r.passed_now = true;

    detail::outbox out(uow, *templates_, now);
    const std::string prefix = "proposal:" + std::to_string(passed.id) + ":passed";
    const template_set::vars vars = {{"title", passed.title},
                                     {"proposal", passed.number},
                                     {"votes", std::to_string(r.after.votes)},
                                     {"number", project.number},
                                     {"deadline", detail::format_day(project.deadline_at)}};
    out.to_person(prefix, "resident", passed.proposer, "notify/proposal_passed", vars, project.id);
    for (const auto& v : uow.voters(passed.id)) {
        if (v == passed.proposer) continue;
        out.to_person(prefix, "voter", v, "notify/proposal_passed_voter", vars, project.id);
    }
    r.project = std::move(project);
    return r;
}

}  // namespace minsheng::dialog::cases
