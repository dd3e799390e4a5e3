// End-to-end: nothing a client sends stops the service. The real gateway on 127.0.0.1 under
// bytes that are not text, bodies over the limits, too many connections, slow and stalled
// clients, floods past the per-address buckets and the reader and writer queues, and a few
// thousand hostile requests of every kind: each answered with its refusal and counted, the
// process alive and the store as it was.

#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <future>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "adapters/http/query_string.hpp"
#include "adapters/wechat_oa/signature.hpp"
#include "dialog/utf8.hpp"
#include "tests/gateway/abuse_support.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
using namespace std::string_literals;

namespace {

constexpr const char* hotline_secret = "abuse-hotline-secret-0123456789";
constexpr const char* open311_key = "abuse-open311-key-0123456789";
constexpr const char* appeal = "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便。";
constexpr const char* json_type = "application/json";

// A gateway config with every channel on and the per-address buckets generous; a test narrows
// what it is about.
gateway::config abuse_config(const std::string& tag) {
    auto c = test_config(security_mode::safe, temp_db_path(tag));
    c.hotline.secrets["default"] = hotline_secret;
    c.open311.api_keys["abuse"] = open311_key;
    c.communities = {{"东城社区", "东城街道", {}, std::nullopt}};
    auto& l = c.limits;
    l.public_per_minute = l.open311_per_minute = l.hotline_per_minute = 100000;
    l.public_burst = l.open311_burst = l.hotline_burst = 100000;
    // Hostile traffic sends wrong operator tokens from 127.0.0.1, as the checks' own calls do.
    l.auth_failures_per_minute = 100000;
    return c;
}

// Headers of a hotline request to `target`, signed (v2).
std::map<std::string, std::string> hotline_headers(
    const std::string& body, const std::string& type = json_type,
    const std::string& secret = hotline_secret, std::int64_t skew = 0,
    const std::string& target = "/hotline/transcripts") {
    return signed_hotline_headers(secret, target, body, type, skew);
}

// One 12345 call in which the caller speaks each of `words` in turn.
json call_json(const std::string& id, const std::vector<std::string>& words) {
    json turns = json::array({{{"speaker", "agent"}, {"text", "您好，12345热线，请讲。"}}});
    for (const auto& w : words) {
        turns.push_back({{"speaker", "caller"}, {"text", w}});
        turns.push_back({{"speaker", "agent"}, {"text", "嗯，您继续说。"}});
    }
    return {{"call_id", id},
            {"hotline", "12345"},
            {"caller", {{"phone", "13800138000"}}},
            {"turns", std::move(turns)}};
}

// An operator request with the bootstrap token.
gateway::client_response op(const running_gateway& g, const std::string& method,
                            const std::string& target, const std::string& body = "") {
    auto http = g.client();
    return http.request(method, target, body,
                        {{"Authorization", bearer(g.cfg)}, {"Content-Type", json_type}});
}

json op_json(const running_gateway& g, const std::string& target) {
    auto res = op(g, "GET", target);
    INFO(target << " → " << res.status << " " << res.body);
    REQUIRE(res.status == 200);
    return json::parse(res.body);
}

// Cases straight into the store (before the gateway opens it): `n` of `kind` in 东城社区; wishes
// accepted and published on the wall (direct help), the others just received.
void seed_cases(const std::string& db, int n, const std::string& kind) {
    adapters::db::store s(db);
    s.run([&](dialog::unit_of_work& uow) {
        for (int i = 0; i < n; ++i) {
            dialog::case_draft d;
            d.reporter_id = "o_seed_" + std::to_string(i);
            d.kind = kind;
            d.category = kind == "wish" ? "" : "城乡建设";
            d.urgency = "normal";
            d.description = kind == "wish" ? "想请人每周帮忙买一次菜，腿脚不便" : appeal;
            d.source_key = "seed:" + std::to_string(i);
            d.created_at = now_s() - 60;
            d.community = "东城社区";
            if (kind == "wish") d.handling_mode = "direct";
            auto rec = uow.open_case(d);
            if (kind != "wish") continue;
            auto accepted = rec;
            accepted.status = "accepted";
            REQUIRE(uow.update_case(accepted, rec.status, rec.updated_at));
        }
    });
}

// The code of a JSON error body ({"error":{"code":...}}); "" when the body is not one.
std::string error_code_of(const std::string& body) {
    const json j = json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return "";
    return j["error"].value("code", "");
}

std::string cut(const std::string& s, std::size_t n = 300) {
    return s.size() <= n ? s : s.substr(0, n) + "...";
}

}  // namespace

// ---- 1. Bytes that are not text

TEST_CASE(
    "a query that is not UTF-8 is refused with 400 before any route runs, and the gateway "
    "lives on",
    "[gateway][e2e]") {
    running_gateway g(abuse_config("utf8"));
    auto http = g.client();

    // The 12345 transcript that used to end the process: its call id was echoed into JSON.
    const std::string text = std::string("[00:00:05] 市民：") + appeal + "\n";
    const std::string plain = "text/plain; charset=utf-8";
    const std::string bad_id = "/hotline/transcripts?call_id=%FF&caller_phone=13700137000";
    auto res =
        http.request("POST", bad_id, text, hotline_headers(text, plain, hotline_secret, 0, bad_id));
    INFO(res.body);
    CHECK(res.status == 400);
    CHECK(error_code_of(res.body) == "bad_query");
    CHECK(healthy_within(g.port, ms(5000)));
    // The same call with an id that is text is taken: the refusal was for the bytes.
    const std::string t1 = "/hotline/transcripts?call_id=T-1&caller_phone=13700137000";
    res = http.request("POST", t1, text, hotline_headers(text, plain, hotline_secret, 0, t1));
    CHECK(res.status == 200);

    // Refused in each route's own error format, as its documentation promises (a client reads
    // the code there).
    for (const char* target : {"/api/v1/cases?x=%FF", "/public/v1/wall?x=%FF", "/mp/v1/cases?x=%FF",
                               "/hotline/transcripts?x=%FF"}) {
        auto r = http.request("GET", target, "", {{"Authorization", bearer(g.cfg)}});
        INFO(target << " → " << r.status << " " << r.body);
        CHECK(error_code_of(r.body) == "bad_query");
    }
    {
        auto r = http.request("GET", "/open311/v2/requests.json?x=%FF");
        INFO(r.body);
        const auto doc = json::parse(r.body, nullptr, false);
        CHECK((doc.is_array() && doc.size() == 1 && doc[0].value("code", 0) == 400));
    }

    // Every route, a key or a value, each kind of bad sequence: a lone byte, a cut character,
    // an overlong form, a surrogate, a code point past U+10FFFF.
    const std::vector<std::string> bad = {"%FF",    "%C3",       "%C3%28",       "%C0%AF",
                                          "%E4%B8", "%ED%A0%80", "%F4%90%80%80", "%F8%88%80%80%80"};
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"GET", "/public/v1/wall"},   {"GET", "/open311/v2/requests.json"},
        {"GET", "/api/v1/cases"},     {"GET", "/mp/v1/cases"},
        {"GET", "/wechat/oa"},        {"POST", "/wechat/oa"},
        {"GET", "/console/"},         {"GET", "/healthz"},
        {"GET", "/nowhere"},          {"POST", "/hotline/transcripts"},
        {"GET", "/api/v1/cases.csv"}, {"GET", "/metrics"}};
    const auto before = g.app.stats().requests_rejected.value("bad_query");
    std::uint64_t sent = 0;
    for (const auto& [method, path] : routes)
        for (const auto& b : bad)
            for (bool as_key : {false, true}) {
                const std::string target = path + (as_key ? "?" + b + "=1" : "?community=" + b);
                auto r = http.request(method, target, "", {{"Authorization", bearer(g.cfg)}});
                INFO(method << " " << target << " → " << r.status << " " << r.body);
                CHECK(r.status == 400);
                ++sent;
            }
    CHECK(g.app.stats().requests_rejected.value("bad_query") == before + sent);
    CHECK(g.app.stats().handler_errors.value("hotline") == 0);
    CHECK(healthy_within(g.port, ms(5000)));
    CHECK(op_json(g, "/api/v1/cases?channel=hotline")["cases"].size() == 1);
}

