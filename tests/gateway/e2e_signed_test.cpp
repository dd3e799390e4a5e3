// End-to-end: "signed means all of it". A 12345 request is signed over its method, path, query,
// content type, timestamp and body (v2), so a captured request sent again, or sent with another
// caller in its query or another content type, is refused and stores nothing; the legacy
// signature gets in only for a system configured for it, and is counted; WeChat plain mode is
// never a fallback. Real gateway on 127.0.0.1, real HTTP, real SQLite file.

#include <signal.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <nlohmann/json.hpp>

#include "tests/gateway/e2e_support.hpp"
#include "tests/support/child_process.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

constexpr const char* secret = "signed-hotline-secret-0123456789";
constexpr const char* city = "city-12345";
constexpr const char* city_secret = "city-hotline-secret-0123456789";
constexpr const char* district = "district-12345";
constexpr const char* district_secret = "district-hotline-secret-01234567";
constexpr const char* text_type = "text/plain; charset=utf-8";
constexpr const char* words =
    "[00:00:05] 市民：和平路12号旁边的下水道井盖丢了，很危险，请尽快处理。\n";

gateway::config signed_config(const std::string& tag) {
    auto c = test_config(security_mode::safe, temp_db_path(tag));
    c.hotline.secrets["default"] = secret;
    c.hotline.secrets[city] = city_secret;
    c.hotline.secrets[district] = district_secret;
    c.hotline.legacy_signature = {city};
    return c;
}

std::string call(
    const std::string& id, const std::string& phone,
    const std::string& text = "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便。") {
    return json{{"call_id", id},
                {"caller", {{"phone", phone}}},
                {"turns", {{{"speaker", "caller"}, {"text", text}}}}}
        .dump();
}

// Another problem than call()'s (the same problem from another caller joins the first case).
constexpr const char* other_problem = "幸福小区东门的垃圾桶好几天没人清理了，臭气熏天。";

// Headers `h` with the hotline system named and the signature replaced by the legacy form.
std::map<std::string, std::string> legacy(std::map<std::string, std::string> h,
                                          const std::string& system, const std::string& key,
                                          const std::string& body) {
    h["X-Minsheng-Hotline"] = system;
    h["X-Minsheng-Signature"] =
        adapters::hotline::sign_legacy(key, h.at("X-Minsheng-Timestamp"), body);
    return h;
}

json operator_get(const running_gateway& g, const std::string& target, const std::string& key) {
    auto http = g.client();
    auto res = http.request("GET", target, "", {{"Authorization", bearer(g.cfg)}});
    REQUIRE(res.status == 200);
    return json::parse(res.body)[key];
}

json cases(const running_gateway& g) {
    return operator_get(g, "/api/v1/cases?channel=hotline", "cases");
}
json outbox(const running_gateway& g) {
    return operator_get(g, "/api/v1/outbox?limit=1000", "notifications");
}

std::string error_code(const gateway::client_response& r) {
    const auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

std::string metrics(const running_gateway& g) { return g.client().request("GET", "/metrics").body; }

}  // namespace

TEST_CASE("a signed 12345 request sent again as it was is refused 401 and stores nothing",
          "[e2e][hotline]") {
    running_gateway g(signed_config("signed-replay"));
    const std::string target = "/hotline/transcripts?call_id=R-1&caller_phone=13700137000";
    const auto headers = signed_hotline_headers(secret, target, words, text_type);
    auto http = g.client();
    auto first = http.request("POST", target, words, headers);
    REQUIRE(first.status == 200);
    REQUIRE(json::parse(first.body)["results"][0]["status"] == "accepted");
    const auto cases_before = cases(g);
    const auto outbox_before = outbox(g);
    REQUIRE(cases_before.size() == 1);

    // A recorder of the traffic sends the same bytes again, inside the clock window.
    auto again = http.request("POST", target, words, headers);
    CHECK(again.status == 401);
    CHECK(error_code(again) == "replayed");
    CHECK(g.app.stats().requests_rejected.value("replayed") == 1);
    CHECK(cases(g) == cases_before);
    CHECK(outbox(g) == outbox_before);

    // The upper-case spelling of the same signature is the same signature.
    auto upper = headers;
    for (auto& ch : upper["X-Minsheng-Signature"])
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    upper["X-Minsheng-Signature"].replace(0, 3, "v2=");
    CHECK(http.request("POST", target, words, upper).status == 401);
    CHECK(g.app.stats().requests_rejected.value("replayed") == 2);

    // The hotline system's own resend is signed anew, with a later timestamp: it gets the stored
    // result, as before.
    auto resent = http.request("POST", target, words,
                               signed_hotline_headers(secret, target, words, text_type, 1));
    REQUIRE(resent.status == 200);
    CHECK(json::parse(resent.body)["results"][0]["status"] == "duplicate");
    CHECK(cases(g).size() == 1);
}

