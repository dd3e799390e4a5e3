// End-to-end: the people who act hear back on WeChat. Case workers bind their WeChat by chat
// with a one-time code from the real minsheng-admin and then receive their staff notifications;
// mini program users receive subscribe messages on the credits their client reports. Real
// SQLite file, real HTTP, the real encrypted official-account protocol, the fake WeChat API.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/db/sessions.hpp"
#include "adapters/db/store.hpp"
#include "dialog/utf8.hpp"
#include "gateway/server/http_server.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/gateway/sms_fake.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using tools::fake_wechat::fake_wechat_server;
using tools::fake_wechat::injection;
using json = nlohmann::json;

namespace {

constexpr const char* custom_send = "/cgi-bin/message/custom/send";
constexpr const char* subscribe_send = "/cgi-bin/message/subscribe/send";
constexpr const char* progress_template = "tmpl-case-progress";
constexpr const char* hotline_secret = "hotline-notify-secret-0123456789";

// A gateway delivering to the fake WeChat API, with two communities of one street and the
// mini program's subscribe template configured.
struct scenario {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    gateway::config cfg;
    std::unique_ptr<running_gateway> gw;
    std::unique_ptr<wechat_peer> wx;
    std::unique_ptr<gateway::http_client> http;

    explicit scenario(const std::string& tag,
                      const std::function<void(gateway::config&)>& tune = {})
        : cfg(test_config(security_mode::safe, temp_db_path(tag))) {
        cfg.delivery.base_url = fake.base_url();
        cfg.delivery.appid = fake.config().appid;
        cfg.delivery.secret = fake.config().secret;
        cfg.delivery.poll_interval_ms = 20;
        cfg.delivery.retry_base_ms = 1;
        cfg.delivery.max_attempts = 1000;
        cfg.miniprogram.base_url = fake.base_url();
        cfg.miniprogram.appid = fake.config().appid;
        cfg.miniprogram.secret = fake.config().secret;
        cfg.miniprogram.subscribe_template = progress_template;
        cfg.miniprogram.subscribe_page = "pages/case/detail?number={number}";
        cfg.miniprogram.subscribe_fields = {{"character_string1", "number"},
                                            {"phrase2", "status"},
                                            {"thing3", "text"},
                                            {"time4", "time"}};
        for (const auto& [name, street] : std::vector<std::pair<std::string, std::string>>{
                 {"东城社区", "东城街道"}, {"西城社区", "东城街道"}}) {
            gateway::community_config c;
            c.name = name;
            c.street = street;
            cfg.communities.push_back(c);
            cfg.program.settings.communities.push_back(name);
        }
        cfg.hotline.secrets["default"] = hotline_secret;
        if (tune) tune(cfg);
        gw = std::make_unique<running_gateway>(cfg);
        wx = std::make_unique<wechat_peer>(cfg, gw->port);
        http = std::make_unique<gateway::http_client>("127.0.0.1", gw->port);
    }

    std::string db() const { return "--db '" + cfg.db_path + "'"; }

    std::string say(const std::string& user, const std::string& text) {
        auto r = wx->say(user, text);
        REQUIRE(r.status == 200);
        return r.reply.text;
    }

    json call(const std::string& method, const std::string& target, const json& body,
              const std::string& auth, int expect) {
        std::map<std::string, std::string> h{{"Authorization", auth}};
        if (!body.is_null()) h["Content-Type"] = "application/json";
        auto res = http->request(method, target, body.is_null() ? "" : body.dump(), h);
        INFO(method << " " << target << " → " << res.status << " " << res.body);
        REQUIRE(res.status == expect);
        return json::parse(res.body, nullptr, false);
    }
    json op(const std::string& method, const std::string& target, const json& body = nullptr) {
        return call(method, target, body, bearer(cfg), 200);
    }

    std::vector<adapters::db::outbox_row> outbox() {
        adapters::db::reader r(cfg.db_path);
        adapters::db::outbox_filter f;
        f.limit = 1000;
        return r.list_outbox(f);
    }

