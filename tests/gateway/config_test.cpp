#include "gateway/server/config.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "tests/gateway/e2e_support.hpp"

using namespace minsheng::gateway;
using minsheng::adapters::wechat_oa::security_mode;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
    auto p = std::filesystem::temp_directory_path() / name;
    std::ofstream(p) << text;
    return p.string();
}
}  // namespace

TEST_CASE("with nothing configured the gateway uses development credentials in safe mode",
          "[gateway]") {
    auto c = load_config(std::nullopt, {});
    CHECK(c.using_dev_credentials);
    CHECK(c.wechat.mode == security_mode::safe);
    CHECK(c.wechat.encoding_aes_key.size() == 43);
    CHECK(c.host == "127.0.0.1");
    CHECK(c.port == 8080);
}

TEST_CASE("the environment overrides the file", "[gateway]") {
    auto file = write_temp("minsheng-config-test.toml", R"(
listen = "127.0.0.1:9000"
db = "from-file.db"
[wechat]
token = "file-token"
mode = "plain"
)");
    auto c = load_config(file, {{"MINSHENG_LISTEN", "127.0.0.1:0"},
                                {"MINSHENG_DB", "env.db"},
                                {"MINSHENG_OPERATOR_TOKEN", std::string(32, 'o')}});
    CHECK(c.port == 0);
    CHECK(c.db_path == "env.db");
    CHECK(c.operator_token == std::string(32, 'o'));
    CHECK(c.wechat.token == "file-token");
    CHECK(c.wechat.mode == security_mode::plain);
    CHECK_FALSE(c.using_dev_credentials);
    std::filesystem::remove(file);
}

TEST_CASE("setting an AES key selects safe mode and requires an appid and 43 characters",
          "[gateway]") {
    std::string key(43, 'a');
    auto c = load_config(std::nullopt, {{"MINSHENG_WECHAT_TOKEN", "t"},
                                        {"MINSHENG_WECHAT_AES_KEY", key},
                                        {"MINSHENG_WECHAT_APPID", "wx1"}});
    CHECK(c.wechat.mode == security_mode::safe);
    CHECK_THROWS_AS(load_config(std::nullopt, {{"MINSHENG_WECHAT_TOKEN", "t"},
                                               {"MINSHENG_WECHAT_AES_KEY", "short"},
                                               {"MINSHENG_WECHAT_APPID", "wx1"}}),
                    config_error);
    CHECK_THROWS_AS(load_config(std::nullopt,
                                {{"MINSHENG_WECHAT_TOKEN", "t"}, {"MINSHENG_WECHAT_AES_KEY", key}}),
                    config_error);
}

TEST_CASE("plain mode is only ever chosen: a token without a key and without mode fails to load",
          "[gateway]") {
    // It used to fall back to plain mode, which authenticates no message body.
    CHECK_THROWS_WITH(
        load_config(std::nullopt, {{"MINSHENG_WECHAT_TOKEN", "t"}}),
        Catch::Contains("wechat.mode = \"plain\"") && Catch::Contains("MINSHENG_WECHAT_AES_KEY"));
    auto file = write_temp("minsheng-config-plain.toml", "[wechat]\ntoken = \"t\"\n");
    CHECK_THROWS_AS(load_config(file, {}), config_error);
    // Chosen in the file or the environment, it loads.
    CHECK(load_config(file, {{"MINSHENG_WECHAT_MODE", "plain"}}).wechat.mode ==
          security_mode::plain);
    std::filesystem::remove(file);
    file = write_temp("minsheng-config-plain.toml", "[wechat]\ntoken = \"t\"\nmode = \"plain\"\n");
    CHECK(load_config(file, {}).wechat.mode == security_mode::plain);
    std::filesystem::remove(file);
    // The built-in development credentials carry a key: safe mode, as before.
    CHECK(load_config(std::nullopt, {}).wechat.mode == security_mode::safe);
}

