#include "dialog/cases/identity.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dialog/cases/service.hpp"
#include "tests/dialog/cases/service_test_support.hpp"

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog::cases::testing;

namespace {

const std::int64_t t0 = 1772416800;  // Mon 2026-03-02 10:00 China time
constexpr std::int64_t day = 86400;
const person_ref proposer = resident("oProposer");
const person_ref oa_me{channel::wechat_oa, "oMe"};
const person_ref mp_me{channel::miniprogram, "mMe"};
const std::string my_phone = "13900139001";

volunteer_decider worker_of(const std::string& community) {
    volunteer_decider d;
    d.actor = "operator:worker-" + community;
    d.communities = {community};
    return d;
}

struct identity_world : world {
    explicit identity_world(program_settings s = settings()) : world(std::move(s)) {
        verified(proposer, "光明社区", "13900139000");
    }
    static program_settings settings() {
        program_settings s;
        s.proposal_threshold = 5;
        s.proposal_voting_seconds = 60 * day;
        return s;
    }
    proposal propose_in(const std::string& community, std::int64_t t = t0) {
        auto r = tx([&](unit_of_work& u) {
            return service.propose(u, proposer, community, "装路灯", "5栋门口晚上太黑", t);
        });
        REQUIRE(r.ok());
        return r.after;
    }
    vote_result vote(const proposal& p, const person_ref& who, std::int64_t t) {
        return tx([&](unit_of_work& u) { return service.vote(u, p.number, who, t); });
    }
    std::int64_t votes(const proposal& p) {
        return tx([&](unit_of_work& u) { return u.get_proposal(p.id)->votes; });
    }
    person move(const person_ref& who, const std::string& community, std::int64_t t) {
        return tx([&](unit_of_work& u) { return service.set_community(u, who, community, t); });
    }
    move_result confirm(std::int64_t number, const volunteer_decider& by, std::int64_t t) {
        return tx([&](unit_of_work& u) { return service.confirm_move(u, number, by, t); });
    }
    person get_person(const person_ref& who) {
        return tx([&](unit_of_work& u) { return u.get_person(who).value(); });
    }
};

}  // namespace

TEST_CASE("identity keys name the person, their verified phone and their unionid", "[dialog]") {
    person p;
    p.who = mp_me;
    CHECK(identity_keys(p) == std::vector<std::string>{"miniprogram:mMe"});
    p.phone = my_phone;  // bound, not verified: names nobody
    CHECK(identity_keys(p) == std::vector<std::string>{"miniprogram:mMe"});
    p.phone_verified_at = t0;
    p.unionid = "uMe";
    CHECK(identity_keys(p) ==
          std::vector<std::string>{"miniprogram:mMe", "phone:" + my_phone, "union:uMe"});
    CHECK(masked_name("王小明") == "王**");
    CHECK(masked_name("A") == "A");
    CHECK(masked_name("").empty());
}

TEST_CASE("a vote needs a verified phone; nothing is written without one", "[dialog]") {
    identity_world w;
    const auto p = w.propose_in("光明社区");
    w.profile(oa_me, "光明社区");
    const auto r = w.vote(p, oa_me, t0 + 60);
    CHECK(r.why == refusal::phone_required);
    CHECK(to_string(r.why) == "phone_required");
    CHECK(w.votes(p) == 0);
    w.verified(oa_me, "光明社区", my_phone, t0 + 100);
    CHECK(w.vote(p, oa_me, t0 + 120).ok());
    CHECK(w.votes(p) == 1);
}

TEST_CASE("votes_need_verified_phone off lets an unverified resident vote", "[dialog]") {
    auto s = identity_world::settings();
    s.votes_need_verified_phone = false;
    identity_world w(s);
    const auto p = w.propose_in("光明社区");
    w.profile(oa_me, "光明社区");
    CHECK(w.vote(p, oa_me, t0 + 60).ok());
}

