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

const person_ref grandma = resident("oGrandma");
const person_ref neighbour = resident("oNeighbour");
const person_ref xiao_li = resident("oXiaoLi");      // a volunteer
const person_ref xiao_wang = resident("oXiaoWang");  // another volunteer
const std::int64_t t0 = 1772416800;                  // Mon 2026-03-02 10:00 China time
constexpr std::int64_t hour = 3600;

struct wish_world : world {
    explicit wish_world(program_settings s = {}) : world(std::move(s)) {
        volunteer(xiao_li);
        volunteer(xiao_wang);
    }
    case_record wish(const std::string& text = "我行动不便，想请人上门理发",
                     const person_ref& who = grandma, std::int64_t t = t0) {
        return open(draft(who, "wish", text, t), t);
    }
};

}  // namespace

TEST_CASE("a wish goes round the whole loop: claim, start, done, confirm, rate, closed",
          "[dialog]") {
    wish_world w;
    const auto c = w.wish();
    REQUIRE(c.status == "accepted");

    auto r = w.act(c.id, action::claim, actor::of(xiao_li), t0 + 60);
    REQUIRE(r.ok());
    CHECK(r.after.status == "claimed");
    CHECK(r.after.claimer == xiao_li.key());
    CHECK(r.after.claim_expires_at == t0 + 60 + 72 * hour);

    r = w.act(c.id, action::start, actor::of(xiao_li), t0 + 2 * hour);
    REQUIRE(r.ok());
    CHECK(r.after.status == "in_progress");
    CHECK(r.after.claim_expires_at == t0 + 2 * hour + 72 * hour);  // renewed

    r = w.act(c.id, action::report_done, actor::of(xiao_li), t0 + 3 * hour);
    REQUIRE(r.ok());
    CHECK(r.after.status == "done");
    CHECK(r.after.claim_expires_at == 0);
    CHECK(r.after.claimer == xiao_li.key());

    r = w.act(c.id, action::confirm, actor::of(grandma), t0 + 4 * hour);
    REQUIRE(r.ok());
    CHECK(r.after.status == "confirmed");
    CHECK(w.balance("person:" + xiao_li.key()) == 10);
    CHECK(w.balance("issued") == -10);

    r = w.rate(c.id, grandma, 5, t0 + 5 * hour);
    REQUIRE(r.ok());
    CHECK(r.after.status == "closed");
    CHECK(r.after.rating == 5);
    CHECK(r.after.closed_at == t0 + 5 * hour);
    CHECK(r.after.claimer == xiao_li.key());

    const auto stored = w.get(c.id);
    CHECK(stored.status == "closed");
    CHECK(stored.rating == 5);
    CHECK(stored.closed_at == t0 + 5 * hour);

    const auto ev = w.events(c.id);
    CHECK(actions_of(ev) == std::vector<std::string>{"opened", "accept", "claim", "start",
                                                     "report_done", "confirm", "rate"});
    CHECK(ev[2].actor == xiao_li.key());
    CHECK(ev[2].from_status == "accepted");
    CHECK(ev[2].to_status == "claimed");
    CHECK(ev[5].actor == grandma.key());
    CHECK(ev[6].to_status == "closed");
    CHECK(ev[6].note.find("rating 5") != std::string::npos);

    const auto out = w.outbox(c.id);
    CHECK(sent_to(out, "notify/wish_claimed", grandma));
    CHECK(sent_to(out, "notify/case_in_progress", grandma));
    CHECK(sent_to(out, "notify/case_done", grandma));
    CHECK(sent_to(out, "notify/case_confirmed", grandma));
    CHECK(sent_to(out, "notify/case_rated", grandma));
    const auto points = with_template(out, "notify/volunteer_points");
    REQUIRE(points.size() == 1);
    CHECK(points[0].to == xiao_li);
    CHECK(points[0].audience == "volunteer");
    CHECK(points[0].text.find("10") != std::string::npos);
    for (const auto& n : out) {
        INFO(n.template_key);
        CHECK(n.text.find("{{") == std::string::npos);
        CHECK(n.case_id == c.id);
        CHECK(n.idempotency_key.rfind("case:" + std::to_string(c.id) + ":", 0) == 0);
    }
    // The resident read the wish's number in each message about it.
    for (const auto& n : with_template(out, "notify/case_done"))
        CHECK(n.text.find(c.number) != std::string::npos);
}