TEST_CASE(
    "a CSV export asked with bytes that are not UTF-8 is refused and the audit trail "
    "still reads",
    "[gateway][e2e]") {
    running_gateway g(abuse_config("export"));
    const auto entries = [&] { return op_json(g, "/api/v1/audit?limit=1000")["entries"].size(); };
    const auto before = entries();
    for (const char* target : {"/api/v1/cases.csv?community=%FF", "/api/v1/cases.csv?status=%C3%28",
                               "/api/v1/cases.csv?%FF=1", "/api/v1/cases.csv?category=%ED%A0%80"}) {
        auto res = op(g, "GET", target);
        INFO(target << " → " << res.body);
        CHECK(res.status == 400);
    }
    auto audit = op(g, "GET", "/api/v1/audit");
    INFO(audit.body);
    REQUIRE(audit.status == 200);
    CHECK(entries() == before);  // nothing was exported, so nothing was recorded

    // A real export asked in Chinese is recorded, and the trail still reads as text.
    CHECK(op(g, "GET", "/api/v1/cases.csv?community=%E4%B8%9C%E5%9F%8E%E7%A4%BE%E5%8C%BA").status ==
          200);
    audit = op(g, "GET", "/api/v1/audit");
    REQUIRE(audit.status == 200);
    CHECK(dialog::is_valid_utf8(audit.body));
    CHECK(entries() == before + 1);
}

TEST_CASE("minsheng-admin refuses a staff name that is not UTF-8 and stores nothing",
          "[gateway][e2e]") {
    const std::string db = temp_db_path("admin-name");
    { adapters::db::store s(db); }
    const std::string at = "--db '" + db + "'";
    auto lone = admin("staff add " + at + " --id a-lone --name '\xff\xfe' --role admin");
    CHECK(lone.code != 0);
    // "王" cut after its first byte, then a letter.
    auto cut_char = admin("staff add " + at + " --id a-cut --name '\xe7x' --role admin");
    CHECK(cut_char.code != 0);
    REQUIRE(admin("staff add " + at + " --id a-good --name 王小东 --role admin").code == 0);
    auto listed = admin("staff list " + at);
    CHECK(listed.out.find("a-good") != std::string::npos);
    CHECK(listed.out.find("a-lone") == std::string::npos);
    CHECK(listed.out.find("a-cut") == std::string::npos);
    CHECK(dialog::is_valid_utf8(listed.out));
    for (const char* suffix : {"", "-wal", "-shm", ".secret"}) std::filesystem::remove(db + suffix);
}

TEST_CASE("a staff member whose stored name is not UTF-8 gets 200 from /api/v1/me, never 500",
          "[gateway][e2e]") {
    running_gateway g(abuse_config("me-name"));
    std::string token;
    {
        // Written past minsheng-admin, as an older version or another tool could have.
        adapters::db::store db(g.cfg.db_path);
        adapters::db::staff_member m;
        m.id = "a-bytes";
        m.name = "王\xff小\xe5";
        m.role = "admin";
        adapters::db::save_staff(db, m, now_s());
        token = adapters::db::issue_token(db, m.id, 0, "test", now_s()).token;
    }
    auto http = g.client();
    auto me = http.request("GET", "/api/v1/me", "", {{"Authorization", "Bearer " + token}});
    INFO(me.body);
    CHECK(me.status == 200);
    CHECK(dialog::is_valid_utf8(me.body));
    auto j = json::parse(me.body, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["id"] == "a-bytes");
    CHECK(j["name"].get<std::string>().rfind("王", 0) == 0);
    // Where else the name shows: the staff list and the audit trail.
    for (const char* target : {"/api/v1/staff", "/api/v1/audit", "/api/v1/cases"}) {
        auto r = http.request("GET", target, "", {{"Authorization", "Bearer " + token}});
        INFO(target << " → " << r.status << " " << cut(r.body));
        CHECK(r.status == 200);
        CHECK(dialog::is_valid_utf8(r.body));
    }
    CHECK(g.app.stats().handler_errors.value("api") == 0);
    CHECK(g.app.stats().errors.value("api") == 0);
}

// ---- 4. Limits: bodies

TEST_CASE("a batch of 500 appeal-length 12345 calls fits the hotline's body limit",
          "[gateway][e2e]") {
    running_gateway g(abuse_config("batch500"));
    // A caller who explains at length, as callers do: some 1,000 characters over six turns.
    const std::vector<std::string> words = {
        std::string(appeal) +
            "我们这栋楼住的大多是老人，晚上下楼倒垃圾、散步都得摸黑，"
            "上个星期三楼的王阿姨就在门口台阶上摔了一跤，膝盖到现在还肿着。",
        "我们之前也跟物业说过好几次，物业说路灯归市政管，让我们自己打电话，"
        "可是打了社区的电话也没人来看过，所以今天只好打12345反映一下。",
        "具体位置就在幸福小区北门进来往右拐，3栋和4栋中间那条小路上，一共三盏灯，"
        "坏的是靠近3栋单元门口的那一盏，灯杆上贴着一个编号，好像是XF-0307，"
        "我昨天晚上拿手机照着看了一下，灯罩也裂了，下雨天里面会不会进水我也不知道，"
        "反正挺危险的，旁边就是小孩子玩的沙坑。",
        "对，白天是亮的，就是晚上不亮，有时候亮一下又灭了，"
        "我们楼下的李师傅说可能是线路老化了，他以前是电工，说最好让专业的人来看，"
        "别自己去碰，所以我们也没敢动。小区里其他的灯倒是都还好，就这一片特别黑。",
        "麻烦你们尽快派人来修一下，最好顺便看看旁边那两盏是不是也快坏了，"
        "一闪一闪的，晚上看着挺吓人的。我姓张，住在3栋2单元，电话就是这个号码，"
        "修好了麻烦给我回个电话，谢谢你们了。",
        "哦对了，还有一件小事，顺便说一下：北门门口的减速带也被车压坏了一块，"
        "翘起来的铁皮有点扎脚，晚上看不见更容易绊倒，不知道是不是也归你们管，"
        "要是不归你们管的话告诉我找哪个部门就行，我们自己再去问。好的，就这些，辛苦了。"};
    json batch = json::array();
    for (int i = 0; i < 500; ++i) batch.push_back(call_json("B-" + std::to_string(i), words));
    const std::string body = batch.dump();
    INFO("batch of " << body.size() << " bytes");
    REQUIRE(body.size() > (1u << 20));  // over the operator API's limit, far over the default
    REQUIRE(body.size() < (4u << 20));

    gateway::http_client http("127.0.0.1", g.port, std::chrono::seconds(60));
    auto res = http.request("POST", "/hotline/transcripts", body, hotline_headers(body));
    REQUIRE(res.status == 200);
    auto results = json::parse(res.body)["results"];
    REQUIRE(results.size() == 500);
    std::size_t accepted = 0;
    for (const auto& r : results) accepted += r.value("status", "") == "accepted";
    CHECK(accepted == 500);
    CHECK(g.app.stats().requests_rejected.value("body_too_large") == 0);
}

