// End-to-end: 驿站 check-in and check-out need proof of presence (docs/security.md, "presence
// for points"): the station's QR code scene, in the mini program's body or as the official
// account's SCAN/subscribe event, or a location near the station; and the credited minutes are
// capped per visit and per day across back-to-back visits. Through the real gateway, the real
// signed and encrypted official-account protocol, and the fake WeChat API for mini program
// logins.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/db/keyed_codes.hpp"
#include "adapters/db/store.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
using tools::fake_wechat::fake_wechat_server;

namespace {

const dialog::geo_point dc_door{23.02, 113.75};

// A point `metres` north of p (a degree of latitude is about 111.2 km).
json north_of(dialog::geo_point p, double metres) {
    return {{"lat", p.lat + metres / 111195.0}, {"lng", p.lng}};
}

struct answer {
    int status = 0;
    json body;
    std::string raw;
    std::string code() const {
        return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
    }
};

// A gateway with two stations (dc-01 with coordinates, xc-01 without), mini program logins at
// the fake WeChat API, and a clock the test moves.
struct presence_scenario {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    shifted_clock clock;
    gateway::config cfg;
    std::unique_ptr<running_gateway> gw;
    std::unique_ptr<gateway::http_client> http;
    std::unique_ptr<wechat_peer> wx;
    int msg_seq = 0;

    explicit presence_scenario(const std::function<void(gateway::config&)>& tune = {})
        : cfg(test_config(security_mode::safe, temp_db_path("presence"))) {
        cfg.miniprogram.base_url = fake.base_url();
        cfg.miniprogram.appid = fake.config().appid;
        cfg.miniprogram.secret = fake.config().secret;
        cfg.miniprogram.requests_per_minute = 6000;
        cfg.miniprogram.burst = 1000;
        cfg.miniprogram.session_ttl_seconds = 30 * 86400;  // outlives the hours the tests serve
        dialog::cases::station dc;
        dc.code = "dc-01";
        dc.name = "东城社区党群服务驿站";
        dc.community = "东城社区";
        dc.location = dc_door;
        cfg.program.settings.stations.push_back(dc);
        dialog::cases::station xc;
        xc.code = "xc-01";
        xc.name = "西城社区长者饭堂驿站";
        xc.community = "西城社区";
        cfg.program.settings.stations.push_back(xc);
        if (tune) tune(cfg);
        gw = std::make_unique<running_gateway>(cfg, clock.fn());
        http = std::make_unique<gateway::http_client>("127.0.0.1", gw->port);
        wx = std::make_unique<wechat_peer>(cfg, gw->port);
    }

    // The scene the gateway gives a station: derived from the code secret.
    std::string scene(const std::string& code) const {
        return adapters::db::station_scene(cfg.store.code_secret, code);
    }
    std::int64_t now() const { return now_s() + clock.offset->load(); }

