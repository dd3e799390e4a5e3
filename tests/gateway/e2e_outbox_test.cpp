// End-to-end: notifications written by case changes reach (a fake of) WeChat's API through the
// outbox worker — exactly once per notification, through 5xx outages, token expiry and a
// gateway restart — with a real SQLite file and the real encrypted official-account protocol.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/db/store.hpp"
#include "gateway/server/http_server.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/gateway/sms_fake.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using tools::fake_wechat::fake_wechat_server;
using tools::fake_wechat::injection;

namespace {

constexpr const char* custom_send = "/cgi-bin/message/custom/send";
constexpr const char* resident = "o_outbox_resident";
constexpr const char* volunteer = "o_outbox_volunteer";

// A gateway whose outbox worker talks to a fake WeChat API; restartable on the same file.
struct delivery_scenario {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    gateway::config cfg;
    std::unique_ptr<gateway::app> app;
    std::unique_ptr<wechat_peer> wx;

    explicit delivery_scenario(const std::string& tag)
        : cfg(test_config(security_mode::safe, temp_db_path(tag))) {
        cfg.delivery.base_url = fake.base_url();
        cfg.delivery.appid = fake.config().appid;
        cfg.delivery.secret = fake.config().secret;
        cfg.delivery.poll_interval_ms = 20;
        cfg.delivery.retry_base_ms = 1;  // retry at the next poll: the tests wait for recovery
        cfg.delivery.max_attempts = 1000;
        cfg.delivery.request_timeout_ms = 2000;
        start();
    }
    ~delivery_scenario() {
        stop();
        for (const char* suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(cfg.db_path + suffix);
    }

    void start() {
        app = std::make_unique<gateway::app>(cfg);
        app->start();
        wx = std::make_unique<wechat_peer>(cfg, app->endpoint().port());
    }
    void stop() {
        wx.reset();
        if (!app) return;
        app->stop();
        app->wait();
        app.reset();
    }

    void say(const std::string& user, const std::string& text) {
        REQUIRE(wx->say(user, text).status == 200);
    }

    // A resident files a wish by chat; a volunteer registers and claims it.
    void wish_claimed() {
        say(resident,
            "我是独居老人，希望有好心人帮我每周买一次菜。我住光明社区5栋，电话13800138000");
        const auto number = newest_case_number();
        say(volunteer, "我要当志愿者");
        say(volunteer, "光明社区");
        auto applied = wx->say(volunteer, "会买菜、陪老人聊天");
        REQUIRE(applied.status == 200);
        approve_volunteer(cfg, app->endpoint().port(), application_in(applied.reply.text));
        say(volunteer, "认领 " + number);
    }

    std::string newest_case_number() {
        adapters::db::reader r(cfg.db_path);
        adapters::db::case_filter f;
        f.limit = 1;
        auto cases = r.list_cases(f);
        REQUIRE(cases.size() == 1);
        return cases[0].number;
    }

    // Outbox rows addressed to an official-account user (no staff is bound in these scenarios).
    std::vector<adapters::db::outbox_row> person_rows() {
        adapters::db::reader r(cfg.db_path);
        adapters::db::outbox_filter f;
        f.limit = 1000;
        std::vector<adapters::db::outbox_row> out;
        for (auto& row : r.list_outbox(f))
            if (row.n.to && row.n.to->from == dialog::channel::wechat_oa) out.push_back(row);
        return out;
    }

    // Polls the database until every person row is delivered, or `timeout` passes.
    bool all_delivered(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto rows = person_rows();
            bool done = !rows.empty();
            for (const auto& row : rows) done = done && row.status == "delivered";
            if (done) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    // Customer-service messages the fake accepted, per (openid, text).
    std::map<std::pair<std::string, std::string>, int> accepted_sends() const {
        std::map<std::pair<std::string, std::string>, int> out;
        for (const auto& r : fake.received(custom_send))
            if (r.answered_status == 200 && r.answered_errcode == 0)
                ++out[{r.json["touser"].get<std::string>(),
                       r.json["text"]["content"].get<std::string>()}];
        return out;
    }

    // Every person row reached the fake exactly once; returns how many rows there were.
    std::size_t check_each_delivered_once() {
        const auto sends = accepted_sends();
        const auto rows = person_rows();
        std::size_t total = 0;
        for (const auto& row : rows) {
            INFO(row.n.idempotency_key);
            CHECK(row.status == "delivered");
            auto it = sends.find({row.n.to->user_id, row.n.text});
            CHECK((it == sends.end() ? 0 : it->second) == 1);
        }
        for (const auto& [key, n] : sends) total += static_cast<std::size_t>(n);
        CHECK(total == rows.size());
        return rows.size();
    }

    bool resident_notified() {
        for (const auto& [key, n] : accepted_sends())
            if (key.first == resident) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("a claimed wish's notification reaches the resident once, inside the window",
          "[e2e][outbox]") {
    delivery_scenario s("outbox-claim");
    s.wish_claimed();
    REQUIRE(s.all_delivered());
    CHECK(s.resident_notified());
    CHECK(s.check_each_delivered_once() >= 1);
    CHECK(s.fake.count("/cgi-bin/message/template/send") == 0);  // inside the window
    CHECK(s.app->stats().notifications_delivered.value("customer_service") >= 1);
}

TEST_CASE("after the API fails with 5xx for a while, every notification arrives exactly once",
          "[e2e][outbox]") {
    delivery_scenario s("outbox-5xx");
    injection outage;
    outage.path = custom_send;
    outage.http_status = 503;
    outage.times = 5;
    s.fake.inject(outage);
    s.wish_claimed();
    REQUIRE(s.all_delivered());
    std::size_t refused = 0;
    for (const auto& r : s.fake.received(custom_send)) refused += r.answered_status == 503;
    CHECK(refused == 5);
    CHECK(s.resident_notified());
    s.check_each_delivered_once();
    CHECK(s.app->stats().notifications_failed.value("http_status") == 5);
}

TEST_CASE("a token expiring mid-stream costs one refresh and no notification", "[e2e][outbox]") {
    delivery_scenario s("outbox-token");
    injection stale;
    stale.path = custom_send;
    stale.errcode = 40001;  // also revokes the token the request carried
    s.fake.inject(stale);
    s.wish_claimed();
    REQUIRE(s.all_delivered());
    CHECK(s.fake.count("/cgi-bin/stable_token") == 2);
    CHECK(s.resident_notified());
    s.check_each_delivered_once();
}

TEST_CASE("notifications pending when the gateway stops are delivered by the next one, once",
          "[e2e][outbox]") {
    delivery_scenario s("outbox-restart");
    injection down;
    down.path = custom_send;
    down.http_status = 503;
    down.times = -1;
    s.fake.inject(down);
    s.wish_claimed();
    REQUIRE(s.fake.wait_for(custom_send, 3, std::chrono::seconds(10)));
    s.stop();
    const auto pending = s.person_rows();
    REQUIRE_FALSE(pending.empty());
    for (const auto& row : pending) CHECK(row.status == "pending");
    CHECK(s.accepted_sends().empty());

    s.fake.clear_injections();
    s.start();
    REQUIRE(s.all_delivered());
    CHECK(s.check_each_delivered_once() == pending.size());
}

namespace {

// The caller says `text`; two callers saying the same of one place are one case with a follower
// (one problem, one case), so callers that need a case each say different things.
std::string signed_call(
    gateway::app& app, const std::string& secret, const std::string& call_id,
    const std::string& phone,
    const std::string& text = "和平路12号旁边的下水道井盖丢了，很危险，请尽快处理。") {
    std::string body = nlohmann::json{{"call_id", call_id},
                                      {"caller", {{"phone", phone}}},
                                      {"turns", {{{"speaker", "caller"}, {"text", text}}}}}
                           .dump();
    gateway::http_client http("127.0.0.1", app.endpoint().port());
    auto res = http.request("POST", "/hotline/transcripts", body,
                            signed_hotline_headers(secret, "/hotline/transcripts", body));
    REQUIRE(res.status == 200);
    auto r = nlohmann::json::parse(res.body)["results"][0];
    REQUIRE(r["status"] == "accepted");
    return r["cases"][0]["number"].get<std::string>();
}

}  // namespace

TEST_CASE("a caller without WeChat hears the case number through the SMS webhook, once",
          "[e2e][outbox][hotline]") {
    sms_gateway sms;
    delivery_scenario s("outbox-sms");
    s.stop();
    const std::string secret = "hotline-outbox-secret-0123456789";
    s.cfg.hotline.secrets["default"] = secret;
    s.cfg.delivery.sms_webhook = sms.url();
    s.start();

    const std::string number = signed_call(*s.app, secret, "CALL-SMS-1", "13700137000");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (sms.seen().empty() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a second send would show
    auto seen = sms.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0]["phone"] == "13700137000");
    CHECK(seen[0]["text"].get<std::string>().find(number) != std::string::npos);
    CHECK(seen[0]["idempotency_key"].is_string());
    CHECK(s.fake.count(custom_send) == 0);  // nothing went to WeChat for an unbound caller
}

TEST_CASE("a notification the platform refuses for good is dead, visible to operators",
          "[e2e][outbox]") {
    delivery_scenario s("outbox-dead");
    // The platform refuses this user for good (40003: invalid openid), every time.
    injection refuse;
    refuse.path = custom_send;
    refuse.errcode = 40003;
    refuse.times = -1;
    s.fake.inject(refuse);
    s.wish_claimed();

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::size_t dead = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        dead = 0;
        for (const auto& row : s.person_rows()) dead += row.status == "dead";
        if (dead > 0 && dead == s.person_rows().size()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(dead > 0);
    CHECK(dead == s.person_rows().size());
    for (const auto& row : s.person_rows()) {
        CHECK(row.last_error.find("40003") != std::string::npos);
        CHECK(row.attempts == 1);  // permanent: not retried
    }
    gateway::http_client http("127.0.0.1", s.app->endpoint().port());
    auto res =
        http.request("GET", "/api/v1/outbox?status=dead", "", {{"Authorization", bearer(s.cfg)}});
    REQUIRE(res.status == 200);
    // The residents' and the volunteer's rows; the workers' notice of the volunteer application
    // (nobody bound to receive it) is dead for its own reason.
    std::size_t dead_to_people = 0;
    const auto listed = nlohmann::json::parse(res.body);
    for (const auto& n : listed["notifications"])
        dead_to_people += n["audience"] != "worker" ? 1 : 0;
    CHECK(dead_to_people == dead);
    CHECK(s.app->stats().render().find("minsheng_notifications_dead_total") != std::string::npos);
}

TEST_CASE(
    "a 12345 caller who verified their phone in chat gets the case number on WeChat; "
    "a number merely typed reaches nobody",
    "[e2e][outbox][hotline]") {
    sms_gateway sms;
    delivery_scenario s("outbox-hotline");
    // Stop, add a hotline secret and the SMS gateway, start again on the same file.
    s.stop();
    const std::string secret = "hotline-outbox-secret-0123456789";
    s.cfg.hotline.secrets["default"] = secret;
    s.cfg.delivery.sms_webhook = sms.url();
    s.start();

    // The owner verifies 139…: the code goes to the phone by SMS, never to WeChat.
    const std::string bound = "o_outbox_bound";
    auto say_as = [&](const std::string& user) {
        return [&s, user](const std::string& text) { return s.wx->say(user, text).reply.text; };
    };
    s.say(bound, "綁定手機 139-0013-9000");  // Traditional, with dashes
    const std::string code = sms.code_sent_to("13900139000");
    REQUIRE(code.size() == 6);
    for (const auto& [key, n] : s.accepted_sends())
        CHECK(key.second.find(code) == std::string::npos);
    CHECK(say_as(bound)("验证码 " + code).find("验证成功") != std::string::npos);

    // Someone else types the other caller's number and never verifies it (they cannot: the
    // code went to that phone).
    const std::string typer = "o_outbox_typer";
    CHECK(say_as(typer)("绑定手机 13700137000").find("137****7000") != std::string::npos);
    CHECK(say_as(typer)("验证码 000000").find("不对") != std::string::npos);

    const std::string number = signed_call(*s.app, secret, "CALL-BOUND-1", "13900139000");
    const std::string other = signed_call(*s.app, secret, "CALL-UNBOUND-1", "13700137000",
                                          "光明街的路灯坏了，晚上很黑，请尽快修理。");
    REQUIRE(other != number);

    // The verified caller hears the number on WeChat, once.
    bool told = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!told && std::chrono::steady_clock::now() < deadline) {
        for (const auto& [key, n] : s.accepted_sends())
            if (key.first == bound && key.second.find(number) != std::string::npos) {
                told = true;
                CHECK(n == 1);
            }
        if (!told) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(told);
    // The other caller hears theirs by SMS on their own phone; the typer gets nothing of it.
    bool texted = false;
    const auto sms_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!texted && std::chrono::steady_clock::now() < sms_deadline) {
        for (const auto& t : sms.texts_to("13700137000"))
            texted = texted || t.find(other) != std::string::npos;
        if (!texted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(texted);
    for (const auto& [key, n] : s.accepted_sends()) {
        CHECK(key.second.find(other) == std::string::npos);
        if (key.first == typer) CHECK(key.second.find("CALL-UNBOUND") == std::string::npos);
    }
    // Operators never read a verification code in the outbox.
    auto http = gateway::http_client("127.0.0.1", s.app->endpoint().port());
    auto outbox =
        http.request("GET", "/api/v1/outbox?limit=1000", "", {{"Authorization", bearer(s.cfg)}});
    REQUIRE(outbox.status == 200);
    CHECK(outbox.body.find(code) == std::string::npos);
}
