// The access token shared by processes (shared_token.hpp): api_clients that share one
// token_share (as gateways share the database row) against the fake WeChat API over real HTTP.
// The row itself, on both engines, is tested in store_shared_tokens_test.cpp.

#include "adapters/wechat_api/shared_token.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "adapters/wechat_api/api_client.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng::adapters::wechat_api;
namespace fw = minsheng::tools::fake_wechat;
using namespace std::chrono_literals;

namespace {

constexpr const char* token_path = "/cgi-bin/token";
constexpr const char* stable_path = "/cgi-bin/stable_token";
constexpr const char* custom_path = "/cgi-bin/message/custom/send";

// The shared row in memory, with the database's semantics.
class memory_share : public token_share {
public:
    std::optional<value> current(std::int64_t now) override {
        std::unique_lock lock(mu_);
        check();
        if (after_read) {  // another process acts right after this read
            auto act = std::move(after_read);
            after_read = nullptr;
            lock.unlock();
            act();
            lock.lock();
            return std::nullopt;  // what the read saw before
        }
        if (token_.empty() || expires_at_ <= now) return std::nullopt;
        return value{token_, expires_at_};
    }
    bool try_begin_fetch(std::int64_t now, std::int64_t lease, std::int64_t fresh_until) override {
        std::lock_guard lock(mu_);
        check();
        if (held_forever || fetching_until_ > now || expires_at_ >= fresh_until) return false;
        fetching_until_ = now + lease;
        ++leases;
        return true;
    }
    void abandon_fetch() override {
        std::lock_guard lock(mu_);
        fetching_until_ = 0;
    }
    void publish(const std::string& token, std::int64_t expires_at) override {
        std::lock_guard lock(mu_);
        check();
        token_ = token;
        expires_at_ = expires_at;
        fetching_until_ = 0;
        ++publishes;
    }
    bool expire_if(const std::string& token) override {
        std::lock_guard lock(mu_);
        check();
        if (token_ != token || expires_at_ == 0) return false;
        expires_at_ = 0;
        return true;
    }
    std::string token() {
        std::lock_guard lock(mu_);
        return token_;
    }

    std::function<void()> after_read;  // once: runs after the next read
    bool broken = false;               // every call throws, as a database that is down
    bool held_forever = false;         // another process holds the lease and never publishes
    int leases = 0, publishes = 0;

private:
    void check() const {
        if (broken) throw std::runtime_error("store: the database is down");
    }
    std::mutex mu_;
    std::string token_;
    std::int64_t expires_at_ = 0;
    std::int64_t fetching_until_ = 0;
};

api_config shared_config(const fw::fake_wechat_server& fake, std::shared_ptr<token_share> share) {
    api_config c;
    c.base_url = fake.base_url();
    c.appid = fake.config().appid;
    c.secret = fake.config().secret;
    c.tokens = token_source::client_credential;  // each fetch replaces the last token
    c.connect_timeout = 2s;
    c.request_timeout = 3s;
    c.shared_token = std::move(share);
    c.share_policy.poll = 20ms;
    c.share_policy.wait = 2s;
    return c;
}

std::string token_of(const fw::received_request& r) {
    auto it = r.query.find("access_token");
    return it == r.query.end() ? std::string() : it->second;
}

}  // namespace

TEST_CASE("Two clients sharing the token, eight threads each at once: one fetch between them",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake{fw::fake_config{}};
    fw::injection slow;  // the first fetch is still in flight when everyone else arrives
    slow.path = token_path;
    slow.delay = 300ms;
    fake.inject(slow);
    auto share = std::make_shared<memory_share>();
    api_client a(shared_config(fake, share)), b(shared_config(fake, share));

    constexpr int n = 16;
    std::latch start(n);
    std::vector<api_result> results(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            results[i] = (i % 2 ? a : b).send_custom_text("oResident" + std::to_string(i), "通知");
        });
    for (auto& t : threads) t.join();
    for (const auto& r : results) {
        INFO(describe(r));
        CHECK(r.ok);
    }
    CHECK(fake.count(token_path) == 1);
    std::set<std::string> tokens;
    for (const auto& r : fake.received(custom_path)) tokens.insert(token_of(r));
    CHECK(tokens.size() == 1);
    CHECK(share->publishes == 1);
}