TEST_CASE("a client pushing 2 MB at the official account reads the 413 every time, not a reset",
          "[gateway][e2e]") {
    running_gateway g(abuse_config("push413"));
    const std::string body(2u << 20, 'x');
    const std::string head =
        "POST /wechat/oa?signature=0&timestamp=1&nonce=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: text/xml\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n";
    for (int i = 0; i < 5; ++i) {
        INFO("try " << i);
        // As most clients do: the whole body first, then the answer.
        tcp_conn c(g.port);
        bool reset = false;
        const bool sent = c.send_all(head + body, ms(10000), &reset);
        auto a = c.read_answer(ms(10000));
        INFO("sent=" << sent << " reset while sending=" << reset << " read: " << cut(a.raw));
        CHECK(sent);
        CHECK(a.status == 413);
        CHECK(a.complete);
        CHECK_FALSE(a.reset);
    }
    // The project's own client (write everything, then read) sees the 413 too, not an error.
    for (int i = 0; i < 5; ++i) {
        int status = -1;
        try {
            gateway::http_client http("127.0.0.1", g.port);
            status = http.request("POST", "/wechat/oa?signature=0", body).status;
        } catch (const std::exception& e) {
            INFO(e.what());
        }
        CHECK(status == 413);
    }
    CHECK(g.app.stats().requests_rejected.value("body_too_large") == 10);
    CHECK(healthy_within(g.port, ms(5000)));
}

TEST_CASE("each route has its own body limit, for announced and chunked bodies alike",
          "[gateway][e2e]") {
    auto cfg = abuse_config("route-limits");
    running_gateway g(cfg);
    auto post = [&](const std::string& target, std::size_t size, bool chunked = false) {
        const std::string body(size, 'x');
        std::string req = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (chunked) {
            req += "Transfer-Encoding: chunked\r\n\r\n";
            for (std::size_t at = 0; at < body.size(); at += 8192) {
                const auto n = std::min<std::size_t>(8192, body.size() - at);
                char size_line[32];
                std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
                req += size_line + body.substr(at, n) + "\r\n";
            }
            req += "0\r\n\r\n";
        } else {
            req += "Content-Length: " + std::to_string(size) + "\r\n\r\n" + body;
        }
        auto a = raw_exchange(g.port, req, ms(10000), "", true);
        INFO(target << " " << size << (chunked ? " chunked" : "") << " → " << cut(a.raw));
        return a.status;
    };
    const std::size_t kib = 1024;
    // The official account and the mini program: the general 64 KiB.
    CHECK(post("/wechat/oa", 64 * kib + 1) == 413);
    CHECK(post("/wechat/oa", 60 * kib) / 100 == 4);  // read whole, then refused for what it is
    CHECK(post("/wechat/oa", 60 * kib) != 413);
    CHECK(post("/mp/v1/login", 64 * kib + 1) == 413);
    // The hotline: 4 MiB.
    CHECK(post("/hotline/transcripts", 3 * 1024 * kib) == 401);
    CHECK(post("/hotline/transcripts", 4 * 1024 * kib + 1) == 413);
    // The operator API: 1 MiB.
    CHECK(post("/api/v1/cases/1/notes", 512 * kib) == 401);
    CHECK(post("/api/v1/cases/1/notes", 1024 * kib + 1) == 413);
    // Open311: 256 KiB.
    CHECK(post("/open311/v2/requests.json", 200 * kib) / 100 == 4);
    CHECK(post("/open311/v2/requests.json", 200 * kib) != 413);
    CHECK(post("/open311/v2/requests.json", 256 * kib + 1) == 413);
    // No length announced: the limit holds as the chunks come.
    CHECK(post("/wechat/oa", 100 * kib, true) == 413);
    CHECK(post("/hotline/transcripts", 100 * kib, true) == 401);
    CHECK(g.app.stats().requests_rejected.value("body_too_large") == 6);

    // A route's limit from [limits] body_limits.
    auto small = abuse_config("route-limits-small");
    small.limits.body_limits["wechat_oa"] = 2048;
    running_gateway g2(small);
    const std::string over(4096, 'x');
    auto a = raw_exchange(g2.port,
                          request_text("POST", "/wechat/oa", over, {{"Content-Type", "text/xml"}}),
                          ms(5000), "", true);
    CHECK(a.status == 413);
}

// ---- 4. Limits: connections and time

TEST_CASE("above max_connections a connection is answered 503 with Retry-After and counted",
          "[gateway][e2e]") {
    auto cfg = abuse_config("max-conn");
    cfg.limits.max_connections = 4;
    running_gateway g(cfg);
    // Four clients, each answered once and then idle on its kept-alive connection.
    std::vector<tcp_conn> idle;
    for (int i = 0; i < 4; ++i) {
        idle.emplace_back(g.port);
        REQUIRE(idle.back().send_all("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", ms(2000)));
        REQUIRE(idle.back().read_answer(ms(5000)).status == 200);
    }
    for (int i = 0; i < 3; ++i) {
        tcp_conn c(g.port);
        REQUIRE(c.send_all(request_text("GET", "/healthz"), ms(2000)));
        auto a = c.read_answer(ms(5000), true);
        INFO(cut(a.raw));
        CHECK(a.status == 503);
        CHECK(a.headers.count("retry-after") == 1);
        CHECK((a.closed || a.reset));  // and closed
    }
    const auto& stats = g.app.stats();
    CHECK(stats.overloaded.value("connections") == 3);
    CHECK(stats.requests_rejected.value("too_many_connections") == 3);
    // The idle ones still work, and once some leave newcomers are served.
    REQUIRE(idle[0].send_all("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", ms(2000)));
    CHECK(idle[0].read_answer(ms(5000)).status == 200);
    idle.pop_back();
    idle.pop_back();
    CHECK(healthy_within(g.port, ms(5000)));
    // (A try of healthy_within may have come before the server saw the others leave.)
    auto m = metrics_text(g.port);
    CHECK(metric(m, "minsheng_overload_rejections_total{queue=\"connections\"}") ==
          static_cast<double>(stats.overloaded.value("connections")));
    CHECK(stats.overloaded.value("connections") >= 3);
}

