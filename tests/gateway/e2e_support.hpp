#pragma once
// End-to-end test support: a real gateway on 127.0.0.1:0 with a temporary SQLite file, and a
// client that plays WeChat's servers through the real signed/encrypted protocol.

#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "adapters/db/store.hpp"
#include "adapters/hotline/auth.hpp"
#include "adapters/wechat_oa/client_codec.hpp"
#include "gateway/server/app.hpp"
#include "gateway/server/config.hpp"
#include "gateway/server/http_client.hpp"
#include "gateway/server/metrics.hpp"

namespace minsheng::test {

// What a run of the real minsheng-admin printed on stdout (stderr is dropped) and its exit code.
struct cli_result {
    int code = -1;
    std::string out;
};

// The test gateways' code secret ([store] code_secret): the admin program keys the staff
// binding codes it issues with it too, as a deployment gives both the same configuration.
inline constexpr const char* test_code_secret = "e2e-code-secret-0123456789abcdef-0123";

// Runs the real minsheng-admin (built beside the tests) with `args`, already shell-quoted, with
// the test gateways' code secret in its environment.
inline cli_result admin(const std::string& args) {
    const std::string cmd = std::string("MINSHENG_CODE_SECRET=") + test_code_secret + " " +
                            MINSHENG_BIN_DIR + "/minsheng-admin " + args + " 2>/dev/null";
    cli_result r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("cannot run " + cmd);
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) r.out += buf;
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// s without its trailing line breaks.
inline std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

inline std::string temp_db_path(const std::string& tag) {
    static std::atomic<int> seq{0};
    auto p = std::filesystem::temp_directory_path() /
             ("minsheng-e2e-" + tag + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(seq++) + ".db");
    return p.string();
}

inline std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

inline gateway::config test_config(adapters::wechat_oa::security_mode mode, const std::string& db) {
    gateway::config c;
    c.host = "127.0.0.1";
    c.port = 0;
    c.threads = 2;
    c.db_path = db;
    c.templates_dir = MINSHENG_SOURCE_DIR "/templates";
    c.models_dir = MINSHENG_SOURCE_DIR "/models";
    c.program.calendar_dir = MINSHENG_SOURCE_DIR "/calendar";
    c.body_limit = 64 * 1024;
    c.log_level = "off";
    c.operator_token = "test-operator-token-for-e2e-tests-only";
    c.store.code_secret = test_code_secret;
    c.wechat.token = "e2e-token";
    c.wechat.appid = "wxe2e00000000001";
    c.wechat.encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    c.wechat.mode = mode;
    return c;
}

// A running gateway; stops and removes its database on destruction.
struct running_gateway {
    gateway::config cfg;
    gateway::app app;
    unsigned short port;

    explicit running_gateway(gateway::config c, std::function<std::int64_t()> now = {})
        : cfg(c), app(c, std::move(now)), port(0) {
        app.start();
        port = app.endpoint().port();
    }
    ~running_gateway() {
        app.stop();
        app.wait();
        for (const char* suffix : {"", "-wal", "-shm"})
            std::filesystem::remove(cfg.db_path + suffix);
    }
    gateway::http_client client() const { return gateway::http_client("127.0.0.1", port); }
};

// Plays WeChat: builds a push, posts it, decodes the reply.
struct wechat_peer {
    adapters::wechat_oa::oa_client_codec codec;
    gateway::http_client http;
    std::string account = "gh_e2e";

    // WeChat's clock: the gateway's when a test moves that (the signature's timestamp must be
    // within the gateway's window).
    std::function<std::int64_t()> clock;

    wechat_peer(
        const gateway::config& c, unsigned short port,
        std::function<std::int64_t()> now = [] { return now_s(); })
        : codec(c.wechat), http("127.0.0.1", port), clock(std::move(now)) {}

    struct result {
        int status = 0;
        std::string raw;
        dialog::reply reply;
    };

    result post(const adapters::wechat_oa::client_request& req) {
        auto res = http.request("POST", req.target("/wechat/oa"), req.body);
        result out{res.status, res.body, {}};
        if (res.status == 200) {
            auto decoded = codec.decode_reply(res.body, req.query.at("nonce"));
            if (auto* r = std::get_if<adapters::wechat_oa::client_reply>(&decoded))
                out.reply = r->reply;
            else
                out.status = -1;  // a reply the client could not verify or decrypt
        }
        return out;
    }
    result say(const std::string& user, const std::string& text, const std::string& msg_id = "") {
        auto t = clock();
        return post(codec.text({account, user, text, t, msg_id}, t));
    }
    result event(const std::string& user, const std::string& name, const std::string& key = "") {
        auto t = clock();
        return post(codec.event({account, user, name, key, t}, t));
    }
};

inline std::string bearer(const gateway::config& c) { return "Bearer " + c.operator_token; }

// The headers of a 12345 POST of `body` to `target` ("/hotline/transcripts?call_id=..."), signed
// v2 with `secret` as a hotline system signs it, timestamped now + skew.
inline std::map<std::string, std::string> signed_hotline_headers(
    const std::string& secret, const std::string& target, const std::string& body,
    const std::string& content_type = "application/json", std::int64_t skew = 0) {
    const auto ts = std::to_string(now_s() + skew);
    return {{"Content-Type", content_type},
            {"X-Minsheng-Timestamp", ts},
            {"X-Minsheng-Signature",
             adapters::hotline::sign_v2(secret, "POST", target, content_type, ts, body)}};
}

// The volunteer application number ("ZY12") a reply names; "" when none.
inline std::string application_in(const std::string& text) {
    const auto at = text.find("ZY");
    if (at == std::string::npos) return "";
    std::size_t end = at + 2;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    return end > at + 2 ? text.substr(at, end - at) : "";
}

// The bootstrap operator (an admin) approves a volunteer application through the operator API.
inline void approve_volunteer(const gateway::config& cfg, unsigned short port,
                              const std::string& application) {
    REQUIRE_FALSE(application.empty());
    gateway::http_client http("127.0.0.1", port);
    auto res = http.request("POST", "/api/v1/volunteers/" + application + "/approve", "",
                            {{"Authorization", bearer(cfg)}});
    INFO(res.body);
    REQUIRE(res.status == 200);
}

// Marks `phone` verified for `who` in the gateway's database, as a code sent back would: for
// tests whose subject is not the verification (e2e_phone_test covers that) but needs it, such as
// a vote (docs/security.md, "one person, one vote").
inline void verify_phone_in_db(const gateway::config& cfg, const dialog::person_ref& who,
                               const std::string& phone) {
    adapters::db::store db(cfg.db_path);
    db.run([&](dialog::unit_of_work& uow) {
        auto p = uow.get_person(who).value_or(dialog::person{});
        p.who = who;
        p.phone = phone;
        p.phone_verified_at = now_s();
        p.updated_at = now_s();
        uow.save_person(p);
    });
}

// A clock the test can move forward: the real time plus an offset.
struct shifted_clock {
    std::shared_ptr<std::atomic<std::int64_t>> offset =
        std::make_shared<std::atomic<std::int64_t>>(0);
    std::function<std::int64_t()> fn() const {
        return [o = offset] { return now_s() + o->load(); };
    }
    void advance(std::int64_t seconds) { offset->fetch_add(seconds); }
};

}  // namespace minsheng::test
