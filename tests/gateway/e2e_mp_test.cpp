// End-to-end: the mini program API (/mp/v1) through the real server, a real SQLite file and
// the fake WeChat API's /sns/jscode2session: login, the resident loop, the volunteer loop,
// access control, rate limits and input validation. Plus the rate limiter on its own.

#include <openssl/evp.h>

#include <array>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "adapters/db/keyed_codes.hpp"
#include "adapters/db/sessions.hpp"
#include "adapters/db/store.hpp"
#include "gateway/server/rate_limiter.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
using tools::fake_wechat::fake_wechat_server;
using tools::fake_wechat::injection;

namespace {

constexpr const char* code2session = "/sns/jscode2session";

std::string sha256_hex(const std::string& s) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    REQUIRE(EVP_Digest(s.data(), s.size(), md.data(), &len, EVP_sha256(), nullptr) == 1);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 0xf];
    }
    return out;
}

struct answer {
    int status = 0;
    json body;
    std::map<std::string, std::string> headers;
    std::string raw;

    std::string code() const {
        return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
    }
};

// A gateway whose mini program logins go to a fake WeChat API, on a clock the test moves.
struct mp_scenario {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    shifted_clock clock;
    gateway::config cfg;
    std::unique_ptr<running_gateway> gw;
    std::unique_ptr<gateway::http_client> http;

    explicit mp_scenario(const std::function<void(gateway::config&)>& tune = {})
        : cfg(test_config(security_mode::safe, temp_db_path("mp"))) {
        cfg.miniprogram.base_url = fake.base_url();
        cfg.miniprogram.appid = fake.config().appid;
        cfg.miniprogram.secret = fake.config().secret;
        cfg.miniprogram.requests_per_minute = 6000;
        cfg.miniprogram.burst = 1000;
        cfg.miniprogram.logins_per_minute = 1000;
        dialog::cases::station st;
        st.code = "dc-01";
        st.name = "东城社区党群服务驿站";
        st.community = "东城社区";
        st.address = "东城路1号";
        st.location = dialog::geo_point{23.02, 113.75};
        cfg.program.settings.stations.push_back(st);
        if (tune) tune(cfg);
        gw = std::make_unique<running_gateway>(cfg, clock.fn());
        http = std::make_unique<gateway::http_client>("127.0.0.1", gw->port);
    }

    answer call(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& token = "") {
        std::map<std::string, std::string> headers;
        if (!token.empty()) headers["Authorization"] = "Bearer " + token;
        if (!body.empty()) headers["Content-Type"] = "application/json";
        auto res = http->request(method, target, body, headers);
        answer a{res.status, json::parse(res.body, nullptr, false), res.headers, res.body};
        return a;
    }
    answer post(const std::string& target, const json& body, const std::string& token) {
        return call("POST", target, body.dump(), token);
    }
    answer get(const std::string& target, const std::string& token) {
        return call("GET", target, "", token);
    }
    answer api(const std::string& method, const std::string& target, const json& body = nullptr) {
        auto res = http->request(method, target, body.is_null() ? "" : body.dump(),
                                 {{"Authorization", bearer(cfg)}});
        return {res.status, json::parse(res.body, nullptr, false), res.headers, res.body};
    }

    std::string login(const std::string& code) {
        auto a = call("POST", "/mp/v1/login", json{{"code", code}}.dump());
        REQUIRE(a.status == 200);
        return a.body.at("session").get<std::string>();
    }
    std::int64_t sessions() {
        adapters::db::reader r(cfg.db_path);
        return adapters::db::count_mp_sessions(r);
    }
    std::int64_t cases() {
        adapters::db::reader r(cfg.db_path);
        return r.count_cases();
    }
    // The operator API's id of a case number.
    std::int64_t case_id(const std::string& number) {
        adapters::db::reader r(cfg.db_path);
        auto c = r.get_case_by_number(number);
        REQUIRE(c);
        return c->id;
    }
    // `token` applies to volunteer (an application, not yet a volunteer); the operator approves.
    void become_volunteer(const std::string& token, const json& body) {
        auto reg = post("/mp/v1/volunteer", body, token);
        INFO(reg.raw);
        REQUIRE(reg.status == 200);
        CHECK(reg.body.at("volunteer") == false);
        CHECK(reg.body.at("volunteer_status") == "applied");
        approve_volunteer(cfg, gw->port, reg.body.at("application").get<std::string>());
    }

    void operator_acts(std::int64_t id, const json& action) {
        auto a = api("POST", "/api/v1/cases/" + std::to_string(id) + "/actions", action);
        INFO(a.raw);
        REQUIRE(a.status == 200);
    }
};

json file_body(const std::string& request_id, const std::string& description) {
    return {{"request_id", request_id}, {"description", description}};
}

}  // namespace

TEST_CASE("the rate limiter refuses past the burst and refills with the clock", "[mp][gateway]") {
    auto t = std::make_shared<std::int64_t>(1000);
    gateway::rate_limiter limiter(60, 3, [t] { return *t; });
    CHECK(limiter.take("a").allowed);
    CHECK(limiter.take("a").allowed);
    CHECK(limiter.take("a").allowed);
    auto refused = limiter.take("a");
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after_seconds == 1);
    CHECK(limiter.take("b").allowed);  // buckets are per key
    *t += 2;
    CHECK(limiter.take("a").allowed);
    CHECK(limiter.take("a").allowed);
    CHECK_FALSE(limiter.take("a").allowed);
    *t -= 100;  // a clock going back refills nothing
    CHECK_FALSE(limiter.take("a").allowed);
    *t += 1000;  // never more than the burst
    for (int i = 0; i < 3; ++i) CHECK(limiter.take("a").allowed);
    CHECK_FALSE(limiter.take("a").allowed);
    CHECK_THROWS_AS(gateway::rate_limiter(0, 1, [] { return 0; }), std::invalid_argument);
}

