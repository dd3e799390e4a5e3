// End-to-end: verified phones through the real gateway — the official account's SMS code and the
// mini program's getPhoneNumber (against the fake WeChat API and a stand-in SMS gateway, over
// real HTTP, on a real SQLite file). A phone somebody merely types reaches nobody; one verified
// phone has one holder.

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "adapters/db/store.hpp"
#include "adapters/http/query_string.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/gateway/sms_fake.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
using tools::fake_wechat::fake_wechat_server;

namespace {

constexpr const char* custom_send = "/cgi-bin/message/custom/send";
constexpr const char* phone_api = "/wxa/business/getuserphonenumber";
constexpr const char* open311_key = "phone-test-open311-key-0123456789";

struct phone_scenario {
    sms_gateway sms;
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    gateway::config cfg;
    std::unique_ptr<running_gateway> gw;
    std::unique_ptr<wechat_peer> wx;

    phone_scenario() : cfg(test_config(security_mode::safe, temp_db_path("phone"))) {
        cfg.delivery.base_url = fake.base_url();
        cfg.delivery.appid = fake.config().appid;
        cfg.delivery.secret = fake.config().secret;
        cfg.delivery.poll_interval_ms = 20;
        cfg.delivery.retry_base_ms = 1;
        cfg.delivery.sms_webhook = sms.url();
        cfg.miniprogram.base_url = fake.base_url();
        cfg.miniprogram.appid = fake.config().appid;
        cfg.miniprogram.secret = fake.config().secret;
        cfg.open311.api_keys["phone-test"] = open311_key;
        gw = std::make_unique<running_gateway>(cfg);
        wx = std::make_unique<wechat_peer>(cfg, gw->port);
    }

