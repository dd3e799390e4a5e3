#include "dialog/cases/service.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/dialog/cases/service_test_support.hpp"

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;
using namespace minsheng::dialog::cases::testing;

namespace {

const person_ref grandma = resident("oGrandma");

}  // namespace

TEST_CASE("opening records the handling rule and mode, and wall modes are accepted at once",
          "[dialog]") {
    world w;
    const auto t = at("2026-03-02T10:00:00+08:00");

    const auto station = w.open(draft(grandma, "wish", "我行动不便，想请人上门理发", t), t);
    CHECK(station.number.rfind("WX", 0) == 0);
    CHECK(station.handling_mode == "station");
    CHECK(station.handling_rule == "station-service");
    CHECK(station.status == "accepted");
    const auto ev = w.events(station.id);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].action == "opened");
    CHECK(ev[1].action == "accept");
    CHECK(ev[1].actor == "system");
    CHECK(ev[1].from_status == "received");
    CHECK(ev[1].to_status == "accepted");
    CHECK(ev[1].note.find("station-service") != std::string::npos);
    CHECK(w.get(station.id).status == "accepted");

    const auto pool = w.open(draft(grandma, "wish", "孩子上学缺一台电脑", t), t);
    CHECK(pool.handling_mode == "direct");
    CHECK(pool.handling_rule == "wish-pool");
    CHECK(pool.status == "accepted");
    CHECK(w.events(pool.id).back().note.find("wish-pool") != std::string::npos);

    const auto complaint = w.open(draft(grandma, "complaint", "小区路灯坏了", t), t);
    CHECK(complaint.number.rfind("MS", 0) == 0);
    CHECK(complaint.handling_mode == "");
    CHECK(complaint.handling_rule == "default");
    CHECK(complaint.status == "received");
    CHECK(w.events(complaint.id).size() == 1);
    CHECK(w.outbox(complaint.id).empty());
}

TEST_CASE("an urgent wish goes express, stays with the workers and alerts them", "[dialog]") {
    world w;
    const auto t = at("2026-03-02T10:00:00+08:00");
    auto d = draft(grandma, "wish", "家里老人突发重病急需救助，电话13800138000", t, "urgent");
    const auto c = w.open(d, t);
    CHECK(c.handling_mode == "express");
    CHECK(c.handling_rule == "urgent-wish");
    CHECK(c.status == "received");
    const auto out = w.outbox(c.id);
    REQUIRE(out.size() == 1);
    CHECK(out[0].audience == "worker");
    CHECK_FALSE(out[0].to);
    CHECK(out[0].community == "光明社区");
    CHECK(out[0].template_key == "notify/worker_urgent_case");
    CHECK(out[0].text.find(c.number) != std::string::npos);
    CHECK(out[0].text.find("13800138000") == std::string::npos);  // masked
    CHECK(out[0].vars_json.find(c.number) != std::string::npos);
}

TEST_CASE("a rule list matching nothing sends the case to workers under rule none", "[dialog]") {
    program_settings s;
    s.rules = handling_rules({{"only-projects", "", {"project"}, {}, {}, {}}});
    world w(s);
    const auto t = at("2026-03-02T10:00:00+08:00");
    const auto c = w.open(draft(grandma, "wish", "想请人上门理发", t), t);
    CHECK(c.handling_rule == "none");
    CHECK(c.handling_mode == "");
    CHECK(c.status == "received");
}

TEST_CASE("deadlines follow the kind's rule on the 2026 calendar", "[dialog]") {
    world w;
    SECTION("a wish filed before the Spring Festival: 5 working days with the make-up Saturday") {
        const auto t = at("2026-02-13T10:00:00+08:00");
        const auto c = w.open(draft(grandma, "wish", "想请人上门理发", t), t);
        CHECK(iso(c.deadline_at) == "2026-02-27T23:59:59+08:00");
        CHECK(iso(c.remind_at) == "2026-02-26T08:30:00+08:00");
    }
    SECTION("a wish filed the day before National Day counts from 8 October") {
        const auto t = at("2026-09-30T10:00:00+08:00");
        const auto c = w.open(draft(grandma, "wish", "想请人上门理发", t), t);
        CHECK(iso(c.deadline_at) == "2026-10-13T23:59:59+08:00");
        CHECK(iso(c.remind_at) == "2026-10-12T08:30:00+08:00");
    }
    SECTION("a project gets 6 months, clamped to the month's last day") {
        const auto t = at("2026-08-31T10:00:00+08:00");
        const auto c = w.open(draft(grandma, "project", "小区想建一个健身角", t), t);
        CHECK(iso(c.deadline_at) == "2027-02-28T23:59:59+08:00");
        // Sun 28 Feb: the last working day is Fri 26, the reminder the day before.
        CHECK(iso(c.remind_at) == "2027-02-25T08:30:00+08:00");
    }
    SECTION("complaints get 15 working days") {
        const auto t = at("2026-03-02T10:00:00+08:00");
        const auto c = w.open(draft(grandma, "complaint", "路灯坏了", t), t);
        CHECK(iso(c.deadline_at) == "2026-03-23T23:59:59+08:00");
    }
    SECTION("a kind without a rule gets no deadline") {
        const auto t = at("2026-03-02T10:00:00+08:00");
        const auto c = w.open(draft(grandma, "chitchat", "你好", t), t);
        CHECK(c.deadline_at == 0);
        CHECK(c.remind_at == 0);
    }
    SECTION("a draft without a time is filed now") {
        const auto t = at("2026-02-13T10:00:00+08:00");
        auto d = draft(grandma, "wish", "想请人上门理发", 0);
        const auto c = w.open(d, t);
        CHECK(c.created_at == t);
        CHECK(iso(c.deadline_at) == "2026-02-27T23:59:59+08:00");
    }
}

