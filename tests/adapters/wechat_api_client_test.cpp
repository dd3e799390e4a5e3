// api_client against the fake WeChat API over real HTTP on 127.0.0.1: token caching and
// single flight, stale tokens, retryable failures, the channel fallback, local refusal of bad
// subscribe fields, code2session, and the fake's own HTTP control API.

#include "adapters/wechat_api/api_client.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <latch>
#include <set>
#include <thread>
#include <vector>

#include "adapters/wechat_api/http_transport.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng::adapters::wechat_api;
namespace fw = minsheng::tools::fake_wechat;
using namespace std::chrono_literals;

namespace {

constexpr const char* stable_path = "/cgi-bin/stable_token";
constexpr const char* token_path = "/cgi-bin/token";
constexpr const char* custom_path = "/cgi-bin/message/custom/send";
constexpr const char* template_path = "/cgi-bin/message/template/send";
constexpr const char* subscribe_path = "/cgi-bin/message/subscribe/send";

fw::fake_config fake_config() {
    fw::fake_config c;
    c.appid = "wxtest0000000001";
    c.secret = "test-secret-do-not-log-0000001";
    return c;
}

api_config client_config(const fw::fake_wechat_server& fake) {
    api_config c;
    c.base_url = fake.base_url();
    c.appid = fake.config().appid;
    c.secret = fake.config().secret;
    c.connect_timeout = 2s;
    c.request_timeout = 3s;
    return c;
}

std::string token_of(const fw::received_request& r) {
    auto it = r.query.find("access_token");
    return it == r.query.end() ? std::string() : it->second;
}

template_message case_update_template() {
    template_message m;
    m.template_id = "TPL-case-update";
    m.data = {{"character_string1", "MS-2026-000123"}, {"thing2", "路灯已修复"}};
    return m;
}

}  // namespace

TEST_CASE("A token is fetched once and reused for many sends", "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    for (int i = 0; i < 20; ++i) {
        auto r = client.send_custom_text("oResident0001", "您的工单已受理 " + std::to_string(i));
        INFO(describe(r));
        REQUIRE(r.ok);
    }
    CHECK(fake.count(stable_path) == 1);
    CHECK(fake.count(token_path) == 0);
    const auto sends = fake.received(custom_path);
    REQUIRE(sends.size() == 20);
    std::set<std::string> tokens;
    for (const auto& s : sends) tokens.insert(token_of(s));
    CHECK(tokens.size() == 1);
    CHECK(sends[3].json["text"]["content"] == "您的工单已受理 3");
    CHECK(sends[3].json["touser"] == "oResident0001");
}

TEST_CASE("The client_credential source fetches with GET /cgi-bin/token",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    auto cfg = client_config(fake);
    cfg.tokens = token_source::client_credential;
    api_client client(cfg);
    REQUIRE(client.send_custom_text("oResident0001", "一").ok);
    REQUIRE(client.send_custom_text("oResident0001", "二").ok);
    CHECK(fake.count(token_path) == 1);
    CHECK(fake.count(stable_path) == 0);
    const auto fetch = fake.received(token_path).at(0);
    CHECK(fetch.method == "GET");
    CHECK(fetch.query.at("grant_type") == "client_credential");
    CHECK(fetch.query.at("appid") == fake.config().appid);
}

TEST_CASE("Eight threads sending at once with an empty cache cause exactly one token fetch",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    // A slow token endpoint keeps the first fetch in flight while the others arrive.
    fw::injection slow;
    slow.path = stable_path;
    slow.delay = 300ms;
    fake.inject(slow);
    api_client client(client_config(fake));

    constexpr int n = 8;
    std::latch start(n);
    std::vector<api_result> results(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            results[i] = client.send_custom_text("oResident000" + std::to_string(i), "通知");
        });
    for (auto& t : threads) t.join();
    for (const auto& r : results) {
        INFO(describe(r));
        CHECK(r.ok);
    }
    CHECK(fake.count(stable_path) == 1);
    CHECK(fake.count(custom_path) == n);
}