TEST_CASE("a signed text transcript sent with another caller in its query is refused 401",
          "[e2e][hotline]") {
    running_gateway g(signed_config("signed-query"));
    const std::string target = "/hotline/transcripts?call_id=Q-1&caller_phone=13700137000";
    const auto headers = signed_hotline_headers(secret, target, words, text_type);
    auto http = g.client();

    // The captured signature with the query changed: another number, another call id, a name
    // added, the phone moved to another order and encoding that means another number.
    for (const std::string forged :
         {"/hotline/transcripts?call_id=Q-1&caller_phone=13900139000",
          "/hotline/transcripts?call_id=Q-2&caller_phone=13700137000",
          "/hotline/transcripts?call_id=Q-1&caller_phone=13700137000&caller_name=%E5%BC%A0",
          "/hotline/transcripts?caller_phone=13900139000&call_id=Q-1",
          "/hotline/transcripts?call_id=Q-1"}) {
        auto res = http.request("POST", forged, words, headers);
        INFO(forged << " → " << res.status << " " << res.body);
        CHECK(res.status == 401);
        CHECK(error_code(res) == "bad_signature");
    }
    CHECK(cases(g).empty());
    CHECK(outbox(g).empty());

    // The same query in another order and spelling is the same request: the signature holds.
    auto res = http.request("POST", "/hotline/transcripts?caller_phone=13700137000&call_id=Q%2D1",
                            words, headers);
    INFO(res.body);
    REQUIRE(res.status == 200);
    const auto stored = cases(g);
    REQUIRE(stored.size() == 1);
    CHECK(stored[0]["contact_phone"] == "137****7000");
}

TEST_CASE("a signed 12345 request sent with another content type is refused 401",
          "[e2e][hotline]") {
    running_gateway g(signed_config("signed-type"));
    // One call on one line: a JSON document and an NDJSON batch alike.
    const std::string body = call("T-1", "13800138000");
    const auto headers = signed_hotline_headers(secret, "/hotline/transcripts", body);
    auto http = g.client();
    for (const char* type : {"application/x-ndjson", "application/jsonl",
                             "application/json; charset=utf-8", "Application/JSON"}) {
        auto forged = headers;
        forged["Content-Type"] = type;
        auto res = http.request("POST", "/hotline/transcripts", body, forged);
        INFO(type << " → " << res.status << " " << res.body);
        CHECK(res.status == 401);
        CHECK(error_code(res) == "bad_signature");
    }
    CHECK(cases(g).empty());
    REQUIRE(http.request("POST", "/hotline/transcripts", body, headers).status == 200);
    CHECK(cases(g).size() == 1);
}

TEST_CASE(
    "the legacy signature is refused 401 unless its system is configured for it, where it is "
    "let in and counted",
    "[e2e][hotline]") {
    running_gateway g(signed_config("signed-legacy"));
    auto http = g.client();
    const std::string target = "/hotline/transcripts";
    CHECK(metrics(g).find("minsheng_hotline_legacy_signatures_total{system=\"city-12345\"} 0\n") !=
          std::string::npos);

    // A system not configured for it, and the default system: 401, nothing stored.
    const std::string d = call("L-1", "13800138000");
    auto res = http.request(
        "POST", target, d,
        legacy(signed_hotline_headers(district_secret, target, d), district, district_secret, d));
    CHECK(res.status == 401);
    CHECK(error_code(res) == "legacy_signature");
    auto plain_default = signed_hotline_headers(secret, target, d);
    plain_default["X-Minsheng-Signature"] =
        adapters::hotline::sign_legacy(secret, plain_default.at("X-Minsheng-Timestamp"), d);
    res = http.request("POST", target, d, plain_default);
    CHECK(res.status == 401);
    CHECK(error_code(res) == "legacy_signature");
    CHECK(g.app.stats().requests_rejected.value("legacy_signature") == 2);
    CHECK(cases(g).empty());
    CHECK(outbox(g).empty());

    // The system configured for it: let in, and counted under its name only.
    const std::string c = call("L-2", "13800138001");
    const auto city_headers =
        legacy(signed_hotline_headers(city_secret, target, c), city, city_secret, c);
    res = http.request("POST", target, c, city_headers);
    INFO(res.body);
    REQUIRE(res.status == 200);
    CHECK(json::parse(res.body)["results"][0]["status"] == "accepted");
    CHECK(cases(g).size() == 1);
    CHECK(g.app.stats().hotline_legacy_signatures.value(city) == 1);
    auto m = metrics(g);
    CHECK(m.find("minsheng_hotline_legacy_signatures_total{system=\"city-12345\"} 1\n") !=
          std::string::npos);
    CHECK(m.find("system=\"district-12345\"") == std::string::npos);
    CHECK(m.find("system=\"default\"") == std::string::npos);

    // The same legacy request again is a replay; its v2 requests are not counted.
    res = http.request("POST", target, c, city_headers);
    CHECK(res.status == 401);
    CHECK(error_code(res) == "replayed");
    auto v2 =
        signed_hotline_headers(city_secret, target, call("L-3", "13800138002", other_problem));
    v2["X-Minsheng-Hotline"] = city;
    CHECK(http.request("POST", target, call("L-3", "13800138002", other_problem), v2).status ==
          200);
    CHECK(g.app.stats().hotline_legacy_signatures.value(city) == 1);
    CHECK(cases(g).size() == 2);
}