TEST_CASE("the community comes from the draft, else the profile, else the address", "[dialog]") {
    world w;
    const auto t = at("2026-03-02T10:00:00+08:00");
    const auto open_at = [&](const person_ref& who, std::string community, std::string address) {
        auto d = draft(who, "complaint", "路灯坏了", t);
        d.community = std::move(community);
        d.address = std::move(address);
        return w.open(d, t).community;
    };
    CHECK(open_at(grandma, "幸福社区", "东城街道光明社区5栋") == "幸福社区");
    CHECK(open_at(grandma, "", "东城街道光明社区5栋") == "光明社区");
    CHECK(open_at(grandma, "", "南城区阳光社区居委会旁") == "阳光社区");
    CHECK(open_at(grandma, "", "石排镇塘尾村委会门口") == "塘尾村");
    CHECK(open_at(grandma, "", "幸福路12号") == "");
    CHECK(open_at(grandma, "", "") == "");

    const auto neighbour = resident("oNeighbour");
    w.profile(neighbour, "东城社区");
    CHECK(open_at(neighbour, "", "东城街道光明社区5栋") == "东城社区");
    CHECK(open_at(neighbour, "幸福社区", "") == "幸福社区");
}

TEST_CASE("every template the service renders ships in templates/notify, status and sms",
          "[dialog]") {
    const auto& keys = case_service::required_templates();
    CHECK(keys.size() > 30);
    CHECK_NOTHROW(shipped_templates()->require(keys));
    for (const auto& k : keys) {
        INFO(k);
        CHECK(
            (k.rfind("notify/", 0) == 0 || k.rfind("status/", 0) == 0 || k.rfind("sms/", 0) == 0));
        CHECK(std::filesystem::is_regular_file(MINSHENG_SOURCE_DIR "/templates/" + k + ".txt"));
        CHECK_FALSE(shipped_templates()->render(k).empty());
    }
    // A service without its texts does not start.
    CHECK_THROWS_AS(case_service(template_set::from({}), shipped_calendar(),
                                 working_hours::standard(), program_settings{}),
                    std::runtime_error);
}

TEST_CASE("the public summary of a wish masks personal data and is cut to length", "[dialog]") {
    case_record c;
    c.description = "我家住光明社区5栋，电话13800138000，想请人帮忙理发";
    const auto s = case_service::public_summary(c);
    CHECK(s.find("13800138000") == std::string::npos);
    CHECK(s.find("理发") != std::string::npos);

    c.description = "一二三四五六七八九十";
    CHECK(case_service::public_summary(c, 10) == "一二三四五六七八九十");
    CHECK(case_service::public_summary(c, 4) == "一二三四…");
    CHECK(case_service::public_summary(c, 0) == "…");
    c.description = "";
    CHECK(case_service::public_summary(c).empty());
}

TEST_CASE("a located case naming no community belongs to the community of its grid's boundary",
          "[dialog]") {
    program_settings s;
    s.communities = {"东城社区", "光明社区"};
    s.grid_areas = {
        {"东城社区", "一网格",
         boundary{{{{{23.00, 113.70}, {23.00, 113.71}, {23.01, 113.71}, {23.01, 113.70}}, {}}}}}};
    world w(s);
    const auto t = at("2026-03-02T10:00:00+08:00");

    auto d = draft(grandma, "complaint", "路灯坏了", t);
    d.address = "5栋门口";
    d.location = geo_point{23.005, 113.705};
    CHECK(w.open(d, t).community == "东城社区");

    // A community the address names goes first.
    d = draft(grandma, "complaint", "井盖丢了", t + 1);
    d.location = geo_point{23.005, 113.705};
    CHECK(w.open(d, t + 1).community == "光明社区");

    // Outside every boundary: the guess from the address, as before.
    d = draft(grandma, "complaint", "路面坑洼", t + 2);
    d.address = "南山社区5栋";
    d.location = geo_point{24.0, 113.705};
    CHECK(w.open(d, t + 2).community == "南山社区");
}