TEST_CASE("hotline systems allowed the legacy signature must have a secret", "[gateway]") {
    auto file = write_temp("minsheng-config-legacy.toml", R"(
[hotline]
legacy_signature = ["city-12345"]
replay_capacity = 500
[hotline.secrets]
city-12345 = "city-hotline-secret-0123"
other = "other-hotline-secret-0123"
)");
    auto c = load_config(file, {});
    CHECK(c.hotline.legacy_signature == std::set<std::string>{"city-12345"});
    CHECK(c.hotline.replay_capacity == 500);
    std::filesystem::remove(file);
    CHECK(load_config(std::nullopt, {}).hotline.legacy_signature.empty());

    file =
        write_temp("minsheng-config-legacy.toml", "[hotline]\nlegacy_signature = [\"nobody\"]\n");
    CHECK_THROWS_WITH(load_config(file, {}), Catch::Contains("nobody"));
    std::filesystem::remove(file);
    file = write_temp("minsheng-config-legacy.toml", "[hotline]\nreplay_capacity = 0\n");
    CHECK_THROWS_WITH(load_config(file, {}), Catch::Contains("replay_capacity"));
    std::filesystem::remove(file);
}

TEST_CASE("bad settings are refused with a message naming them", "[gateway]") {
    CHECK_THROWS_WITH(load_config(std::nullopt, {{"MINSHENG_LISTEN", "nohostport"}}),
                      Catch::Contains("listen"));
    CHECK_THROWS_WITH(load_config(std::nullopt, {{"MINSHENG_LISTEN", "127.0.0.1:70000"}}),
                      Catch::Contains("port"));
    CHECK_THROWS_WITH(load_config(std::nullopt, {{"MINSHENG_THREADS", "zero"}}),
                      Catch::Contains("MINSHENG_THREADS"));
    CHECK_THROWS_WITH(load_config(std::nullopt, {{"MINSHENG_WECHAT_MODE", "open"}}),
                      Catch::Contains("mode"));
    auto file = write_temp("minsheng-config-bad.toml", "listen = [1,2\n");
    CHECK_THROWS_AS(load_config(file, {}), config_error);
    std::filesystem::remove(file);
}

TEST_CASE("listen addresses parse, including IPv6 in brackets", "[gateway]") {
    CHECK(parse_listen("0.0.0.0:80") == std::pair<std::string, std::uint16_t>{"0.0.0.0", 80});
    CHECK(parse_listen("[::1]:8080") == std::pair<std::string, std::uint16_t>{"::1", 8080});
    CHECK_THROWS_AS(parse_listen("[::1]8080"), config_error);
}

TEST_CASE("a bootstrap operator token shorter than 32 characters is refused at load", "[gateway]") {
    // Empty: no bootstrap operator at all (staff tokens only).
    CHECK(load_config(std::nullopt, {}).operator_token.empty());
    CHECK(load_config(std::nullopt, {{"MINSHENG_OPERATOR_TOKEN", std::string(32, 'x')}})
              .operator_token.size() == 32);
    for (const std::string& short_token : {std::string("op"), std::string(31, 'x')}) {
        INFO(short_token);
        CHECK_THROWS_WITH(load_config(std::nullopt, {{"MINSHENG_OPERATOR_TOKEN", short_token}}),
                          Catch::Contains("operator_token") && Catch::Contains("32 characters"));
    }
    auto file = write_temp("minsheng-config-short-token.toml", "operator_token = \"secret\"\n");
    CHECK_THROWS_WITH(load_config(file, {}), Catch::Contains("operator_token"));
    std::filesystem::remove(file);
    // What `minsheng-admin token` prints is long enough.
    auto printed = minsheng::test::admin("token");
    REQUIRE(printed.code == 0);
    const auto token = minsheng::test::trimmed(printed.out);
    CHECK(token.size() >= min_operator_token);
    CHECK(load_config(std::nullopt, {{"MINSHENG_OPERATOR_TOKEN", token}}).operator_token == token);
}

TEST_CASE("failed operator authentications per address and minute come from [limits]",
          "[gateway]") {
    CHECK(load_config(std::nullopt, {}).limits.auth_failures_per_minute == 10);
    auto file = write_temp("minsheng-config-auth.toml", "[limits]\nauth_failures_per_minute = 3\n");
    CHECK(load_config(file, {}).limits.auth_failures_per_minute == 3);
    std::filesystem::remove(file);
    file = write_temp("minsheng-config-auth-bad.toml", "[limits]\nauth_failures_per_minute = 0\n");
    CHECK_THROWS_WITH(load_config(file, {}), Catch::Contains("auth_failures_per_minute"));
    std::filesystem::remove(file);
}