TEST_CASE("A 40001 mid-stream causes one re-fetch and one retry, and the message is delivered",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    for (int i = 0; i < 3; ++i) REQUIRE(client.send_custom_text("oResident0001", "前").ok);
    REQUIRE(fake.count(stable_path) == 1);

    fw::injection stale;
    stale.path = custom_path;
    stale.errcode = 40001;
    fake.inject(stale);
    auto r = client.send_custom_text("oResident0001", "重试的消息");
    INFO(describe(r));
    REQUIRE(r.ok);

    CHECK(fake.count(stable_path) == 2);
    const auto sends = fake.received(custom_path);
    REQUIRE(sends.size() == 5);  // 3 before, the refused one, the retry
    CHECK(sends[3].answered_errcode == 40001);
    CHECK(sends[4].answered_errcode == 0);
    CHECK(sends[4].json["text"]["content"] == "重试的消息");
    CHECK(token_of(sends[4]) != token_of(sends[3]));

    // Later sends use the new token without fetching again.
    REQUIRE(client.send_custom_text("oResident0001", "后").ok);
    CHECK(fake.count(stable_path) == 2);
    CHECK(token_of(fake.received(custom_path).back()) == token_of(sends[4]));
}

TEST_CASE("A token refused again after the one retry is reported, not retried further",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    fw::injection stale;
    stale.path = custom_path;
    stale.errcode = 42001;
    stale.times = 2;
    fake.inject(stale);
    auto r = client.send_custom_text("oResident0001", "消息");
    CHECK_FALSE(r.ok);
    CHECK(r.kind == failure::platform);
    CHECK(r.errcode == 42001);
    CHECK_FALSE(r.retryable);
    CHECK(fake.count(custom_path) == 2);
    CHECK(fake.count(stable_path) == 2);
}

TEST_CASE("A late stale-token failure of an old token does not expire the fresh one",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    const auto old_token = client.access_token();
    REQUIRE(old_token.ok());

    // The platform expires every token: the next send gets 42001, re-fetches, retries.
    fake.expire_tokens();
    auto r = client.send_custom_text("oResident0001", "过期后");
    INFO(describe(r));
    REQUIRE(r.ok);
    REQUIRE(fake.count(stable_path) == 2);
    const auto fresh = client.access_token();
    REQUIRE(fresh.ok());
    REQUIRE(fresh.token != old_token.token);

    // Another worker that had used the old token reports its failure only now.
    CHECK_FALSE(client.report_invalid_token(old_token.token));
    REQUIRE(client.send_custom_text("oResident0001", "再发一条").ok);
    CHECK(client.access_token().token == fresh.token);
    CHECK(fake.count(stable_path) == 2);

    // Reporting the current token does expire it: the next caller fetches again (and, since
    // the platform still holds it valid, stable_token answers with the same token).
    CHECK(client.report_invalid_token(fresh.token));
    CHECK(client.access_token().ok());
    CHECK(fake.count(stable_path) == 3);
}

TEST_CASE("5xx answers are reported as retryable failures", "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    REQUIRE(client.access_token().ok());

    fw::injection unavailable;
    unavailable.path = custom_path;
    unavailable.http_status = 503;
    fake.inject(unavailable);
    auto r = client.send_custom_text("oResident0001", "消息");
    CHECK_FALSE(r.ok);
    CHECK(r.kind == failure::http_status);
    CHECK(r.http_status == 503);
    CHECK(r.retryable);
    CHECK(fake.count(custom_path) == 1);

    // The same on the token endpoint: nothing is sent, the caller may retry.
    client.report_invalid_token(client.access_token().token);
    fw::injection token_down;
    token_down.path = stable_path;
    token_down.http_status = 502;
    fake.inject(token_down);
    auto t = client.send_custom_text("oResident0001", "消息");
    CHECK_FALSE(t.ok);
    CHECK(t.token_failure);
    CHECK(t.http_status == 502);
    CHECK(t.retryable);
    CHECK(fake.count(custom_path) == 1);
}

TEST_CASE("errcode -1 (busy) is retryable; 45009 (quota) and argument errors are not",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    auto with_errcode = [&](int errcode) {
        fw::injection i;
        i.path = template_path;
        i.errcode = errcode;
        fake.inject(i);
        auto m = case_update_template();
        m.touser = "oResident0001";
        return client.send_template(m);
    };
    auto busy = with_errcode(-1);
    CHECK(busy.kind == failure::platform);
    CHECK(busy.errcode == -1);
    CHECK(busy.retryable);
    auto quota = with_errcode(45009);
    CHECK(quota.errcode == 45009);
    CHECK_FALSE(quota.retryable);
    auto bad_template = with_errcode(40037);
    CHECK(bad_template.errcode == 40037);
    CHECK_FALSE(bad_template.retryable);
}