TEST_CASE("the rate limiter keeps its memory bounded by dropping full buckets", "[mp][gateway]") {
    auto t = std::make_shared<std::int64_t>(0);
    gateway::rate_limiter limiter(
        60, 1, [t] { return *t; }, 2);
    CHECK(limiter.take("a").allowed);
    CHECK(limiter.take("b").allowed);
    *t += 5;  // a and b are full again: forgetting them changes nothing
    CHECK(limiter.take("c").allowed);
    CHECK(limiter.take("a").allowed);
    CHECK_FALSE(limiter.take("a").allowed);
}

TEST_CASE("mini program login exchanges a code for a session token stored only as a hash",
          "[mp][e2e]") {
    mp_scenario s;
    auto a = s.call("POST", "/mp/v1/login", R"({"code":"code-login-1"})");
    REQUIRE(a.status == 200);
    const std::string token = a.body.at("session");
    CHECK(token.size() == 43);
    CHECK(a.body.at("expires_at").get<std::string>().find("+08:00") != std::string::npos);
    const std::string openid = fake_wechat_server::openid_for_code("code-login-1");
    // The client never sees who it is to WeChat, nor the session key.
    CHECK(a.raw.find(openid) == std::string::npos);
    CHECK(a.raw.find(fake_wechat_server::session_key_for_code("code-login-1")) ==
          std::string::npos);
    CHECK_FALSE(a.body.contains("openid"));
    auto calls = s.fake.received(code2session);
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].query.at("js_code") == "code-login-1");
    CHECK(calls[0].query.at("appid") == s.fake.config().appid);

    adapters::db::reader r(s.cfg.db_path);
    auto row = adapters::db::find_mp_session(r, sha256_hex(token));
    REQUIRE(row);
    CHECK(row->openid == openid);
    // WeChat's session_key is not kept anywhere: not in the database file, not in its WAL.
    for (const auto& file : {s.cfg.db_path, s.cfg.db_path + "-wal"}) {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        CHECK(bytes.find(fake_wechat_server::session_key_for_code("code-login-1")) ==
              std::string::npos);
    }
    CHECK(row->expires_at - row->created_at == s.cfg.miniprogram.session_ttl_seconds);
    CHECK_FALSE(adapters::db::find_mp_session(r, token));  // not stored in the clear

    // The token works; two logins give two different tokens for the same person.
    CHECK(s.get("/mp/v1/cases", token).status == 200);
    CHECK(s.login("code-login-2") != token);
}

TEST_CASE("mini program login maps WeChat's refusals and stores nothing", "[mp][e2e]") {
    mp_scenario s;
    auto refused = [&](int errcode) {
        injection i;
        i.path = code2session;
        i.errcode = errcode;
        s.fake.inject(i);
        return s.call("POST", "/mp/v1/login", R"({"code":"code-bad"})");
    };
    auto a = refused(40029);
    CHECK(a.status == 401);
    CHECK(a.code() == "bad_code");
    CHECK_FALSE(a.body["error"].value("message", "").empty());
    CHECK(refused(40163).code() == "bad_code");
    a = refused(45011);
    CHECK(a.status == 429);
    CHECK(a.code() == "rate_limited");
    a = refused(-1);
    CHECK(a.status == 502);
    CHECK(a.code() == "wechat_unavailable");
    CHECK(s.sessions() == 0);

    // Bad input never reaches WeChat.
    s.fake.clear_received();
    for (const char* body : {"", "{", "[]", R"({"code":5})", R"({"code":""})", R"({"cod":"x"})"}) {
        a = s.call("POST", "/mp/v1/login", body);
        INFO(body);
        CHECK(a.status == 400);
        CHECK(a.code() == "bad_request");
    }
    CHECK(s.fake.count(code2session) == 0);
    CHECK(s.call("GET", "/mp/v1/login").status == 405);
    CHECK(s.sessions() == 0);
}

TEST_CASE("mini program login is refused without a secret and past the login bucket", "[mp][e2e]") {
    {
        mp_scenario s([](gateway::config& c) { c.miniprogram.secret.clear(); });
        auto a = s.call("POST", "/mp/v1/login", R"({"code":"code-x"})");
        CHECK(a.status == 503);
        CHECK(a.code() == "not_configured");
    }
    mp_scenario s([](gateway::config& c) { c.miniprogram.logins_per_minute = 2; });
    s.login("code-l1");
    s.login("code-l2");
    auto a = s.call("POST", "/mp/v1/login", R"({"code":"code-l3"})");
    CHECK(a.status == 429);
    CHECK(a.headers.count("retry-after") == 1);
    CHECK(s.fake.count(code2session) == 2);
    s.clock.advance(60);
    CHECK(s.call("POST", "/mp/v1/login", R"({"code":"code-l3"})").status == 200);
}