TEST_CASE("trusted proxies come from [limits] or the environment and must be addresses",
          "[gateway]") {
    CHECK(load_config(std::nullopt, {}).limits.trusted_proxies.empty());
    auto file = write_temp("minsheng-config-proxies.toml",
                           "[limits]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n");
    CHECK(load_config(file, {}).limits.trusted_proxies ==
          std::vector<std::string>{"10.0.0.0/8", "::1"});
    CHECK(load_config(file, {{"MINSHENG_TRUSTED_PROXIES", "192.0.2.1, 192.0.2.2"}})
              .limits.trusted_proxies == std::vector<std::string>{"192.0.2.1", "192.0.2.2"});
    std::filesystem::remove(file);
    file = write_temp("minsheng-config-proxies-bad.toml",
                      "[limits]\ntrusted_proxies = [\"10.0.0.0/40\"]\n");
    CHECK_THROWS_WITH(load_config(file, {}), Catch::Contains("limits.trusted_proxies"));
    std::filesystem::remove(file);
    CHECK_THROWS_WITH(load_config(std::nullopt, {{"MINSHENG_TRUSTED_PROXIES", "nginx"}}),
                      Catch::Contains("\"nginx\" is not an IP address"));
}

TEST_CASE("the documented example config loads", "[gateway]") {
    auto c = load_config(std::string(MINSHENG_SOURCE_DIR "/config/minsheng.example.toml"),
                         {{"MINSHENG_WECHAT_TOKEN", "t"},
                          {"MINSHENG_WECHAT_AES_KEY", std::string(43, 'a')},
                          {"MINSHENG_WECHAT_APPID", "wx1"}});
    CHECK(c.port == 8080);
    auto demo = load_config(std::string(MINSHENG_SOURCE_DIR "/config/demo.toml"), {});
    CHECK(demo.wechat.mode == security_mode::safe);
    CHECK(demo.operator_token == "demo-operator-token-for-local-use-only");
}

TEST_CASE("the example config's program rules load and equal the built-in defaults", "[gateway]") {
    auto c = load_config(MINSHENG_SOURCE_DIR "/config/minsheng.example.toml", {});
    auto defaults = minsheng::dialog::cases::program_settings{};
    CHECK(c.program.settings.rules.rules() == defaults.rules.rules());
    CHECK(c.program.settings.deadlines.rules() == defaults.deadlines.rules());
    CHECK(c.program.settings.claim_lease_seconds == defaults.claim_lease_seconds);
    CHECK(c.program.settings.proposal_threshold == defaults.proposal_threshold);
    CHECK(c.program.settings.votes_need_verified_phone);
    CHECK(c.program.settings.community_cooling_seconds == defaults.community_cooling_seconds);
    CHECK(c.program.settings.max_active_claims == defaults.max_active_claims);
    CHECK(c.program.settings.max_dropped_claims == defaults.max_dropped_claims);
    CHECK(c.program.settings.auto_confirm_seconds == defaults.auto_confirm_seconds);
    CHECK(c.program.settings.confirm_notice_seconds == defaults.confirm_notice_seconds);
    CHECK(c.program.sweep_interval_seconds == 60);
}

TEST_CASE("claim limits and the automatic confirmation are read from the file and checked",
          "[gateway]") {
    auto file = write_temp("minsheng-claims-test.toml", R"(
[program]
max_active_claims = 5
max_dropped_claims_per_day = 0
auto_confirm_days = 10
confirm_notice_days = 3
)");
    auto c = load_config(file, {});
    const auto& s = c.program.settings;
    CHECK(s.max_active_claims == 5);
    CHECK(s.max_dropped_claims == 0);
    CHECK(s.auto_confirm_seconds == 10 * 86400);
    CHECK(s.confirm_notice_seconds == 3 * 86400);
    std::filesystem::remove(file);

    for (const char* bad :
         {"[program]\nmax_active_claims = -1\n", "[program]\nmax_dropped_claims_per_day = -2\n",
          "[program]\nconfirm_notice_days = 0\n",
          "[program]\nauto_confirm_days = 2\nconfirm_notice_days = 2\n"}) {
        INFO(bad);
        auto f = write_temp("minsheng-claims-bad.toml", bad);
        CHECK_THROWS_AS(load_config(f, {}), config_error);
        std::filesystem::remove(f);
    }
}

