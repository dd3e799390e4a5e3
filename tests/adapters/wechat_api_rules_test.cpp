// The pure parts of the WeChat API client: subscribe/template field rules, the channel choice,
// the token cache's refresh policy, single flight and compare-and-expire (on a fake clock), and
// base-URL parsing.

#include "adapters/wechat_api/token_cache.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/wechat_api/api_client.hpp"
#include "adapters/wechat_api/channel.hpp"
#include "adapters/wechat_api/detail/url.hpp"
#include "adapters/wechat_api/message_fields.hpp"

using namespace minsheng::adapters::wechat_api;
using namespace std::chrono_literals;

namespace {

std::string repeat(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

bool fits(std::string_view key, std::string_view value) { return !check_field(key, value); }

}  // namespace

TEST_CASE("Field types come from the key's letters", "[adapters][wechat_api]") {
    CHECK(field_type("thing1") == "thing");
    CHECK(field_type("character_string12") == "character_string");
    CHECK(field_type("phone_number3") == "phone_number");
    CHECK(field_type("first") == "first");
    CHECK(field_type("1thing").empty());
    CHECK(field_type("thing1a").empty());
    CHECK(field_type("Thing1").empty());
    CHECK(field_type("").empty());
}

TEST_CASE("Subscribe field lengths follow the platform's rules", "[adapters][wechat_api]") {
    CHECK(fits("thing1", repeat("灯", 20)));
    CHECK_FALSE(fits("thing1", repeat("灯", 21)));
    CHECK(fits("thing1", repeat("a", 20)));
    CHECK_FALSE(fits("thing1", ""));

    CHECK(fits("number2", repeat("9", 32)));
    CHECK_FALSE(fits("number2", repeat("9", 33)));
    CHECK(fits("number2", "12.5"));
    CHECK_FALSE(fits("number2", "1.2.3"));
    CHECK_FALSE(fits("number2", "12a"));

    CHECK(fits("letter3", repeat("x", 32)));
    CHECK_FALSE(fits("letter3", repeat("x", 33)));
    CHECK_FALSE(fits("letter3", "ab1"));

    CHECK(fits("symbol4", "%$#@!"));
    CHECK_FALSE(fits("symbol4", "%$#@!&"));
    CHECK_FALSE(fits("symbol4", "a"));

    CHECK(fits("character_string5", "MS-2026-" + repeat("0", 24)));
    CHECK_FALSE(fits("character_string5", "MS-2026-" + repeat("0", 25)));
    CHECK_FALSE(fits("character_string5", "工单1"));

    CHECK(fits("phone_number6", "+86 138-0000-0000"));  // 17
    CHECK_FALSE(fits("phone_number6", "+86 138-0000-00001"));
    CHECK_FALSE(fits("phone_number6", "call me"));

    CHECK(fits("car_number7", "粤S12345"));
    CHECK(fits("car_number7", "粤S1234学"));
    CHECK_FALSE(fits("car_number7", "粤S1234567"));
    CHECK_FALSE(fits("car_number7", "粤S粤345"));

    CHECK(fits("name8", repeat("王", 10)));
    CHECK_FALSE(fits("name8", repeat("王", 11)));
    CHECK(fits("name8", repeat("w", 20)));
    CHECK_FALSE(fits("name8", repeat("w", 21)));
    CHECK_FALSE(fits("name8", "王" + repeat("w", 10)));  // mixed counts as Chinese

    CHECK(fits("phrase9", "已完成"));
    CHECK(fits("phrase9", repeat("办", 5)));
    CHECK_FALSE(fits("phrase9", repeat("办", 6)));
    CHECK_FALSE(fits("phrase9", "done"));

    CHECK(fits("time10", "2026年2月13日 15:01"));
    CHECK(fits("date11", "2026-02-13 ~ 2026-02-20"));
    CHECK_FALSE(fits("time10", "明天下午"));

    CHECK(fits("amount12", "¥100.50"));
    CHECK(fits("amount12", "100元"));
    CHECK(fits("amount12", "$" + repeat("9", 10)));
    CHECK_FALSE(fits("amount12", "$" + repeat("9", 11)));
    CHECK_FALSE(fits("amount12", "一百元"));

    CHECK(fits("enum13", "任意"));
    CHECK_FALSE(fits("enum13", ""));
    CHECK_FALSE(fits("thing1", "line\nbreak"));
}

TEST_CASE("A value cut inside a character is refused, wherever the cut falls",
          "[adapters][wechat_api]") {
    const std::string value = "路灯😀修复";  // 3-, 3-, 4-, 3-, 3-byte characters
    std::size_t boundaries = 0;
    for (std::size_t cut = 1; cut < value.size(); ++cut) {
        const bool on_boundary = (static_cast<unsigned char>(value[cut]) & 0xC0) != 0x80;
        INFO("cut at " << cut);
        CHECK(fits("thing1", value.substr(0, cut)) == on_boundary);
        boundaries += on_boundary;
    }
    CHECK(boundaries == 4);
    CHECK(fits("thing1", value));
}

TEST_CASE("Whole subscribe and template data sets are checked", "[adapters][wechat_api]") {
    CHECK(check_subscribe_data({}).has_value());
    CHECK_FALSE(check_subscribe_data({{"thing1", "路灯"}, {"time2", "15:01"}}).has_value());
    auto why = check_subscribe_data({{"thing1", "路灯"}, {"thing2", repeat("长", 21)}});
    REQUIRE(why);
    CHECK(*why == "data.thing2.value invalid: more than 20 characters");
    CHECK(check_subscribe_data({{"Bad-Key", "x"}}).has_value());

    // Legacy template keys only need valid UTF-8; typed ones follow the rules.
    CHECK_FALSE(
        check_template_data({{"first", ""}, {"keyword1", repeat("长", 50)}, {"remark", "谢谢"}})
            .has_value());
    CHECK(check_template_data({{"thing3", repeat("长", 21)}}).has_value());
    CHECK(check_template_data({{"first", "\xFF"}}).has_value());
    CHECK(check_template_data({{"key-1", "x"}}).has_value());
}

TEST_CASE("Customer service inside the 48-hour, 5-message window; else the fallback",
          "[adapters][wechat_api]") {
    const auto now = std::chrono::system_clock::now();
    recipient_state oa;
    CHECK(choose_channel(oa, now) == channel::template_message);  // never wrote to us
    oa.last_inbound = now - 47h;
    CHECK(choose_channel(oa, now) == channel::customer_service);
    oa.service_messages_since = 4;
    CHECK(choose_channel(oa, now) == channel::customer_service);
    oa.service_messages_since = 5;
    CHECK(choose_channel(oa, now) == channel::template_message);
    oa.service_messages_since = 0;
    oa.last_inbound = now - 48h;
    CHECK(choose_channel(oa, now) == channel::template_message);
    oa.last_inbound = now - 48h + 1min;  // inside, but within the safety margin
    CHECK(choose_channel(oa, now) == channel::template_message);
    CHECK(choose_channel(oa, now, service_window{48h, 5, 0s}) == channel::customer_service);

    recipient_state mp;
    mp.account = account_kind::mini_program;
    mp.last_inbound = now - 1h;
    CHECK(choose_channel(mp, now) == channel::customer_service);
    mp.last_inbound = now - 72h;
    CHECK(choose_channel(mp, now) == channel::subscribe_message);
}

TEST_CASE("Only 45015 and 45047 from the platform trigger the fallback", "[adapters][wechat_api]") {
    api_result r;
    r.kind = failure::platform;
    for (int code : {45015, 45047}) {
        r.errcode = code;
        CHECK(should_fall_back(r));
    }
    for (int code : {40001, 45009, 40003, -1}) {
        r.errcode = code;
        CHECK_FALSE(should_fall_back(r));
    }
    api_result timeout;
    timeout.kind = failure::timeout;
    CHECK_FALSE(should_fall_back(timeout));
}

namespace {

// A token source on a hand-moved clock.
struct token_fixture {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
    int calls = 0;
    bool fail = false;
    std::chrono::seconds expires_in{7200};
    token_cache cache{[this] {
                          ++calls;
                          token_grant g;
                          if (fail) {
                              g.result.kind = failure::http_status;
                              g.result.http_status = 503;
                              g.result.retryable = true;
                              return g;
                          }
                          g.result.ok = true;
                          g.token = "T" + std::to_string(calls);
                          g.expires_in = expires_in;
                          return g;
                      },
                      token_policy{}, [this] { return now; }};
};

}  // namespace

TEST_CASE("The token is refreshed at 80 percent of its lifetime", "[adapters][wechat_api]") {
    token_fixture f;
    CHECK(f.cache.get().token == "T1");
    f.now += 5759s;
    CHECK(f.cache.get().token == "T1");
    CHECK(f.calls == 1);
    f.now += 2s;
    CHECK(f.cache.get().token == "T2");
    CHECK(f.calls == 2);
    CHECK(f.cache.fetches() == 2);
}

TEST_CASE("A short-lived token is refreshed 5 minutes before its end", "[adapters][wechat_api]") {
    token_fixture f;
    f.expires_in = 1200s;  // 80 % = 960 s, but 5 minutes before the end = 900 s comes first
    CHECK(f.cache.get().token == "T1");
    f.now += 899s;
    CHECK(f.cache.get().token == "T1");
    f.now += 2s;
    CHECK(f.cache.get().token == "T2");
}

TEST_CASE("A failed early refresh keeps the valid token and backs off", "[adapters][wechat_api]") {
    token_fixture f;
    REQUIRE(f.cache.get().token == "T1");
    f.now += 6000s;  // refresh due, token still valid
    f.fail = true;
    auto kept = f.cache.get();
    CHECK(kept.ok());
    CHECK(kept.token == "T1");
    CHECK(f.calls == 2);
    CHECK(f.cache.get().token == "T1");  // within the back-off: no new attempt
    CHECK(f.calls == 2);
    f.now += 2s;
    CHECK(f.cache.get().token == "T1");
    CHECK(f.calls == 3);

    // Past its end, the failure itself is returned.
    f.now += 1200s;
    auto gone = f.cache.get();
    CHECK_FALSE(gone.ok());
    CHECK(gone.result.token_failure);
    CHECK(gone.result.http_status == 503);
    CHECK(gone.token.empty());
    f.fail = false;
    f.now += 2s;
    CHECK(f.cache.get().ok());
}

TEST_CASE("expire_if drops the cached token only when it is the one given",
          "[adapters][wechat_api]") {
    token_fixture f;
    REQUIRE(f.cache.get().token == "T1");
    CHECK(f.cache.expire_if("T1"));
    REQUIRE(f.cache.get().token == "T2");
    CHECK_FALSE(f.cache.expire_if("T1"));  // a late report about the old token
    CHECK_FALSE(f.cache.expire_if(""));
    CHECK(f.cache.get().token == "T2");
    CHECK(f.calls == 2);
}

TEST_CASE("Callers that find no token while a fetch runs wait for it instead of fetching",
          "[adapters][wechat_api]") {
    std::mutex mu;
    std::condition_variable cv;
    int clock_reads = 0;
    std::atomic<int> calls{0};
    std::promise<void> entered;
    std::promise<void> release;
    auto released = release.get_future().share();
    token_cache cache(
        [&] {
            if (calls.fetch_add(1) == 0) {
                entered.set_value();
                released.wait();
            }
            token_grant g;
            g.result.ok = true;
            g.token = "ONLY";
            g.expires_in = 7200s;
            return g;
        },
        token_policy{},
        [&] {
            std::lock_guard lock(mu);
            ++clock_reads;
            cv.notify_all();
            return std::chrono::steady_clock::time_point(std::chrono::hours(1));
        });

    constexpr int waiters = 7;
    auto first = std::async(std::launch::async, [&] { return cache.get(); });
    REQUIRE(entered.get_future().wait_for(10s) == std::future_status::ready);
    std::vector<std::future<token_lookup>> others;
    for (int i = 0; i < waiters; ++i)
        others.push_back(std::async(std::launch::async, [&] { return cache.get(); }));
    {
        // Every waiter has looked at the cache (the clock is read under its lock) and found no
        // token, before the fetch is allowed to finish.
        std::unique_lock lock(mu);
        REQUIRE(cv.wait_for(lock, 10s, [&] { return clock_reads >= 1 + waiters; }));
    }
    release.set_value();
    CHECK(first.get().token == "ONLY");
    for (auto& o : others) CHECK(o.get().token == "ONLY");
    CHECK(calls.load() == 1);
    CHECK(cache.fetches() == 1);
}

TEST_CASE("Base URLs are parsed strictly", "[adapters][wechat_api]") {
    using minsheng::adapters::wechat_api::detail::parse_base_url;
    auto wx = parse_base_url("https://api.weixin.qq.com");
    REQUIRE(wx);
    CHECK(wx->tls);
    CHECK(wx->host == "api.weixin.qq.com");
    CHECK(wx->port == "443");
    CHECK(wx->prefix.empty());
    auto local = parse_base_url("http://127.0.0.1:8081/wx/");
    REQUIRE(local);
    CHECK_FALSE(local->tls);
    CHECK(local->port == "8081");
    CHECK(local->prefix == "/wx");
    CHECK(minsheng::adapters::wechat_api::detail::host_header(*local) == "127.0.0.1:8081");
    auto v6 = parse_base_url("http://[::1]:9000");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(minsheng::adapters::wechat_api::detail::host_header(*v6) == "[::1]:9000");
    CHECK_FALSE(parse_base_url("ftp://x"));
    CHECK_FALSE(parse_base_url("https://user@host"));
    CHECK_FALSE(parse_base_url("https://host:0"));
    CHECK_FALSE(parse_base_url("https://host:70000"));
    CHECK_FALSE(parse_base_url("https://host/x?y=1"));
    CHECK_FALSE(parse_base_url("https://"));
    CHECK_THROWS_AS(api_client(api_config{}), std::invalid_argument);  // no appid/secret
    api_config bad;
    bad.appid = "wx";
    bad.secret = "s";
    bad.base_url = "api.weixin.qq.com";
    CHECK_THROWS_AS(api_client(bad), std::invalid_argument);
}