TEST_CASE("a wish claimed by one volunteer is refused to the next as taken", "[dialog]") {
    wish_world w;
    const auto c = w.wish();
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
    const auto r = w.act(c.id, action::claim, actor::of(xiao_wang), t0 + 1);
    CHECK(r.why == refusal::taken);
    CHECK_FALSE(r.detail.empty());
    CHECK(r.after.claimer == xiao_li.key());
    CHECK(w.get(c.id).claimer == xiao_li.key());
    CHECK(to_string(r.why) == "taken");

    // Still taken once the claimer has started.
    REQUIRE(w.act(c.id, action::start, actor::of(xiao_li), t0 + 2).ok());
    CHECK(w.act(c.id, action::claim, actor::of(xiao_wang), t0 + 3).why == refusal::taken);
    CHECK(actions_of(w.events(c.id)) ==
          std::vector<std::string>{"opened", "accept", "claim", "start"});
}

TEST_CASE("only registered volunteers claim, and only accepted wishes on the wall", "[dialog]") {
    wish_world w;
    const auto c = w.wish();
    CHECK(w.act(c.id, action::claim, actor::of(neighbour), t0).why == refusal::not_volunteer);
    CHECK(w.act(c.id, action::claim, actor::op("zhang"), t0).why == refusal::not_allowed);
    CHECK(w.act(c.id, action::claim, actor::of(grandma), t0).why == refusal::not_allowed);

    const auto complaint = w.open(draft(grandma, "complaint", "路灯坏了", t0), t0);
    CHECK(w.act(complaint.id, action::claim, actor::of(xiao_li), t0).why == refusal::not_on_wall);
    const auto urgent = w.open(draft(grandma, "wish", "老人急需救助", t0, "urgent"), t0);
    CHECK(w.act(urgent.id, action::claim, actor::of(xiao_li), t0).why == refusal::not_on_wall);
    CHECK(w.act(9999, action::claim, actor::of(xiao_li), t0).why == refusal::not_found);
    CHECK(w.get(c.id).status == "accepted");
}

TEST_CASE("a released claim and an expired lease put the wish back on the wall", "[dialog]") {
    wish_world w;
    const auto c = w.wish();
    auto on_wall = [&] {
        const auto wall = w.tx([&](unit_of_work& u) { return w.service.wall(u, "光明社区", 10); });
        return wall.size() == 1 && wall[0].id == c.id;
    };
    CHECK(on_wall());

    SECTION("released by the claimer") {
        REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
        CHECK_FALSE(on_wall());
        CHECK(w.act(c.id, action::release, actor::of(xiao_wang), t0 + 1).why ==
              refusal::not_allowed);
        const auto r = w.act(c.id, action::release, actor::of(xiao_li), t0 + 2);
        REQUIRE(r.ok());
        CHECK(r.after.status == "accepted");
        CHECK(r.after.claimer.empty());
        CHECK(r.after.claim_expires_at == 0);
        CHECK(on_wall());
        CHECK(sent_to(w.outbox(c.id), "notify/wish_back_on_wall", grandma));
        CHECK_FALSE(sent_to(w.outbox(c.id), "notify/volunteer_released", xiao_li));
        // Someone else may claim it now.
        CHECK(w.act(c.id, action::claim, actor::of(xiao_wang), t0 + 3).ok());
    }
    SECTION("released by an operator: the volunteer is told") {
        REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
        REQUIRE(w.act(c.id, action::release, actor::op("zhang"), t0 + 1).ok());
        CHECK(sent_to(w.outbox(c.id), "notify/volunteer_released", xiao_li));
        CHECK(on_wall());
    }
    SECTION("the lease runs out with nothing happening") {
        REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
        const auto expiry = t0 + 72 * hour;
        CHECK(w.sweep(expiry - 1).leases_expired == 0);
        CHECK(w.get(c.id).status == "claimed");
        const auto rep = w.sweep(expiry);
        CHECK(rep.leases_expired == 1);
        const auto after = w.get(c.id);
        CHECK(after.status == "accepted");
        CHECK(after.claimer.empty());
        CHECK(on_wall());
        const auto ev = w.events(c.id);
        CHECK(ev.back().action == "lease_expired");
        CHECK(ev.back().actor == "system");
        const auto out = w.outbox(c.id);
        CHECK(sent_to(out, "notify/volunteer_lease_expired", xiao_li));
        CHECK(sent_to(out, "notify/wish_back_on_wall", grandma));
        CHECK(w.sweep(expiry).leases_expired == 0);
        CHECK(w.outbox(c.id).size() == out.size());
    }
    SECTION("news on the wish renews the lease; a started wish is held under the lease too") {
        REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
        REQUIRE(w.tx([&](unit_of_work& u) {
                     return w.service.add_detail(u, c.id, actor::of(grandma), "周六上午在家",
                                                 t0 + 50 * hour);
                 }).ok());
        CHECK(w.sweep(t0 + 100 * hour).leases_expired == 0);
        CHECK(w.get(c.id).status == "claimed");
        CHECK(w.sweep(t0 + 122 * hour).leases_expired == 1);

        REQUIRE(w.act(c.id, action::claim, actor::of(xiao_wang), t0 + 123 * hour).ok());
        REQUIRE(w.act(c.id, action::start, actor::of(xiao_wang), t0 + 124 * hour).ok());
        CHECK(w.sweep(t0 + 195 * hour).leases_expired == 0);
        CHECK(w.get(c.id).claimer == xiao_wang.key());
        CHECK(w.sweep(t0 + 196 * hour).leases_expired == 1);
        CHECK(w.get(c.id).claimer.empty());
    }
}

