// End-to-end: one person, one vote (docs/security.md) through the real gateway, the fake WeChat
// API and a stand-in SMS gateway, over real HTTP, on a real SQLite file. The same resident votes
// on the official account (phone verified by an SMS code) and again from the mini program (the
// same phone verified by getPhoneNumber): the second vote is refused and the count stays 1. A
// voter without a verified phone is refused; a changed community waits for the cooling period
// or a worker of the new community (never another's); a resident cannot claim their own wish
// from the other channel.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/gateway/sms_fake.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
using tools::fake_wechat::fake_wechat_server;
namespace store_ns = minsheng::adapters::db;

namespace {

const std::string east = "东城社区";
const std::string west = "西城社区";

struct vote_scenario {
    sms_gateway sms;
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    gateway::config cfg;
    std::unique_ptr<running_gateway> gw;
    std::unique_ptr<wechat_peer> wx;

    vote_scenario() : cfg(test_config(security_mode::safe, temp_db_path("vote"))) {
        cfg.delivery.base_url = fake.base_url();
        cfg.delivery.appid = fake.config().appid;
        cfg.delivery.secret = fake.config().secret;
        cfg.delivery.poll_interval_ms = 20;
        cfg.delivery.retry_base_ms = 1;
        cfg.delivery.sms_webhook = sms.url();
        cfg.miniprogram.base_url = fake.base_url();
        cfg.miniprogram.appid = fake.config().appid;
        cfg.miniprogram.secret = fake.config().secret;
        cfg.miniprogram.logins_per_minute = 1000;
        cfg.communities = {{east, "东城街道", {}, std::nullopt},
                           {west, "东城街道", {}, std::nullopt}};
        cfg.program.settings.proposal_threshold = 5;
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
        std::string code() const { return body["error"].value("code", ""); }
    };
    answer http(const std::string& method, const std::string& target, const json& body,
                const std::string& bearer) {
        auto client = gw->client();
        std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
        if (!bearer.empty()) headers["Authorization"] = "Bearer " + bearer;
        auto res = client.request(method, target, body.is_null() ? "" : body.dump(), headers);
        return {res.status, json::parse(res.body, nullptr, false), res.body};
    }
    answer mp(const std::string& method, const std::string& target, const std::string& token,
              const json& body = json::object()) {
        return http(method, target, body, token);
    }
    std::string login(const std::string& code) {
        auto a = http("POST", "/mp/v1/login", {{"code", code}}, "");
        REQUIRE(a.status == 200);
        return a.body.at("session");
    }
    // A proposal of 东城社区 made on the official account; its number.
    std::string east_proposal() {
        say("o_proposer", "提议 在东城社区中心花园加装几盏路灯");
        say("o_proposer", east);
        adapters::db::reader r(cfg.db_path);
        auto open = r.open_proposals(east, 10);
        REQUIRE(open.size() == 1);
        return open[0].number;
    }
    std::int64_t votes(const std::string& number) {
        adapters::db::reader r(cfg.db_path);
        for (const auto& p : r.open_proposals(east, 10))
            if (p.number == number) return p.votes;
        return -1;
    }
    std::optional<dialog::person> person(const dialog::person_ref& who) {
        adapters::db::reader r(cfg.db_path);
        return r.get_person(who);
    }
    // A worker of `community` with an operator API token.
    std::string worker(const std::string& id, const std::string& community) {
        adapters::db::store db(cfg.db_path);
        store_ns::staff_member m;
        m.id = id;
        m.name = "员工" + id;
        m.role = "worker";
        m.community = community;
        store_ns::save_staff(db, m, now_s());
        return store_ns::issue_token(db, id, 0, "vote", now_s()).token;
    }
};

}  // namespace

TEST_CASE("one resident votes once across the official account and the mini program",
          "[e2e][vote]") {
    vote_scenario s;
    const auto number = s.east_proposal();
    const std::string me = "o_me";

    // Unverified on the official account: refused, told how to bind, nothing counted.
    s.say(me, "投票 " + number);  // asks the community first
    const auto refused = s.say(me, east);
    CHECK(refused.find("绑定手机") != std::string::npos);
    CHECK(refused.find(number) != std::string::npos);
    CHECK(s.votes(number) == 0);

    // Verified by the SMS code: the vote counts.
    const auto bound = verify_phone_by_chat(
        s.sms, [&](const std::string& t) { return s.say(me, t); }, "13912340001");
    REQUIRE_FALSE(bound.empty());
    CHECK(s.say(me, "投票 " + number).find("投票成功") != std::string::npos);
    CHECK(s.votes(number) == 1);

    // The same human in the mini program: WeChat verifies the same phone; the vote is refused.
    const auto token = s.login("code-vote-me");
    const auto mp_me = dialog::person_ref{dialog::channel::miniprogram,
                                          fake_wechat_server::openid_for_code("code-vote-me")};
    CHECK(s.person(mp_me)->unionid == fake_wechat_server::unionid_for_code("code-vote-me"));
    REQUIRE(s.mp("POST", "/mp/v1/profile", token, {{"community", east}}).status == 200);
    REQUIRE(s.mp("POST", "/mp/v1/phone", token, {{"code", "phone-13912340001"}}).status == 200);
    const auto again = s.mp("POST", "/mp/v1/proposals/" + number + "/vote", token);
    INFO(again.raw);
    CHECK(again.status == 409);
    CHECK(again.code() == "already_voted");
    CHECK(s.votes(number) == 1);
    // Nor does the official account vote again, the phone having moved away from it.
    CHECK(s.say(me, "投票 " + number).find("投票成功") == std::string::npos);
    CHECK(s.votes(number) == 1);
}