TEST_CASE("a resident files, follows, confirms and rates a case through the mini program",
          "[mp][e2e]") {
    mp_scenario s;
    const auto a = s.login("code-resident-a");
    const auto b = s.login("code-resident-b");

    json body = file_body("req-1", "我是独居老人，家里的水龙头坏了，希望有志愿者帮忙维修一下");
    body["kind"] = "wish";
    body["urgency"] = "normal";  // on the wish wall, whatever the models guess
    body["location"] = {{"lat", 23.021}, {"lng", 113.752}};
    body["address"] = "东城社区幸福路12号";
    body["media_ids"] = {"media-1", "media-2"};
    auto filed = s.post("/mp/v1/cases", body, a);
    INFO(filed.raw);
    REQUIRE(filed.status == 201);
    const std::string number = filed.body.at("number");
    CHECK(filed.body.at("status_label").get<std::string>().size() > 0);
    CHECK(filed.body.at("location").at("lat") == 23.021);

    // The same request again: the same case, not a second one.
    auto again = s.post("/mp/v1/cases", body, a);
    CHECK(again.status == 200);
    CHECK(again.body.at("number") == number);
    CHECK(s.cases() == 1);

    auto mine = s.get("/mp/v1/cases", a);
    REQUIRE(mine.status == 200);
    REQUIRE(mine.body.at("cases").size() == 1);
    CHECK(mine.body["cases"][0].at("number") == number);
    CHECK(mine.body["cases"][0].contains("status_label"));
    CHECK(mine.body["cases"][0].contains("deadline_at"));
    CHECK(s.get("/mp/v1/cases", b).body.at("cases").empty());

    // The photos are details of the case, seen by operators.
    const auto id = s.case_id(number);
    auto op = s.api("GET", "/api/v1/cases/" + std::to_string(id));
    REQUIRE(op.status == 200);
    int photos = 0;
    for (const auto& e : op.body.at("events"))
        if (e.at("action") == "detail" &&
            e.at("note").get<std::string>().find("[图片] media:media-") != std::string::npos)
            ++photos;
    CHECK(photos == 2);
    CHECK(op.body.at("channel") == "miniprogram");

    // Access control on the case.
    auto other = s.get("/mp/v1/cases/" + number, b);
    CHECK(other.status == 403);
    CHECK(other.code() == "not_your_case");
    CHECK(s.post("/mp/v1/cases/" + number + "/confirm", json::object(), b).code() ==
          "not_your_case");
    CHECK(s.get("/mp/v1/cases/MS19990101-0001", a).status == 404);

    // Confirming before the work is done is refused.
    auto early = s.post("/mp/v1/cases/" + number + "/confirm", json::object(), a);
    CHECK(early.status == 409);
    CHECK(early.code() == "wrong_status");

    // A volunteer takes the wish; an operator reports it done.
    const auto helper = s.login("code-resident-helper");
    s.become_volunteer(helper, {{"name", "小张"}, {"community", "东城社区"}});
    REQUIRE(s.post("/mp/v1/wall/" + number + "/claim", json::object(), helper).status == 200);
    s.operator_acts(id, {{"action", "report_done"}, {"note", "已更换水龙头"}});

    auto read = s.get("/mp/v1/cases/" + number, a);
    REQUIRE(read.status == 200);
    CHECK(read.body.at("status") == "done");
    const auto& history = read.body.at("history");
    REQUIRE(history.size() >= 4);
    CHECK(history.back().at("status") == "done");
    for (const auto& e : history) {
        CHECK_FALSE(e.contains("actor"));
        CHECK_FALSE(e.contains("note"));
    }
    CHECK(read.raw.find(fake_wechat_server::openid_for_code("code-resident-helper")) ==
          std::string::npos);
    CHECK(read.raw.find("已更换水龙头") == std::string::npos);

    auto confirmed = s.post("/mp/v1/cases/" + number + "/confirm", json::object(), a);
    CHECK(confirmed.status == 200);
    CHECK(confirmed.body.at("status") == "confirmed");
    auto bad_rating = s.post("/mp/v1/cases/" + number + "/rate", {{"rating", 6}}, a);
    CHECK(bad_rating.status == 400);
    CHECK(bad_rating.code() == "bad_request");
    auto rated =
        s.post("/mp/v1/cases/" + number + "/rate", {{"rating", 5}, {"comment", "修得很快"}}, a);
    CHECK(rated.status == 200);
    CHECK(rated.body.at("status") == "closed");
    CHECK(rated.body.at("rating") == 5);
    // Confirming the claimed wish credited its volunteer, once.
    CHECK(s.get("/mp/v1/points", helper).body.at("balance") == 10);
}

