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
const std::string gm_scene = "st:gm-01:0123456789abcdef";
const std::string dc_scene = "st:dc-01:fedcba9876543210";
const geo_point dc_door{23.0430, 113.7633};

program_settings with_station() {
    program_settings s;
    s.stations.push_back(
        {"gm-01", "光明社区党群服务驿站", "光明社区", "光明路1号", std::nullopt, gm_scene});
    s.stations.push_back(
        {"dc-01", "东城社区党群服务驿站", "东城社区", "东城路1号", dc_door, dc_scene});
    s.points_per_hour = 12;
    s.max_visit_minutes = 4 * 60;
    return s;
}

const presence at_gm{gm_scene, std::nullopt};
const presence at_dc{dc_scene, std::nullopt};
const presence nothing{};

// A point `metres` north of p (a degree of latitude is about 111.2 km).
geo_point north_of(geo_point p, double metres) { return {p.lat + metres / 111195.0, p.lng}; }

}  // namespace

TEST_CASE("service hours are credited only from a check-in and check-out pair", "[dialog]") {
    world w(with_station());
    w.volunteer(helper, "光明社区");

    // Checking out before checking in credits nothing.
    auto out = w.tx([&](unit_of_work& u) { return w.service.check_out(u, helper, at_gm, t0); });
    CHECK(out.why == refusal::wrong_status);
    CHECK(w.balance("person:" + helper.key()) == 0);

    auto in = w.tx([&](unit_of_work& u) {
        return w.service.check_in(u, helper, "gm-01", "陪老人聊天", at_gm, t0);
    });
    REQUIRE(in.ok());
    CHECK(in.visit.id > 0);
    CHECK(in.visit.checkout_at == 0);
    CHECK(in.visit.checkin_proof == "scene");

    // A second check-in while one is open is refused and changes nothing.
    auto again = w.tx([&](unit_of_work& u) {
        return w.service.check_in(u, helper, "gm-01", "", at_gm, t0 + 60);
    });
    CHECK(again.why == refusal::wrong_status);
    CHECK(again.visit.id == in.visit.id);

    // 90 minutes at 12 points an hour: 18 points.
    out =
        w.tx([&](unit_of_work& u) { return w.service.check_out(u, helper, at_gm, t0 + 90 * 60); });
    REQUIRE(out.ok());
    CHECK(out.visit.minutes == 90);
    CHECK(out.served_minutes == 90);
    CHECK(out.visit.points == 18);
    CHECK(out.visit.checkout_proof == "scene");
    CHECK(out.balance == 18);
    CHECK(w.balance("person:" + helper.key()) == 18);
    CHECK(w.balance("issued") == -18);

    // The visit is closed: a second check-out credits nothing more.
    out =
        w.tx([&](unit_of_work& u) { return w.service.check_out(u, helper, at_gm, t0 + 3 * 3600); });
    CHECK(out.why == refusal::wrong_status);
    CHECK(w.balance("person:" + helper.key()) == 18);

    store::reader r(w.file.path());
    auto visits = r.visits_of(helper, 10);
    REQUIRE(visits.size() == 1);
    CHECK(visits[0].station == "gm-01");
    CHECK(visits[0].activity == "陪老人聊天");
    CHECK(visits[0].checkout_at == t0 + 90 * 60);
    CHECK(visits[0].checkin_proof == "scene");
    CHECK(visits[0].checkout_proof == "scene");
}

TEST_CASE("a forgotten check-out is credited at most the longest visit", "[dialog]") {
    world w(with_station());
    w.volunteer(helper, "光明社区");
    REQUIRE(w.tx([&](unit_of_work& u) {
                 return w.service.check_in(u, helper, "gm-01", "", at_gm, t0);
             }).ok());
    auto out = w.tx(
        [&](unit_of_work& u) { return w.service.check_out(u, helper, at_gm, t0 + 20 * 3600); });
    REQUIRE(out.ok());
    CHECK(out.served_minutes == 20 * 60);
    CHECK(out.visit.minutes == 4 * 60);
    CHECK(out.visit.points == 48);
}