TEST_CASE(
    "when the remembered signatures fill the guard, new requests get 503 until the oldest "
    "leave the window",
    "[e2e][hotline]") {
    auto cfg = signed_config("signed-full");
    cfg.hotline.replay_capacity = 2;
    shifted_clock clock;
    running_gateway g(cfg, clock.fn());
    auto http = g.client();
    const std::string target = "/hotline/transcripts";
    // Three problems of one caller, so that each accepted call opens a case (the same problem
    // again would be told again, docs/cases.md).
    const std::map<std::string, std::string> said = {
        {"F-1", "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便。"},
        {"F-2", other_problem},
        {"F-3", "幸福小区北门外的下水道堵了，污水漫到路上，走路都要绕开。"}};
    auto post = [&](const std::string& id) {
        const auto body = call(id, "13800138000", said.at(id));
        return http.request(
            "POST", target, body,
            signed_hotline_headers(secret, target, body, "application/json", clock.offset->load()));
    };
    REQUIRE(post("F-1").status == 200);
    REQUIRE(post("F-2").status == 200);
    // Full: refused, not forgotten (F-1 and F-2 are still inside the window).
    auto full = post("F-3");
    CHECK(full.status == 503);
    CHECK(error_code(full) == "busy");
    CHECK(std::stoll(full.headers["retry-after"]) >= 1);
    CHECK(g.app.stats().overloaded.value("hotline_replays") == 1);
    CHECK(cases(g).size() == 2);

    // Once the first two have left the window, there is room again.
    clock.advance(cfg.hotline.max_clock_skew + 2);
    CHECK(post("F-3").status == 200);
    CHECK(cases(g).size() == 3);
}

namespace {

// /healthz's warnings without the calendar's, which depends on the date the test runs on
// (e2e_calendar_test.cpp tests it with a set clock).
json security_warnings(const json& health) {
    json out = json::array();
    for (const auto& w : health["warnings"])
        if (w != "calendar_next_year_missing") out.push_back(w);
    return out;
}

}  // namespace

TEST_CASE("healthz warns of WeChat plain mode, chosen explicitly, and of nothing otherwise",
          "[e2e]") {
    {
        running_gateway g(test_config(security_mode::plain, temp_db_path("plain-health")));
        auto health = json::parse(g.client().request("GET", "/healthz").body);
        CHECK(health["status"] == "ok");
        CHECK(security_warnings(health) == json::array({"wechat_plain_mode"}));
    }
    running_gateway g(test_config(security_mode::safe, temp_db_path("safe-health")));
    auto health = json::parse(g.client().request("GET", "/healthz").body);
    CHECK(health["status"] == "ok");
    CHECK(security_warnings(health) == json::array());
}

TEST_CASE(
    "the gateway program without an AES key refuses to start unless plain mode is chosen, and "
    "then warns at start and on healthz",
    "[e2e]") {
    const std::string db = temp_db_path("plain-process");
    spawn_options o;
    o.clean_minsheng_env = true;
    o.stderr_to_stdout = true;
    o.env_extra = {"MINSHENG_LISTEN=127.0.0.1:0", "MINSHENG_DB=" + db,
                   "MINSHENG_WECHAT_TOKEN=process-token", "MINSHENG_LOG_LEVEL=warn",
                   "MINSHENG_DATA_DIR=" MINSHENG_SOURCE_DIR};
    const std::string program = MINSHENG_BIN_DIR "/minsheng-gateway";

    // A token and no key: it used to start in plain mode without a word.
    {
        auto refused = spawn({program}, o);
        const int code = wait_exit(refused.pid, std::chrono::seconds(20));
        std::string out;
        char buf[4096];
        for (ssize_t n; (n = ::read(refused.out, buf, sizeof buf)) > 0;)
            out.append(buf, static_cast<std::size_t>(n));
        ::close(refused.out);
        INFO(out);
        CHECK(code == 1);
        CHECK(out.find("wechat.mode = \"plain\"") != std::string::npos);
        CHECK(out.find("listening on") == std::string::npos);
    }

    o.env_extra.push_back("MINSHENG_WECHAT_MODE=plain");
    auto c = spawn({program}, o);
    std::string said;
    std::string line;
    for (int i = 0; i < 20; ++i) {
        line = read_line(c.out, std::chrono::seconds(20));
        if (line.rfind("listening on ", 0) == 0) break;
        said += line + "\n";
    }
    INFO(said);
    REQUIRE(line.rfind("listening on 127.0.0.1:", 0) == 0);
    CHECK(said.find("plain mode") != std::string::npos);
    const auto port = static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
    gateway::http_client http("127.0.0.1", port);
    auto health = json::parse(http.request("GET", "/healthz").body);
    CHECK(security_warnings(health) == json::array({"wechat_plain_mode"}));
    ::kill(c.pid, SIGTERM);
    CHECK(wait_exit(c.pid, std::chrono::seconds(10)) == 0);
    ::close(c.out);
    for (const char* suffix : {"", "-wal", "-shm", ".secret"}) std::filesystem::remove(db + suffix);
}