TEST_CASE(
    "A token the platform expired is fetched again once for both clients; the late "
    "failure of the old one does not expire the new one",
    "[adapters][wechat_api]") {
    fw::fake_wechat_server fake{fw::fake_config{}};
    auto share = std::make_shared<memory_share>();
    api_client a(shared_config(fake, share)), b(shared_config(fake, share));
    REQUIRE(a.send_custom_text("oA", "1").ok);
    REQUIRE(b.send_custom_text("oB", "1").ok);
    REQUIRE(fake.count(token_path) == 1);
    const auto old_token = share->token();

    fake.expire_tokens();
    // a: 42001, expires the shared row, fetches, retries.
    REQUIRE(a.send_custom_text("oA", "2").ok);
    CHECK(fake.count(token_path) == 2);
    const auto fresh = share->token();
    CHECK(fresh != old_token);
    // b still holds the old token: 42001, its compare-and-expire leaves the fresh row, and it
    // takes the fresh token without fetching.
    REQUIRE(b.send_custom_text("oB", "2").ok);
    CHECK(fake.count(token_path) == 2);
    CHECK(share->token() == fresh);
    CHECK(token_of(fake.received(custom_path).back()) == fresh);
    CHECK_FALSE(b.report_invalid_token(old_token));
    CHECK(share->current(0));
}

TEST_CASE("A shared store that fails falls back to fetching from the platform",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake{fw::fake_config{}};
    auto share = std::make_shared<memory_share>();
    share->broken = true;
    api_client a(shared_config(fake, share));
    auto r = a.send_custom_text("oA", "照发");
    INFO(describe(r));
    CHECK(r.ok);
    CHECK(fake.count(token_path) == 1);
}

TEST_CASE("A fetcher that never publishes: the others wait, then fetch on their own",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake{fw::fake_config{}};
    auto share = std::make_shared<memory_share>();
    share->held_forever = true;
    auto cfg = shared_config(fake, share);
    cfg.share_policy.wait = 300ms;
    api_client a(cfg);
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(a.send_custom_text("oA", "等").ok);
    CHECK(std::chrono::steady_clock::now() - started >= 300ms);
    CHECK(fake.count(token_path) == 1);
    CHECK(share->publishes == 1);  // what it fetched is shared all the same
}

TEST_CASE("A shared value with little left is refreshed by one client; the others keep it",
          "[adapters][wechat_api]") {
    fw::fake_wechat_server fake{fw::fake_config{}};
    auto share = std::make_shared<memory_share>();
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    // Published by another gateway; valid, but due (less than refresh_below left).
    share->publish("other-gateways-token", now + 120);
    api_client a(shared_config(fake, share));
    const auto t = a.access_token();
    REQUIRE(t.ok());
    CHECK(fake.count(token_path) == 1);  // a refreshed it...
    CHECK(share->token() == t.token);    // ...and published the new one
    CHECK(t.token != "other-gateways-token");

    // Fresh enough: taken without asking the platform.
    auto share2 = std::make_shared<memory_share>();
    share2->publish("fresh-token", now + 7000);
    api_client b(shared_config(fake, share2));
    CHECK(b.access_token().token == "fresh-token");
    CHECK(fake.count(token_path) == 1);
    CHECK(fake.count(stable_path) == 0);
}

TEST_CASE(
    "A value another process publishes between the read and the try is taken, not "
    "fetched again",
    "[adapters][wechat_api]") {
    fw::fake_wechat_server fake{fw::fake_config{}};
    auto share = std::make_shared<memory_share>();
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    share->after_read = [&] { share->publish("published-meanwhile", now + 7200); };
    api_client a(shared_config(fake, share));
    CHECK(a.access_token().token == "published-meanwhile");
    CHECK(fake.count(token_path) == 0);
    CHECK(share->leases == 0);
}
