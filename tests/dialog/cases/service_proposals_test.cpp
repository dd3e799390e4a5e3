#include "dialog/cases/service.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/dialog/cases/service_test_support.hpp"

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;
using namespace minsheng::dialog::cases::testing;

namespace {

const std::int64_t t0 = 1772416800;  // Mon 2026-03-02 10:00 China time
constexpr std::int64_t day = 86400;
const person_ref proposer = resident("oProposer");

struct vote_world : world {
    vote_world() : world(settings()) {
        verified(proposer, "光明社区", "13900139000");
        for (int i = 1; i <= 4; ++i)
            verified(voter(i), "光明社区", "1390013900" + std::to_string(i));
        verified(resident("oOutsider"), "幸福社区", "13900139009");
        profile(resident("oNowhere"), "");
    }
    static program_settings settings() {
        program_settings s;
        s.proposal_threshold = 3;
        s.proposal_voting_seconds = 10 * day;
        return s;
    }
    static person_ref voter(int i) { return resident("oVoter" + std::to_string(i)); }

    proposal propose(std::int64_t t = t0) {
        const auto r = propose_as(proposer, t);
        REQUIRE(r.ok());
        return r.after;
    }
    propose_result propose_as(const person_ref& who, std::int64_t t) {
        return tx([&](unit_of_work& u) {
            return service.propose(u, who, "光明社区", "5栋门口装路灯",
                                   "5栋门口晚上太黑，老人出门不方便，建议装两盏路灯", t);
        });
    }
    vote_result vote(const std::string& number, const person_ref& who, std::int64_t t) {
        return tx([&](unit_of_work& u) { return service.vote(u, number, who, t); });
    }
};

}  // namespace

TEST_CASE("a proposal takes its threshold and voting time from the settings", "[dialog]") {
    vote_world w;
    const auto p = w.propose();
    CHECK(p.status == "open");
    CHECK(p.threshold == 3);
    CHECK(p.closes_at == t0 + 10 * day);
    CHECK(p.community == "光明社区");
    CHECK(p.proposer == proposer);
    CHECK(p.number.rfind("YS", 0) == 0);
}

TEST_CASE("one vote per resident of the proposal's community", "[dialog]") {
    vote_world w;
    const auto p = w.propose();
    CHECK(w.vote("YS19990101-0001", vote_world::voter(1), t0).why == refusal::not_found);
    CHECK(w.vote(p.number, resident("oOutsider"), t0).why == refusal::wrong_community);
    CHECK(w.vote(p.number, resident("oNowhere"), t0).why == refusal::wrong_community);
    CHECK(w.vote(p.number, resident("oStranger"), t0).why == refusal::wrong_community);

    const auto first = w.vote(p.number, vote_world::voter(1), t0 + 1);
    REQUIRE(first.ok());
    CHECK(first.after.votes == 1);
    CHECK_FALSE(first.passed_now);
    const auto again = w.vote(p.number, vote_world::voter(1), t0 + 2);
    CHECK(again.why == refusal::already_voted);
    CHECK(again.after.votes == 1);
    CHECK(to_string(again.why) == "already_voted");

    // After the voting time, no more votes.
    CHECK(w.vote(p.number, vote_world::voter(2), t0 + 10 * day).why == refusal::closed);
}