TEST_CASE(
    "a client stalling in its headers is cut at the header timeout; a slow body has the "
    "longer body timeout",
    "[gateway][e2e]") {
    auto cfg = abuse_config("timeouts");
    cfg.limits.header_timeout_ms = 300;
    cfg.limits.body_timeout_ms = 4000;
    running_gateway g(cfg);
    using steady = std::chrono::steady_clock;
    const auto elapsed_ms = [](steady::time_point since) {
        return std::chrono::duration_cast<ms>(steady::now() - since).count();
    };

    SECTION("headers that stop halfway") {
        tcp_conn c(g.port);
        const auto start = steady::now();
        REQUIRE(c.send_all("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", ms(1000)));
        CHECK(c.closed_within(ms(3000)));
        CHECK(elapsed_ms(start) < 2000);
    }
    SECTION("headers trickled a byte at a time (slowloris)") {
        tcp_conn c(g.port);
        const std::string headers =
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(200, 'a');
        const auto start = steady::now();
        bool cut_off = false;
        for (char ch : headers) {
            if (!c.send_all(std::string_view(&ch, 1), ms(500))) {
                cut_off = true;
                break;
            }
            pollfd p{c.fd(), POLLIN, 0};
            if (::poll(&p, 1, 20) > 0) {  // paced at ~20 ms a byte; anything readable is the end
                cut_off = c.closed_within(ms(100));
                break;
            }
        }
        CHECK(cut_off);
        CHECK(elapsed_ms(start) < 2000);
    }
    SECTION("an idle kept-alive connection") {
        tcp_conn c(g.port);
        REQUIRE(c.send_all("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", ms(1000)));
        REQUIRE(c.read_answer(ms(2000)).status == 200);
        const auto start = steady::now();
        CHECK(c.closed_within(ms(3000)));
        CHECK(elapsed_ms(start) < 2000);
    }
    SECTION("a body that pauses for longer than the header timeout") {
        tcp_conn c(g.port);
        REQUIRE(
            c.send_all("POST /hotline/transcripts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"a\":",
                       ms(1000)));
        // Three header timeouts pass: the connection must still be open.
        auto pause = c.read_answer(ms(1000));
        CHECK(pause.timed_out);
        CHECK_FALSE(pause.closed);
        REQUIRE(c.send_all("\"bcd\"}", ms(1000)));
        auto a = c.read_answer(ms(3000));
        INFO(cut(a.raw));
        CHECK(a.status == 401);  // read whole; unsigned
    }
    SECTION("a body that stalls for good is cut at the body timeout") {
        tcp_conn c(g.port);
        const auto start = steady::now();
        REQUIRE(
            c.send_all("POST /hotline/transcripts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Length: 10\r\n\r\n{",
                       ms(1000)));
        CHECK(c.closed_within(ms(8000)));
        CHECK(elapsed_ms(start) >= 3500);
        CHECK(elapsed_ms(start) < 7000);
    }
    CHECK(healthy_within(g.port, ms(2000)));
}

// ---- 4. Limits: per-address buckets

TEST_CASE(
    "the public, Open311 and hotline buckets are per client address: 429 with Retry-After "
    "past the burst",
    "[gateway][e2e]") {
    shifted_clock clock;
    auto cfg = abuse_config("buckets");
    auto& l = cfg.limits;
    l.public_per_minute = l.open311_per_minute = l.hotline_per_minute = 1;
    l.public_burst = l.open311_burst = l.hotline_burst = 3;
    running_gateway g(cfg, clock.fn());

    struct probe {
        std::string bucket, method, target;
        int ok;  // what a request within the bucket gets
    };
    // The hotline's bucket is spent before the HMAC check: unsigned requests cost tokens too.
    const std::vector<probe> probes = {{"public", "GET", "/public/v1/wall", 200},
                                       {"open311", "GET", "/open311/v2/services.json", 200},
                                       {"hotline", "POST", "/hotline/transcripts", 401}};
    for (const auto& p : probes) {
        INFO(p.bucket);
        const std::string body = p.method == "POST" ? "{}" : "";
        auto from = [&](const std::string& address) {
            return request_from(address, g.port, p.method, p.target, body,
                                {{"Content-Type", json_type}});
        };
        for (int i = 0; i < 3; ++i) CHECK(from("127.0.0.1").status == p.ok);
        auto refused = from("127.0.0.1");
        INFO(cut(refused.raw));
        CHECK(refused.status == 429);
        REQUIRE(refused.headers.count("retry-after") == 1);
        CHECK(std::stoi(refused.headers["retry-after"]) >= 1);
        if (p.bucket != "open311") {
            CHECK(error_code_of(refused.body) == "rate_limited");
        } else {  // the standard's error document
            const auto doc = json::parse(refused.body, nullptr, false);
            CHECK((doc.is_array() && doc.size() == 1 && doc[0].value("code", 0) == 429));
        }
        // Another client is not held back by the first one.
        CHECK(from("127.0.0.2").status == p.ok);
        CHECK(g.app.stats().rate_limited.value(p.bucket) == 1);
    }
    // The refused hotline request never reached the HMAC check.
    CHECK(g.app.stats().requests_rejected.value("missing_signature") == 4);
    auto m = metrics_text(g.port);
    for (const char* b : {"public", "open311", "hotline"})
        CHECK(metric(m, std::string("minsheng_rate_limited_total{bucket=\"") + b + "\"}") == 1);

    // A minute later the first client has tokens again.
    clock.advance(60);
    CHECK(request_from("127.0.0.1", g.port, "GET", "/public/v1/wall").status == 200);
}

TEST_CASE(
    "behind a trusted proxy each client has its own bucket; nobody else chooses theirs by "
    "X-Forwarded-For",
    "[gateway][e2e]") {
    auto cfg = abuse_config("proxies");
    auto& l = cfg.limits;
    l.public_per_minute = 1;
    l.public_burst = 2;
    l.trusted_proxies = {"127.0.0.1"};  // the load balancer
    running_gateway g(cfg);
    auto wall = [&](const std::string& from, const std::string& forwarded) {
        return request_from(from, g.port, "GET", "/public/v1/wall", "",
                            {{"X-Forwarded-For", forwarded}})
            .status;
    };
    // Through the proxy: the client it names spends its own tokens, another client has its own.
    CHECK(wall("127.0.0.1", "198.51.100.1") == 200);
    CHECK(wall("127.0.0.1", "198.51.100.1") == 200);
    CHECK(wall("127.0.0.1", "198.51.100.1") == 429);
    CHECK(wall("127.0.0.1", "198.51.100.2") == 200);
    // A client writing its own X-Forwarded-For through the proxy is still the address the proxy
    // appended.
    CHECK(wall("127.0.0.1", "203.0.113.50, 198.51.100.1") == 429);
    // Straight to the gateway, not through the proxy: the header is ignored, so every made-up
    // address shares the connection's one bucket.
    CHECK(wall("127.0.0.2", "203.0.113.1") == 200);
    CHECK(wall("127.0.0.2", "203.0.113.2") == 200);
    CHECK(wall("127.0.0.2", "203.0.113.3") == 429);
    CHECK(g.app.stats().rate_limited.value("public") == 3);
}

TEST_CASE("mini program logins are limited per address and per code, never for everyone",
          "[gateway][e2e]") {
    namespace fw = tools::fake_wechat;
    fw::fake_wechat_server fake{fw::fake_config{}};
    shifted_clock clock;
    auto cfg = abuse_config("logins");
    cfg.miniprogram.base_url = fake.base_url();
    cfg.miniprogram.appid = fake.config().appid;
    cfg.miniprogram.secret = fake.config().secret;
    cfg.miniprogram.logins_per_minute = 2;
    cfg.limits.login_code_tries = 3;
    running_gateway g(cfg, clock.fn());
    auto login = [&](const std::string& address, const std::string& code) {
        return request_from(address, g.port, "POST", "/mp/v1/login", json{{"code", code}}.dump(),
                            {{"Content-Type", json_type}});
    };
    constexpr const char* code2session = "/sns/jscode2session";

    // Per address: one client sending junk codes locks out only itself.
    CHECK(login("127.0.0.1", "code-a1").status == 200);
    CHECK(login("127.0.0.1", "code-a2").status == 200);
    auto refused = login("127.0.0.1", "code-a3");
    CHECK(refused.status == 429);
    CHECK(refused.headers.count("retry-after") == 1);
    CHECK(login("127.0.0.2", "code-b1").status == 200);
    CHECK(g.app.stats().rate_limited.value("login") == 1);
    CHECK(fake.count(code2session) == 3);

    // Per code: one code tried from many addresses reaches WeChat login_code_tries times only.
    for (int i = 0; i < 3; ++i) {
        auto a = login("127.0.1." + std::to_string(10 + i), "code-same");
        INFO(cut(a.raw));
        CHECK(a.status != 429);
    }
    auto fourth = login("127.0.1.20", "code-same");
    CHECK(fourth.status == 429);
    CHECK(fourth.headers.count("retry-after") == 1);
    CHECK(login("127.0.1.20", "code-other").status == 200);
    CHECK(g.app.stats().rate_limited.value("login_code") == 1);
    CHECK(fake.count(code2session) == 3 + 3 + 1);

    // A minute later the first address may log in again.
    clock.advance(60);
    CHECK(login("127.0.0.1", "code-a4").status == 200);
}