TEST_CASE("a volunteer finds wishes near them, claims, checks in and earns points once",
          "[mp][e2e]") {
    mp_scenario s;
    const auto resident = s.login("code-vol-resident");
    const auto v1 = s.login("code-vol-1");
    const auto v2 = s.login("code-vol-2");
    const auto bystander = s.login("code-vol-bystander");

    json near_wish = file_body("w-near", "我是独居老人，腿脚不便，希望有志愿者每周帮我买一次菜");
    near_wish["kind"] = "wish";
    near_wish["urgency"] = "normal";  // an urgent wish goes to workers, not to the wall
    near_wish["location"] = {{"lat", 23.0205}, {"lng", 113.7505}};
    near_wish["address"] = "东城社区幸福路8号";
    near_wish["phone"] = "13800138000";
    auto filed = s.post("/mp/v1/cases", near_wish, resident);
    INFO(filed.raw);
    REQUIRE(filed.status == 201);
    const std::string wish = filed.body.at("number");
    json far_wish = file_body("w-far", "希望有人陪我去医院复诊，行动不方便");
    far_wish["kind"] = "wish";
    far_wish["urgency"] = "normal";
    far_wish["location"] = {{"lat", 39.9}, {"lng", 116.4}};
    REQUIRE(s.post("/mp/v1/cases", far_wish, resident).status == 201);

    // Not yet a volunteer: no claim.
    auto not_volunteer = s.post("/mp/v1/wall/" + wish + "/claim", json::object(), bystander);
    CHECK(not_volunteer.status == 403);
    CHECK(not_volunteer.code() == "not_volunteer");

    for (const auto& [who, name] : {std::pair{v1, "小李"}, std::pair{v2, "小王"}})
        s.become_volunteer(who,
                           {{"name", name}, {"community", "东城社区"}, {"skills", "买菜、陪诊"}});

    auto wall = s.get("/mp/v1/wall?near=23.021,113.751&radius_km=3", v1);
    INFO(wall.raw);
    REQUIRE(wall.status == 200);
    REQUIRE(wall.body.at("wishes").size() == 1);
    CHECK(wall.body["wishes"][0].at("number") == wish);
    CHECK(wall.body["wishes"][0].at("distance_km").get<double>() < 1.0);
    CHECK(wall.raw.find("13800138000") == std::string::npos);
    CHECK(wall.raw.find("幸福路8号") == std::string::npos);
    CHECK(s.get("/mp/v1/wall", v1).body.at("wishes").size() == 2);
    CHECK(s.get("/mp/v1/wall?near=91,0", v1).status == 400);

    auto claimed = s.post("/mp/v1/wall/" + wish + "/claim", json::object(), v1);
    INFO(claimed.raw);
    REQUIRE(claimed.status == 200);
    CHECK(claimed.body.at("contact").at("phone") == "13800138000");
    auto taken = s.post("/mp/v1/wall/" + wish + "/claim", json::object(), v2);
    CHECK(taken.status == 409);
    CHECK(taken.code() == "taken");
    auto not_theirs = s.post("/mp/v1/wall/" + wish + "/release", json::object(), v2);
    CHECK(not_theirs.status == 403);
    CHECK(s.post("/mp/v1/wall/" + wish + "/release", json::object(), v1).status == 200);
    CHECK(s.get("/mp/v1/claims", v1).body.at("claims").empty());
    REQUIRE(s.post("/mp/v1/wall/" + wish + "/claim", json::object(), v1).status == 200);

    auto claims = s.get("/mp/v1/claims", v1);
    REQUIRE(claims.body.at("claims").size() == 1);
    CHECK(claims.body["claims"][0].at("number") == wish);
    CHECK(claims.body["claims"][0].at("contact").at("phone") == "13800138000");
    CHECK(claims.body["claims"][0].at("contact").at("address") == "东城社区幸福路8号");
    CHECK(s.get("/mp/v1/claims", v2).body.at("claims").empty());

    // 驿站 service hours: only from a check-in/check-out pair, once, each at the station (the
    // scene of its QR code; e2e_presence_test.cpp tries going without).
    auto stations = s.get("/mp/v1/stations", v1);
    REQUIRE(stations.body.at("stations").size() == 1);
    CHECK(stations.body["stations"][0].at("code") == "dc-01");
    CHECK(stations.body.at("presence_radius_m") == 200);
    CHECK(stations.raw.find("st:dc-01") == std::string::npos);  // the scene is only at the station
    const json at_station = {
        {"scene", adapters::db::station_scene(s.cfg.store.code_secret, "dc-01")}};
    auto no_visit = s.post("/mp/v1/checkout", at_station, v1);
    CHECK(no_visit.status == 409);
    CHECK(no_visit.code() == "not_checked_in");
    CHECK(s.post("/mp/v1/checkin", {{"station", "nowhere"}, {"scene", at_station["scene"]}}, v1)
              .code() == "unknown_station");
    CHECK(
        s.post("/mp/v1/checkin", {{"station", "dc-01"}, {"scene", at_station["scene"]}}, bystander)
            .status == 403);
    auto in = s.post(
        "/mp/v1/checkin",
        {{"station", "dc-01"}, {"activity", "陪老人聊天"}, {"scene", at_station["scene"]}}, v1);
    INFO(in.raw);
    REQUIRE(in.status == 200);
    CHECK(in.body.at("station_name") == "东城社区党群服务驿站");
    CHECK(s.post("/mp/v1/checkin", {{"station", "dc-01"}, {"scene", at_station["scene"]}}, v1)
              .code() == "already_checked_in");
    s.clock.advance(90 * 60);
    auto out = s.post("/mp/v1/checkout", at_station, v1);
    INFO(out.raw);
    REQUIRE(out.status == 200);
    CHECK(out.body.at("minutes") == 90);
    CHECK(out.body.at("points") == 15);
    CHECK(out.body.at("balance") == 15);
    CHECK(s.post("/mp/v1/checkout", at_station, v1).status == 409);

    auto points = s.get("/mp/v1/points", v1);
    REQUIRE(points.status == 200);
    CHECK(points.body.at("balance") == 15);
    REQUIRE(points.body.at("visits").size() == 1);
    CHECK(points.body["visits"][0].at("points") == 15);
    CHECK(s.get("/mp/v1/points", v2).body.at("balance") == 0);

    auto ranking = s.get("/mp/v1/ranking", v1);
    REQUIRE(ranking.status == 200);
    CHECK(ranking.body.at("community") == "东城社区");
    REQUIRE(ranking.body.at("ranking").size() >= 1);
    CHECK(ranking.body["ranking"][0].at("name") == "小李");
    CHECK(ranking.body["ranking"][0].at("points") == 15);
}

