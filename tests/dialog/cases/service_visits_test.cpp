#include "dialog/cases/service.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "tests/dialog/cases/service_test_support.hpp"

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;
using namespace minsheng::dialog::cases::testing;

namespace {

const person_ref helper = {channel::miniprogram, "oMpHelper"};
const person_ref stranger = {channel::miniprogram, "oMpStranger"};
const std::int64_t t0 = 1772416800;  // Mon 2026-03-02 10:00 China time

program_settings with_station() {
    program_settings s;
    s.stations.push_back({"gm-01", "光明社区党群服务驿站", "光明社区", "光明路1号", std::nullopt});
    s.points_per_hour = 12;
    s.max_visit_minutes = 4 * 60;
    return s;
}

}  // namespace

TEST_CASE("service hours are credited only from a check-in and check-out pair", "[dialog]") {
    world w(with_station());
    w.volunteer(helper, "光明社区");

    // Checking out before checking in credits nothing.
    auto out = w.tx([&](unit_of_work& u) { return w.service.check_out(u, helper, t0); });
    CHECK(out.why == refusal::wrong_status);
    CHECK(w.balance("person:" + helper.key()) == 0);

    auto in = w.tx(
        [&](unit_of_work& u) { return w.service.check_in(u, helper, "gm-01", "陪老人聊天", t0); });
    REQUIRE(in.ok());
    CHECK(in.visit.id > 0);
    CHECK(in.visit.checkout_at == 0);

    // A second check-in while one is open is refused and changes nothing.
    auto again =
        w.tx([&](unit_of_work& u) { return w.service.check_in(u, helper, "gm-01", "", t0 + 60); });
    CHECK(again.why == refusal::wrong_status);
    CHECK(again.visit.id == in.visit.id);

    // 90 minutes at 12 points an hour: 18 points.
    out = w.tx([&](unit_of_work& u) { return w.service.check_out(u, helper, t0 + 90 * 60); });
    REQUIRE(out.ok());
    CHECK(out.visit.minutes == 90);
    CHECK(out.visit.points == 18);
    CHECK(out.balance == 18);
    CHECK(w.balance("person:" + helper.key()) == 18);
    CHECK(w.balance("issued") == -18);

    // The visit is closed: a second check-out credits nothing more.
    out = w.tx([&](unit_of_work& u) { return w.service.check_out(u, helper, t0 + 3 * 3600); });
    CHECK(out.why == refusal::wrong_status);
    CHECK(w.balance("person:" + helper.key()) == 18);

    store::reader r(w.file.path());
    auto visits = r.visits_of(helper, 10);
    REQUIRE(visits.size() == 1);
    CHECK(visits[0].station == "gm-01");
    CHECK(visits[0].activity == "陪老人聊天");
    CHECK(visits[0].checkout_at == t0 + 90 * 60);
}

TEST_CASE("a forgotten check-out is credited at most the longest visit", "[dialog]") {
    world w(with_station());
    w.volunteer(helper, "光明社区");
    REQUIRE(
        w.tx([&](unit_of_work& u) { return w.service.check_in(u, helper, "gm-01", "", t0); }).ok());
    auto out =
        w.tx([&](unit_of_work& u) { return w.service.check_out(u, helper, t0 + 20 * 3600); });
    REQUIRE(out.ok());
    CHECK(out.visit.minutes == 4 * 60);
    CHECK(out.visit.points == 48);
}

TEST_CASE("check-in is for registered volunteers at known stations", "[dialog]") {
    world w(with_station());
    auto r =
        w.tx([&](unit_of_work& u) { return w.service.check_in(u, stranger, "gm-01", "", t0); });
    CHECK(r.why == refusal::not_volunteer);
    w.volunteer(helper, "光明社区");
    r = w.tx([&](unit_of_work& u) { return w.service.check_in(u, helper, "nowhere", "", t0); });
    CHECK(r.why == refusal::invalid);
    CHECK(w.tx([&](unit_of_work& u) { return u.open_visit(helper).has_value(); }) == false);
}

TEST_CASE("a case keeps the coordinates it was filed with", "[dialog]") {
    world w;
    auto d = draft(resident("oMap"), "complaint", "路灯坏了", t0);
    d.location = geo_point{23.0207, 113.7518};
    const auto c = w.open(d, t0);
    REQUIRE(c.location);
    const auto stored = w.get(c.id);
    REQUIRE(stored.location);
    CHECK(stored.location->lat == Approx(23.0207));
    CHECK(stored.location->lng == Approx(113.7518));
    const auto plain = w.open(draft(resident("oMap"), "complaint", "噪音扰民", t0 + 1), t0 + 1);
    CHECK_FALSE(w.get(plain.id).location.has_value());

    // The queue's new filters: overdue now, unassigned, created window.
    case_query q;
    q.created_since = t0 + 1;
    CHECK(w.tx([&](unit_of_work& u) { return u.list_cases(q); }).size() == 1);
    q = {};
    q.assignee = "";
    CHECK(w.tx([&](unit_of_work& u) { return u.list_cases(q); }).size() == 2);
    q = {};
    q.late_at = t0 + 400 * 86400;  // long after every deadline
    CHECK(w.tx([&](unit_of_work& u) { return u.list_cases(q); }).size() == 2);
    q.late_at = t0;
    CHECK(w.tx([&](unit_of_work& u) { return u.list_cases(q); }).empty());
}

TEST_CASE("a case naming a configured community belongs to it", "[dialog]") {
    program_settings s;
    s.communities = {"和平社区", "和平新村社区"};
    world w(s);
    // The address reader alone would stop at 和 ("and"); the configured name is found whole,
    // the longest one first.
    auto d = draft(resident("oPeace"), "complaint", "和平新村社区6栋路灯坏了", t0);
    d.address = "";
    CHECK(w.open(d, t0).community == "和平新村社区");
    d = draft(resident("oPeace2"), "complaint", "路灯坏了", t0);
    d.address = "和平社区6栋";
    CHECK(w.open(d, t0).community == "和平社区");
    // Not configured: the guess from the address as before.
    d = draft(resident("oPeace3"), "complaint", "路灯坏了", t0);
    CHECK(w.open(d, t0).community == "光明社区");
}
