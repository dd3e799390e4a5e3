// End-to-end: claims that cannot be hoarded and done that needs the resident (docs/security.md,
// "vetted volunteers"; docs/cases.md), through the real gateway on 127.0.0.1 — residents and
// volunteers over the real encrypted official-account protocol, the timers through
// POST /api/v1/sweep on a clock the test moves, the store read back through the operator API.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

constexpr std::int64_t hour = 3600;
constexpr std::int64_t day = 24 * hour;

struct claims_scenario {
    shifted_clock clock;
    running_gateway g;
    wechat_peer wx;

    explicit claims_scenario(const std::string& tag)
        : g(test_config(security_mode::safe, temp_db_path(tag)), clock.fn()),
          wx(g.cfg, g.port, clock.fn()) {}

    std::string say(const std::string& user, const std::string& text) {
        auto r = wx.say(user, text);
        REQUIRE(r.status == 200);
        return r.reply.text;
    }

    json api(const std::string& method, const std::string& target, int expect = 200) {
        auto http = g.client();
        auto res = http.request(method, target, "", {{"Authorization", bearer(g.cfg)}});
        INFO(method << " " << target << " → " << res.status << " " << res.body);
        REQUIRE(res.status == expect);
        return json::parse(res.body);
    }

    // A wish filed by its own resident (in words the models take for a wish on the wall); its
    // number.
    std::string wish(const std::string& resident) {
        const auto reply =
            say(resident,
                "我是独居老人，腿脚不便，希望有好心人帮我每周买一次菜。我住光明社区5栋，"
                "电话13900139000");
        auto list = api("GET", "/api/v1/cases?limit=1");
        INFO(reply << "\n" << list.dump());
        REQUIRE(list["cases"].size() == 1);
        REQUIRE(list["cases"][0]["status"] == "accepted");
        return list["cases"][0]["number"];
    }

    void register_volunteer(const std::string& user) {
        say(user, "我要当志愿者");
        say(user, "光明社区");
        approve_volunteer(g.cfg, g.port, application_in(say(user, "会买菜、陪老人聊天")));
    }

    json case_of(const std::string& number) {
        auto list = api("GET", "/api/v1/cases?limit=100");
        for (const auto& c : list["cases"])
            if (c["number"] == number) return api("GET", "/api/v1/cases/" + c["id"].dump());
        FAIL("no case " << number);
        return nullptr;
    }

    json outbox_of(const json& c) {
        return api("GET", "/api/v1/outbox?limit=100&case_id=" + c["id"].dump())["notifications"];
    }
};

std::size_t count_template(const json& outbox, const std::string& key) {
    std::size_t n = 0;
    for (const auto& row : outbox)
        if (row["template"] == key) ++n;
    return n;
}

std::size_t count_events(const json& c, const std::string& action) {
    std::size_t n = 0;
    for (const auto& e : c["events"])
        if (e["action"] == action) ++n;
    return n;
}

}  // namespace

TEST_CASE("a volunteer holding three wishes is refused a fourth, told which they hold",
          "[e2e][claims]") {
    claims_scenario s("claims-limit");
    std::vector<std::string> wishes;
    for (int i = 0; i < 4; ++i) wishes.push_back(s.wish("o_res_limit_" + std::to_string(i)));
    s.register_volunteer("o_vol_limit");
    for (int i = 0; i < 3; ++i) {
        auto ok = s.say("o_vol_limit", "认领 " + wishes[i]);
        INFO(ok);
        REQUIRE(ok.find("认领成功") != std::string::npos);
    }

    const auto refused = s.say("o_vol_limit", "认领 " + wishes[3]);
    INFO(refused);
    CHECK(refused.find("上限") != std::string::npos);
    for (int i = 0; i < 3; ++i) CHECK(refused.find(wishes[i]) != std::string::npos);
    CHECK(refused.find("13900139000") == std::string::npos);
    // Nothing written: still on the wall, no claim, no contact shown, nobody told.
    const auto fourth = s.case_of(wishes[3]);
    CHECK(fourth["status"] == "accepted");
    CHECK(fourth["claimer"].is_null());
    CHECK(count_events(fourth, "claim") == 0);
    CHECK(count_events(fourth, "contact_shown") == 0);
    CHECK(count_template(s.outbox_of(fourth), "notify/wish_claimed") == 0);

    // Done with one, the volunteer may claim again.
    s.say("o_vol_limit", "完成 " + wishes[0]);
    CHECK(s.say("o_vol_limit", "认领 " + wishes[3]).find("认领成功") != std::string::npos);
}