TEST_CASE("a mini program volunteer cannot hoard wishes: a fourth claim and a fourth cycle wait",
          "[mp][e2e]") {
    // Sessions that outlive the day the cooldown lasts.
    mp_scenario s([](gateway::config& c) { c.miniprogram.session_ttl_seconds = 3 * 86400; });
    const auto resident = s.login("code-hoard-resident");
    const auto v = s.login("code-hoard-volunteer");
    // Four needs of one resident (the same need told again would be one wish).
    const std::vector<std::string> needs = {
        "希望有志愿者帮我买一次菜，谢谢", "想请人陪我去医院复诊，腿脚不方便",
        "孩子的数学作业没人辅导，想找个大学生志愿者", "家里的旧衣服想捐出去，请人来搬一下"};
    std::vector<std::string> wishes;
    for (int i = 0; i < 4; ++i) {
        json w = file_body("w-hoard-" + std::to_string(i), needs[i]);
        w["kind"] = "wish";
        w["urgency"] = "normal";
        w["address"] = "东城社区幸福路8号";
        auto filed = s.post("/mp/v1/cases", w, resident);
        INFO(filed.raw);
        REQUIRE(filed.status == 201);
        REQUIRE_FALSE(filed.body.contains("repeated"));
        wishes.push_back(filed.body.at("number"));
    }
    // The first need sent again: no fifth wish on the wall, the resident told it is theirs.
    {
        json w = file_body("w-hoard-again", "还是想找志愿者帮我买一次菜，家里没菜了");
        w["kind"] = "wish";
        w["urgency"] = "normal";
        w["address"] = "东城社区幸福路8号";
        auto again = s.post("/mp/v1/cases", w, resident);
        INFO(again.raw);
        REQUIRE(again.status == 201);
        CHECK(again.body.value("repeated", false));
        CHECK(again.body.value("number", "") == wishes[0]);
        CHECK(again.body.value("message", "").find("您之前已经提交过这个心愿") !=
              std::string::npos);
    }
    s.become_volunteer(v, {{"name", "小周"}, {"community", "东城社区"}});
    for (int i = 0; i < 3; ++i)
        REQUIRE(s.post("/mp/v1/wall/" + wishes[i] + "/claim", json::object(), v).status == 200);

    auto fourth = s.post("/mp/v1/wall/" + wishes[3] + "/claim", json::object(), v);
    INFO(fourth.raw);
    CHECK(fourth.status == 409);
    CHECK(fourth.code() == "claim_limit");
    const std::string message = fourth.body["error"].value("message", "");
    for (int i = 0; i < 3; ++i) CHECK(message.find(wishes[i]) != std::string::npos);
    CHECK(fourth.raw.find("幸福路8号") == std::string::npos);
    CHECK(s.get("/mp/v1/claims", v).body.at("claims").size() == 3);

    // Released three times within the day: the next claim waits, and says until when.
    for (int i = 0; i < 3; ++i)
        REQUIRE(s.post("/mp/v1/wall/" + wishes[i] + "/release", json::object(), v).status == 200);
    auto cooled = s.post("/mp/v1/wall/" + wishes[3] + "/claim", json::object(), v);
    INFO(cooled.raw);
    CHECK(cooled.status == 429);
    CHECK(cooled.code() == "claim_cooldown");
    CHECK(cooled.headers.count("retry-after") == 1);
    CHECK(cooled.raw.find("幸福路8号") == std::string::npos);
    CHECK(s.get("/mp/v1/claims", v).body.at("claims").empty());
    s.clock.advance(24 * 3600 + 60);
    CHECK(s.post("/mp/v1/wall/" + wishes[3] + "/claim", json::object(), v).status == 200);
}

TEST_CASE("mini program endpoints refuse missing, forged and expired sessions", "[mp][e2e]") {
    mp_scenario s;
    const auto token = s.login("code-access");
    auto none = s.get("/mp/v1/cases", "");
    CHECK(none.status == 401);
    CHECK(none.code() == "unauthorized");
    CHECK(none.headers.count("www-authenticate") == 1);
    auto forged = s.get("/mp/v1/cases", std::string(43, 'A'));
    CHECK(forged.status == 401);
    CHECK(forged.code() == "unauthorized");
    CHECK(s.get("/mp/v1/cases", token + "x").status == 401);
    CHECK(
        s.http->request("GET", "/mp/v1/cases", "", {{"Authorization", "Basic " + token}}).status ==
        401);

    CHECK(s.get("/mp/v1/cases", token).status == 200);
    CHECK(s.get("/mp/v1/nothing", token).status == 404);
    CHECK(s.call("DELETE", "/mp/v1/cases", "", token).status == 405);
    CHECK(s.call("GET", "/mp/v1/checkin", "", token).status == 405);

    s.clock.advance(s.cfg.miniprogram.session_ttl_seconds + 1);
    auto expired = s.get("/mp/v1/cases", token);
    CHECK(expired.status == 401);
    CHECK(expired.code() == "session_expired");
}

TEST_CASE("mini program requests past a person's bucket get 429 until time passes", "[mp][e2e]") {
    mp_scenario s([](gateway::config& c) {
        c.miniprogram.burst = 3;
        // One token a minute: the clock is real time shifted, so a refill per second would let
        // a slow run (sanitizers) earn a token back between the requests.
        c.miniprogram.requests_per_minute = 1;
    });
    const auto a = s.login("code-rate-a");
    const auto b = s.login("code-rate-b");
    for (int i = 0; i < 3; ++i) REQUIRE(s.get("/mp/v1/points", a).status == 200);
    auto limited = s.get("/mp/v1/points", a);
    CHECK(limited.status == 429);
    CHECK(limited.code() == "rate_limited");
    REQUIRE(limited.headers.count("retry-after") == 1);
    CHECK(std::stoi(limited.headers.at("retry-after")) >= 1);
    CHECK(s.get("/mp/v1/points", b).status == 200);  // someone else is not held back
    s.clock.advance(60);
    CHECK(s.get("/mp/v1/points", a).status == 200);
}

