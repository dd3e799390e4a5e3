#include "dialog/cases/service.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/dialog/cases/service_test_support.hpp"

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;
using namespace minsheng::dialog::cases::testing;

namespace {

const person_ref grandma = resident("oGrandma");
const person_ref grandpa = resident("oGrandpa");
const std::int64_t t0 = 1772416800;  // Mon 2026-03-02 10:00 China time

// Claims, finishes and has the resident confirm a new wish; returns it.
case_record complete(world& w, const person_ref& volunteer, std::int64_t t) {
    const auto c = w.open(draft(grandma, "wish", "想请人上门理发", t), t);
    REQUIRE(w.act(c.id, action::claim, actor::of(volunteer), t).ok());
    REQUIRE(w.act(c.id, action::report_done, actor::of(volunteer), t).ok());
    REQUIRE(w.act(c.id, action::confirm, actor::of(grandma), t).ok());
    return c;
}

}  // namespace

TEST_CASE("the points ledger balances after any sequence of operations", "[dialog]") {
    world w;
    const std::vector<person_ref> volunteers = {resident("oV1"), resident("oV2"), resident("oV3")};
    w.volunteer(volunteers[0], "光明社区");
    w.volunteer(volunteers[1], "光明社区");
    w.volunteer(volunteers[2], "幸福社区");
    const std::vector<person_ref> residents = {grandma, grandpa};

    std::mt19937 rng(20260302);
    const auto pick = [&](auto n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };
    std::vector<std::int64_t> ids;
    std::set<std::int64_t> credited;  // cases whose claimer was credited
    std::int64_t t = t0;
    int accepted_actions = 0;
    for (int step = 0; step < 400; ++step) {
        t += static_cast<std::int64_t>(pick(6 * 3600)) + 1;
        if (ids.empty() || pick(6) == 0) {
            const auto& who = residents[pick(residents.size())];
            ids.push_back(w.open(draft(who, "wish", "想请人帮忙打扫卫生", t), t).id);
            continue;
        }
        if (pick(15) == 0) {
            // The sweep confirms done wishes whose resident was told: a credit like theirs.
            std::vector<case_record> held_done;
            for (auto id : ids)
                if (auto c = w.get(id); c.status == "done" && !c.claimer.empty())
                    held_done.push_back(c);
            w.sweep(t);
            for (const auto& c : held_done)
                if (w.get(c.id).status == "confirmed") credited.insert(c.id);
            continue;
        }
        const auto id = ids[pick(ids.size())];
        const auto before = w.get(id);
        // Mostly the claimer, sometimes anyone.
        auto v = volunteers[pick(volunteers.size())];
        if (auto claimer = person_ref::parse(before.claimer); claimer && pick(4) != 0) v = *claimer;
        const auto reporter = resident(before.reporter_id);
        // Mostly the natural next step of the case, sometimes any action at all.
        std::size_t choice = pick(9);
        if (pick(3) != 0) {
            if (before.status == "accepted") choice = 0;
            if (before.status == "claimed") choice = 2 + pick(2);
            if (before.status == "in_progress") choice = 3;
            if (before.status == "done") choice = 4 + pick(2);
            if (before.status == "confirmed") choice = 5;
        }
        act_result r;
        switch (choice) {
            case 0:
                r = w.act(id, action::claim, actor::of(v), t);
                break;
            case 1:
                r = w.act(id, action::release, actor::of(v), t);
                break;
            case 2:
                r = w.act(id, action::start, actor::of(v), t);
                break;
            case 3:
                r = w.act(id, action::report_done, actor::of(v), t);
                break;
            case 4:
                r = w.act(id, action::confirm, actor::of(reporter), t);
                break;
            case 5:
                r = w.rate(id, reporter, static_cast<int>(pick(5)) + 1, t);
                break;
            case 6:
                r = w.act(id, action::not_solved, actor::of(reporter), t);
                break;
            case 7:
                r = w.act(id, action::reopen, actor::op("zhang"), t);
                break;
            default:
                r = w.act(id, action::cancel, actor::of(reporter), t);
                break;
        }
        if (!r.ok()) continue;
        ++accepted_actions;
        const bool confirmed = r.after.status == "confirmed" ||
                               (before.status == "done" && r.after.status == "closed");
        if (confirmed && !before.claimer.empty()) credited.insert(id);
    }
    CHECK(accepted_actions > 50);
    CHECK_FALSE(credited.empty());

    std::int64_t sum = w.balance("issued");
    std::int64_t persons = 0;
    for (const auto& v : volunteers) {
        const auto b = w.balance("person:" + v.key());
        CHECK(b >= 0);
        CHECK(b % 10 == 0);
        persons += b;
    }
    sum += persons;
    CHECK(sum == 0);
    CHECK(persons == 10 * static_cast<std::int64_t>(credited.size()));
}

