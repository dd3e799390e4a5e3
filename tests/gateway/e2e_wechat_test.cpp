// End-to-end: the real gateway on 127.0.0.1, spoken to through the real official-account
// protocol (signatures, AES safe mode, XML), with a real SQLite file behind it.

#include <catch2/catch.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/http/query_string.hpp"
#include "adapters/wechat_oa/signature.hpp"
#include "gateway/server/metrics.hpp"
#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

json cases_of(const running_gateway& g, const std::string& query = "") {
    auto http = g.client();
    auto res = http.request("GET", "/api/v1/cases" + query, "", {{"Authorization", bearer(g.cfg)}});
    REQUIRE(res.status == 200);
    return json::parse(res.body);
}

std::uint64_t received(const running_gateway& g) {
    return g.app.stats().messages_received.value("wechat_oa");
}

}  // namespace

TEST_CASE("a resident's complete appeal in safe mode opens a case and the encrypted reply names it",
          "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("appeal")));
    wechat_peer wx(g.cfg, g.port);

    auto r =
        wx.say("o_resident_1", "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便");
    REQUIRE(r.status == 200);
    CHECK(r.raw.find("<Encrypt>") != std::string::npos);  // the reply was encrypted
    REQUIRE(r.reply.kind == dialog::reply::type::text);

    auto list = cases_of(g);
    REQUIRE(list["cases"].size() == 1);
    const auto& c = list["cases"][0];
    CHECK(r.reply.text.find(c["number"].get<std::string>()) != std::string::npos);
    CHECK(c["channel"] == "wechat_oa");
    CHECK(c["status"] == "received");
    CHECK(c["kind"].is_string());
    CHECK(c["category"] == "城乡建设");
    CHECK(c["created_at"].get<std::string>().find("+08:00") != std::string::npos);

    auto http = g.client();
    auto one = http.request("GET", "/api/v1/cases/" + std::to_string(c["id"].get<int>()), "",
                            {{"Authorization", bearer(g.cfg)}});
    REQUIRE(one.status == 200);
    CHECK(json::parse(one.body)["number"] == c["number"]);
    CHECK(g.app.stats().cases_opened.value("wechat_oa") == 1);
}

TEST_CASE("a retried message gets the first reply again and changes nothing", "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("retry")));
    wechat_peer wx(g.cfg, g.port);
    const std::string msg_id = "7000000000000000001";
    auto first = wx.say("o_resident_2", "和平路12号旁边的下水道井盖丢了，很危险", msg_id);
    auto again = wx.say("o_resident_2", "和平路12号旁边的下水道井盖丢了，很危险", msg_id);
    REQUIRE(first.status == 200);
    REQUIRE(again.status == 200);
    CHECK(again.reply.text == first.reply.text);
    CHECK(cases_of(g)["cases"].size() == 1);
    CHECK(g.app.stats().messages_duplicate.value("wechat_oa") == 1);
    CHECK(received(g) == 1);
}