TEST_CASE("malformed mini program requests get 400 and change nothing", "[mp][e2e]") {
    mp_scenario s;
    const auto t = s.login("code-malformed");
    const std::vector<std::string> bad_cases = {
        "{",
        "[1,2]",
        R"({"description":"路灯坏了很久了"})",  // no request_id
        R"({"request_id":"x1","description":5})",
        R"({"request_id":"x1","description":"路"})",
        R"({"request_id":"x1","description":"路灯坏了","location":{"lat":"23","lng":113}})",
        R"({"request_id":"x1","description":"路灯坏了","location":{"lat":123,"lng":113}})",
        R"({"request_id":"x1","description":"路灯坏了","media_ids":"m1"})",
        R"({"request_id":"x1","description":"路灯坏了","media_ids":[1]})",
        R"({"request_id":"x1","description":"路灯坏了","phone":"12345678901"})",
        R"({"request_id":"x1","description":"路灯坏了","category":"天气"})",
        R"({"request_id":"x1","description":"路灯坏了","kind":"project"})",
        R"({"request_id":7,"description":"路灯坏了"})",
    };
    for (const auto& body : bad_cases) {
        auto a = s.call("POST", "/mp/v1/cases", body, t);
        INFO(body << " → " << a.raw);
        CHECK(a.status == 400);
        CHECK(a.code() == "bad_request");
        CHECK_FALSE(a.body["error"].value("message", "").empty());
    }
    CHECK(s.cases() == 0);
    for (const auto& [path, body] : std::vector<std::pair<std::string, std::string>>{
             {"/mp/v1/phone", R"({"phone":"1380013800"})"},
             {"/mp/v1/phone", R"({"phone":13800138000})"},
             {"/mp/v1/profile", R"({"community":""})"},
             {"/mp/v1/volunteer", R"({"name":"小李"})"},
             {"/mp/v1/volunteer", R"({"name":"小李","community":["东城社区"]})"},
             {"/mp/v1/checkin", R"({"station":1})"},
         }) {
        auto a = s.call("POST", path, body, t);
        INFO(path << " " << body << " → " << a.raw);
        CHECK(a.status == 400);
    }
    auto profile = s.get("/mp/v1/profile", t);
    CHECK(profile.body.at("volunteer") == false);
    CHECK(profile.body.at("phone").is_null());
    CHECK(profile.body.at("community").is_null());
}

TEST_CASE("a resident sets a phone and community, then votes on proposals", "[mp][e2e]") {
    mp_scenario s;
    const auto t = s.login("code-voter");
    auto need = s.post("/mp/v1/proposals/YS20260101-0001/vote", json::object(), t);
    CHECK(need.status == 409);
    CHECK(need.code() == "community_required");
    auto phone = s.post("/mp/v1/phone", {{"code", "phone-13900139000"}}, t);
    REQUIRE(phone.status == 200);
    CHECK(phone.body.at("phone") != "13900139000");  // masked
    REQUIRE(s.post("/mp/v1/profile", {{"community", "东城社区"}}, t).status == 200);
    auto list = s.get("/mp/v1/proposals", t);
    REQUIRE(list.status == 200);
    CHECK(list.body.at("community") == "东城社区");
    CHECK(list.body.at("proposals").empty());
    auto unknown = s.post("/mp/v1/proposals/YS20260101-0001/vote", json::object(), t);
    CHECK(unknown.status == 404);
    CHECK(unknown.code() == "proposal_not_found");
}

TEST_CASE("mini program votes pass a 微实事 proposal into a project case", "[mp][e2e]") {
    mp_scenario s([](gateway::config& c) { c.program.settings.proposal_threshold = 2; });
    // A resident proposes on the official account and says their community when asked.
    wechat_peer oa(s.cfg, s.gw->port);
    REQUIRE(oa.say("o_oa_proposer", "提议 在东城社区中心花园加装几盏路灯", "mp-vote-1").status ==
            200);
    REQUIRE(oa.say("o_oa_proposer", "东城社区", "mp-vote-2").status == 200);

    const auto a = s.login("code-vote-a");
    const auto b = s.login("code-vote-b");
    const auto far = s.login("code-vote-far");
    REQUIRE(s.post("/mp/v1/profile", {{"community", "东城社区"}}, a).status == 200);
    REQUIRE(s.post("/mp/v1/profile", {{"community", "东城社区"}}, b).status == 200);
    // A vote needs the voter's phone, verified by WeChat (getPhoneNumber).
    REQUIRE(s.post("/mp/v1/phone", {{"code", "phone-13900139101"}}, a).status == 200);
    REQUIRE(s.post("/mp/v1/phone", {{"code", "phone-13900139102"}}, b).status == 200);
    REQUIRE(s.post("/mp/v1/profile", {{"community", "西城社区"}}, far).status == 200);

    auto list = s.get("/mp/v1/proposals", a);
    REQUIRE(list.status == 200);
    REQUIRE(list.body.at("proposals").size() == 1);
    const std::string number = list.body["proposals"][0].at("number");
    const std::string vote = "/mp/v1/proposals/" + number + "/vote";

    // Another community's resident may not vote; one vote per person.
    auto refused = s.post(vote, json::object(), far);
    CHECK(refused.status == 403);
    CHECK(refused.code() == "wrong_community");
    REQUIRE(s.post(vote, json::object(), a).status == 200);
    auto twice = s.post(vote, json::object(), a);
    CHECK(twice.status == 409);
    CHECK(twice.code() == "already_voted");

    // The vote that reaches the threshold opens the project case.
    auto passing = s.post(vote, json::object(), b);
    INFO(passing.raw);
    REQUIRE(passing.status == 200);
    adapters::db::reader r(s.cfg.db_path);
    dialog::case_query q;
    q.kind = "project";
    auto projects = r.list_cases(q);
    REQUIRE(projects.size() == 1);
    CHECK(projects[0].proposal_id > 0);
    CHECK(projects[0].deadline_at > projects[0].created_at + 150 * 86400);  // six months
    CHECK(s.get("/mp/v1/proposals", b).body.at("proposals").empty());       // no longer open
}