TEST_CASE("a low rating reopens the case with its handler, a good one closes it", "[dialog]") {
    wish_world w;
    const auto c = w.wish();
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
    REQUIRE(w.act(c.id, action::report_done, actor::of(xiao_li), t0 + 1).ok());

    CHECK(w.rate(c.id, grandma, 0, t0 + 2).why == refusal::invalid);
    CHECK(w.rate(c.id, grandma, 6, t0 + 2).why == refusal::invalid);
    CHECK(w.rate(c.id, neighbour, 5, t0 + 2).why == refusal::not_allowed);
    CHECK(w.get(c.id).status == "done");

    auto r = w.rate(c.id, grandma, 2, t0 + 3);
    REQUIRE(r.ok());
    CHECK(r.after.status == "in_progress");
    CHECK(r.after.rating == 2);
    CHECK(r.after.claimer == xiao_li.key());
    CHECK(r.after.closed_at == 0);
    CHECK(w.balance("person:" + xiao_li.key()) == 0);  // not confirmed: no points
    auto out = w.outbox(c.id);
    CHECK(sent_to(out, "notify/volunteer_reopened", xiao_li));
    CHECK(sent_to(out, "notify/case_reopened", grandma));
    const auto workers = with_template(out, "notify/worker_low_rating");
    REQUIRE(workers.size() == 1);
    CHECK(workers[0].community == "光明社区");
    CHECK(workers[0].text.find("2") != std::string::npos);

    // Done again, and rated well straight from done: that confirms, credits and closes.
    REQUIRE(w.act(c.id, action::report_done, actor::of(xiao_li), t0 + 4).ok());
    r = w.rate(c.id, grandma, 4, t0 + 5);
    REQUIRE(r.ok());
    CHECK(r.after.status == "closed");
    CHECK(r.after.rating == 4);
    CHECK(w.balance("person:" + xiao_li.key()) == 10);
    CHECK(with_template(w.outbox(c.id), "notify/volunteer_points").size() == 1);
}

TEST_CASE("the resident cancels their own open case; others cannot", "[dialog]") {
    wish_world w;
    const auto c = w.wish();
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
    CHECK(w.act(c.id, action::cancel, actor::of(neighbour), t0 + 1).why == refusal::not_allowed);
    CHECK(w.act(c.id, action::cancel, actor::of(xiao_li), t0 + 1).why == refusal::not_allowed);
    const auto r = w.act(c.id, action::cancel, actor::of(grandma), t0 + 2);
    REQUIRE(r.ok());
    CHECK(r.after.status == "cancelled");
    CHECK(r.after.closed_at == t0 + 2);
    CHECK(w.events(c.id).back().actor == grandma.key());
    const auto out = w.outbox(c.id);
    CHECK(sent_to(out, "notify/case_cancelled", grandma));
    CHECK(sent_to(out, "notify/volunteer_cancelled", xiao_li));
    // Nothing moves a cancelled case.
    CHECK(w.act(c.id, action::cancel, actor::of(grandma), t0 + 3).why == refusal::wrong_status);
    CHECK(w.act(c.id, action::start, actor::of(xiao_li), t0 + 3).why == refusal::wrong_status);

    // A case reported done is no longer the resident's to cancel.
    const auto done = w.wish();
    REQUIRE(w.act(done.id, action::claim, actor::of(xiao_li), t0).ok());
    REQUIRE(w.act(done.id, action::report_done, actor::of(xiao_li), t0 + 1).ok());
    CHECK(w.act(done.id, action::cancel, actor::of(grandma), t0 + 2).why == refusal::wrong_status);
    CHECK(w.act(done.id, action::confirm, actor::of(xiao_li), t0 + 2).why == refusal::not_allowed);
}