TEST_CASE("the vote reaching the threshold passes the proposal and opens its project", "[dialog]") {
    vote_world w;
    const auto p = w.propose();
    REQUIRE(w.vote(p.number, vote_world::voter(1), t0 + 60).ok());
    REQUIRE(w.vote(p.number, proposer, t0 + 120).ok());
    const auto r = w.vote(p.number, vote_world::voter(2), t0 + 180);
    REQUIRE(r.ok());
    CHECK(r.passed_now);
    CHECK(r.after.status == "passed");
    CHECK(r.after.votes == 3);
    CHECK(r.after.case_id == r.project.id);

    const auto& c = r.project;
    REQUIRE(c.id != 0);
    CHECK(c.kind == "project");
    CHECK(c.category == "");
    CHECK(c.proposal_id == p.id);
    CHECK(c.community == "光明社区");
    CHECK(c.description == p.description);
    CHECK(c.reporter_id == proposer.user_id);
    CHECK(c.number.rfind("MS", 0) == 0);
    CHECK(iso(c.deadline_at) == "2026-09-02T23:59:59+08:00");  // 6 months

    const auto out = w.outbox(c.id);
    const auto to_proposer = with_template(out, "notify/proposal_passed");
    REQUIRE(to_proposer.size() == 1);
    CHECK(to_proposer[0].to == proposer);
    CHECK(to_proposer[0].text.find(c.number) != std::string::npos);
    CHECK(sent_to(out, "notify/proposal_passed_voter", vote_world::voter(1)));
    CHECK(sent_to(out, "notify/proposal_passed_voter", vote_world::voter(2)));
    CHECK_FALSE(sent_to(out, "notify/proposal_passed_voter", proposer));

    // Passed: no more votes, and the project does not open twice.
    CHECK(w.vote(p.number, vote_world::voter(3), t0 + 240).why == refusal::closed);
    CHECK(w.tx([&](unit_of_work& u) {
               case_query q;
               q.proposal_id = p.id;
               return u.list_cases(q);
           }).size() == 1);

    // Progress of the project is published to every voter.
    act_args assign;
    assign.assignee = "w07";
    REQUIRE(w.act(c.id, action::assign, actor::op("zhang"), t0 + 300, assign).ok());
    const auto progress = with_template(w.outbox(c.id), "notify/voter_progress");
    CHECK(progress.size() == 2);  // voters 1 and 2; the proposer hears as the reporter
    CHECK(sent_to(progress, "notify/voter_progress", vote_world::voter(1)));
    CHECK(sent_to(progress, "notify/voter_progress", vote_world::voter(2)));
    for (const auto& n : progress) {
        CHECK(n.audience == "voter");
        CHECK(n.text.find("5栋门口装路灯") != std::string::npos);
    }
    CHECK(sent_to(w.outbox(c.id), "notify/case_assigned", proposer));
}

TEST_CASE("a proposal past its voting time expires in the sweep, once", "[dialog]") {
    vote_world w;
    const auto p = w.propose();
    REQUIRE(w.vote(p.number, vote_world::voter(1), t0 + 60).ok());
    const auto later = w.propose(t0 + 5 * day);
    CHECK(w.sweep(t0 + 10 * day - 1).proposals_expired == 0);
    CHECK(w.sweep(t0 + 10 * day).proposals_expired == 1);
    CHECK(w.sweep(t0 + 10 * day).proposals_expired == 0);
    const auto stored = w.tx([&](unit_of_work& u) { return u.get_proposal(p.id).value(); });
    CHECK(stored.status == "expired");
    CHECK(w.tx([&](unit_of_work& u) { return u.get_proposal(later.id).value(); }).status == "open");
    const auto expired = with_template(w.outbox(), "notify/proposal_expired");
    REQUIRE(expired.size() == 1);
    CHECK(expired[0].to == proposer);
    CHECK(expired[0].text.find("5栋门口装路灯") != std::string::npos);
    CHECK(w.vote(p.number, vote_world::voter(2), t0 + 10 * day + 1).why == refusal::closed);
}

TEST_CASE("a person makes at most max_proposals_per_day proposals per China-time day", "[dialog]") {
    program_settings s = vote_world::settings();
    s.max_proposals_per_day = 2;
    world capped(s);
    CHECK(program_settings{}.max_proposals_per_day == 5);  // the default

    const auto midnight = at("2026-03-02T00:00:00+08:00");  // 2026-03-01T16:00Z
    const auto last_second = at("2026-03-02T23:59:59+08:00");
    auto propose = [&](const person_ref& who, std::int64_t t) {
        return capped.tx([&](unit_of_work& u) {
            return capped.service.propose(u, who, "光明社区", "装路灯", "5栋门口装路灯", t);
        });
    };
    // The day before counts for the day before.
    REQUIRE(propose(proposer, midnight - 1).ok());
    REQUIRE(propose(proposer, midnight - 1).ok());
    const auto first = propose(proposer, midnight);
    REQUIRE(first.ok());
    CHECK(first.after.id != 0);
    REQUIRE(propose(proposer, last_second - 60).ok());

    const auto refused = propose(proposer, last_second);
    CHECK(refused.why == refusal::daily_limit);
    CHECK_FALSE(refused.ok());
    CHECK(refused.after.id == 0);
    CHECK(to_string(refused.why) == "daily_limit");
    CHECK(capped.tx([&](unit_of_work& u) { return u.count_proposals(proposer, 0); }) == 4);

    // Someone else is not held to the proposer's count; the next China day starts afresh.
    CHECK(propose(resident("oNeighbour"), last_second).ok());
    CHECK(propose(proposer, last_second + 1).ok());
}

TEST_CASE("max_proposals_per_day 0 is no limit", "[dialog]") {
    program_settings s = vote_world::settings();
    s.max_proposals_per_day = 0;
    world w(s);
    for (int i = 0; i < 8; ++i)
        CHECK(w.tx([&](unit_of_work& u) {
                   return w.service.propose(u, proposer, "光明社区", "装路灯", "装路灯", t0 + i);
               }).ok());
}
