// Failed operator authentications are throttled per client address: the throttle on its own, and
// through the real gateway (clients on 127.0.0.1 and, bound to another loopback address,
// 127.0.0.2), with a small limit and a clock the test moves.

#include "gateway/server/auth_throttle.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/db/bearer_token.hpp"
#include "adapters/db/sessions.hpp"
#include "adapters/db/staff.hpp"
#include "tests/gateway/abuse_support.hpp"
#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

TEST_CASE("failed authentications are counted per address; admitting spends nothing", "[gateway]") {
    auto t = std::make_shared<std::atomic<std::int64_t>>(1000);
    gateway::auth_throttle throttle(3, [t] { return t->load(); });

    // Asking costs nothing: an address that never failed is always admitted.
    for (int i = 0; i < 100; ++i) REQUIRE(throttle.admit("10.0.0.1").allowed);
    for (int i = 0; i < 3; ++i) {
        CHECK(throttle.admit("10.0.0.1").allowed);
        throttle.failed("10.0.0.1");
    }
    auto refused = throttle.admit("10.0.0.1");
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after_seconds == 20);  // one try back every 60 / 3 s
    // Another address is not touched by the first one's failures.
    CHECK(throttle.admit("10.0.0.2").allowed);
    CHECK(throttle.admit("::1").allowed);
    throttle.failed("10.0.0.2");
    CHECK(throttle.admit("10.0.0.2").allowed);

    t->fetch_add(19);
    CHECK(throttle.admit("10.0.0.1").retry_after_seconds == 1);
    t->fetch_add(1);
    CHECK(throttle.admit("10.0.0.1").allowed);  // one more try
    throttle.failed("10.0.0.1");
    CHECK_FALSE(throttle.admit("10.0.0.1").allowed);
    t->fetch_add(60);
    CHECK(throttle.admit("10.0.0.1").allowed);
    CHECK_THROWS_AS(gateway::auth_throttle(0, [t] { return t->load(); }), std::invalid_argument);
}

TEST_CASE("wrong operator tokens from one address get 429 after the limit, valid ones never",
          "[e2e][staff]") {
    shifted_clock clock;
    auto cfg = test_config(security_mode::safe, temp_db_path("auth-throttle"));
    cfg.limits.auth_failures_per_minute = 3;
    running_gateway g(cfg, clock.fn());
    adapters::db::store db(g.cfg.db_path);
    adapters::db::staff_member m;
    m.id = "w-1";
    m.name = "王小东";
    m.role = "worker";
    m.community = "东城社区";
    adapters::db::save_staff(db, m, now_s());
    const std::string staff = adapters::db::issue_token(db, "w-1", 0, "t", now_s()).token;

    auto get_me = [&](const std::string& authorization) {
        std::map<std::string, std::string> h;
        if (!authorization.empty()) h["Authorization"] = authorization;
        return g.client().request("GET", "/api/v1/me", "", h);
    };
    const std::string op = bearer(g.cfg);

    // Successes spend nothing, however many; no credential at all is no guess either.
    for (int i = 0; i < 10; ++i) {
        REQUIRE(get_me(op).status == 200);
        REQUIRE(get_me("Bearer " + staff).status == 200);
        REQUIRE(get_me("").status == 401);
    }
    // Three wrong tokens (the bootstrap's shape, a staff token's, junk) are three failures...
    CHECK(get_me(op + "x").status == 401);
    CHECK(get_me("Bearer " + std::string(43, 'A')).status == 401);
    CHECK(get_me("Basic d3Jvbmc6d3Jvbmc=").status == 401);
    // ...after which the address waits, whatever it sends: the token is not even looked up.
    for (const auto& authorization : {op + "y", op, "Bearer " + staff}) {
        auto r = get_me(authorization);
        INFO(authorization << " → " << r.status << " " << r.body);
        CHECK(r.status == 429);
        // A minute's three tries come back one per 20 s, counted from the first failure: a slow
        // machine (the sanitizers) may have crossed a second since then.
        const int wait = std::stoi(r.headers["retry-after"]);
        CHECK(wait >= 15);
        CHECK(wait <= 20);
        CHECK(json::parse(r.body)["error"]["code"] == "rate_limited");
    }
    CHECK(metric(metrics_text(g.port), "minsheng_rate_limited_total{bucket=\"auth\"}") == 3);
    // Another address is served: the limit is per client.
    auto other = request_from("127.0.0.2", g.port, "GET", "/api/v1/me", "",
                              {{"Authorization", "Bearer " + staff}});
    CHECK(other.status == 200);
    // A try comes back 20 s later (the test's clock): the valid token is served again.
    clock.advance(20);
    CHECK(get_me("Bearer " + staff).status == 200);
}

TEST_CASE("unknown mini program session tokens from one address get 429 after the limit",
          "[e2e][mp]") {
    shifted_clock clock;
    auto cfg = test_config(security_mode::safe, temp_db_path("mp-auth-throttle"));
    cfg.limits.auth_failures_per_minute = 3;
    running_gateway g(cfg, clock.fn());
    // A signed-in resident: a session as login stores it (only the token's hash is kept).
    const std::string token = std::string(42, 'S') + "1";
    {
        adapters::db::store db(g.cfg.db_path);
        adapters::db::save_mp_session(
            db, {adapters::db::token_hash(token), "o-mp-1", "", now_s(), now_s() + 86400}, 0);
    }
    auto get_me = [&](const std::string& authorization) {
        std::map<std::string, std::string> h;
        if (!authorization.empty()) h["Authorization"] = authorization;
        return g.client().request("GET", "/mp/v1/profile", "", h);
    };

    for (int i = 0; i < 10; ++i) {
        REQUIRE(get_me("Bearer " + token).status == 200);
        REQUIRE(get_me("").status == 401);
    }
    // Tokens of the right shape that no login issued, and a malformed one, are guesses...
    CHECK(get_me("Bearer " + std::string(43, 'A')).status == 401);
    CHECK(get_me("Bearer " + std::string(43, 'B')).status == 401);
    CHECK(get_me("Bearer short").status == 401);
    // ...after which the address waits, even with the right token.
    auto r = get_me("Bearer " + token);
    CHECK(r.status == 429);
    const int wait = std::stoi(r.headers["retry-after"]);
    CHECK(wait >= 15);
    CHECK(wait <= 20);
    CHECK(json::parse(r.body)["error"]["code"] == "rate_limited");
    CHECK(metric(metrics_text(g.port), "minsheng_rate_limited_total{bucket=\"mp_auth\"}") == 1);
    // Another address is served.
    CHECK(request_from("127.0.0.2", g.port, "GET", "/mp/v1/profile", "",
                       {{"Authorization", "Bearer " + token}})
              .status == 200);
    clock.advance(20);
    CHECK(get_me("Bearer " + token).status == 200);
}