    // Waits until `done` holds for the fake's record, or 15 s pass.
    template <class F>
    bool eventually(F done) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < until) {
            if (done()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    // Customer-service texts the fake accepted for `openid`.
    std::vector<std::string> texts_to(const std::string& openid) const {
        std::vector<std::string> out;
        for (const auto& r : fake.received(custom_send))
            if (r.answered_errcode == 0 && r.answered_status == 200 && r.json["touser"] == openid)
                out.push_back(r.json["text"]["content"].get<std::string>());
        return out;
    }
    std::vector<json> subscribes_to(const std::string& openid) const {
        std::vector<json> out;
        for (const auto& r : fake.received(subscribe_send))
            if (r.answered_errcode == 0 && r.json["touser"] == openid) out.push_back(r.json);
        return out;
    }
};

// A 12345 call from `phone`, signed as the hotline system does; the case number it opened.
std::string hotline_call(scenario& s, const std::string& call_id, const std::string& phone) {
    const std::string body =
        json{{"call_id", call_id},
             {"caller", {{"phone", phone}}},
             {"turns",
              {{{"speaker", "caller"},
                {"text", "东城社区和平路12号旁边的下水道井盖丢了，很危险。"}}}}}
            .dump();
    auto res =
        s.http->request("POST", "/hotline/transcripts", body,
                        signed_hotline_headers(hotline_secret, "/hotline/transcripts", body));
    REQUIRE(res.status == 200);
    auto r = json::parse(res.body)["results"][0];
    REQUIRE(r["status"] == "accepted");
    return r["cases"][0]["number"].get<std::string>();
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("case workers bind WeChat by chat and then hear of urgent cases and assignments",
          "[e2e][outbox][staff]") {
    scenario s("notify-staff");
    for (const char* add : {"--id w-east --name 王小东 --role worker --community 东城社区",
                            "--id w-east-2 --name 张二 --role worker --community 东城社区",
                            "--id w-west --name 赵西 --role worker --community 西城社区"})
        REQUIRE(admin("staff add " + s.db() + " " + add).code == 0);

    // Each worker gets a one-time code from the admin program and sends it by chat.
    const auto issued = admin("staff bind-code " + s.db() + " --id w-east");
    REQUIRE(issued.code == 0);
    const auto east_code = trimmed(issued.out);
    REQUIRE(east_code.size() == 8);
    CHECK(has(s.say("o_w_east", "绑定工号 " + east_code), "绑定成功"));
    const auto west_code =
        trimmed(admin("staff bind-code " + s.db() + " --id w-west --hours 2").out);
    CHECK(has(s.say("o_w_west", "綁定工號 " + west_code), "赵西"));  // Traditional script
    CHECK(admin("staff bind-code " + s.db() + " --id nobody").code != 0);

    // A code works once; a stranger guessing gets a polite no and binds nothing.
    CHECK(has(s.say("o_stranger", "绑定工号 " + east_code), "绑定码不对"));
    CHECK(has(s.say("o_stranger", "绑定工号"), "8位绑定码"));
    const auto listed = trimmed(admin("staff list " + s.db()).out);
    CHECK(has(listed, "w-east\tworker\t王小东\t东城社区\t\t\tactive\twechat:bound"));
    CHECK(has(listed, "w-east-2\tworker\t张二\t东城社区\t\t\tactive\twechat:none"));
    auto staff = s.op("GET", "/api/v1/staff");
    for (const auto& m : staff.at("staff"))
        CHECK(m.at("wechat_bound") == (m.at("id") != "w-east-2"));

    // An urgent need in 东城社区: its workers with WeChat hear of it at once; 西城社区's do not.
    s.say("o_resident",
          "我家老人在东城社区幸福路3号突然摔倒起不来了，急需有人帮忙送医院，电话13800138000");
    adapters::db::reader r(s.cfg.db_path);
    auto cases = r.list_cases(adapters::db::case_filter{});
    REQUIRE(cases.size() == 1);
    const auto number = cases[0].number;
    const auto id = cases[0].id;
    REQUIRE(s.eventually([&] { return !s.texts_to("o_w_east").empty(); }));
    CHECK(has(s.texts_to("o_w_east")[0], number));
    CHECK(s.texts_to("o_w_west").empty());
    CHECK(s.texts_to("o_stranger").empty());

    // Assigned to w-east: the assignee alone hears of it.
    s.op("POST", "/api/v1/cases/" + std::to_string(id) + "/actions",
         {{"action", "assign"}, {"assignee", "w-east"}});
    REQUIRE(s.eventually([&] { return s.texts_to("o_w_east").size() == 2; }));
    CHECK(has(s.texts_to("o_w_east")[1], number));

    // The staff rows say whom they went to; the per-person rows are ordinary deliveries.
    std::map<std::string, std::string> via;
    for (const auto& row : s.outbox())
        if (row.n.audience == "worker") via[row.n.idempotency_key] = row.status;
    bool fanned = false;
    for (const auto& [key, status] : via) {
        INFO(key);
        CHECK(status != "dead");
        fanned = fanned || has(key, "/staff:w-east");
    }
    CHECK(fanned);

    // The operator API issues codes to staff members for their console too.
    const auto token = trimmed(admin("token issue " + s.db() + " --staff w-east-2").out);
    auto code = s.call("POST", "/api/v1/me/wechat-code", nullptr, "Bearer " + token, 200);
    REQUIRE(code.at("code").get<std::string>().size() == 8);
    CHECK(code.at("send") == "绑定工号 " + code.at("code").get<std::string>());
    CHECK(has(s.say("o_w_east_2", code.at("send").get<std::string>()), "张二"));
    s.call("POST", "/api/v1/me/wechat-code", nullptr, bearer(s.cfg), 409);  // not a staff row
    CHECK(admin("staff unbind " + s.db() + " --id w-east-2").code == 0);
    CHECK(admin("staff unbind " + s.db() + " --id w-east-2").code == 2);
}

TEST_CASE("a mini program resident gets subscribe messages on the credits their client reports",
          "[e2e][outbox][mp]") {
    scenario s("notify-mp");
    auto login = s.call("POST", "/mp/v1/login", {{"code", "code-sub-1"}}, "", 200);
    const std::string auth = "Bearer " + login.at("session").get<std::string>();
    const std::string openid = fake_wechat_server::openid_for_code("code-sub-1");

    auto before = s.call("GET", "/mp/v1/subscriptions", nullptr, auth, 200);
    CHECK(before.at("template_id") == progress_template);
    CHECK(before.at("credits") == 0);
    s.call("POST", "/mp/v1/subscriptions", {{"accepted", {"tmpl-other"}}}, auth, 400);
    s.call("POST", "/mp/v1/subscriptions", {{"accepted", "x"}}, auth, 400);
    s.call("POST", "/mp/v1/subscriptions", nullptr, "Bearer forged", 401);

    auto filed = s.call("POST", "/mp/v1/cases",
                        {{"request_id", "sub-1"},
                         {"description", "东城社区幸福路8号楼下的路灯坏了好几天，晚上很黑"},
                         {"kind", "complaint"}},
                        auth, 201);
    const std::string number = filed.at("number");
    adapters::db::reader r(s.cfg.db_path);
    const auto id = r.get_case_by_number(number)->id;
    const auto act = [&](const char* action) {
        s.op("POST", "/api/v1/cases/" + std::to_string(id) + "/actions", {{"action", action}});
    };

    // No credit: the notification waits, nothing is sent.
    act("accept");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(s.fake.count(subscribe_send) == 0);

    // The client reports one accepted subscription: the waiting notification goes out.
    auto one =
        s.call("POST", "/mp/v1/subscriptions", {{"accepted", {progress_template}}}, auth, 200);
    CHECK(one.at("credits") == 1);
    if (!s.eventually([&] { return s.subscribes_to(openid).size() == 1; })) {
        for (const auto& row : s.outbox())
            UNSCOPED_INFO(row.n.idempotency_key << " " << row.status << " " << row.last_error
                                                << " to " << (row.n.to ? row.n.to->user_id : ""));
        for (const auto& q : s.fake.received()) UNSCOPED_INFO(q.path << " " << q.answered_errcode);
        FAIL("no subscribe message");
    }
    auto sent = s.subscribes_to(openid)[0];
    CHECK(sent.at("template_id") == progress_template);
    CHECK(sent.at("page") == "pages/case/detail?number=" + number);
    CHECK(sent.at("data").at("character_string1").at("value") == number);
    CHECK(sent.at("data").at("thing3").at("value").get<std::string>().size() > 0);
    CHECK(s.call("GET", "/mp/v1/subscriptions", nullptr, auth, 200).at("credits") == 0);

    // Two changes while the user holds no credit: only the newer is sent on the next credit.
    REQUIRE(
        admin("staff add " + s.db() + " --id w-1 --name 王一 --role worker --community 东城社区")
            .code == 0);
    s.op("POST", "/api/v1/cases/" + std::to_string(id) + "/actions",
         {{"action", "assign"}, {"assignee", "w-1"}});
    act("start");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(s.subscribes_to(openid).size() == 1);
    s.call("POST", "/mp/v1/subscriptions", {{"accepted", {progress_template}}}, auth, 200);
    REQUIRE(s.eventually([&] { return s.subscribes_to(openid).size() == 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(s.subscribes_to(openid).size() == 2);
    int superseded = 0;
    for (const auto& row : s.outbox())
        if (row.n.to && row.n.to->from == dialog::channel::miniprogram && row.status == "dead")
            superseded += has(row.last_error, "superseded");
    CHECK(superseded == 1);

    // The platform says the user has no subscription after all (43101): the credit is
    // forgotten, the notification waits for the next one, and is then sent once.
    injection refuse;
    refuse.path = subscribe_send;
    refuse.errcode = 43101;
    s.fake.inject(refuse);
    act("report_done");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s.call("POST", "/mp/v1/subscriptions", {{"accepted", {progress_template}}}, auth, 200);
    REQUIRE(s.eventually([&] {
        int refused = 0;
        for (const auto& q : s.fake.received(subscribe_send))
            refused += q.answered_errcode == 43101;
        return refused == 1;
    }));
    REQUIRE(s.eventually([&] {
        return s.call("GET", "/mp/v1/subscriptions", nullptr, auth, 200).at("credits") == 0;
    }));
    s.call("POST", "/mp/v1/subscriptions", {{"accepted", {progress_template}}}, auth, 200);
    REQUIRE(s.eventually([&] { return s.subscribes_to(openid).size() == 3; }));

    // A 12345 caller who bound their phone only in the mini program hears the case number
    // there, on their credit.
    s.call("POST", "/mp/v1/phone", {{"code", "phone-13700137000"}}, auth, 200);
    s.call("POST", "/mp/v1/subscriptions", {{"accepted", {progress_template}}}, auth, 200);
    const auto called = hotline_call(s, "HL-MP-1", "13700137000");
    const bool reached = s.eventually([&] {
        for (const auto& m : s.subscribes_to(openid))
            if (m["data"]["character_string1"]["value"] == called) return true;
        return false;
    });
    if (!reached)
        for (const auto& row : s.outbox())
            UNSCOPED_INFO(row.n.idempotency_key << " " << row.status << " " << row.last_error);
    CHECK(reached);
}

TEST_CASE("a template message fills the template's own fields from the notification",
          "[e2e][outbox]") {
    sms_gateway sms;
    scenario s("notify-template", [&sms](gateway::config& c) {
        c.delivery.templates["hotline/case_opened"] = "tmpl-oa-case";
        c.delivery.template_fields["tmpl-oa-case"] = {
            {"character_string1", "number"}, {"thing2", "text"}, {"time3", "time"}};
        c.delivery.sms_webhook = sms.url();
    });
    CHECK(has(
        verify_phone_by_chat(
            sms, [&](const std::string& t) { return s.say("o_bound_caller", t); }, "13600136000"),
        "136****6000"));
    // The customer-service window is closed on the platform's side: the template goes out.
    injection closed;
    closed.path = custom_send;
    closed.errcode = 45015;
    s.fake.inject(closed);
    const auto number = hotline_call(s, "HL-TPL-1", "13600136000");
    REQUIRE(s.eventually([&] { return s.fake.count("/cgi-bin/message/template/send") == 1; }));
    const auto sent = s.fake.received("/cgi-bin/message/template/send")[0];
    CHECK(sent.answered_errcode == 0);
    CHECK(sent.json["touser"] == "o_bound_caller");
    CHECK(sent.json["template_id"] == "tmpl-oa-case");
    const auto& data = sent.json["data"];
    CHECK(data["character_string1"]["value"] == number);
    const auto thing = data["thing2"]["value"].get<std::string>();
    CHECK(dialog::count_code_points(thing) == 20);  // the notification, cut to fit
    CHECK(thing.substr(thing.size() - std::string("…").size()) == "…");
    CHECK(data["time3"]["value"].get<std::string>().size() == 16);  // 2026-12-02 10:30
    CHECK_FALSE(data.contains("first"));
}