TEST_CASE("a volunteer who claimed and released three wishes in a day waits for the next claim",
          "[e2e][claims]") {
    claims_scenario s("claims-cycle");
    const auto a = s.wish("o_res_cycle_a");
    const auto b = s.wish("o_res_cycle_b");
    s.register_volunteer("o_vol_cycle");
    // Claim, release, claim, release, claim, release: each claim shows the resident's contact.
    for (const auto& number : {a, b, a}) {
        REQUIRE(s.say("o_vol_cycle", "认领 " + number).find("认领成功") != std::string::npos);
        s.say("o_vol_cycle", "放弃 " + number);
        REQUIRE(s.case_of(number)["status"] == "accepted");
    }
    const auto contacts_before = count_events(s.case_of(b), "contact_shown");

    const auto refused = s.say("o_vol_cycle", "认领 " + b);
    INFO(refused);
    CHECK(refused.find("之后再认领") != std::string::npos);
    CHECK(refused.find("13900139000") == std::string::npos);
    auto after = s.case_of(b);
    CHECK(after["status"] == "accepted");
    CHECK(count_events(after, "contact_shown") == contacts_before);

    // A day after the first release, the oldest leaves the window: a claim goes through.
    s.clock.advance(day + 60);
    CHECK(s.say("o_vol_cycle", "认领 " + b).find("认领成功") != std::string::npos);
}

TEST_CASE("a wish held in progress returns to the wall when its lease runs out", "[e2e][claims]") {
    claims_scenario s("claims-in-progress");
    const auto number = s.wish("o_res_progress");
    s.register_volunteer("o_vol_progress");
    REQUIRE(s.say("o_vol_progress", "认领 " + number).find("认领成功") != std::string::npos);
    s.say("o_vol_progress", "开始 " + number);
    REQUIRE(s.case_of(number)["status"] == "in_progress");

    s.clock.advance(71 * hour);
    CHECK(s.api("POST", "/api/v1/sweep")["leases_expired"] == 0);
    s.clock.advance(2 * hour);  // 73 hours without anything happening
    CHECK(s.api("POST", "/api/v1/sweep")["leases_expired"] == 1);
    const auto after = s.case_of(number);
    CHECK(after["status"] == "accepted");
    CHECK(after["claimer"].is_null());
    CHECK(count_events(after, "lease_expired") == 1);
    CHECK(s.api("POST", "/api/v1/sweep")["leases_expired"] == 0);
    // The volunteer and the resident are told, as for a claim that was never started.
    const auto outbox = s.outbox_of(after);
    CHECK(count_template(outbox, "notify/volunteer_lease_expired") == 1);
    CHECK(count_template(outbox, "notify/wish_back_on_wall") == 1);
    CHECK(s.api("GET", "/public/v1/wall")["wishes"].size() == 1);
}

TEST_CASE("a wish reported done is confirmed only after the resident was told, with points",
          "[e2e][claims]") {
    claims_scenario s("claims-confirm");
    const auto number = s.wish("o_res_confirm");
    s.register_volunteer("o_vol_confirm");
    REQUIRE(s.say("o_vol_confirm", "认领 " + number).find("认领成功") != std::string::npos);
    s.say("o_vol_confirm", "完成 " + number);
    REQUIRE(s.case_of(number)["status"] == "done");

    // Seven days without an answer: the resident is told first, two days before.
    s.clock.advance(5 * day - 60);
    auto report = s.api("POST", "/api/v1/sweep");
    CHECK(report["confirm_notices"] == 0);
    s.clock.advance(120);
    report = s.api("POST", "/api/v1/sweep");
    CHECK(report["confirm_notices"] == 1);
    CHECK(report["auto_confirmed"] == 0);
    CHECK(report["auto_closed"] == 0);
    auto c = s.case_of(number);
    CHECK(c["status"] == "done");
    auto outbox = s.outbox_of(c);
    REQUIRE(count_template(outbox, "notify/case_confirm_notice") == 1);
    for (const auto& row : outbox)
        if (row["template"] == "notify/case_confirm_notice") {
            CHECK(row["audience"] == "resident");
            CHECK(row["text"].get<std::string>().find("未解决 " + number) != std::string::npos);
        }
    // Once.
    CHECK(s.api("POST", "/api/v1/sweep")["confirm_notices"] == 0);
    CHECK(s.say("o_vol_confirm", "积分").find("10") == std::string::npos);

    // Two days after the notice: confirmed by the system, the volunteer credited.
    s.clock.advance(2 * day - 120);
    CHECK(s.api("POST", "/api/v1/sweep")["auto_confirmed"] == 0);
    s.clock.advance(120);
    report = s.api("POST", "/api/v1/sweep");
    CHECK(report["auto_confirmed"] == 1);
    c = s.case_of(number);
    CHECK(c["status"] == "confirmed");
    CHECK(count_events(c, "confirm") == 1);
    outbox = s.outbox_of(c);
    CHECK(count_template(outbox, "notify/case_auto_confirmed") == 1);
    CHECK(count_template(outbox, "notify/volunteer_points") == 1);
    CHECK(s.say("o_vol_confirm", "积分").find("10") != std::string::npos);
    CHECK(s.api("POST", "/api/v1/sweep")["auto_confirmed"] == 0);
}