TEST_CASE("a volunteer on the official account finds the wishes near them, in both scripts",
          "[mp][e2e]") {
    mp_scenario s;
    const auto resident = s.login("code-near-resident");
    const auto file_wish = [&](const std::string& id, const std::string& text, double lat,
                               double lng) {
        json w = file_body(id, text);
        w["kind"] = "wish";
        w["urgency"] = "normal";
        w["location"] = {{"lat", lat}, {"lng", lng}};
        auto filed = s.post("/mp/v1/cases", w, resident);
        INFO(filed.raw);
        REQUIRE(filed.status == 201);
        return filed.body.at("number").get<std::string>();
    };
    // About 1.1 km and 120 km from where the volunteer stands.
    const auto far = file_wish("n-far", "希望有人陪我去医院复诊，我行动不方便", 23.9, 113.75);
    const auto near =
        file_wish("n-near", "我是独居老人，希望有志愿者每周帮我买一次菜", 23.03, 113.75);

    wechat_peer wx(s.cfg, s.gw->port);
    const auto say = [&](const std::string& user, const std::string& text) {
        auto r = wx.say(user, text);
        REQUIRE(r.status == 200);
        return r.reply.text;
    };
    const auto location = [&](const std::string& user, const std::string& lat,
                              const std::string& lng) {
        const auto t = now_s();
        auto r = wx.post(wx.codec.push(adapters::wechat_oa::render_location_push(
                                           {wx.account, user, lat, lng, "东城路1号", t, ""}),
                                       wx.account, user, t));
        REQUIRE(r.status == 200);
        return r.reply.text;
    };

    // Not yet a volunteer: asked to register first.
    CHECK(say("o_near_v", "附近心愿").find("注册") != std::string::npos);
    say("o_near_v", "我要当志愿者");
    say("o_near_v", "东城社区");
    approve_volunteer(s.cfg, s.gw->port, application_in(say("o_near_v", "会买菜")));

    for (const auto& [user, ask] :
         {std::pair{std::string("o_near_v"), std::string("附近心愿")},
          std::pair{std::string("o_near_v"), std::string("附近的心願")}}) {
        INFO(ask);
        CHECK(say(user, ask).find("位置") != std::string::npos);
        const auto listed = location(user, "23.020000", "113.750000");
        INFO(listed);
        const auto at_near = listed.find(near), at_far = listed.find(far);
        REQUIRE(at_near != std::string::npos);
        REQUIRE(at_far != std::string::npos);
        CHECK(at_near < at_far);                               // nearest first
        CHECK(listed.find("约1.1公里") != std::string::npos);  // with the distance
        CHECK(listed.find("约98公里") != std::string::npos);
    }
    // A bare location from the volunteer (no question pending, no case of their own) reads the
    // same.
    CHECK(location("o_near_v", "23.900000", "113.750000").find(far) <
          location("o_near_v", "23.900000", "113.750000").find(near));
}

TEST_CASE("a self-registered volunteer sees no phone and no address in the mini program",
          "[mp][e2e]") {
    mp_scenario s;
    const auto resident = s.login("code-lc-resident");
    const auto harvester = s.login("code-lc-harvester");
    json w = file_body("lc-wish", "我是独居老人，希望有志愿者每周帮我买一次菜");
    w["kind"] = "wish";
    w["urgency"] = "normal";
    w["address"] = "东城社区幸福路8号";
    w["phone"] = "13800138000";
    auto filed = s.post("/mp/v1/cases", w, resident);
    REQUIRE(filed.status == 201);
    const std::string wish = filed.body.at("number");
    const auto no_contact = [](const std::string& raw) {
        INFO(raw);
        CHECK(raw.find("13800138000") == std::string::npos);
        CHECK(raw.find("幸福路8号") == std::string::npos);
    };

    // Registering is an application: the claim is refused, nothing is stored, nothing shown.
    auto reg = s.post("/mp/v1/volunteer", {{"name", "小赵"}, {"community", "东城社区"}}, harvester);
    REQUIRE(reg.status == 200);
    CHECK(reg.body.at("volunteer") == false);
    auto claim = s.post("/mp/v1/wall/" + wish + "/claim", json::object(), harvester);
    CHECK(claim.status == 403);
    CHECK(claim.code() == "volunteer_pending");
    no_contact(claim.raw);
    auto claims = s.get("/mp/v1/claims", harvester);
    CHECK(claims.body.at("claims").empty());
    no_contact(s.get("/mp/v1/wall", harvester).raw);
    const auto id = s.case_id(wish);
    auto c = s.api("GET", "/api/v1/cases/" + std::to_string(id));
    CHECK(c.body.at("status") == "accepted");
    CHECK(c.body.at("events").size() == 2);  // opened, accepted: nothing else

    // Approved, they see the contact while they hold the claim, each time an audit line.
    approve_volunteer(s.cfg, s.gw->port, reg.body.at("application").get<std::string>());
    claim = s.post("/mp/v1/wall/" + wish + "/claim", json::object(), harvester);
    REQUIRE(claim.status == 200);
    CHECK(claim.body.at("contact").at("phone") == "13800138000");
    claims = s.get("/mp/v1/claims", harvester);
    REQUIRE(claims.body.at("claims").size() == 1);
    CHECK(claims.body["claims"][0].at("contact").at("address") == "东城社区幸福路8号");
    std::size_t shown = 0;
    const auto read = s.api("GET", "/api/v1/cases/" + std::to_string(id));
    for (const auto& e : read.body.at("events")) shown += e.at("action") == "contact_shown" ? 1 : 0;
    CHECK(shown == 2);
    // Released: the contact is gone from every answer.
    auto released = s.post("/mp/v1/wall/" + wish + "/release", json::object(), harvester);
    REQUIRE(released.status == 200);
    no_contact(released.raw);
    no_contact(s.get("/mp/v1/claims", harvester).raw);
}