TEST_CASE("A request the server never answers times out, retryable, and the next one works",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    auto cfg = client_config(fake);
    cfg.request_timeout = 300ms;
    api_client client(cfg);
    REQUIRE(client.access_token().ok());

    fw::injection hang;
    hang.path = custom_path;
    hang.hang = true;
    fake.inject(hang);
    const auto started = std::chrono::steady_clock::now();
    auto r = client.send_custom_text("oResident0001", "消息");
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK_FALSE(r.ok);
    CHECK(r.kind == failure::timeout);
    CHECK(r.retryable);
    CHECK(r.http_status == 0);
    CHECK(took < 3s);
    // Nothing secret in what a caller would log.
    const auto line = describe(r);
    CHECK(line.find(fake.config().secret) == std::string::npos);
    CHECK(line.find(client.access_token().token) == std::string::npos);

    auto next = client.send_custom_text("oResident0001", "下一条");
    INFO(describe(next));
    CHECK(next.ok);
}

TEST_CASE("A slow answer within the timeout is delivered", "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    fw::injection slow;
    slow.path = custom_path;
    slow.delay = 200ms;
    fake.inject(slow);
    auto r = client.send_custom_text("oResident0001", "慢");
    INFO(describe(r));
    CHECK(r.ok);
}

TEST_CASE("A connection closed without an answer is a retryable transport failure",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    REQUIRE(client.access_token().ok());
    fw::injection drop;
    drop.path = custom_path;
    drop.close = true;
    fake.inject(drop);
    auto r = client.send_custom_text("oResident0001", "消息");
    CHECK_FALSE(r.ok);
    CHECK(r.kind == failure::transport);
    CHECK(r.retryable);
    CHECK(fake.count(custom_path) == 1);  // a POST is never resent behind the caller's back
}

TEST_CASE("Nothing listening is a retryable transport failure", "[adapters][wechat_api]") {
    unsigned short port = 0;
    std::string appid;
    std::string secret;
    {
        fw::fake_wechat_server fake(fake_config());
        port = fake.port();
        appid = fake.config().appid;
        secret = fake.config().secret;
    }
    api_config cfg;
    cfg.base_url = "http://127.0.0.1:" + std::to_string(port);
    cfg.appid = appid;
    cfg.secret = secret;
    api_client client(cfg);
    auto r = client.send_custom_text("oResident0001", "消息");
    CHECK_FALSE(r.ok);
    CHECK(r.kind == failure::transport);
    CHECK(r.token_failure);
    CHECK(r.retryable);
}

TEST_CASE("A wrong secret is a token failure and nothing is sent", "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    auto cfg = client_config(fake);
    cfg.secret = "not-the-secret";
    cfg.token_policy.retry_backoff = 60s;
    api_client client(cfg);
    auto r = client.send_custom_text("oResident0001", "消息");
    CHECK_FALSE(r.ok);
    CHECK(r.token_failure);
    CHECK(r.errcode == 40125);
    CHECK_FALSE(r.retryable);
    CHECK(describe(r).find("not-the-secret") == std::string::npos);
    // Within the back-off the failure is shared, not fetched again.
    CHECK_FALSE(client.send_custom_text("oResident0001", "消息").ok);
    CHECK(fake.count(stable_path) == 1);
    CHECK(fake.count(custom_path) == 0);
}

TEST_CASE("45015 from a customer-service send falls back to the template message",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    const auto now = std::chrono::system_clock::now();
    recipient_state who;
    who.account = account_kind::official_account;
    who.last_inbound = now - 1h;  // inside the window as far as we know
    who.service_messages_since = 1;
    notice what;
    what.openid = "oResident0001";
    what.text = "您的工单 MS-2026-000123 已处理完毕";
    what.template_fallback = case_update_template();

    fw::injection closed;
    closed.path = custom_path;
    closed.errcode = 45015;
    fake.inject(closed);
    auto d = client.notify(who, what, now);
    INFO(describe(d.result));
    CHECK(d.fell_back);
    CHECK(d.used == channel::template_message);
    REQUIRE(d.result.ok);
    CHECK(d.result.msgid.has_value());
    CHECK(fake.count(custom_path) == 1);
    const auto sent = fake.received(template_path);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].json["touser"] == "oResident0001");
    CHECK(sent[0].json["template_id"] == "TPL-case-update");
    CHECK(sent[0].json["data"]["thing2"]["value"] == "路灯已修复");

    // Without an injection the customer-service message goes through as it is.
    auto direct = client.notify(who, what, now);
    CHECK(direct.result.ok);
    CHECK_FALSE(direct.fell_back);
    CHECK(direct.used == channel::customer_service);
    CHECK(fake.count(template_path) == 1);
}