TEST_CASE("program settings are read from the file and checked", "[gateway]") {
    auto file = write_temp("minsheng-program-test.toml", R"(
[program]
claim_lease_hours = 24
points_per_wish = 20
proposal_threshold = 3
votes_need_verified_phone = false
community_cooling_days = 7
working_hours = "09:00-12:00"
[deadlines]
wish = "3 working days"
[[handling.rule]]
name = "all-to-station"
mode = "station"
kinds = ["wish"]
)");
    auto c = load_config(file, {});
    const auto& s = c.program.settings;
    CHECK(s.claim_lease_seconds == 24 * 3600);
    CHECK(s.points_per_wish == 20);
    CHECK(s.proposal_threshold == 3);
    CHECK_FALSE(s.votes_need_verified_phone);
    CHECK(s.community_cooling_seconds == 7 * 86400);
    CHECK(c.program.working_hours == "09:00-12:00");
    REQUIRE(s.deadlines.find("wish") != nullptr);
    CHECK(s.deadlines.find("wish")->count == 3);
    REQUIRE(s.rules.rules().size() == 1);
    CHECK(s.rules.rules()[0].mode == "station");
    std::filesystem::remove(file);

    for (const char* bad :
         {"[program]\nproposal_threshold = 0\n", "[program]\nworking_hours = \"25:00-26:00\"\n",
          "[program]\ncommunity_cooling_days = 400\n", "[program]\ncommunity_cooling_days = -1\n",
          "[program]\nvotes_need_verified_phone = \"yes\"\n", "[deadlines]\nwish = \"soon\"\n",
          "[[handling.rule]]\nname = \"x\"\nmode = \"teleport\"\n",
          "[[handling.rule]]\nname = \"x\"\n[[handling.rule]]\nname = \"x\"\n"}) {
        INFO(bad);
        auto f = write_temp("minsheng-program-bad.toml", bad);
        CHECK_THROWS_AS(load_config(f, {}), config_error);
        std::filesystem::remove(f);
    }
}

TEST_CASE("notification delivery is off without a secret, and its settings are checked",
          "[gateway]") {
    auto off = load_config(std::nullopt, {});
    CHECK(off.delivery.secret.empty());
    CHECK(off.delivery.base_url == "https://api.weixin.qq.com");

    auto file = write_temp("minsheng-delivery-test.toml", R"(
[wechat]
token = "t"
mode = "plain"
appid = "wxfile000001"
[wechat_api]
secret = "file-secret"
max_attempts = 3
default_template = "TPL-DEFAULT"
[wechat_api.templates]
"notify/case_closed" = "TPL-CLOSED"
[wechat_api.template_fields.TPL-CLOSED]
character_string1 = "number"
thing2 = "status"
)");
    auto c = load_config(file, {{"MINSHENG_WECHAT_API_BASE", "http://127.0.0.1:9"},
                                {"MINSHENG_SMS_WEBHOOK", "http://127.0.0.1:10/sms"}});
    CHECK(c.delivery.secret == "file-secret");
    CHECK(c.delivery.appid == "wxfile000001");  // the account's appid by default
    CHECK(c.delivery.base_url == "http://127.0.0.1:9");
    CHECK(c.delivery.sms_webhook == "http://127.0.0.1:10/sms");
    CHECK(c.delivery.max_attempts == 3);
    CHECK(c.delivery.default_template == "TPL-DEFAULT");
    CHECK(c.delivery.templates.at("notify/case_closed") == "TPL-CLOSED");
    CHECK(
        c.delivery.template_fields.at("TPL-CLOSED") ==
        std::map<std::string, std::string>{{"character_string1", "number"}, {"thing2", "status"}});
    std::filesystem::remove(file);

    for (const char* bad :
         {"[wechat]\ntoken = \"t\"\nmode = \"plain\"\n[wechat_api]\nsecret = \"s\"\n"
          "base_url = \"ftp://x\"\n",
          "[wechat]\ntoken = \"t\"\nmode = \"plain\"\nappid = \"wx1\"\n[wechat_api]\nsecret = "
          "\"s\"\nmax_attempts = 0\n",
          "[wechat]\ntoken = \"t\"\nmode = \"plain\"\nappid = "
          "\"wx1\"\n[wechat_api.template_fields.T]"
          "\n\"1x\" = \"text\"\n"}) {
        INFO(bad);
        auto f = write_temp("minsheng-delivery-bad.toml", bad);
        CHECK_THROWS_AS(load_config(f, {}), config_error);
        std::filesystem::remove(f);
    }
}