    std::string say(const std::string& user, const std::string& text) {
        auto r = wx->say(user, text);
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    struct answer {
        int status;
        json body;
        std::string raw;
    };
    answer mp(const std::string& method, const std::string& target, const json& body,
              const std::string& token = "") {
        auto http = gw->client();
        std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
        if (!token.empty()) headers["Authorization"] = "Bearer " + token;
        auto res = http.request(method, target, body.is_null() ? "" : body.dump(), headers);
        return {res.status, json::parse(res.body, nullptr, false), res.body};
    }
    std::string login(const std::string& code) {
        auto a = mp("POST", "/mp/v1/login", {{"code", code}});
        REQUIRE(a.status == 200);
        return a.body.at("session");
    }
    std::optional<dialog::person> holder(const std::string& phone) {
        std::optional<dialog::person> p;
        adapters::db::store s(cfg.db_path);
        s.run([&](dialog::unit_of_work& uow) { p = uow.find_person_by_phone(phone); });
        return p;
    }
    // Customer-service texts the fake accepted for `openid`.
    std::vector<std::string> texts_to(const std::string& openid) {
        std::vector<std::string> out;
        for (const auto& r : fake.received(custom_send))
            if (r.answered_errcode == 0 && r.json.value("touser", "") == openid)
                out.push_back(r.json["text"].value("content", ""));
        return out;
    }
    bool eventually(const std::function<bool()>& ok) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < deadline) {
            if (ok()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return ok();
    }
};

}  // namespace

TEST_CASE(
    "the mini program binds only the number WeChat verified, and the phone moves with "
    "a notice to its previous holder",
    "[e2e][mp][phone]") {
    phone_scenario s;
    // A resident verifies 139… on the official account first.
    const std::string oa_user = "o_phone_holder";
    const auto bound = verify_phone_by_chat(
        s.sms, [&](const std::string& t) { return s.say(oa_user, t); }, "13912345678");
    CHECK(bound.find("验证成功") != std::string::npos);
    REQUIRE(s.holder("13912345678"));
    CHECK(s.holder("13912345678")->who.user_id == oa_user);

    const auto token = s.login("code-phone-1");
    // A typed number is not taken, however well-formed; nothing is bound.
    auto typed = s.mp("POST", "/mp/v1/phone", {{"phone", "13912345678"}}, token);
    CHECK(typed.status == 400);
    CHECK(typed.body["error"]["code"] == "bad_phone_code");
    // A code WeChat does not know is refused, after asking WeChat.
    auto bogus = s.mp("POST", "/mp/v1/phone", {{"code", "not-a-real-code"}}, token);
    CHECK(bogus.status == 400);
    CHECK(bogus.body["error"]["code"] == "bad_phone_code");
    CHECK(s.holder("13912345678")->who.user_id == oa_user);

    // The getPhoneNumber code: WeChat says the number; it is bound, verified, and moves.
    auto ok = s.mp("POST", "/mp/v1/phone", {{"code", "phone-13912345678"}}, token);
    REQUIRE(ok.status == 200);
    CHECK(ok.body["phone"] == "139****5678");
    CHECK(ok.body["verified"] == true);
    CHECK(s.fake.count(phone_api) >= 2);
    auto now_held = s.holder("13912345678");
    REQUIRE(now_held);
    CHECK(now_held->who.from == dialog::channel::miniprogram);
    // The official-account holder is told, with the number masked.
    CHECK(s.eventually([&] {
        for (const auto& t : s.texts_to(oa_user))
            if (t.find("139****5678") != std::string::npos &&
                t.find("另一个微信账号") != std::string::npos)
                return true;
        return false;
    }));
    // A code works once.
    auto again = s.mp("POST", "/mp/v1/phone", {{"code", "phone-13912345678"}}, token);
    CHECK(again.status == 400);
}

TEST_CASE(
    "a resident who types someone else's number on the official account never hears "
    "about their cases",
    "[e2e][phone]") {
    phone_scenario s;
    const std::string attacker = "o_phone_attacker";
    CHECK(s.say(attacker, "绑定手机 13812345678").find("138****5678") != std::string::npos);
    // The code went to the phone, not to the attacker.
    const std::string code = s.sms.code_sent_to("13812345678");
    REQUIRE(code.size() == 6);
    for (const auto& t : s.texts_to(attacker)) CHECK(t.find(code) == std::string::npos);
    CHECK(s.say(attacker, "验证码 000000").find("不对") != std::string::npos);
    CHECK_FALSE(s.holder("13812345678"));

    // An Open311 request for that number, accepted by a worker: the notice goes to the phone
    // by SMS, nothing to the attacker.
    auto http = s.gw->client();
    auto posted = http.request(
        "POST", "/open311/v2/requests.json",
        adapters::http::encode_query({{"api_key", open311_key},
                                      {"service_code", "construction"},
                                      {"address_string", "东城社区幸福路12号"},
                                      {"description", "幸福路12号门口的路灯坏了一个星期了"},
                                      {"phone", "13812345678"}}),
        {{"Content-Type", "application/x-www-form-urlencoded"}});
    REQUIRE(posted.status == 200);
    const std::string number = json::parse(posted.body)[0]["service_request_id"];
    auto cases = json::parse(
        http.request("GET", "/api/v1/cases?limit=5", "", {{"Authorization", bearer(s.cfg)}}).body);
    REQUIRE(cases["cases"].size() == 1);
    const std::int64_t id = cases["cases"][0]["id"];
    auto acted = http.request(
        "POST", "/api/v1/cases/" + std::to_string(id) + "/actions", R"({"action":"accept"})",
        {{"Authorization", bearer(s.cfg)}, {"Content-Type", "application/json"}});
    REQUIRE(acted.status == 200);
    CHECK(s.eventually([&] {
        for (const auto& t : s.sms.texts_to("13812345678"))
            if (t.find(number) != std::string::npos) return true;
        return false;
    }));
    for (const auto& t : s.texts_to(attacker)) CHECK(t.find(number) == std::string::npos);
}
