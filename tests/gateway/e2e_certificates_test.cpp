// End-to-end: certificate requests (证明事项, docs/certificates.md) arriving on the 12345 feed,
// answered from the city's list for the operator to read, with no case; the operator's
// still_needs_help mark opens one. Real gateway, real HMAC, a real SQLite file.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

constexpr const char* secret = "hotline-certificate-secret-0123456789";

struct certificate_fixture {
    running_gateway g;
    explicit certificate_fixture(const std::string& tag, bool with_list = true)
        : g(make(tag, with_list)) {}
    static gateway::config make(const std::string& tag, bool with_list) {
        auto c = test_config(security_mode::safe, temp_db_path(tag));
        c.hotline.secrets["default"] = secret;
        if (with_list) c.program.certificates_file = MINSHENG_SOURCE_DIR "/data/certificates.toml";
        return c;
    }

    json post(const std::string& body, const std::string& type = "application/json",
              const std::string& target = "/hotline/transcripts") {
        auto http = g.client();
        auto res =
            http.request("POST", target, body, signed_hotline_headers(secret, target, body, type));
        INFO(res.body);
        REQUIRE(res.status == 200);
        return json::parse(res.body);
    }

    std::int64_t cases() { return adapters::db::reader(g.cfg.db_path).count_cases(); }

    // The certificate_answers rows: "item channel escalated" each, in order.
    std::vector<std::string> counted() {
        SQLite::Database db(g.cfg.db_path, SQLite::OPEN_READONLY);
        SQLite::Statement q(db,
                            "SELECT item, channel, escalated FROM certificate_answers ORDER BY id");
        std::vector<std::string> out;
        while (q.executeStep())
            out.push_back(q.getColumn(0).getString() + " " + q.getColumn(1).getString() + " " +
                          std::to_string(q.getColumn(2).getInt()));
        return out;
    }
};

json call(const std::string& id, const std::string& words, bool still_needs_help = false) {
    json c{{"call_id", id},
           {"caller", {{"phone", "13800138000"}}},
           {"turns",
            {{{"speaker", "agent"}, {"text", "您好，12345热线，请讲。"}},
             {{"speaker", "caller"}, {"text", words}},
             {{"speaker", "agent"}, {"text", "好的。"}}}}};
    if (still_needs_help) c["still_needs_help"] = true;
    return c;
}

}  // namespace

TEST_CASE("a 12345 certificate request is answered for the operator and opens no case",
          "[e2e][hotline][certificates]") {
    certificate_fixture f("hotline-certificate");
    auto body = f.post(call("CERT-1", "你好，我想开个居住证明，请问去哪里开？").dump());
    auto r = body["results"][0];
    CHECK(r["status"] == "accepted");
    CHECK(r["cases"].empty());
    REQUIRE(r["certificates"].size() == 1);
    const auto& c = r["certificates"][0];
    CHECK(c["item"] == "residence");
    CHECK(c["name"] == "居住证明");
    CHECK(c["span"] == "turn 2");
    CHECK(c["still_needs_help"] == false);
    const std::string answer = c["answer"];
    CHECK(answer.find("社区已不再开具居住证明") != std::string::npos);
    CHECK(answer.find("依据") != std::string::npos);
    CHECK_FALSE(r.contains("note"));  // something was found: the certificate
    CHECK(f.cases() == 0);
    CHECK(f.counted() == std::vector<std::string>{"residence hotline 0"});

    // Sent again (signed anew; the words need not match): the same result, counted once.
    auto again = f.post(call("CERT-1", "我想开居住证明。").dump());
    CHECK(again["results"][0]["status"] == "duplicate");
    CHECK(again["results"][0]["certificates"] == r["certificates"]);
    CHECK(f.counted().size() == 1);

    // A Traditional-script plain-text transcript asking for another item.
    auto text = f.post(
        "[00:00:01] 坐席：您好，12345热线。\n[00:00:04] 市民：請問無犯罪記錄證明怎麼辦理？\n",
        "text/plain; charset=utf-8",
        "/hotline/transcripts?call_id=CERT-2&caller_phone=13700137000");
    CHECK(text["results"][0]["certificates"][0]["item"] == "no_criminal_record");
    CHECK(f.cases() == 0);
}

TEST_CASE("a caller who still needs the community's help gets a case, counted as escalated",
          "[e2e][hotline][certificates]") {
    certificate_fixture f("hotline-certificate-help");
    auto body =
        f.post(call("CERT-3", "我想开个居住证明，去派出所他们不给办，还是要社区帮忙", true).dump());
    auto r = body["results"][0];
    REQUIRE(r["status"] == "accepted");
    REQUIRE(r["cases"].size() == 1);
    CHECK(r["cases"][0]["certificate"] == "residence");
    REQUIRE(r["certificates"].size() == 1);
    CHECK(r["certificates"][0]["still_needs_help"] == true);
    CHECK(f.cases() == 1);
    CHECK(f.counted() == std::vector<std::string>{"residence hotline 1"});

    // A call with a certificate request and a separate problem: the problem opens its case, the
    // certificate is answered without one.
    json two{
        {"call_id", "CERT-4"},
        {"caller", {{"phone", "13900139000"}}},
        {"turns",
         {{{"speaker", "agent"}, {"text", "您好，请讲。"}},
          {{"speaker", "caller"}, {"text", "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑。"}},
          {{"speaker", "agent"}, {"text", "好的，还有别的问题吗？"}},
          {{"speaker", "caller"}, {"text", "还有一件事，我想开个无犯罪记录证明，社区能开吗？"}}}}};
    auto b2 = f.post(two.dump())["results"][0];
    CHECK(b2["cases"].size() == 1);
    REQUIRE(b2["certificates"].size() == 1);
    CHECK(b2["certificates"][0]["item"] == "no_criminal_record");
    CHECK(f.cases() == 2);

    // A malformed mark refuses that call and changes nothing.
    json bad = call("CERT-5", "我想开个居住证明");
    bad["still_needs_help"] = "yes";
    auto b3 = f.post(bad.dump())["results"][0];
    CHECK(b3["status"] == "rejected");
    CHECK(b3["error"] == "still_needs_help must be true or false");
    CHECK(f.counted().size() == 2);
}

TEST_CASE("without a certificate list a 12345 certificate request opens a case as before",
          "[e2e][hotline][certificates]") {
    certificate_fixture f("hotline-certificate-none", false);
    auto r = f.post(call("CERT-6", "我想开个居住证明，去哪里开？").dump())["results"][0];
    CHECK(r["cases"].size() == 1);
    CHECK_FALSE(r.contains("certificates"));
    CHECK(f.counted().empty());
}