// ---- 4. Limits: queues

TEST_CASE(
    "a flood of wall reads past the reader queue is answered 503 busy while /healthz "
    "answers",
    "[gateway][e2e]") {
    auto cfg = abuse_config("reader-queue");
    cfg.limits.reader_queue = 2;
    seed_cases(cfg.db_path, 400, "wish");
    running_gateway g(cfg);

    health_watch health(g.port);
    struct tally {
        int ok = 0, busy = 0, other = 0;
        bool retry_after = true;
    };
    std::vector<std::future<tally>> clients;
    for (int t = 0; t < 32; ++t)
        clients.push_back(std::async(std::launch::async, [&] {
            tally n;
            gateway::http_client http("127.0.0.1", g.port);
            for (int i = 0; i < 15; ++i) {
                auto res = http.request("GET", "/public/v1/wall?limit=200");
                if (res.status == 200) {
                    ++n.ok;
                } else if (res.status == 503 &&
                           json::parse(res.body, nullptr, false)["error"]["code"] == "busy") {
                    ++n.busy;
                    n.retry_after = n.retry_after && res.headers.count("retry-after") == 1;
                } else {
                    ++n.other;
                }
            }
            return n;
        }));
    tally all;
    for (auto& f : clients) {
        REQUIRE(f.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
        auto n = f.get();
        all.ok += n.ok;
        all.busy += n.busy;
        all.other += n.other;
        all.retry_after = all.retry_after && n.retry_after;
    }
    const auto [tries, failed] = health.finish();
    INFO("ok " << all.ok << ", busy " << all.busy << ", other " << all.other << "; healthz "
               << tries << " tries, " << failed << " failed");
    CHECK(all.busy > 0);
    CHECK(all.ok > 0);
    CHECK(all.other == 0);
    CHECK(all.retry_after);
    CHECK(failed == 0);
    auto m = metrics_text(g.port);
    CHECK(metric(m, "minsheng_overload_rejections_total{queue=\"reader\"}") == all.busy);
}

TEST_CASE(
    "messages past the writer queue are answered 503 busy, and a refused one was not "
    "stored",
    "[gateway][e2e]") {
    auto cfg = abuse_config("writer-queue");
    cfg.limits.writer_queue = 1;
    running_gateway g(cfg);

    // A big 12345 batch keeps the writer busy for a while; official-account messages pour in
    // meanwhile.
    json batch = json::array();
    for (int i = 0; i < 400; ++i) batch.push_back(call_json("W-" + std::to_string(i), {appeal}));
    const std::string body = batch.dump();
    std::atomic<bool> batch_done{false};
    health_watch health(g.port);
    auto big = std::async(std::launch::async, [&] {
        int status = 0;
        for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
            gateway::http_client http("127.0.0.1", g.port, std::chrono::seconds(60));
            // Each attempt is signed anew with its own timestamp: a signature is let in once.
            status = http.request("POST", "/hotline/transcripts", body,
                                  hotline_headers(body, json_type, hotline_secret, attempt))
                         .status;
        }
        batch_done = true;
        return status;
    });
    struct sent_message {
        std::string user, msg_id;
        int status = 0;
        bool retry_after = false;
    };
    std::vector<std::future<std::vector<sent_message>>> floods;
    for (int t = 0; t < 8; ++t)
        floods.push_back(std::async(std::launch::async, [&, t] {
            std::vector<sent_message> out;
            wechat_peer wx(g.cfg, g.port);
            // Until a few are refused, or the batch is through (and 20 were sent), 400 at most.
            int refused = 0;
            for (int i = 0; i < 400 && refused < 5 && !(batch_done.load() && i >= 20); ++i) {
                sent_message m{"o_flood_" + std::to_string(t),
                               std::to_string(8800000000000000000LL + t * 1000 + i)};
                const auto ts = now_s();
                auto req = wx.codec.text({wx.account, m.user, "你好", ts, m.msg_id}, ts);
                auto res = wx.http.request("POST", req.target("/wechat/oa"), req.body);
                m.status = res.status;
                m.retry_after = res.headers.count("retry-after") == 1;
                refused += m.status == 503;
                out.push_back(std::move(m));
            }
            return out;
        }));
    REQUIRE(big.wait_for(std::chrono::seconds(120)) == std::future_status::ready);
    CHECK(big.get() == 200);
    std::vector<sent_message> all;
    for (auto& f : floods) {
        REQUIRE(f.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
        auto part = f.get();
        all.insert(all.end(), part.begin(), part.end());
    }
    std::size_t ok = 0, busy = 0, other = 0;
    bool retry_after = true;
    for (const auto& m : all) {
        if (m.status == 200)
            ++ok;
        else if (m.status == 503) {
            ++busy;
            retry_after = retry_after && m.retry_after;
        } else {
            ++other;
        }
    }
    const auto [tries, failed] = health.finish();
    INFO("ok " << ok << ", busy " << busy << ", other " << other << "; healthz " << tries
               << " tries, " << failed << " failed");
    CHECK(busy > 0);
    CHECK(other == 0);
    CHECK(retry_after);
    CHECK(failed == 0);
    const auto& stats = g.app.stats();
    CHECK(stats.overloaded.value("writer") >= busy);
    CHECK(stats.messages_received.value("wechat_oa") == ok);

    // Each refused message, sent again, is new to the store: none of them was kept.
    wechat_peer wx(g.cfg, g.port);
    for (const auto& m : all) {
        if (m.status != 503) continue;
        auto r = wx.say(m.user, "你好", m.msg_id);
        CHECK(r.status == 200);
    }
    CHECK(stats.messages_duplicate.value("wechat_oa") == 0);
    CHECK(stats.messages_received.value("wechat_oa") == ok + busy);
}

TEST_CASE("an Open311 GET lists at most a page of service requests", "[gateway][e2e]") {
    SECTION("the default page of 200") {
        auto cfg = abuse_config("o311-page");
        seed_cases(cfg.db_path, 230, "complaint");
        running_gateway g(cfg);
        auto http = g.client();
        auto res = http.request("GET", "/open311/v2/requests.json");
        REQUIRE(res.status == 200);
        CHECK(json::parse(res.body).size() == 200);
    }
    SECTION("a page set in [limits]") {
        auto cfg = abuse_config("o311-page5");
        cfg.limits.open311_page = 5;
        seed_cases(cfg.db_path, 12, "complaint");
        running_gateway g(cfg);
        auto http = g.client();
        auto res = http.request("GET", "/open311/v2/requests.json");
        REQUIRE(res.status == 200);
        auto all = json::parse(res.body);
        CHECK(all.size() == 5);
        // Asked by number: a page of numbers is listed, more than a page is refused.
        std::vector<std::string> numbers;
        const auto listed = op_json(g, "/api/v1/cases?limit=100");
        for (const auto& c : listed["cases"]) numbers.push_back(c["number"].get<std::string>());
        REQUIRE(numbers.size() == 12);
        const auto joined = [&](std::size_t k) {
            std::string s;
            for (std::size_t i = 0; i < k; ++i) s += (i ? "," : "") + numbers[i];
            return s;
        };
        res = http.request("GET", "/open311/v2/requests.json?service_request_id=" + joined(5));
        REQUIRE(res.status == 200);
        CHECK(json::parse(res.body).size() == 5);
        res = http.request("GET", "/open311/v2/requests.json?service_request_id=" + joined(12));
        CHECK(res.status == 400);
        res = http.request("GET", "/open311/v2/requests.xml");
        REQUIRE(res.status == 200);
        std::size_t items = 0;
        for (std::size_t at = 0; (at = res.body.find("<request>", at)) != std::string::npos; ++at)
            ++items;
        CHECK(items == 5);
    }
}

// ---- 5. Durability

TEST_CASE("the store is fully synchronous unless told otherwise, and its database is private",
          "[gateway][e2e]") {
    const auto mode_of = [](const std::string& path) {
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        return st.st_mode & 0777;
    };
    SECTION("by default: full, in a file only its owner reads") {
        const mode_t old = ::umask(0);  // the most permissive umask: the store must not rely on it
        auto cfg = abuse_config("durable-full");
        auto g = std::make_unique<running_gateway>(cfg);
        ::umask(old);
        auto m = metrics_text(g->port);
        CHECK(metric(m, "minsheng_store_synchronous{mode=\"full\"}") == 1);
        CHECK(m.find("minsheng_store_synchronous{mode=\"normal\"}") == std::string::npos);
        wechat_peer wx(g->cfg, g->port);
        REQUIRE(wx.say("o_private", appeal).status == 200);
        CHECK(mode_of(cfg.db_path) == 0600u);
        for (const char* suffix : {"-wal", "-shm"})
            if (std::filesystem::exists(cfg.db_path + suffix))
                CHECK(mode_of(cfg.db_path + suffix) == 0600u);
    }
    SECTION("[store] durability = \"normal\"") {
        auto cfg = abuse_config("durable-normal");
        cfg.store.durability = "normal";
        running_gateway g(cfg);
        CHECK(metric(metrics_text(g.port), "minsheng_store_synchronous{mode=\"normal\"}") == 1);
    }
    SECTION("MINSHENG_DURABILITY=normal") {
        const std::string db = temp_db_path("durable-env");
        auto cfg = gateway::load_config(std::nullopt, {{"MINSHENG_DURABILITY", "normal"},
                                                       {"MINSHENG_DB", db},
                                                       {"MINSHENG_LISTEN", "127.0.0.1:0"},
                                                       {"MINSHENG_DATA_DIR", MINSHENG_SOURCE_DIR}});
        cfg.log_level = "off";
        CHECK(cfg.store.durability == "normal");
        running_gateway g(cfg);
        CHECK(metric(metrics_text(g.port), "minsheng_store_synchronous{mode=\"normal\"}") == 1);
        CHECK_THROWS_AS(gateway::load_config(std::nullopt, {{"MINSHENG_DURABILITY", "fast"}}),
                        gateway::config_error);
    }
}

// ---- 7. Hostile traffic

namespace {

// One hostile request: its bytes, and whether a well-behaved server must answer it (a request
// whose request line and headers are well formed) or may just close (garbage).
struct hostile {
    std::string kind;
    std::string bytes;
    bool must_answer = true;
};

// A deterministic mix of malformed, truncated, oversized, mis-encoded and mis-signed requests
// across every route. None carries a valid credential, so none may change anything.
std::vector<hostile> hostile_mix(const gateway::config& cfg, std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    auto pick = [&](std::size_t size) {
        return std::uniform_int_distribution<std::size_t>(0, size - 1)(rng);
    };
    auto junk = [&](std::size_t len, bool printable) {
        std::string s(len, '\0');
        for (auto& ch : s) ch = static_cast<char>(printable ? 0x21 + pick(94) : pick(256));
        return s;
    };
    auto hex = [&](std::size_t len) {
        static constexpr char digits[] = "0123456789abcdef";
        std::string s;
        for (std::size_t i = 0; i < len; ++i) s += digits[pick(16)];
        return s;
    };
    const std::vector<std::string> paths = {"/wechat/oa",
                                            "/hotline/transcripts",
                                            "/mp/v1/login",
                                            "/mp/v1/cases",
                                            "/mp/v1/me",
                                            "/mp/v1/wishes/nearby",
                                            "/mp/v1/cases/MS20260101-0001/rate",
                                            "/api/v1/cases",
                                            "/api/v1/cases/1",
                                            "/api/v1/cases/1/actions",
                                            "/api/v1/cases/1/notes",
                                            "/api/v1/cases.csv",
                                            "/api/v1/audit",
                                            "/api/v1/me",
                                            "/api/v1/staff",
                                            "/api/v1/outbox",
                                            "/api/v1/stats",
                                            "/open311/v2/services.json",
                                            "/open311/v2/services.xml",
                                            "/open311/v2/requests.json",
                                            "/open311/v2/requests.xml",
                                            "/open311/v2/requests/MS20260101-0001.json",
                                            "/open311/v2/tokens/abc.json",
                                            "/public/v1/wall",
                                            "/public/v1/cases/MS20260101-0001",
                                            "/public/v1/proposals",
                                            "/public/v1/stars",
                                            "/console/",
                                            "/console/app.js",
                                            "/healthz",
                                            "/metrics",
                                            "/",
                                            "/nowhere",
                                            "/wechat/oa/../../etc/passwd"};
    const std::vector<std::string> methods = {"GET",     "POST",  "PUT",  "DELETE", "PATCH",
                                              "OPTIONS", "TRACE", "HEAD", "CONNECT"};
    const std::vector<std::string> bad_queries = {"%FF",
                                                  "%zz",
                                                  "%",
                                                  "%4",
                                                  "a=1&a=2",
                                                  "%00=1",
                                                  "%ED%A0%80",
                                                  "%C0%AF",
                                                  "signature=%FF",
                                                  "limit=99999999999999999999",
                                                  "limit=-1",
                                                  "start_date=yesterday",
                                                  "=&=&&",
                                                  "%E4%B8"};
    const std::vector<std::string> bad_bodies = {
        "",
        "{",
        "[]",
        "null",
        "{\"code\":5}",
        "<xml>",
        "<xml><Encrypt><![CDATA[!!]]></Encrypt></xml>",
        "{\"action\":\"close\"}",
        "api_key=wrong&service_code=construction&description=x",
        "\xff\xfe\xfd",
        "{\"a\":\"\xff\"}",
        "{\"description\":\"" + std::string(3000, 'a') + "\"}"};
    adapters::wechat_oa::oa_client_codec codec(cfg.wechat);

    auto request = [&](const std::string& method, const std::string& target,
                       const std::string& body, std::vector<std::string> headers) {
        std::string s = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const auto& h : headers) s += h + "\r\n";
        if (!body.empty()) s += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        return s + "Connection: close\r\n\r\n" + body;
    };
    auto any_header = [&]() -> std::vector<std::string> {
        switch (pick(6)) {
            case 0:
                return {"Authorization: Bearer " + hex(43)};
            case 1:
                return {"Authorization: Bearer " + cfg.operator_token + "x"};
            case 2:
                return {"Authorization: Basic " + junk(20, true)};
            case 3:
                return {"Content-Type: application/json"};
            case 4:
                return {"Content-Type: application/x-www-form-urlencoded"};
            default:
                return {};
        }
    };

    std::vector<hostile> out;
    out.reserve(n);
    for (std::size_t i = 0; out.size() < n; ++i) {
        const auto& path = paths[pick(paths.size())];
        switch (i % 17) {
            case 0:  // a well-formed request, any method, a bad credential, a junk body
                out.push_back(
                    {"junk_request", request(methods[pick(methods.size())], path,
                                             bad_bodies[pick(bad_bodies.size())], any_header())});
                break;
            case 1:  // a query that is malformed or not UTF-8
                out.push_back(
                    {"bad_query", request(pick(2) ? "GET" : "POST",
                                          path + "?" + bad_queries[pick(bad_queries.size())], "",
                                          any_header())});
                break;
            case 2: {  // an official-account push signed wrongly (or stale and signed right)
                const auto t = now_s();
                auto req = codec.text({"gh_e2e", "o_hostile", "幸福小区路灯坏了", t, ""}, t);
                auto q = req.query;
                switch (pick(4)) {
                    case 0:
                        q["msg_signature"] = hex(40);
                        break;
                    case 1:
                        q["timestamp"] = std::to_string(t + 1);
                        break;
                    case 2:
                        q["nonce"] = hex(8);
                        break;
                    default:
                        q["timestamp"] = std::to_string(t - 3600);
                        q["msg_signature"] = adapters::wechat_oa::msg_signature(
                            cfg.wechat.token, q["timestamp"], q["nonce"],
                            req.body.substr(req.body.find("<Encrypt><![CDATA[") + 18,
                                            req.body.find("]]></Encrypt>") -
                                                req.body.find("<Encrypt><![CDATA[") - 18));
                }
                out.push_back({"wechat_signature",
                               request("POST", "/wechat/oa?" + adapters::http::encode_query(q),
                                       req.body, {"Content-Type: text/xml"})});
                break;
            }
            case 3: {  // URL verification with a wrong signature
                auto req = codec.url_verification(now_s(), "12345");
                auto q = req.query;
                q["signature"] = hex(40);
                out.push_back(
                    {"wechat_verify",
                     request("GET", "/wechat/oa?" + adapters::http::encode_query(q), "", {})});
                break;
            }
            case 4: {  // a 12345 batch signed with the wrong secret, stale, tampered, or junk
                const std::string body = call_json("H-" + std::to_string(i), {appeal}).dump();
                std::map<std::string, std::string> h;
                std::string sent = body;
                switch (pick(4)) {
                    case 0:
                        h = hotline_headers(body, json_type, "wrong-secret-0123456789abc");
                        break;
                    case 1:
                        h = hotline_headers(body, json_type, hotline_secret, -3600);
                        break;
                    case 2:
                        h = hotline_headers(body);
                        sent[sent.size() / 2] = sent[sent.size() / 2] == 'a' ? 'b' : 'a';
                        break;
                    default:
                        sent = junk(1 + pick(2000), false);  // signed right, but not a batch
                        h = hotline_headers(sent);
                }
                std::vector<std::string> hs;
                for (const auto& [k, v] : h) hs.push_back(k + ": " + v);
                out.push_back({"hotline", request("POST", "/hotline/transcripts", sent, hs)});
                break;
            }
            case 5: {  // Open311 posts without a valid key, or with bad fields
                const std::string key = pick(2) ? "wrong-key" : open311_key;
                std::string form = "api_key=" + key +
                                   "&service_code=" + (pick(2) ? "construction" : junk(8, true)) +
                                   "&lat=" + (pick(2) ? "999" : "22.5") + "&long=114.0";
                if (key == open311_key) form += "&description=";  // empty: refused
                out.push_back(
                    {"open311_post", request("POST", "/open311/v2/requests.json", form,
                                             {"Content-Type: application/x-www-form-urlencoded"})});
                break;
            }
            case 6:  // a path of junk, or one far too long
                out.push_back({"bad_path", request("GET",
                                                   pick(2) ? "/" + junk(1 + pick(200), true)
                                                           : "/api/v1/" + std::string(9000, 'a'),
                                                   "", {})});
                break;
            case 7:  // bytes that are not HTTP at all
                out.push_back({"garbage", junk(1 + pick(4096), false), false});
                break;
            case 8: {  // a request cut anywhere
                auto whole = request("POST", path, bad_bodies[pick(bad_bodies.size())],
                                     {"Content-Type: application/json"});
                whole += "{\"padding\":\"" + std::string(100, 'p') + "\"}";
                out.push_back({"truncated", whole.substr(0, 1 + pick(whole.size() - 1)), false});
                break;
            }
            case 9: {  // chunked encoding gone wrong
                static const std::vector<std::string> chunked = {
                    "zz\r\nabc\r\n0\r\n\r\n",
                    "5\r\nabc\r\n0\r\n\r\n",
                    "FFFFFFFFFFFFFFFFFFFF\r\nabc\r\n",
                    "3;" + std::string(5000, 'e') + "\r\nabc\r\n0\r\n\r\n",
                    "3\r\nabcXX0\r\n\r\n",
                    "-1\r\n\r\n",
                    "3\r\nabc\r\n",
                    "0\r\nX-Trailer: " + std::string(20000, 't') + "\r\n\r\n"};
                std::string s = "POST " + path +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n";
                if (pick(3) == 0) s += "Content-Length: 3\r\n";
                out.push_back({"bad_chunked", s + "\r\n" + chunked[pick(chunked.size())], false});
                break;
            }
            case 10: {  // headers too big, too many, or malformed
                std::string s = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
                switch (pick(4)) {
                    case 0:
                        s += "X-Big: " + std::string(20000, 'h') + "\r\n";
                        break;
                    case 1:
                        for (int k = 0; k < 2000; ++k) s += "X-" + std::to_string(k) + ": v\r\n";
                        break;
                    case 2:
                        s += "No colon here\r\n";
                        break;
                    default:
                        s += "X-Bin: " + junk(30, false) + "\r\n";
                }
                out.push_back({"bad_headers", s + "\r\n", false});
                break;
            }
            case 11: {  // request lines no server should take
                static const std::vector<std::string> lines = {
                    "FOO / HTTP/1.1",       "G\x01T / HTTP/1.1",      "get / HTTP/1.1",
                    "GET  / HTTP/1.1",      "GET / HTTP/9.9",         "GET /",
                    "PRI * HTTP/2.0",       "GET * HTTP/1.1",         "GET http://evil/ HTTP/1.1",
                    "GET / HTTP/1.1 extra", "\r\n\r\nGET / HTTP/1.1", "GET /\x00 HTTP/1.1"s};
                auto line = lines[pick(lines.size())];
                out.push_back({"bad_method", line + "\r\nHost: 127.0.0.1\r\n\r\n", false});
                break;
            }
            case 12: {  // bodies announced far over any limit, or impossible lengths
                static const std::vector<std::string> lengths = {
                    "1000000000", "99999999999999999999999", "-1", "abc", "10, 20", "1e6"};
                out.push_back({"bad_length",
                               "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                                   lengths[pick(lengths.size())] + "\r\n\r\nxyz",
                               false});
                break;
            }
            case 13: {  // a mini program call with a forged session or a junk login
                const bool login = pick(2) == 0;
                out.push_back(
                    {"mp", request(login ? "POST" : "GET", login ? "/mp/v1/login" : "/mp/v1/cases",
                                   login ? bad_bodies[pick(bad_bodies.size())] : "",
                                   {"Authorization: Bearer " + hex(43),
                                    "Content-Type: application/json"})});
                break;
            }
            case 14: {  // the console, walked out of
                static const std::vector<std::string> walks = {
                    "/console/../../../../etc/passwd",
                    "/console/%2e%2e/%2e%2e/etc/passwd",
                    "/console/..%2f..%2fetc%2fpasswd",
                    "/console/%00",
                    "/console//etc/passwd",
                    "/console/" + std::string(3000, '.')};
                out.push_back({"console", request("GET", walks[pick(walks.size())], "", {})});
                break;
            }
            case 15: {  // a body really sent, over the route's limit or not, unsigned
                const std::string body(70 * 1024 + pick(230 * 1024), 'b');
                out.push_back({"oversized", request("POST", path, body, any_header())});
                break;
            }
            default: {  // a good request, then junk on the same connection (pipelined)
                out.push_back({"pipelined",
                               "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" +
                                   junk(1 + pick(500), false),
                               true});
                break;
            }
        }
    }
    return out;
}

}  // namespace