TEST_CASE("communities, stations, the mini program and Open311 are read and checked", "[gateway]") {
    auto file = write_temp("minsheng-console-test.toml", R"(
[wechat]
token = "t"
mode = "plain"
appid = "wxfile000001"
[wechat_api]
secret = "api-secret"
[program]
points_per_hour = 6
max_visit_hours = 4
[[community]]
name = "东城社区"
street = "东城街道"
grids = ["一网格", "二网格"]
lat = 23.04
lng = 113.76
[[community]]
name = "西城社区"
street = "东城街道"
[[station]]
code = "dc-01"
name = "东城社区党群服务驿站"
community = "东城社区"
[miniprogram]
requests_per_minute = 30
subscribe_template = "tmpl-progress"
subscribe_page = "pages/case/detail?number={number}"
[miniprogram.subscribe_fields]
character_string1 = "number"
thing2 = "text"
[open311]
jurisdiction_id = "dongguan"
[open311.api_keys]
city = "city-key-0123456789"
)");
    auto c = load_config(file, {{"MINSHENG_OPEN311_KEY", "env-key-0123456789"}});
    REQUIRE(c.communities.size() == 2);
    CHECK(c.communities[0].street == "东城街道");
    CHECK(c.communities[0].grids.size() == 2);
    REQUIRE(c.communities[0].location);
    CHECK(c.communities[0].location->lng == Approx(113.76));
    CHECK_FALSE(c.communities[1].location);
    REQUIRE(c.program.settings.stations.size() == 1);
    CHECK(c.program.settings.stations[0].community == "东城社区");
    CHECK(c.program.settings.points_per_hour == 6);
    CHECK(c.program.settings.max_visit_minutes == 240);
    // The mini program logs in with the API credentials unless given its own.
    CHECK(c.miniprogram.secret == "api-secret");
    CHECK(c.miniprogram.appid == "wxfile000001");
    CHECK(c.miniprogram.requests_per_minute == 30);
    CHECK(c.miniprogram.subscribe_template == "tmpl-progress");
    CHECK(c.miniprogram.subscribe_page == "pages/case/detail?number={number}");
    CHECK(c.miniprogram.subscribe_fields ==
          std::map<std::string, std::string>{{"character_string1", "number"}, {"thing2", "text"}});
    CHECK(c.open311.jurisdiction_id == "dongguan");
    CHECK(c.open311.api_keys.at("city") == "city-key-0123456789");
    CHECK(c.open311.api_keys.at("default") == "env-key-0123456789");
    std::filesystem::remove(file);

    for (const char* bad : {"[[community]]\nname = \"a\"\n[[community]]\nname = \"a\"\n",
                            "[[community]]\nname = \"a\"\nlat = 23.0\n",
                            "[[station]]\ncode = \"s\"\nname = \"n\"\nlat = 95.0\nlng = 1.0\n",
                            "[[station]]\ncode = \"s\"\nname = \"n\"\n[[station]]\ncode = "
                            "\"s\"\nname = \"m\"\n",
                            "[program]\nmax_visit_hours = 0\n", "[miniprogram]\nburst = 0\n",
                            "[miniprogram]\nsubscribe_template = \"t\"\n",
                            "[miniprogram.subscribe_fields]\n\"1x\" = \"number\"\n",
                            "[open311.api_keys]\nshort = \"abc\"\n"}) {
        INFO(bad);
        auto f = write_temp("minsheng-console-bad.toml", bad);
        CHECK_THROWS_AS(load_config(f, {}), config_error);
        std::filesystem::remove(f);
    }
}