TEST_CASE("points for a wish are credited once, however often it is confirmed", "[dialog]") {
    world w;
    const auto v = resident("oV1");
    w.volunteer(v);
    const auto c = complete(w, v, t0);
    CHECK(w.balance("person:" + v.key()) == 10);

    // Rated low after confirming: reopened to the volunteer, done and confirmed again.
    auto r = w.rate(c.id, grandma, 1, t0 + 10);
    REQUIRE(r.ok());
    CHECK(r.after.status == "in_progress");
    REQUIRE(w.act(c.id, action::report_done, actor::of(v), t0 + 20).ok());
    REQUIRE(w.act(c.id, action::confirm, actor::of(grandma), t0 + 30).ok());
    REQUIRE(w.rate(c.id, grandma, 5, t0 + 40).ok());
    CHECK(w.balance("person:" + v.key()) == 10);
    CHECK(w.balance("issued") == -10);
    CHECK(with_template(w.outbox(c.id), "notify/volunteer_points").size() == 1);

    // The same posting again is ignored by the ledger.
    const bool again = w.tx([&](unit_of_work& u) {
        ledger_posting p;
        p.at = t0;
        p.reason = "wish_confirmed";
        p.case_id = c.id;
        p.idempotency_key = "wish_confirmed:" + std::to_string(c.id);
        p.entries = {{"issued", -10}, {"person:" + v.key(), 10}};
        return u.post(p);
    });
    CHECK_FALSE(again);
    CHECK(w.tx([&](unit_of_work& u) { return w.service.points_of(u, v); }) == 10);
}

TEST_CASE("a wish nobody claimed earns no points when confirmed", "[dialog]") {
    world w;
    act_args a;
    a.assignee = "w07";
    const auto c = w.open(draft(grandma, "wish", "想请人上门理发", t0), t0);
    REQUIRE(w.act(c.id, action::assign, actor::op("zhang"), t0, a).ok());
    REQUIRE(w.act(c.id, action::report_done, actor::op("w07"), t0 + 1).ok());
    REQUIRE(w.act(c.id, action::confirm, actor::of(grandma), t0 + 2).ok());
    CHECK(w.balance("issued") == 0);
}

TEST_CASE("the stars of the month rank a community's volunteers by this month's points",
          "[dialog]") {
    world w;
    const auto a = resident("oA");
    const auto b = resident("oB");
    const auto c = resident("oC");
    w.volunteer(a, "光明社区", "小安");
    w.volunteer(b, "光明社区", "小白");
    w.volunteer(c, "幸福社区", "小陈");

    complete(w, a, at("2026-03-03T10:00:00+08:00"));
    complete(w, b, at("2026-03-04T10:00:00+08:00"));
    complete(w, a, at("2026-03-31T23:59:59+08:00"));  // still March in China
    complete(w, c, at("2026-03-05T10:00:00+08:00"));
    complete(w, b, at("2026-04-01T00:00:00+08:00"));  // 2026-03-31T16:00Z: April in China
    complete(w, b, at("2026-04-02T10:00:00+08:00"));
    complete(w, b, at("2026-04-03T10:00:00+08:00"));
    complete(w, c, at("2026-02-27T10:00:00+08:00"));  // February

    const auto stars = [&](std::string community, const char* now, std::size_t n = 10) {
        return w.tx(
            [&](unit_of_work& u) { return w.service.stars_of_month(u, community, at(now), n); });
    };
    auto march = stars("光明社区", "2026-03-15T12:00:00+08:00");
    REQUIRE(march.size() == 2);
    CHECK(march[0].who == a);
    CHECK(march[0].points == 20);
    CHECK(march[0].name == "小安");
    CHECK(march[1].who == b);
    CHECK(march[1].points == 10);

    // The last second of March is still March.
    CHECK(stars("光明社区", "2026-03-31T23:59:59+08:00").size() == 2);

    auto everyone = stars("", "2026-03-01T00:00:00+08:00");
    REQUIRE(everyone.size() == 3);
    CHECK(everyone[0].who == a);
    CHECK(everyone[1].who == b);  // 10 points, credited before C's
    CHECK(everyone[2].who == c);

    auto april = stars("光明社区", "2026-04-30T23:00:00+08:00");
    REQUIRE(april.size() == 1);
    CHECK(april[0].who == b);
    CHECK(april[0].points == 30);

    CHECK(stars("", "2026-03-15T12:00:00+08:00", 1).size() == 1);
    CHECK(stars("幸福社区", "2026-02-10T12:00:00+08:00").at(0).points == 10);
    CHECK(stars("幸福社区", "2026-05-10T12:00:00+08:00").empty());
}