TEST_CASE("a merged case's reporter follows the case it was merged into", "[dialog]") {
    wish_world w;
    const auto first = w.open(draft(grandma, "complaint", "光明社区5栋路灯坏了", t0), t0);
    const auto second = w.open(draft(neighbour, "complaint", "5栋门口路灯不亮", t0 + 60), t0 + 60);

    act_args into;
    into.merge_into = first.id;
    CHECK(w.act(second.id, action::merge, actor::of(neighbour), t0 + 120, into).why ==
          refusal::not_allowed);
    act_args self;
    self.merge_into = second.id;
    CHECK(w.act(second.id, action::merge, actor::op("zhang"), t0 + 120, self).why ==
          refusal::invalid);
    act_args nowhere;
    nowhere.merge_into = 9999;
    CHECK(w.act(second.id, action::merge, actor::op("zhang"), t0 + 120, nowhere).why ==
          refusal::invalid);

    const auto r = w.act(second.id, action::merge, actor::op("zhang"), t0 + 120, into);
    REQUIRE(r.ok());
    CHECK(r.after.status == "merged");
    CHECK(r.after.merged_into == first.id);
    CHECK(r.after.closed_at == t0 + 120);
    CHECK(w.events(second.id).back().action == "merge");
    CHECK(w.events(second.id).back().to_status == "merged");
    CHECK(w.events(first.id).back().action == "merge");
    CHECK(w.events(first.id).back().note.find(second.number) != std::string::npos);
    const auto told = with_template(w.outbox(second.id), "notify/case_merged");
    REQUIRE(told.size() == 1);
    CHECK(told[0].to == neighbour);
    CHECK(told[0].text.find(first.number) != std::string::npos);

    // Later changes of the target reach both reporters.
    act_args assign;
    assign.assignee = "w07";
    REQUIRE(w.act(first.id, action::assign, actor::op("zhang"), t0 + 180, assign).ok());
    REQUIRE(w.act(first.id, action::start, actor::op("w07"), t0 + 240).ok());
    const auto out = w.outbox(first.id);
    CHECK(sent_to(out, "notify/case_assigned", grandma));
    CHECK(sent_to(out, "notify/case_assigned", neighbour));
    CHECK(sent_to(out, "notify/case_in_progress", grandma));
    CHECK(sent_to(out, "notify/case_in_progress", neighbour));
    CHECK(with_template(out, "notify/worker_assigned").size() == 1);

    // The merged reporter may not withdraw the shared case, but may confirm its outcome.
    CHECK(w.act(first.id, action::cancel, actor::of(neighbour), t0 + 250).why ==
          refusal::not_allowed);
    REQUIRE(w.act(first.id, action::report_done, actor::op("w07"), t0 + 300).ok());
    CHECK(w.act(first.id, action::confirm, actor::of(neighbour), t0 + 360).ok());

    // A merged or closed case takes no merge.
    const auto third = w.open(draft(neighbour, "complaint", "又坏了", t0 + 400), t0 + 400);
    act_args into_merged;
    into_merged.merge_into = second.id;
    CHECK(w.act(third.id, action::merge, actor::op("zhang"), t0 + 420, into_merged).why ==
          refusal::invalid);
    CHECK(w.act(second.id, action::merge, actor::op("zhang"), t0 + 420, into).why ==
          refusal::wrong_status);
}