TEST_CASE("presence at stations: scenes, the radius and the caps are read and checked",
          "[gateway]") {
    const auto defaults = load_config(std::nullopt, {}).program.settings;
    CHECK(defaults.presence_radius_m == 200);
    CHECK(defaults.max_daily_service_minutes == 8 * 60);
    CHECK(defaults.visit_join_minutes == 30);

    auto file = write_temp("minsheng-presence-test.toml", R"(
[program]
presence_radius_m = 0
max_daily_service_hours = 6
visit_join_minutes = 45
[[station]]
code = "dc-01"
name = "东城社区党群服务驿站"
[[station]]
code = "东城二站"
name = "东城社区第二驿站"
scene = "posted-at-dongcheng-2:7f3a91c2"
)");
    auto c = load_config(file, {});
    const auto& s = c.program.settings;
    CHECK(s.presence_radius_m == 0);
    CHECK(s.max_daily_service_minutes == 360);
    CHECK(s.visit_join_minutes == 45);
    REQUIRE(s.stations.size() == 2);
    CHECK(s.stations[0].scene.empty());  // derived from the secret when the gateway starts
    CHECK(s.stations[1].scene == "posted-at-dongcheng-2:7f3a91c2");
    std::filesystem::remove(file);

    for (const char* bad :
         {"[program]\npresence_radius_m = -1\n", "[program]\npresence_radius_m = 5001\n",
          "[program]\nmax_daily_service_hours = 25\n", "[program]\nmax_daily_service_hours = -1\n",
          "[program]\nvisit_join_minutes = -1\n",
          // A code that cannot be part of a derived scene needs a configured one.
          "[[station]]\ncode = \"东城二站\"\nname = \"n\"\n",
          "[[station]]\ncode = \"s\"\nname = \"n\"\nscene = \"short\"\n",
          "[[station]]\ncode = \"s\"\nname = \"n\"\nscene = \"has a space in the scene\"\n",
          "[[station]]\ncode = \"a\"\nname = \"n\"\nscene = \"same-scene-0123456789\"\n"
          "[[station]]\ncode = \"b\"\nname = \"m\"\nscene = \"same-scene-0123456789\"\n"}) {
        INFO(bad);
        auto f = write_temp("minsheng-presence-bad.toml", bad);
        CHECK_THROWS_AS(load_config(f, {}), config_error);
        std::filesystem::remove(f);
    }
}

TEST_CASE("message retention and the code secret are read and checked", "[gateway]") {
    auto c = load_config(std::nullopt, {});
    CHECK(c.store.message_retention_days == 180);
    CHECK(c.store.code_secret.empty());  // the gateway makes one beside the database
    auto file = write_temp("minsheng-config-retention.toml",
                           "[store]\nmessage_retention_days = 30\n"
                           "code_secret = \"0123456789abcdef0123456789abcdef\"\n");
    c = load_config(file, {});
    CHECK(c.store.message_retention_days == 30);
    CHECK(c.store.code_secret == "0123456789abcdef0123456789abcdef");
    c = load_config(file, {{"MINSHENG_CODE_SECRET", "from-the-environment-0123456789abcdef"}});
    CHECK(c.store.code_secret == "from-the-environment-0123456789abcdef");
    std::filesystem::remove(file);
    CHECK_THROWS_WITH(load_config(std::nullopt, {{"MINSHENG_CODE_SECRET", "short"}}),
                      Catch::Contains("code_secret"));
    for (const char* days : {"0", "3651"}) {
        auto bad = write_temp("minsheng-config-retention-bad.toml",
                              std::string("[store]\nmessage_retention_days = ") + days + "\n");
        CHECK_THROWS_WITH(load_config(bad, {}), Catch::Contains("message_retention_days"));
        std::filesystem::remove(bad);
    }
}