TEST_CASE("a mini program resident reporting an open case's problem joins it as a follower",
          "[mp][e2e]") {
    mp_scenario s;
    const auto a = s.login("code-resident-a");
    const auto b = s.login("code-resident-b");
    json first = file_body("req-1", "幸福路的路灯坏了，晚上一片漆黑，走路很不安全");
    first["kind"] = "complaint";
    first["location"] = {{"lat", 23.021}, {"lng", 113.752}};
    auto filed = s.post("/mp/v1/cases", first, a);
    INFO(filed.raw);
    REQUIRE(filed.status == 201);
    const std::string number = filed.body.at("number");

    json second = file_body("req-2", "幸福路路灯不亮好几天了，请派人修一下");
    second["kind"] = "complaint";
    second["location"] = {{"lat", 23.0215}, {"lng", 113.7522}};  // about 60 m away
    auto joined = s.post("/mp/v1/cases", second, b);
    INFO(joined.raw);
    REQUIRE(joined.status == 201);
    CHECK(joined.body.at("joined") == true);
    CHECK(joined.body.at("number") == number);
    CHECK(joined.body.at("message").get<std::string>().find("已将您加入关注") != std::string::npos);
    // Nothing of the reporter's case but its number and status.
    CHECK_FALSE(joined.body.contains("description"));
    CHECK_FALSE(joined.body.contains("location"));
    CHECK(s.cases() == 1);

    // Operators see the follower on the case, masked like its reporter.
    const auto op = s.api("GET", "/api/v1/cases/" + std::to_string(s.case_id(number)));
    REQUIRE(op.status == 200);
    REQUIRE(op.body.at("followers").size() == 1);
    CHECK(op.body["followers"][0].at("via") == "mp");
    CHECK(op.body["followers"][0].at("rating").is_null());
    CHECK(op.body["followers"][0].at("left_at").is_null());
    const std::string who = op.body["followers"][0].at("who");
    CHECK(who.starts_with("miniprogram:…"));

    // Filing it again: the resident follows the case already, so nothing is opened or written
    // and they are told so.
    json again = second;
    again["request_id"] = "req-3";
    auto told = s.post("/mp/v1/cases", again, b);
    REQUIRE(told.status == 201);
    CHECK_FALSE(told.body.contains("joined"));
    CHECK(told.body.at("repeated") == true);
    CHECK(told.body.at("following") == true);
    CHECK(told.body.at("number") == number);
    CHECK(told.body.at("message").get<std::string>().find("您已在关注") != std::string::npos);
    CHECK(s.cases() == 1);
    const auto after = s.api("GET", "/api/v1/cases/" + std::to_string(s.case_id(number)));
    CHECK(after.body.at("followers").size() == 1);
    CHECK(after.body.at("events").size() == op.body.at("events").size());
}

TEST_CASE(
    "a certificate request in the mini program is answered without a case until the "
    "resident still needs help",
    "[mp][e2e][certificates]") {
    mp_scenario s([](gateway::config& c) {
        c.program.certificates_file = MINSHENG_SOURCE_DIR "/data/certificates.toml";
    });
    const auto a = s.login("code-certificate-a");
    auto counted = [&] {
        SQLite::Database db(s.cfg.db_path, SQLite::OPEN_READONLY);
        SQLite::Statement q(db,
                            "SELECT item || ' ' || channel || ' ' || escalated "
                            "FROM certificate_answers ORDER BY id");
        std::vector<std::string> out;
        while (q.executeStep()) out.push_back(q.getColumn(0).getString());
        return out;
    };

    auto answered = s.post("/mp/v1/cases", file_body("cert-1", "请问居住证明去哪里开？"), a);
    INFO(answered.raw);
    REQUIRE(answered.status == 200);
    CHECK(answered.body.at("certificate").at("item") == "residence");
    CHECK(answered.body.at("certificate").at("name") == "居住证明");
    const std::string text = answered.body.at("answer");
    CHECK(text.find("社区已不再开具居住证明") != std::string::npos);
    CHECK(answered.body.at("message").get<std::string>().find(text) == 0);
    CHECK_FALSE(answered.body.contains("number"));
    CHECK(s.cases() == 0);
    CHECK(counted() == std::vector<std::string>{"residence miniprogram 0"});

    // The same submit again: the same answer, counted once.
    auto again = s.post("/mp/v1/cases", file_body("cert-1", "请问居住证明去哪里开？"), a);
    CHECK(again.status == 200);
    CHECK(again.body == answered.body);
    CHECK(counted().size() == 1);

    // A malformed mark is refused and changes nothing.
    auto body = file_body("cert-2", "请问居住证明去哪里开？社区还是要帮我开");
    body["still_need_help"] = "yes";
    auto bad = s.post("/mp/v1/cases", body, a);
    CHECK(bad.status == 400);
    CHECK(bad.code() == "bad_request");
    body["still_need_help"] = true;
    body["answered_request_id"] = "bad id with spaces";
    CHECK(s.post("/mp/v1/cases", body, a).status == 400);
    CHECK(s.cases() == 0);

    // Still needing help, naming the answered submit: a case opens and that answer counts as
    // escalated (not a second answer).
    body["answered_request_id"] = "cert-1";
    auto filed = s.post("/mp/v1/cases", body, a);
    INFO(filed.raw);
    REQUIRE(filed.status == 201);
    CHECK(filed.body.contains("number"));
    CHECK(s.cases() == 1);
    CHECK(counted() == std::vector<std::string>{"residence miniprogram 1"});

    // Without naming one: this request counts as answered and escalated at once.
    auto other = file_body("cert-3", "我要开无犯罪记录证明，还是需要社区帮忙");
    other["still_need_help"] = true;
    REQUIRE(s.post("/mp/v1/cases", other, a).status == 201);
    CHECK(s.cases() == 2);
    CHECK(counted() ==
          std::vector<std::string>{"residence miniprogram 1", "no_criminal_record miniprogram 1"});
}