TEST_CASE(
    "thousands of hostile requests leave the gateway alive, the store unchanged and each "
    "one counted",
    "[gateway][e2e]") {
    namespace fw = tools::fake_wechat;
    fw::fake_wechat_server fake{fw::fake_config{}};
    fw::injection refuse_codes;  // every login code is refused: no junk login opens a session
    refuse_codes.path = "/sns/jscode2session";
    refuse_codes.errcode = 40029;
    refuse_codes.times = -1;
    fake.inject(refuse_codes);
    auto cfg = abuse_config("hostile");
    cfg.miniprogram.base_url = fake.base_url();
    cfg.miniprogram.appid = fake.config().appid;
    cfg.miniprogram.secret = fake.config().secret;
    cfg.miniprogram.logins_per_minute = 100000;
    cfg.limits.login_code_tries = 100000;
    running_gateway g(cfg);

    // Something in the store to keep: a case by chat, one by 12345, one by Open311.
    wechat_peer wx(g.cfg, g.port);
    REQUIRE(wx.say("o_resident", appeal).status == 200);
    {
        // Another problem than the chat's: the same one from a caller would join its case.
        const std::string body =
            call_json("H-seed", {"幸福小区东门的垃圾桶好几天没人清理了，臭气熏天。"}).dump();
        auto http = g.client();
        REQUIRE(http.request("POST", "/hotline/transcripts", body, hotline_headers(body)).status ==
                200);
        REQUIRE(http.request("POST", "/open311/v2/requests.json",
                             "api_key=" + std::string(open311_key) +
                                 "&service_code=construction&lat=22.5&long=114.0"
                                 "&description=%E8%B7%AF%E7%81%AF%E5%9D%8F%E4%BA%86",
                             {{"Content-Type", "application/x-www-form-urlencoded"}})
                    .status == 200);
    }
    auto snapshot = [&] {
        return std::vector<json>{
            op_json(g, "/api/v1/cases?limit=1000"), op_json(g, "/api/v1/outbox?limit=1000"),
            op_json(g, "/api/v1/audit?limit=1000"), op_json(g, "/api/v1/staff")};
    };
    const auto before = snapshot();
    REQUIRE(before[0]["cases"].size() >= 3);
    const auto metrics_before = metrics_text(g.port);

    const auto mix = hostile_mix(g.cfg, 5000, 20260213);
    struct outcome {
        std::size_t answered = 0, answered_4xx = 0, silent = 0;
        std::vector<std::string> failures;
    };
    std::vector<std::future<outcome>> workers;
    const auto started = std::chrono::steady_clock::now();
    constexpr std::size_t threads = 8;
    for (std::size_t t = 0; t < threads; ++t)
        workers.push_back(std::async(std::launch::async, [&, t] {
            outcome o;
            for (std::size_t i = t; i < mix.size(); i += threads) {
                const auto& h = mix[i];
                raw_answer a;
                try {
                    a = raw_exchange(g.port, h.bytes, ms(5000), "", true);
                } catch (const std::exception& e) {
                    o.failures.push_back(h.kind + ": cannot connect: " + e.what());
                    continue;
                }
                if (a.status == 0) {
                    ++o.silent;
                    if (h.must_answer || a.timed_out)
                        o.failures.push_back(h.kind + " got no answer" +
                                             (a.timed_out ? " (timed out)" : "") + ": " +
                                             cut(h.bytes, 120));
                    continue;
                }
                ++o.answered;
                if (a.status >= 400 && a.status < 500) ++o.answered_4xx;
                if (a.status >= 500)
                    o.failures.push_back(h.kind + " answered " + std::to_string(a.status) + ": " +
                                         cut(h.bytes, 120) + " → " + cut(a.body, 200));
                static const std::set<std::string> never_ok = {
                    "wechat_signature", "wechat_verify", "hotline",   "open311_post", "mp",
                    "bad_chunked",      "bad_length",    "truncated", "garbage",      "oversized"};
                if (a.status < 300 && never_ok.count(h.kind))
                    o.failures.push_back(h.kind + " was accepted (" + std::to_string(a.status) +
                                         "): " + cut(h.bytes, 120));
            }
            return o;
        }));
    outcome all;
    for (auto& w : workers) {
        REQUIRE(w.wait_for(std::chrono::seconds(120)) == std::future_status::ready);
        auto o = w.get();
        all.answered += o.answered;
        all.answered_4xx += o.answered_4xx;
        all.silent += o.silent;
        all.failures.insert(all.failures.end(), o.failures.begin(), o.failures.end());
    }
    const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    INFO(mix.size() << " requests in " << took.count() << " s: " << all.answered << " answered ("
                    << all.answered_4xx << " 4xx), " << all.silent << " closed unanswered");
    for (std::size_t i = 0; i < std::min<std::size_t>(all.failures.size(), 15); ++i)
        UNSCOPED_INFO(all.failures[i]);
    CHECK(all.failures.empty());

    // Alive, unchanged, and counted.
    REQUIRE(healthy_within(g.port, ms(5000)));
    const auto after = snapshot();
    CHECK(after[0] == before[0]);
    CHECK(after[1] == before[1]);
    CHECK(after[2] == before[2]);
    CHECK(after[3] == before[3]);
    const auto metrics_after = metrics_text(g.port);
    const auto rejected = [](const std::string& m) {
        return metric_sum(m, "minsheng_requests_rejected_total");
    };
    CHECK(rejected(metrics_after) - rejected(metrics_before) >=
          static_cast<double>(all.answered_4xx));
    CHECK(metric_sum(metrics_after, "minsheng_handler_errors_total") ==
          metric_sum(metrics_before, "minsheng_handler_errors_total"));
    CHECK(metric_sum(metrics_after, "minsheng_internal_errors_total") ==
          metric_sum(metrics_before, "minsheng_internal_errors_total"));
    CHECK(metric(metrics_after, "minsheng_messages_received_total{channel=\"wechat_oa\"}") == 1);
    // A legitimate resident is still served as before.
    auto r = wx.say("o_resident_2", "你好");
    CHECK(r.status == 200);
}