TEST_CASE("45047 on a mini program falls back to the subscribe message", "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    const auto now = std::chrono::system_clock::now();
    recipient_state who;
    who.account = account_kind::mini_program;
    who.last_inbound = now - 5min;
    notice what;
    what.openid = "oResident0002";
    what.text = "进度更新";
    subscribe_message s;
    s.template_id = "SUB-progress";
    s.page = "pages/case/detail?id=123";
    s.data = {{"thing1", "路灯维修"}, {"phrase2", "已完成"}};
    what.subscribe_fallback = s;

    fw::injection count_used;
    count_used.path = custom_path;
    count_used.errcode = 45047;
    fake.inject(count_used);
    auto d = client.notify(who, what, now);
    CHECK(d.fell_back);
    CHECK(d.used == channel::subscribe_message);
    CHECK(d.result.ok);
    const auto sent = fake.received(subscribe_path);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].json["page"] == "pages/case/detail?id=123");
    CHECK(sent[0].json["touser"] == "oResident0002");
}

TEST_CASE("Outside the window the template message is sent without trying customer service",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    const auto now = std::chrono::system_clock::now();
    recipient_state who;
    who.last_inbound = now - 49h;
    notice what;
    what.openid = "oResident0001";
    what.text = "不会以客服消息发出";
    what.template_fallback = case_update_template();
    auto d = client.notify(who, what, now);
    CHECK(d.result.ok);
    CHECK(d.used == channel::template_message);
    CHECK_FALSE(d.fell_back);
    CHECK(fake.count(custom_path) == 0);
    CHECK(fake.count(template_path) == 1);

    // A notice without the needed fallback is refused, not sent some other way.
    what.template_fallback.reset();
    auto none = client.notify(who, what, now);
    CHECK(none.result.kind == failure::invalid_request);
    CHECK(fake.count(custom_path) == 0);
}

TEST_CASE("Template messages carry url, miniprogram and client_msg_id", "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    auto m = case_update_template();
    m.touser = "oResident0001";
    m.url = "https://example.org/case/123";
    m.miniprogram = miniprogram_link{"wxmini000000001", "pages/case/detail?id=123"};
    m.client_msg_id = "case-123-closed";
    auto r = client.send_template(m);
    REQUIRE(r.ok);
    CHECK(r.msgid.has_value());
    const auto sent = fake.received(template_path).at(0).json;
    CHECK(sent["url"] == "https://example.org/case/123");
    CHECK(sent["miniprogram"]["appid"] == "wxmini000000001");
    CHECK(sent["miniprogram"]["pagepath"] == "pages/case/detail?id=123");
    CHECK(sent["client_msg_id"] == "case-123-closed");
    CHECK(sent["data"]["character_string1"]["value"] == "MS-2026-000123");
}

TEST_CASE("Subscribe fields that are too long are refused without sending",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    subscribe_message s;
    s.touser = "oResident0001";
    s.template_id = "SUB-progress";
    s.data = {{"thing1", "幸福小区三栋门口的路灯坏了一个星期了请尽快"}, {"phrase2", "处理中"}};
    REQUIRE(s.data["thing1"].size() == 21 * 3);
    auto r = client.send_subscribe(s);
    CHECK_FALSE(r.ok);
    CHECK(r.kind == failure::invalid_request);
    CHECK(r.errmsg.find("data.thing1.value") != std::string::npos);
    CHECK_FALSE(r.retryable);

    s.data["thing1"] = "幸福小区三栋门口的路灯坏了一个星期了请尽";  // 20 characters
    s.data["phrase2"] = "正在处理中啊";                             // 6 characters
    auto phrase = client.send_subscribe(s);
    CHECK(phrase.kind == failure::invalid_request);
    CHECK(phrase.errmsg.find("data.phrase2.value") != std::string::npos);
    CHECK(fake.count(subscribe_path) == 0);
    CHECK(fake.count(stable_path) == 0);  // not even a token was fetched

    s.data["phrase2"] = "处理中";
    auto ok = client.send_subscribe(s);
    INFO(describe(ok));
    CHECK(ok.ok);
    CHECK(fake.count(subscribe_path) == 1);
}