TEST_CASE("check-in is for registered volunteers at known stations", "[dialog]") {
    world w(with_station());
    auto r = w.tx(
        [&](unit_of_work& u) { return w.service.check_in(u, stranger, "gm-01", "", at_gm, t0); });
    CHECK(r.why == refusal::not_volunteer);
    w.volunteer(helper, "光明社区");
    r = w.tx(
        [&](unit_of_work& u) { return w.service.check_in(u, helper, "nowhere", "", at_gm, t0); });
    CHECK(r.why == refusal::invalid);
    CHECK(w.tx([&](unit_of_work& u) { return u.open_visit(helper).has_value(); }) == false);
}

TEST_CASE("check-in needs the station's scene or a location near it, and writes nothing without",
          "[dialog][presence]") {
    world w(with_station());
    w.volunteer(helper, "东城社区");
    auto in = [&](std::string_view station, const presence& shown) {
        return w.tx(
            [&](unit_of_work& u) { return w.service.check_in(u, helper, station, "", shown, t0); });
    };
    CHECK(in("gm-01", nothing).why == refusal::no_presence);
    CHECK(in("gm-01", at_dc).why == refusal::no_presence);  // another station's code
    CHECK(in("gm-01", {"st:gm-01:0123456789abcdee", std::nullopt}).why == refusal::no_presence);
    CHECK(in("gm-01", {"st:gm-01:", std::nullopt}).why == refusal::no_presence);
    // A station without coordinates takes no location; one with them, only within 200 m.
    CHECK(in("gm-01", {"", dc_door}).why == refusal::no_presence);
    CHECK(in("dc-01", {"", north_of(dc_door, 1000)}).why == refusal::no_presence);
    CHECK(in("dc-01", {"", north_of(dc_door, 250)}).why == refusal::no_presence);
    CHECK(w.tx([&](unit_of_work& u) { return u.visits_of(helper, 10).size(); }) == 0);

    const auto near = in("dc-01", {"", north_of(dc_door, 150)});
    REQUIRE(near.ok());
    CHECK(near.visit.checkin_proof == "location");

    // With presence_radius_m 0 only the code proves presence.
    auto codes_only = with_station();
    codes_only.presence_radius_m = 0;
    world strict(codes_only);
    strict.volunteer(helper, "东城社区");
    CHECK(strict
              .tx([&](unit_of_work& u) {
                  return strict.service.check_in(u, helper, "dc-01", "", {"", dc_door}, t0);
              })
              .why == refusal::no_presence);
    CHECK(strict
              .tx([&](unit_of_work& u) {
                  return strict.service.check_in(u, helper, "dc-01", "", at_dc, t0);
              })
              .ok());
}

TEST_CASE("the station of a scene is found only by the whole scene", "[dialog][presence]") {
    world w(with_station());
    REQUIRE(w.service.station_of_scene(gm_scene));
    CHECK(w.service.station_of_scene(gm_scene)->code == "gm-01");
    CHECK(w.service.station_of_scene(dc_scene)->code == "dc-01");
    CHECK_FALSE(w.service.station_of_scene(""));
    CHECK_FALSE(w.service.station_of_scene("st:gm-01"));
    CHECK_FALSE(w.service.station_of_scene(gm_scene + "0"));
    CHECK_FALSE(w.service.station_of_scene("st:gm-01:0123456789abcdeF"));
}