TEST_CASE("a mini program voter without a verified phone is refused and nothing is counted",
          "[e2e][vote]") {
    vote_scenario s;
    const auto number = s.east_proposal();
    const auto token = s.login("code-vote-unverified");
    REQUIRE(s.mp("POST", "/mp/v1/profile", token, {{"community", east}}).status == 200);
    const auto refused = s.mp("POST", "/mp/v1/proposals/" + number + "/vote", token);
    CHECK(refused.status == 403);
    CHECK(refused.code() == "phone_required");
    CHECK(refused.body["error"].value("message", "").find("手机号") != std::string::npos);
    CHECK(s.votes(number) == 0);
}

TEST_CASE("a changed community votes after a worker of the new community confirms the move",
          "[e2e][vote]") {
    vote_scenario s;
    const auto number = s.east_proposal();
    const auto east_worker = s.worker("w-east", east);
    const auto west_worker = s.worker("w-west", west);

    const auto token = s.login("code-vote-mover");
    REQUIRE(s.mp("POST", "/mp/v1/phone", token, {{"code", "phone-13912340002"}}).status == 200);
    auto first = s.mp("POST", "/mp/v1/profile", token, {{"community", west}});
    REQUIRE(first.status == 200);
    CHECK(first.body.at("community_counts_from").is_null());  // a first declaration counts
    auto moved = s.mp("POST", "/mp/v1/profile", token, {{"community", east}});
    REQUIRE(moved.status == 200);
    CHECK(moved.body.at("community_counts_from").is_string());  // in 30 days
    const std::string vote = "/mp/v1/proposals/" + number + "/vote";
    auto cooling = s.mp("POST", vote, token);
    CHECK(cooling.status == 403);
    CHECK(cooling.code() == "community_cooling");
    CHECK(s.votes(number) == 0);

    // The worker of the old community sees no move and cannot confirm it.
    auto west_list = s.http("GET", "/api/v1/residents/moves", nullptr, west_worker);
    REQUIRE(west_list.status == 200);
    CHECK(west_list.body.at("moves").empty());
    auto east_list = s.http("GET", "/api/v1/residents/moves", nullptr, east_worker);
    REQUIRE(east_list.status == 200);
    REQUIRE(east_list.body.at("moves").size() == 1);
    const auto& m = east_list.body["moves"][0];
    CHECK(m.at("from") == west);
    CHECK(m.at("community") == east);
    CHECK(m.at("confirmed_at").is_null());
    CHECK(east_list.raw.find("13912340002") == std::string::npos);
    CHECK(east_list.raw.find("ofake-") == std::string::npos);
    const std::string confirm =
        "/api/v1/residents/moves/" + std::to_string(m.at("move").get<int>()) + "/confirm";
    auto not_theirs = s.http("POST", confirm, nullptr, west_worker);
    CHECK(not_theirs.status == 403);
    CHECK(s.mp("POST", vote, token).code() == "community_cooling");

    // The new community's worker confirms it: the vote counts.
    auto confirmed = s.http("POST", confirm, nullptr, east_worker);
    INFO(confirmed.raw);
    REQUIRE(confirmed.status == 200);
    CHECK(confirmed.body.at("confirmed_by") == "operator:w-east");
    CHECK(s.http("POST", confirm, nullptr, east_worker).status == 409);
    CHECK(s.mp("GET", "/mp/v1/profile", token).body.at("community_counts_from").is_null());
    CHECK(s.mp("POST", vote, token).status == 200);
    CHECK(s.votes(number) == 1);
}

TEST_CASE("a resident cannot claim their own wish from the other channel", "[e2e][vote]") {
    vote_scenario s;
    const std::string grandma = "o_grandma";
    REQUIRE_FALSE(verify_phone_by_chat(
                      s.sms, [&](const std::string& t) { return s.say(grandma, t); }, "13912340003")
                      .empty());
    // Her verified phone is the wish's contact (the chat takes it from her profile).
    const auto opened =
        s.say(grandma, "我是独居老人，腿脚不便，希望有好心人帮我每周买一次菜。我住东城社区5栋");
    std::smatch found;
    REQUIRE(std::regex_search(opened, found, std::regex("WX[0-9]{8}-[0-9]{4}")));
    const std::string wish = found.str();

    // The same human volunteers in the mini program, with the same phone verified by WeChat.
    const auto token = s.login("code-own-wish");
    REQUIRE(s.mp("POST", "/mp/v1/phone", token, {{"code", "phone-13912340003"}}).status == 200);
    auto reg = s.mp("POST", "/mp/v1/volunteer", token, {{"name", "王奶奶"}, {"community", east}});
    REQUIRE(reg.status == 200);
    approve_volunteer(s.cfg, s.gw->port, reg.body.at("application").get<std::string>());
    auto claim = s.mp("POST", "/mp/v1/wall/" + wish + "/claim", token);
    INFO(claim.raw);
    CHECK(claim.status == 403);
    CHECK(claim.code() == "not_allowed");
    adapters::db::reader r(s.cfg.db_path);
    CHECK(r.get_case_by_number(wish)->claimer.empty());

    // Another volunteer claims it.
    const auto helper = s.login("code-own-wish-helper");
    REQUIRE(s.mp("POST", "/mp/v1/phone", helper, {{"code", "phone-13912340004"}}).status == 200);
    auto reg2 = s.mp("POST", "/mp/v1/volunteer", helper, {{"name", "小张"}, {"community", east}});
    REQUIRE(reg2.status == 200);
    approve_volunteer(s.cfg, s.gw->port, reg2.body.at("application").get<std::string>());
    CHECK(s.mp("POST", "/mp/v1/wall/" + wish + "/claim", helper).status == 200);
}