TEST_CASE("Bad template data and empty recipients are refused without sending",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    auto m = case_update_template();
    m.touser = "oResident0001";
    m.data["character_string1"] = std::string(33, '1');
    CHECK(client.send_template(m).kind == failure::invalid_request);
    m = case_update_template();
    CHECK(client.send_template(m).kind == failure::invalid_request);  // no touser
    CHECK(client.send_custom_text("", "消息").kind == failure::invalid_request);
    CHECK(client.send_custom_text("oResident0001", "").kind == failure::invalid_request);
    CHECK(client.send_custom_text("oResident0001", "\xE6\xB6").kind == failure::invalid_request);
    CHECK(fake.received().empty());
}

TEST_CASE("code2session returns the openid, unionid and the session key",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    api_client client(client_config(fake));
    auto s = client.code2session("081xYz000abc");
    INFO(describe(s.result));
    REQUIRE(s.result.ok);
    CHECK(s.openid == fw::fake_wechat_server::openid_for_code("081xYz000abc"));
    CHECK(s.unionid == fw::fake_wechat_server::unionid_for_code("081xYz000abc"));
    CHECK(s.session_key == fw::fake_wechat_server::session_key_for_code("081xYz000abc"));
    CHECK(s.session_key.size() == 24);
    const auto req = fake.received("/sns/jscode2session").at(0);
    CHECK(req.query.at("grant_type") == "authorization_code");
    CHECK(req.query.at("js_code") == "081xYz000abc");
    CHECK(fake.count(stable_path) == 0);  // no access_token involved

    // A code works once.
    auto again = client.code2session("081xYz000abc");
    CHECK_FALSE(again.result.ok);
    CHECK(again.result.errcode == 40163);
    CHECK(again.session_key.empty());
    CHECK(client.code2session("").result.kind == failure::invalid_request);
}

TEST_CASE("The transport reuses one kept-alive connection", "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    transport_config cfg;
    cfg.base_url = fake.base_url();
    http_transport http(cfg);
    for (int i = 0; i < 5; ++i) {
        auto r = http.get("/fake/received");
        REQUIRE(r.ok());
        CHECK(r.status == 200);
    }
    CHECK(http.connections_opened() == 1);
}

TEST_CASE("A GET whose kept-alive connection closes unanswered is tried once more",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    transport_config cfg;
    cfg.base_url = fake.base_url();
    http_transport http(cfg);
    const std::string target = "/sns/jscode2session?appid=" + fake.config().appid +
                               "&secret=" + fake.config().secret + "&grant_type=authorization_code";
    REQUIRE(http.get(target + "&js_code=first").status == 200);
    fw::injection drop;
    drop.path = "/sns/jscode2session";
    drop.close = true;
    fake.inject(drop);
    auto r = http.get(target + "&js_code=second");
    INFO(r.error_message);
    REQUIRE(r.ok());
    CHECK(r.status == 200);
    CHECK(fake.count("/sns/jscode2session") == 3);
    CHECK(http.connections_opened() == 2);
}

TEST_CASE("The fake is programmable over HTTP", "[adapters][wechat_api]") {
    fw::fake_wechat_server fake(fake_config());
    transport_config tcfg;
    tcfg.base_url = fake.base_url();
    http_transport control(tcfg);
    api_client client(client_config(fake));

    auto injected = control.post_json(
        "/fake/inject", R"({"path":"/cgi-bin/message/custom/send","errcode":45015,"times":2})");
    REQUIRE(injected.status == 200);
    CHECK(client.send_custom_text("oResident0001", "一").errcode == 45015);
    CHECK(client.send_custom_text("oResident0001", "二").errcode == 45015);
    CHECK(client.send_custom_text("oResident0001", "三").ok);

    REQUIRE(control.post_json("/fake/inject", R"({"path":"*","http_status":503})").status == 200);
    CHECK(client.send_custom_text("oResident0001", "四").http_status == 503);

    REQUIRE(control.post_json("/fake/inject", R"({"expire_tokens":true})").status == 200);
    CHECK(client.send_custom_text("oResident0001", "五").ok);
    CHECK(fake.count(stable_path) == 2);

    auto bad = control.post_json("/fake/inject", R"({"path":"*","times":"many"})");
    CHECK(bad.status == 400);

    auto list = control.get("/fake/received?path=%2Fcgi-bin%2Fmessage%2Fcustom%2Fsend");
    REQUIRE(list.status == 200);
    auto j = nlohmann::json::parse(list.body);
    REQUIRE(j["requests"].size() == 6);  // 五 was refused once (42001) and retried
    CHECK(j["requests"][0]["answered_errcode"] == 45015);
    CHECK(j["requests"][0]["body"]["text"]["content"] == "一");
    CHECK(j["requests"][4]["answered_errcode"] == 42001);
}
