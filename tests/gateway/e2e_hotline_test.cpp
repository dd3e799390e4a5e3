// End-to-end: 12345 transcripts posted to the real gateway over HTTP with the real HMAC (v2),
// becoming cases in a real SQLite file, exactly once per call.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

constexpr const char* secret = "hotline-test-secret-0123456789";

struct hotline_fixture {
    running_gateway g;
    explicit hotline_fixture(const std::string& tag) : g(make(tag)) {}
    static gateway::config make(const std::string& tag) {
        auto c = test_config(security_mode::safe, temp_db_path(tag));
        c.hotline.secrets["default"] = secret;
        return c;
    }

    gateway::client_response post(const std::string& body,
                                  const std::string& type = "application/json",
                                  const std::string& target = "/hotline/transcripts",
                                  std::string sign_with = secret, std::int64_t skew = 0) {
        auto http = g.client();
        return http.request("POST", target, body,
                            signed_hotline_headers(sign_with, target, body, type, skew));
    }

    json cases(const std::string& query = "") {
        auto http = g.client();
        auto res =
            http.request("GET", "/api/v1/cases" + query, "", {{"Authorization", bearer(g.cfg)}});
        REQUIRE(res.status == 200);
        return json::parse(res.body)["cases"];
    }
};

std::string call(const std::string& id, const std::string& phone, const std::string& words) {
    return json{{"call_id", id},
                {"hotline", "12345"},
                {"caller", {{"phone", phone}}},
                {"turns",
                 {{{"speaker", "agent"}, {"text", "您好，12345热线，请讲。"}},
                  {{"speaker", "caller"}, {"text", words}},
                  {{"speaker", "agent"}, {"text", "好的，已经为您记录。"}}}}}
        .dump();
}

}  // namespace

TEST_CASE("a transcript batch with a duplicate and a malformed call answers per call",
          "[e2e][hotline]") {
    hotline_fixture f("hotline-batch");
    std::string batch = "[" +
                        call("C-1", "13800138000",
                             "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便。") +
                        "," + R"({"call_id":"C-2","caller":{"phone":"1"},"turns":[]})" + "," +
                        call("C-1", "13800138000",
                             "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便。") +
                        "]";
    auto res = f.post(batch);
    REQUIRE(res.status == 200);
    auto body = json::parse(res.body);
    REQUIRE(body["results"].size() == 3);
    CHECK(body["results"][0]["status"] == "accepted");
    REQUIRE(body["results"][0]["cases"].size() == 1);
    CHECK(body["results"][1]["status"] == "rejected");
    CHECK(body["results"][1]["call_id"] == "C-2");
    CHECK(body["results"][2]["status"] == "duplicate");
    CHECK(body["results"][2]["cases"] == body["results"][0]["cases"]);

    auto cases = f.cases("?channel=hotline");
    REQUIRE(cases.size() == 1);
    const auto& c = cases[0];
    CHECK(c["number"] == body["results"][0]["cases"][0]["number"]);
    CHECK(c["source"]["ref"] == "default:C-1");
    CHECK(c["source"]["span"] == "turn 2");
    CHECK(c["contact_phone"] == "138****8000");
    CHECK(c["description"].get<std::string>().find("您好") == std::string::npos);  // caller only

    // Sent again later: the same answer, nothing new.
    auto again = f.post(call("C-1", "13800138000", "幸福小区3栋门口的路灯坏了一个星期了。"));
    REQUIRE(again.status == 200);
    auto a = json::parse(again.body);
    CHECK(a["results"][0]["status"] == "duplicate");
    CHECK(a["results"][0]["cases"] == body["results"][0]["cases"]);
    CHECK(f.cases("?channel=hotline").size() == 1);

    // The caller's notification waits in the outbox (delivered on WeChat when the phone is bound,
    // else by SMS).
    auto http = f.g.client();
    auto outbox = json::parse(
        http.request("GET", "/api/v1/outbox?case_id=" + std::to_string(c["id"].get<std::int64_t>()),
                     "", {{"Authorization", bearer(f.g.cfg)}})
            .body)["notifications"];
    bool caller_told = false;
    for (const auto& n : outbox)
        if (n["template"] == "hotline/case_opened") caller_told = true;
    CHECK(caller_told);
}

TEST_CASE("a call that raises two problems opens two cases, each with its span", "[e2e][hotline]") {
    hotline_fixture f("hotline-two");
    std::string body =
        json{{"call_id", "C-7"},
             {"caller", {{"phone", "13900139000"}}},
             {"turns",
              {{{"speaker", "agent"}, {"text", "您好，请讲。"}},
               {{"speaker", "caller"}, {"text", "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑。"}},
               {{"speaker", "agent"}, {"text", "好的，还有别的吗？"}},
               {{"speaker", "caller"},
                {"text", "还有，小区门口的垃圾已经好几天没人清运了，臭得不行。"}}}}}
            .dump();
    auto res = f.post(body);
    REQUIRE(res.status == 200);
    auto r = json::parse(res.body)["results"][0];
    REQUIRE(r["status"] == "accepted");
    REQUIRE(r["cases"].size() == 2);
    CHECK(r["cases"][0]["span"] == "turn 2");
    CHECK(r["cases"][1]["span"] == "turn 4");
}

TEST_CASE("plain speaker-tagged text is accepted with the call id in the query", "[e2e][hotline]") {
    hotline_fixture f("hotline-text");
    std::string text =
        "[00:00:01] 坐席：您好，12345热线。\n"
        "[00:00:05] 市民：和平路12号旁边的下水道井盖丢了，很危险，请尽快处理。\n";
    auto res = f.post(text, "text/plain; charset=utf-8",
                      "/hotline/transcripts?call_id=T-1&caller_phone=13700137000");
    REQUIRE(res.status == 200);
    CHECK(json::parse(res.body)["results"][0]["status"] == "accepted");
    CHECK(f.cases("?channel=hotline").size() == 1);
}

TEST_CASE("a wrong HMAC, a stale timestamp or a bad body changes nothing", "[e2e][hotline]") {
    hotline_fixture f("hotline-bad");
    const std::string good = call("C-9", "13800138000", "幸福小区3栋门口的路灯坏了一个星期了。");
    CHECK(f.post(good, "application/json", "/hotline/transcripts", "another-secret-abcdefgh")
              .status == 401);
    CHECK(f.post(good, "application/json", "/hotline/transcripts", secret, -3600).status == 401);
    {
        auto http = f.g.client();
        CHECK(http.request("POST", "/hotline/transcripts", good,
                           {{"Content-Type", "application/json"}})
                  .status == 401);
    }
    CHECK(f.post("{not json").status == 400);
    CHECK(f.post("<call/>", "application/xml").status == 400);
    CHECK(f.cases().empty());
    CHECK(f.g.app.stats().requests_rejected.value("bad_signature") == 1);
    CHECK(f.g.app.stats().requests_rejected.value("stale_timestamp") == 1);
}