TEST_CASE("the resident adds details; the handler hears of them", "[dialog]") {
    wish_world w;
    const auto c = w.wish();
    REQUIRE(w.act(c.id, action::claim, actor::of(xiao_li), t0).ok());
    const auto r = w.tx([&](unit_of_work& u) {
        return w.service.add_detail(u, c.id, actor::of(grandma), "[图片] http://x/1.jpg",
                                    t0 + 50 * hour);
    });
    REQUIRE(r.ok());
    CHECK(r.after.claim_expires_at == t0 + 50 * hour + 72 * hour);
    CHECK(w.events(c.id).back().action == "detail");
    CHECK(w.events(c.id).back().to_status == "");
    CHECK(sent_to(w.outbox(c.id), "notify/volunteer_detail", xiao_li));
    const auto refused = w.tx([&](unit_of_work& u) {
        return w.service.add_detail(u, c.id, actor::of(neighbour), "我也要说", t0);
    });
    CHECK(refused.why == refusal::not_allowed);
}

TEST_CASE("unknown cases and impossible moves are refused without writing", "[dialog]") {
    wish_world w;
    const auto c = w.wish();
    const auto missing = w.act(424242, action::cancel, actor::of(grandma), t0);
    CHECK(missing.why == refusal::not_found);
    CHECK(missing.after.id == 0);
    const auto early = w.act(c.id, action::confirm, actor::of(grandma), t0);
    CHECK(early.why == refusal::wrong_status);
    CHECK(early.after.status == "accepted");
    CHECK_FALSE(early.detail.empty());
    CHECK(w.act(c.id, action::accept, actor::op("zhang"), t0).why == refusal::wrong_status);
    CHECK(w.events(c.id).size() == 2);
    CHECK(w.outbox(c.id).empty());
}

TEST_CASE("the wall seen from a point lists located wishes nearest first, then the others",
          "[dialog]") {
    wish_world w;
    const geo_point here{23.0430, 113.7633};  // Dongguan
    auto located = [&](const std::string& text, geo_point p, std::int64_t t,
                       const std::string& address = "东城街道光明社区5栋") {
        auto d = draft(resident("o" + std::to_string(t)), "wish", text, t);
        d.address = address;
        d.location = p;
        return w.open(d, t);
    };
    auto unlocated = [&](const std::string& text, std::int64_t t, const std::string& address) {
        auto d = draft(resident("o" + std::to_string(t)), "wish", text, t);
        d.address = address;
        return w.open(d, t);
    };
    const auto far = located("想请人教用智能手机", {23.1291, 113.2644}, t0);  // Guangzhou
    const auto other_community = unlocated("想找人陪着去医院复查", t0 + 1, "和平社区2栋");
    const auto km = located("想请人帮忙修一下水龙头", {23.0538, 113.7633}, t0 + 2);  // 1.2 km
    const auto mine = unlocated("想找人帮忙搬一下柜子", t0 + 3, "光明社区8栋");
    const auto near = located("想请人陪老人下楼散散步", {23.0457, 113.7633}, t0 + 4);  // 300 m

    const auto wall =
        w.tx([&](unit_of_work& u) { return w.service.wall_near(u, here, "光明社区", 10); });
    REQUIRE(wall.size() == 5);
    CHECK(wall[0].wish.id == near.id);
    CHECK(wall[1].wish.id == km.id);
    CHECK(wall[2].wish.id == far.id);
    // Without coordinates: the asker's community first, as on the plain wall.
    CHECK(wall[3].wish.id == mine.id);
    CHECK(wall[4].wish.id == other_community.id);
    REQUIRE(wall[0].distance_km);
    CHECK(*wall[0].distance_km == Approx(0.300).margin(0.005));
    CHECK(*wall[1].distance_km == Approx(1.20).margin(0.01));
    CHECK(*wall[2].distance_km == Approx(51.9).margin(0.5));
    CHECK_FALSE(wall[3].distance_km);
    CHECK_FALSE(wall[4].distance_km);

    // The limit keeps the nearest; a claimed wish is off the wall.
    auto two = w.tx([&](unit_of_work& u) { return w.service.wall_near(u, here, "光明社区", 2); });
    REQUIRE(two.size() == 2);
    CHECK(two[1].wish.id == km.id);
    REQUIRE(w.act(near.id, action::claim, actor::of(xiao_li), t0 + 10).ok());
    two = w.tx([&](unit_of_work& u) { return w.service.wall_near(u, here, "", 2); });
    REQUIRE(two.size() == 2);
    CHECK(two[0].wish.id == km.id);
    CHECK(two[1].wish.id == far.id);
    CHECK(w.tx([&](unit_of_work& u) { return w.service.wall_near(u, here, "", 0); }).empty());
}