TEST_CASE("retries racing each other are still handled exactly once", "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("race")));
    const std::string msg_id = "7000000000000000002";
    std::vector<std::future<wechat_peer::result>> results;
    for (int i = 0; i < 6; ++i)
        results.push_back(std::async(std::launch::async, [&] {
            wechat_peer wx(g.cfg, g.port);
            return wx.say("o_resident_3", "滨江路的公交站牌倒了，砸坏了路边的车", msg_id);
        }));
    std::string text;
    for (auto& f : results) {
        REQUIRE(f.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
        auto r = f.get();
        REQUIRE(r.status == 200);
        if (text.empty()) text = r.reply.text;
        CHECK(r.reply.text == text);
    }
    CHECK(cases_of(g)["cases"].size() == 1);
    CHECK(received(g) == 1);
    CHECK(g.app.stats().messages_duplicate.value("wechat_oa") == 5);
}

TEST_CASE("the bot asks where a place-bound problem is, then opens the case on the answer",
          "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("slot")));
    wechat_peer wx(g.cfg, g.port);
    auto ask = wx.say("o_resident_4", "路边的垃圾堆了一个星期没人清理，臭得不行，苍蝇很多");
    REQUIRE(ask.status == 200);
    CHECK(ask.reply.text.find("地点") != std::string::npos);
    CHECK(cases_of(g)["cases"].empty());

    auto done = wx.say("o_resident_4", "阳光社区5栋后面");
    REQUIRE(done.status == 200);
    auto list = cases_of(g);
    REQUIRE(list["cases"].size() == 1);
    CHECK(done.reply.text.find(list["cases"][0]["number"].get<std::string>()) != std::string::npos);
}

TEST_CASE("greeting, help, progress and subscribing get useful answers", "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("chat")));
    wechat_peer wx(g.cfg, g.port);
    auto welcome = wx.event("o_resident_5", "subscribe", "qrscene_community7");
    CHECK(welcome.reply.text.find("欢迎") != std::string::npos);
    CHECK(wx.say("o_resident_5", "你好").reply.text.find("您好") != std::string::npos);
    CHECK(wx.say("o_resident_5", "你能做什么？").reply.text.find("查询") != std::string::npos);
    CHECK(wx.say("o_resident_5", "我的诉求怎么样了").reply.text.find("还没有") !=
          std::string::npos);
    // Events that need no answer get "success", which the client reads as no reply.
    auto unsub = wx.event("o_resident_5", "unsubscribe");
    CHECK(unsub.status == 200);
    CHECK(unsub.raw == "success");
    CHECK(cases_of(g)["cases"].empty());
}

TEST_CASE("a Traditional-script appeal is understood and opens a case", "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("hant")));
    wechat_peer wx(g.cfg, g.port);
    auto r =
        wx.say("o_resident_6", "幸福小區3棟門口的路燈壞了一個星期了，晚上很黑，老人出門不方便");
    REQUIRE(r.status == 200);
    auto list = cases_of(g);
    REQUIRE(list["cases"].size() == 1);
    CHECK(list["cases"][0]["category"] == "城乡建设");
    CHECK(r.reply.text.find(list["cases"][0]["number"].get<std::string>()) != std::string::npos);
}

TEST_CASE("URL verification answers echostr byte for byte and refuses a wrong signature", "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("verify")));
    adapters::wechat_oa::oa_client_codec codec(g.cfg.wechat);
    auto http = g.client();
    auto req = codec.url_verification(now_s(), "4375120948345356249");
    auto ok = http.request("GET", req.target("/wechat/oa"));
    CHECK(ok.status == 200);
    CHECK(ok.body == "4375120948345356249");

    auto q = req.query;
    q["signature"] = std::string(40, '0');
    auto bad = http.request("GET", "/wechat/oa?" + adapters::http::encode_query(q));
    CHECK(bad.status == 401);
    CHECK(bad.body != "4375120948345356249");
}

TEST_CASE("bad input gets a clear 4xx and leaves nothing behind but a counter", "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("bad")));
    adapters::wechat_oa::oa_client_codec codec(g.cfg.wechat);
    auto http = g.client();
    auto fresh = [&](std::int64_t t) {
        return codec.text({"gh_e2e", "o_attacker", "幸福小区路灯坏了", t, ""}, t);
    };
    const auto& rejected = g.app.stats().requests_rejected;

    SECTION("wrong msg_signature") {
        auto req = fresh(now_s());
        req.query["msg_signature"] = std::string(40, 'a');
        auto res =
            http.request("POST", "/wechat/oa?" + adapters::http::encode_query(req.query), req.body);
        CHECK(res.status == 401);
        CHECK(rejected.value("bad_signature") == 1);
    }
    SECTION("stale timestamp (a replay)") {
        auto req = fresh(now_s() - 3600);
        auto res = http.request("POST", req.target("/wechat/oa"), req.body);
        CHECK(res.status == 400);
        CHECK(rejected.value("stale_timestamp") == 1);
    }
    SECTION("truncated XML body") {
        auto req = fresh(now_s());
        auto res =
            http.request("POST", req.target("/wechat/oa"), req.body.substr(0, req.body.size() / 2));
        CHECK(res.status / 100 == 4);
    }
    SECTION("ciphertext that is not base64") {
        auto t = now_s();
        std::string body = "<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><Encrypt><![CDATA[" +
                           std::string("!!!not-base64!!!") + "]]></Encrypt></xml>";
        auto req = fresh(t);
        // Re-sign the forged body so that only the ciphertext is wrong.
        auto q = req.query;
        q["msg_signature"] = adapters::wechat_oa::msg_signature(g.cfg.wechat.token, q["timestamp"],
                                                                q["nonce"], "!!!not-base64!!!");
        auto res = http.request("POST", "/wechat/oa?" + adapters::http::encode_query(q), body);
        CHECK(res.status == 400);
        CHECK(rejected.value("bad_ciphertext") == 1);
    }
    SECTION("a message encrypted for another appid") {
        auto other = g.cfg.wechat;
        other.appid = "wxsomeoneelse0001";
        adapters::wechat_oa::oa_client_codec foreign(other);
        auto t = now_s();
        auto req = foreign.text({"gh_e2e", "o_attacker", "你好", t, ""}, t);
        auto res = http.request("POST", req.target("/wechat/oa"), req.body);
        CHECK(res.status == 400);
        CHECK(rejected.value("wrong_appid") == 1);
    }
    SECTION("a body over the limit") {
        auto req = fresh(now_s());
        std::string huge(g.cfg.body_limit + 1, 'x');
        int status = 0;
        try {
            status = http.request("POST", req.target("/wechat/oa"), huge).status;
        } catch (const std::exception&) {
            status = -1;  // the server may close before the client has sent everything
        }
        CHECK((status == 413 || status == -1));
        CHECK(rejected.value("body_too_large") == 1);
    }
    SECTION("an unknown path and a wrong method") {
        CHECK(http.request("GET", "/wechat/nowhere").status == 404);
        CHECK(http.request("DELETE", "/wechat/oa").status == 405);
        CHECK(http.request("POST", "/healthz").status == 405);
        CHECK(rejected.value("not_found") == 1);
        CHECK(rejected.value("method_not_allowed") == 2);
    }
    SECTION("a repeated signature parameter") {
        auto req = fresh(now_s());
        auto res = http.request("POST", req.target("/wechat/oa") + "&signature=abc", req.body);
        CHECK(res.status == 400);
        CHECK(rejected.value("bad_query") == 1);
    }
    // Whatever was refused, nothing was stored.
    CHECK(received(g) == 0);
    CHECK(cases_of(g)["cases"].empty());
}

TEST_CASE("plain mode accepts signed plaintext pushes and refuses malformed XML", "[e2e]") {
    running_gateway g(test_config(security_mode::plain, temp_db_path("plain")));
    wechat_peer wx(g.cfg, g.port);
    auto r = wx.say("o_resident_7", "你好");
    REQUIRE(r.status == 200);
    CHECK(r.raw.find("<Encrypt>") == std::string::npos);
    CHECK(r.reply.text.find("您好") != std::string::npos);

    adapters::wechat_oa::oa_client_codec codec(g.cfg.wechat);
    auto t = now_s();
    auto req = codec.push("<xml><ToUserName>gh</ToUserName><FromUserName>", "gh_e2e", "o_x", t);
    auto http = g.client();
    auto bad = http.request("POST", req.target("/wechat/oa"), req.body);
    CHECK(bad.status == 400);
    CHECK(g.app.stats().requests_rejected.value("malformed_xml") == 1);
}

TEST_CASE("the operator API needs the bearer token and masks personal data", "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("api")));
    wechat_peer wx(g.cfg, g.port);
    wx.say("o_resident_8",
           "我家住幸福小区3栋2单元501，楼上漏水好几天了，电话13812345678，请尽快处理");
    auto http = g.client();
    CHECK(http.request("GET", "/api/v1/cases").status == 401);
    CHECK(http.request("GET", "/api/v1/cases", "", {{"Authorization", "Bearer wrong"}}).status ==
          401);
    auto list = cases_of(g);
    REQUIRE(list["cases"].size() == 1);
    std::string dump = list.dump();
    CHECK(dump.find("13812345678") == std::string::npos);
    CHECK(dump.find("138****5678") != std::string::npos);
    CHECK(http.request("GET", "/api/v1/cases/999999", "", {{"Authorization", bearer(g.cfg)}})
              .status == 404);
    CHECK(http.request("GET", "/api/v1/cases?limit=0", "", {{"Authorization", bearer(g.cfg)}})
              .status == 400);
    CHECK(http.request("GET", "/api/v1/cases?channel=fax", "", {{"Authorization", bearer(g.cfg)}})
              .status == 400);
    CHECK(cases_of(g, "?channel=hotline")["cases"].empty());
    CHECK(cases_of(g, "?channel=wechat_oa")["cases"].size() == 1);
}

TEST_CASE("healthz and metrics answer in their formats", "[e2e]") {
    running_gateway g(test_config(security_mode::safe, temp_db_path("metrics")));
    wechat_peer wx(g.cfg, g.port);
    wx.say("o_resident_9", "你好");
    auto http = g.client();
    auto health = http.request("GET", "/healthz");
    CHECK(health.status == 200);
    CHECK(json::parse(health.body)["status"] == "ok");
    auto m = http.request("GET", "/metrics");
    REQUIRE(m.status == 200);
    CHECK(m.headers["content-type"].find("text/plain") == 0);
    for (const char* needle :
         {"minsheng_messages_received_total{channel=\"wechat_oa\"} 1",
          "minsheng_messages_duplicate_total{channel=\"wechat_oa\"} 0",
          "# TYPE minsheng_requests_rejected_total counter",
          "minsheng_cases_opened_total{channel=\"wechat_oa\"} 0",
          "minsheng_http_request_duration_seconds_bucket{route=\"wechat_oa\",le=\"+Inf\"} 1"})
        CHECK(m.body.find(needle) != std::string::npos);
}