TEST_CASE("one human votes once: the same phone or unionid from another channel is refused",
          "[dialog]") {
    identity_world w;
    const auto p = w.propose_in("光明社区");
    w.verified(oa_me, "光明社区", my_phone, t0);
    REQUIRE(w.vote(p, oa_me, t0 + 60).ok());

    // The same human in the mini program: WeChat verifies the same phone, which moves it there.
    w.verified(mp_me, "光明社区", my_phone, t0 + 120);
    CHECK(w.get_person(oa_me).phone.empty());
    const auto again = w.vote(p, mp_me, t0 + 180);
    CHECK(again.why == refusal::already_voted);
    CHECK(again.after.votes == 1);
    // The phone moving back does not open a second vote for the first identity either.
    w.verified(oa_me, "光明社区", my_phone, t0 + 240);
    CHECK(w.vote(p, oa_me, t0 + 300).why == refusal::already_voted);
    CHECK(w.votes(p) == 1);

    // A unionid names the human across accounts of one open platform.
    const person_ref mp_other{channel::miniprogram, "mOther"};
    const person_ref oa_other{channel::wechat_oa, "oOther"};
    w.verified(mp_other, "光明社区", "13900139002", t0);
    w.verified(oa_other, "光明社区", "13900139003", t0);
    w.tx([&](unit_of_work& u) {
        w.service.record_unionid(u, mp_other, "uOther", t0);
        w.service.record_unionid(u, oa_other, "uOther", t0);
    });
    REQUIRE(w.vote(p, mp_other, t0 + 400).ok());
    CHECK(w.vote(p, oa_other, t0 + 460).why == refusal::already_voted);
    CHECK(w.votes(p) == 2);
}

TEST_CASE("the first community counts at once; a move counts after cooling or a confirmation",
          "[dialog]") {
    identity_world w;
    const auto first = w.move(oa_me, "光明社区", t0);
    CHECK(first.community_since == t0);
    CHECK(first.community_move == 0);
    CHECK(w.service.community_counts_from(first) == 0);
    w.tx([&](unit_of_work& u) { w.service.bind_verified_phone(u, oa_me, my_phone, t0); });

    // Moving to 幸福社区 just before its vote.
    const auto moved = w.move(oa_me, "幸福社区", t0 + 60);
    CHECK(moved.community_previous == "光明社区");
    CHECK(moved.community_move == 1);
    const std::int64_t counts_from = t0 + 60 + 30 * day;
    CHECK(w.service.community_counts_from(moved) == counts_from);
    CHECK(with_template(w.outbox(), "notify/worker_community_moved").size() == 1);
    CHECK(with_template(w.outbox(), "notify/worker_community_moved")[0].community == "幸福社区");

    w.verified(resident("oLocal"), "幸福社区", "13900139005", t0);
    const auto p = w.tx([&](unit_of_work& u) {
        return w.service.propose(u, resident("oLocal"), "幸福社区", "修路", "门口的路坑坑洼洼", t0);
    });
    REQUIRE(p.ok());
    const auto cooling = w.vote(p.after, oa_me, t0 + 120);
    CHECK(cooling.why == refusal::community_cooling);
    CHECK(cooling.counts_from == counts_from);
    const auto proposing = w.tx([&](unit_of_work& u) {
        return w.service.propose(u, oa_me, "幸福社区", "加装路灯", "晚上太黑", t0 + 130);
    });
    CHECK(proposing.why == refusal::community_cooling);
    CHECK(proposing.counts_from == counts_from);

    // A worker of another community cannot confirm it; nothing changes.
    CHECK(w.confirm(1, worker_of("光明社区"), t0 + 200).why == refusal::not_allowed);
    CHECK(w.get_person(oa_me).community_confirmed_at == 0);
    CHECK(w.confirm(99, worker_of("幸福社区"), t0 + 200).why == refusal::not_found);
    CHECK(w.vote(p.after, oa_me, t0 + 210).why == refusal::community_cooling);

    // A worker of the new community confirms it: the vote counts now, and the resident hears.
    const auto ok = w.confirm(1, worker_of("幸福社区"), t0 + 300);
    REQUIRE(ok.ok());
    CHECK(ok.after.community_confirmed_by == "operator:worker-幸福社区");
    CHECK(w.service.community_counts_from(ok.after) == 0);
    CHECK(sent_to(w.outbox(), "notify/community_move_confirmed", oa_me));
    CHECK(w.confirm(1, worker_of("幸福社区"), t0 + 360).why == refusal::wrong_status);
    CHECK(w.vote(p.after, oa_me, t0 + 400).ok());
}