TEST_CASE(
    "check-out needs presence at the visit's station; without it the visit can be closed for "
    "nothing",
    "[dialog][presence]") {
    world w(with_station());
    w.volunteer(helper, "东城社区");
    REQUIRE(w.tx([&](unit_of_work& u) {
                 return w.service.check_in(u, helper, "dc-01", "", at_dc, t0);
             }).ok());
    auto out = [&](const presence& shown, std::int64_t at) {
        return w.tx([&](unit_of_work& u) { return w.service.check_out(u, helper, shown, at); });
    };
    CHECK(out(nothing, t0 + 3600).why == refusal::no_presence);
    CHECK(out(at_gm, t0 + 3600).why == refusal::no_presence);  // another station's code
    CHECK(out({"", north_of(dc_door, 1000)}, t0 + 3600).why == refusal::no_presence);
    CHECK(w.tx([&](unit_of_work& u) { return u.open_visit(helper).has_value(); }));
    CHECK(w.balance("person:" + helper.key()) == 0);

    const auto near = out({"", north_of(dc_door, 100)}, t0 + 3600);
    REQUIRE(near.ok());
    CHECK(near.visit.checkout_proof == "location");
    CHECK(near.visit.minutes == 60);

    // Left without checking out: closing the visit credits nothing and frees the next check-in.
    REQUIRE(w.tx([&](unit_of_work& u) {
                 return w.service.check_in(u, helper, "dc-01", "", at_dc, t0 + 7200);
             }).ok());
    const auto closed =
        w.tx([&](unit_of_work& u) { return w.service.close_visit(u, helper, t0 + 5 * 3600); });
    REQUIRE(closed.ok());
    CHECK(closed.visit.checkout_proof == "none");
    CHECK(closed.visit.minutes == 0);
    CHECK(closed.visit.points == 0);
    CHECK(closed.served_minutes == 180);
    CHECK(w.balance("person:" + helper.key()) == 12);
    CHECK(w.tx([&](unit_of_work& u) {
               return w.service.close_visit(u, helper, t0 + 6 * 3600);
           }).why == refusal::wrong_status);
    CHECK(w.tx([&](unit_of_work& u) {
               return w.service.check_in(u, helper, "dc-01", "", at_dc, t0 + 6 * 3600);
           }).ok());
}

TEST_CASE("back-to-back visits share the longest visit, and a day's credited minutes are capped",
          "[dialog][presence]") {
    auto settings = with_station();
    settings.max_visit_minutes = 4 * 60;
    settings.max_daily_service_minutes = 6 * 60;
    settings.visit_join_minutes = 30;
    world w(settings);
    w.volunteer(helper, "光明社区");
    auto visit = [&](std::int64_t from, std::int64_t to) {
        REQUIRE(w.tx([&](unit_of_work& u) {
                     return w.service.check_in(u, helper, "gm-01", "", at_gm, from);
                 }).ok());
        return w.tx([&](unit_of_work& u) { return w.service.check_out(u, helper, at_gm, to); });
    };
    const std::int64_t h = 3600;
    // 10:00-14:00: the longest visit.
    CHECK(visit(t0, t0 + 4 * h).visit.minutes == 240);
    // Checked in again 10 minutes later: the same visit, which has nothing left.
    auto again = visit(t0 + 4 * h + 600, t0 + 6 * h);
    CHECK(again.served_minutes == 110);
    CHECK(again.visit.carried_minutes == 240);
    CHECK(again.visit.minutes == 0);
    // After an hour's break a new visit, but only the day's last 120 minutes count.
    auto later = visit(t0 + 7 * h, t0 + 10 * h);
    CHECK(later.visit.carried_minutes == 0);
    CHECK(later.visit.minutes == 120);
    CHECK(visit(t0 + 10 * h + 40 * 60, t0 + 11 * h).visit.minutes == 0);
    CHECK(w.balance("person:" + helper.key()) == 360 * 12 / 60);
    // A visit checked in before midnight counts for its day, however late it ends.
    CHECK(visit(t0 + 13 * h + 50 * 60, t0 + 15 * h).visit.minutes == 0);
    // The next day (from 00:00 China time) has its own cap.
    CHECK(visit(t0 + 22 * h, t0 + 24 * h).visit.minutes == 120);
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