    answer post(const std::string& target, const json& body, const std::string& token) {
        auto res = http->request(
            "POST", target, body.dump(),
            {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
        return {res.status, json::parse(res.body, nullptr, false), res.body};
    }
    std::string login(const std::string& code) {
        auto res = http->request("POST", "/mp/v1/login", json{{"code", code}}.dump(),
                                 {{"Content-Type", "application/json"}});
        REQUIRE(res.status == 200);
        return json::parse(res.body).at("session").get<std::string>();
    }
    // A mini program user who applied and was approved.
    std::string mp_volunteer(const std::string& code) {
        const auto token = login(code);
        auto reg = post("/mp/v1/volunteer", {{"name", "小李"}, {"community", "东城社区"}}, token);
        INFO(reg.raw);
        REQUIRE(reg.status == 200);
        approve_volunteer(cfg, gw->port, reg.body.at("application").get<std::string>());
        return token;
    }

    // Official-account pushes on the gateway's clock (its signature window follows it).
    std::string say(const std::string& user, const std::string& text) {
        const auto t = now();
        auto r = wx->post(wx->codec.text(
            {wx->account, user, text, t, "presence-" + std::to_string(++msg_seq)}, t));
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    std::string event(const std::string& user, const std::string& name, const std::string& key) {
        const auto t = now();
        auto r = wx->post(wx->codec.event({wx->account, user, name, key, t}, t));
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    void oa_volunteer(const std::string& user) {
        say(user, "我要当志愿者");
        say(user, "东城社区");
        approve_volunteer(cfg, gw->port, application_in(say(user, "会陪老人聊天")));
    }

    std::vector<dialog::service_visit> visits(const dialog::person_ref& who) {
        adapters::db::reader r(cfg.db_path);
        return r.visits_of(who, 100);
    }
    std::int64_t visit_rows() {
        SQLite::Database db(cfg.db_path, SQLite::OPEN_READONLY);
        SQLite::Statement q(db, "SELECT count(*) FROM service_visits");
        q.executeStep();
        return q.getColumn(0).getInt64();
    }
    // Moves the clock to 08:00 China time of the next day, so that a test's visits fall on one
    // day whenever it runs.
    void next_morning() {
        const std::int64_t t = now();
        const std::int64_t second_of_day = (t + 8 * 3600) % 86400;
        clock.advance(86400 - second_of_day + 8 * 3600);
    }
};

}  // namespace

TEST_CASE("a mini program check-in without proof of presence is refused and stores nothing",
          "[e2e][presence]") {
    presence_scenario s;
    const auto v = s.mp_volunteer("presence-mp-1");
    const auto refused = [&](const json& body, const std::string& code) {
        auto a = s.post("/mp/v1/checkin", body, v);
        INFO(body.dump() << " → " << a.raw);
        CHECK(a.status == (code == "presence_required" ? 403 : 400));
        CHECK(a.code() == code);
        return a.body.is_object() ? a.body["error"].value("message", "") : "";
    };
    // No proof at all, the way every client checked in before.
    refused({{"station", "dc-01"}}, "presence_required");
    // Another station's scene, a guessed tag, a scene missing its tag.
    refused({{"station", "dc-01"}, {"scene", s.scene("xc-01")}}, "presence_required");
    refused({{"station", "dc-01"}, {"scene", "st:dc-01:0123456789abcdef"}}, "presence_required");
    refused({{"station", "dc-01"}, {"scene", "st:dc-01"}}, "presence_required");
    // A location a kilometre away; any location at a station without coordinates.
    refused({{"station", "dc-01"}, {"location", north_of(dc_door, 1000)}}, "presence_required");
    refused({{"station", "xc-01"}, {"location", north_of(dc_door, 0)}}, "presence_required");
    // Malformed proofs are bad requests, the message saying which.
    CHECK_THAT(refused({{"station", "dc-01"}, {"scene", "st dc 01"}}, "bad_request"),
               Catch::Contains("二维码"));
    CHECK_THAT(refused({{"station", "dc-01"}, {"scene", std::string(65, 'a')}}, "bad_request"),
               Catch::Contains("二维码"));
    CHECK_THAT(
        refused({{"station", "dc-01"}, {"location", {{"lat", 91}, {"lng", 0}}}}, "bad_request"),
        Catch::Contains("位置"));
    CHECK(s.visit_rows() == 0);

    // The station's scene is proof.
    auto in = s.post("/mp/v1/checkin", {{"station", "dc-01"}, {"scene", s.scene("dc-01")}}, v);
    INFO(in.raw);
    REQUIRE(in.status == 200);
    CHECK(in.body.at("checkin_proof") == "scene");
    CHECK(s.visit_rows() == 1);
}

TEST_CASE("a mini program check-out needs presence too, or closes the visit for nothing",
          "[e2e][presence]") {
    presence_scenario s;
    const auto v = s.mp_volunteer("presence-mp-2");
    auto in =
        s.post("/mp/v1/checkin", {{"station", "dc-01"}, {"location", north_of(dc_door, 150)}}, v);
    INFO(in.raw);
    REQUIRE(in.status == 200);
    CHECK(in.body.at("checkin_proof") == "location");
    s.clock.advance(90 * 60);

    // From home: refused, the visit stays open and nothing is credited.
    for (const json& body : {json::object(), json{{"location", north_of(dc_door, 1000)}},
                             json{{"scene", s.scene("xc-01")}}}) {
        auto away = s.post("/mp/v1/checkout", body, v);
        INFO(away.raw);
        CHECK(away.status == 403);
        CHECK(away.code() == "presence_required");
    }
    CHECK(s.post("/mp/v1/checkout", {{"without_presence", "yes"}}, v).code() == "bad_request");
    CHECK(s.post("/mp/v1/checkin", {{"station", "dc-01"}, {"scene", s.scene("dc-01")}}, v).code() ==
          "already_checked_in");

    auto out = s.post("/mp/v1/checkout", {{"scene", s.scene("dc-01")}}, v);
    INFO(out.raw);
    REQUIRE(out.status == 200);
    CHECK(out.body.at("minutes") == 90);
    CHECK(out.body.at("checkout_proof") == "scene");
    const auto balance = out.body.at("balance").get<std::int64_t>();
    CHECK(balance == 15);

    // Forgot to check out and went home: without_presence closes the visit, crediting nothing.
    REQUIRE(
        s.post("/mp/v1/checkin", {{"station", "dc-01"}, {"scene", s.scene("dc-01")}}, v).status ==
        200);
    s.clock.advance(3 * 3600);
    auto closed = s.post("/mp/v1/checkout", {{"without_presence", true}}, v);
    INFO(closed.raw);
    REQUIRE(closed.status == 200);
    CHECK(closed.body.at("minutes") == 0);
    CHECK(closed.body.at("points") == 0);
    CHECK(closed.body.at("served_minutes") == 180);
    CHECK(closed.body.at("checkout_proof") == "none");
    CHECK(closed.body.at("balance") == balance);
}

TEST_CASE("the daily cap on service minutes holds across back-to-back visits", "[e2e][presence]") {
    presence_scenario s([](gateway::config& c) {
        c.program.settings.points_per_hour = 10;
        c.program.settings.max_visit_minutes = 120;
        c.program.settings.max_daily_service_minutes = 180;
        c.program.settings.visit_join_minutes = 30;
    });
    const auto v = s.mp_volunteer("presence-mp-3");
    s.next_morning();
    const json at_station = {{"station", "dc-01"}, {"scene", s.scene("dc-01")}};
    auto visit = [&](std::int64_t minutes) {
        auto in = s.post("/mp/v1/checkin", at_station, v);
        INFO(in.raw);
        REQUIRE(in.status == 200);
        s.clock.advance(minutes * 60);
        auto out = s.post("/mp/v1/checkout", {{"scene", s.scene("dc-01")}}, v);
        INFO(out.raw);
        REQUIRE(out.status == 200);
        return out.body;
    };
    CHECK(visit(180).at("minutes") == 120);  // the longest visit
    CHECK(visit(120).at("minutes") == 0);    // straight back in: the same visit, used up
    s.clock.advance(60 * 60);
    CHECK(visit(120).at("minutes") == 60);  // a new visit, but only the day's last hour
    s.clock.advance(60 * 60);
    const auto last = visit(60);
    CHECK(last.at("minutes") == 0);
    CHECK(last.at("served_minutes") == 60);
    CHECK(last.at("balance") == 30);  // 180 minutes at 10 points an hour
}

TEST_CASE("on the official account a station's QR code checks a volunteer in and out",
          "[e2e][presence]") {
    presence_scenario s;
    const std::string user = "o_station_volunteer";
    const dialog::person_ref me{dialog::channel::wechat_oa, user};
    s.oa_volunteer(user);

    // Someone who is not a volunteer hears what the code is for; nothing is stored.
    CHECK_THAT(s.event("o_station_resident", "SCAN", s.scene("dc-01")),
               Catch::Contains("东城社区党群服务驿站") && Catch::Contains("我要当志愿者"));
    // A guessed or another program's scene checks nobody in.
    CHECK_THAT(s.event(user, "SCAN", "st:dc-01:0123456789abcdef"),
               Catch::Contains("不是有效的驿站签到码"));
    CHECK_THAT(s.event(user, "SCAN", "community7"), Catch::Contains("欢迎回来"));
    CHECK(s.visit_rows() == 0);

    CHECK_THAT(s.event(user, "SCAN", s.scene("dc-01")),
               Catch::Contains("已在东城社区党群服务驿站签到"));
    // Another station's code while checked in here: told where the open visit is.
    s.clock.advance(30 * 60);
    CHECK_THAT(s.event(user, "SCAN", s.scene("xc-01")),
               Catch::Contains("还没有签退") && Catch::Contains("东城社区党群服务驿站"));
    REQUIRE(s.visits(me).size() == 1);
    CHECK(s.visits(me)[0].checkin_proof == "scene");
    CHECK(s.visits(me)[0].checkout_at == 0);

    s.clock.advance(30 * 60);
    CHECK_THAT(s.event(user, "SCAN", s.scene("dc-01")),
               Catch::Contains("已在东城社区党群服务驿站签退") && Catch::Contains("计入 60 分钟"));
    auto visits = s.visits(me);
    REQUIRE(visits.size() == 1);
    CHECK(visits[0].minutes == 60);
    CHECK(visits[0].checkout_proof == "scene");

    // Following the account by scanning the code (subscribe with qrscene_) checks in as well.
    s.clock.advance(3600);
    CHECK_THAT(s.event(user, "subscribe", "qrscene_" + s.scene("xc-01")),
               Catch::Contains("已在西城社区长者饭堂驿站签到"));
    visits = s.visits(me);
    REQUIRE(visits.size() == 2);
    CHECK(visits[0].station == "xc-01");
}

TEST_CASE("minsheng-admin prints the scenes the gateway accepts", "[e2e][presence]") {
    presence_scenario s;
    const std::string file = s.cfg.db_path + ".toml";
    std::ofstream(file) << "db = \"" << s.cfg.db_path << "\"\n"
                        << "[store]\ncode_secret = \"" << s.cfg.store.code_secret << "\"\n"
                        << "[[station]]\ncode = \"dc-01\"\nname = \"东城社区党群服务驿站\"\n";
    const auto printed = admin("--config " + file + " stations");
    std::filesystem::remove(file);
    REQUIRE(printed.code == 0);
    const auto scene = trimmed(printed.out).substr(trimmed(printed.out).rfind('\t') + 1);
    CHECK(trimmed(printed.out) == "dc-01\t东城社区党群服务驿站\t" + scene);

    const auto v = s.mp_volunteer("presence-mp-admin");
    auto in = s.post("/mp/v1/checkin", {{"station", "dc-01"}, {"scene", scene}}, v);
    INFO(in.raw);
    CHECK(in.status == 200);
}