TEST_CASE("an unconfirmed move counts once the cooling period is over", "[dialog]") {
    identity_world w;
    w.verified(oa_me, "光明社区", my_phone, t0);
    w.move(oa_me, "幸福社区", t0 + 60);
    w.verified(resident("oLocal"), "幸福社区", "13900139005", t0);
    const auto p = w.tx([&](unit_of_work& u) {
        return w.service.propose(u, resident("oLocal"), "幸福社区", "修路", "门口的路坑坑洼洼", t0);
    });
    REQUIRE(p.ok());
    CHECK(w.vote(p.after, oa_me, t0 + 60 + 30 * day - 1).why == refusal::community_cooling);
    CHECK(w.vote(p.after, oa_me, t0 + 60 + 30 * day).ok());
}

TEST_CASE("a volunteer application naming another community is a move too", "[dialog]") {
    identity_world w;
    w.verified(oa_me, "光明社区", my_phone, t0);
    const auto p = w.tx([&](unit_of_work& u) {
        return w.service.register_volunteer(u, oa_me, "王小明", "幸福社区", "", t0 + 60);
    });
    CHECK(p.community == "幸福社区");
    CHECK(p.community_move == 1);
    CHECK(w.service.community_counts_from(p) == t0 + 60 + 30 * day);
    // Re-declaring the same community changes nothing.
    CHECK(w.move(oa_me, "幸福社区", t0 + 120).community_since == t0 + 60);
}

TEST_CASE("a volunteer may not claim a wish whose reporter is the same human", "[dialog]") {
    identity_world w;
    // The resident files a wish on the official account with their SMS-verified phone ...
    w.verified(oa_me, "光明社区", my_phone, t0);
    w.tx([&](unit_of_work& u) {
        phone_code c;
        c.who = oa_me;
        c.phone = my_phone;
        c.code_hash = "x";
        c.created_at = t0;
        c.expires_at = t0 + 600;
        c.used_at = t0 + 10;
        u.add_phone_code(c);
    });
    const auto wish = w.open(draft(oa_me, "wish", "想请人上门理发", t0 + 60), t0 + 60);
    // ... and volunteers in the mini program, where WeChat verifies the same phone (it moves).
    w.volunteer(mp_me);
    w.tx([&](unit_of_work& u) { w.service.bind_verified_phone(u, mp_me, my_phone, t0 + 120); });
    const auto r = w.act(wish.id, action::claim, actor::of(mp_me), t0 + 180);
    CHECK(r.why == refusal::not_allowed);
    CHECK(w.get(wish.id).claimer.empty());
    CHECK(w.tx([&](unit_of_work& u) { return same_human(u, mp_me.key(), wish); }));

    // Another human with another phone claims it.
    const person_ref helper{channel::miniprogram, "mHelper"};
    w.volunteer(helper);
    w.tx([&](unit_of_work& u) { w.service.bind_verified_phone(u, helper, "13900139008", t0); });
    CHECK_FALSE(w.tx([&](unit_of_work& u) { return same_human(u, helper.key(), wish); }));
    CHECK(w.act(wish.id, action::claim, actor::of(helper), t0 + 240).ok());
}

TEST_CASE("the same human is found by the case's contact phone, a hotline number or a unionid",
          "[dialog]") {
    identity_world w;
    w.verified(mp_me, "光明社区", my_phone, t0);
    case_record c;
    c.from = channel::wechat_oa;
    c.reporter_id = "oSomeone";
    CHECK_FALSE(w.tx([&](unit_of_work& u) { return same_human(u, mp_me.key(), c); }));
    c.contact_phone = my_phone;
    CHECK(w.tx([&](unit_of_work& u) { return same_human(u, mp_me.key(), c); }));
    c.contact_phone.clear();
    c.from = channel::hotline;
    c.reporter_id = my_phone;
    CHECK(w.tx([&](unit_of_work& u) { return same_human(u, mp_me.key(), c); }));

    c.from = channel::wechat_oa;
    c.reporter_id = "oSomeone";
    w.tx([&](unit_of_work& u) {
        w.service.record_unionid(u, person_ref{channel::wechat_oa, "oSomeone"}, "uMe", t0);
        w.service.record_unionid(u, mp_me, "uMe", t0);
    });
    CHECK(w.tx([&](unit_of_work& u) { return same_human(u, mp_me.key(), c); }));
    // The reporter themselves, of course.
    CHECK(w.tx([&](unit_of_work& u) { return same_human(u, "wechat_oa:oSomeone", c); }));
}
