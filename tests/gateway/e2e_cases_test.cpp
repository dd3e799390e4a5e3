// End-to-end: the whole 上报—处理—反馈—评价 loop through the real gateway — residents and
// volunteers chatting over the real encrypted official-account protocol, operators using the
// operator API, anyone reading the public pages — with a real SQLite file behind it.

#include <barrier>
#include <catch2/catch.hpp>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "adapters/db/staff.hpp"
#include "dialog/templates.hpp"
#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

struct scenario {
    shifted_clock clock;
    running_gateway g;
    wechat_peer wx;

    explicit scenario(const std::string& tag,
                      const std::function<void(gateway::config&)>& tweak = {})
        : g(make_config(tag, tweak), clock.fn()), wx(g.cfg, g.port) {}

    static gateway::config make_config(const std::string& tag,
                                       const std::function<void(gateway::config&)>& tweak) {
        auto c = test_config(security_mode::safe, temp_db_path(tag));
        if (tweak) tweak(c);
        return c;
    }

    std::string say(const std::string& user, const std::string& text) {
        auto r = wx.say(user, text);
        REQUIRE(r.status == 200);
        return r.reply.text;
    }

    json api(const std::string& method, const std::string& target, const std::string& body = "",
             int expect = 200) {
        auto http = g.client();
        auto res =
            http.request(method, target, body,
                         {{"Authorization", bearer(g.cfg)}, {"Content-Type", "application/json"}});
        INFO(method << " " << target << " → " << res.status << " " << res.body);
        REQUIRE(res.status == expect);
        return json::parse(res.body);
    }

    json get_public(const std::string& target, int expect = 200) {
        auto http = g.client();
        auto res = http.request("GET", target);
        INFO(target << " → " << res.status << " " << res.body);
        REQUIRE(res.status == expect);
        return json::parse(res.body);
    }

    // The newest case, as the operator sees it.
    json newest_case() {
        auto list = api("GET", "/api/v1/cases?limit=1");
        REQUIRE(list["cases"].size() == 1);
        return list["cases"][0];
    }
    json case_by_id(std::int64_t id) { return api("GET", "/api/v1/cases/" + std::to_string(id)); }

    // Registers a volunteer by chat (asks, community, skills), and the operator approves the
    // application.
    void register_volunteer(const std::string& user, const std::string& community,
                            const std::string& register_text = "我要当志愿者") {
        say(user, register_text);
        say(user, community);
        approve_volunteer(g.cfg, g.port, application_in(say(user, "会买菜、陪老人聊天")));
    }

    json outbox_of(std::int64_t case_id) {
        return api("GET", "/api/v1/outbox?case_id=" + std::to_string(case_id))["notifications"];
    }
};

bool has_event(const json& c, const std::string& action) {
    for (const auto& e : c["events"])
        if (e["action"] == action) return true;
    return false;
}

std::size_t count_audience(const json& outbox, const std::string& audience) {
    std::size_t n = 0;
    for (const auto& row : outbox)
        if (row["audience"] == audience) ++n;
    return n;
}

// The whole wish loop, phrased by the caller in one script or the other.
struct wish_script {
    std::string wish;            // the resident's wish, with community, address and phone
    std::string volunteer_join;  // how the volunteer asks to register
    std::string community;       // the volunteer's community answer
    std::string wall;            // asks for the wish wall
    std::string claim;           // "认领 " (the number is appended)
    std::string done;            // "完成 "
    std::string confirm;         // the resident's confirmation
    std::string rate;            // the resident's rating
};

void run_wish_loop(scenario& s, const wish_script& w) {
    const std::string resident = "o_elder_resident";
    const std::string volunteer = "o_volunteer_li";

    auto opened = s.say(resident, w.wish);
    auto c = s.newest_case();
    const std::string number = c["number"];
    const std::int64_t id = c["id"];
    CHECK(number.rfind("WX", 0) == 0);
    CHECK(opened.find(number) != std::string::npos);
    CHECK(c["kind"] == "wish");
    CHECK(c["status"] == "accepted");  // published on the wall by its rule
    CHECK(c["handling_rule"].is_string());
    CHECK(c["deadline_at"].is_string());
    CHECK(c["community"] == "光明社区");
    // The operator sees the phone masked.
    CHECK(c["contact_phone"] == "138****8000");

    // The public wall shows it, without the phone or the address.
    auto wall = s.get_public("/public/v1/wall?community=%E5%85%89%E6%98%8E%E7%A4%BE%E5%8C%BA");
    REQUIRE(wall["wishes"].size() == 1);
    CHECK(wall["wishes"][0]["number"] == number);
    CHECK(wall.dump().find("13800138000") == std::string::npos);
    CHECK(wall.dump().find("5栋") == std::string::npos);

    s.register_volunteer(volunteer, w.community, w.volunteer_join);
    auto wall_reply = s.say(volunteer, w.wall);
    CHECK(wall_reply.find(number) != std::string::npos);
    CHECK(wall_reply.find("13800138000") == std::string::npos);

    auto claimed = s.say(volunteer, w.claim + number);
    // The claimer sees the contact while the claim lasts.
    CHECK(claimed.find("13800138000") != std::string::npos);
    c = s.case_by_id(id);
    CHECK(c["status"] == "claimed");
    CHECK(c["claim_expires_at"].is_string());
    CHECK(count_audience(s.outbox_of(id), "resident") >= 1);  // told someone claimed it

    s.say(volunteer, w.done + number);
    CHECK(s.case_by_id(id)["status"] == "done");

    s.say(resident, w.confirm);
    CHECK(s.case_by_id(id)["status"] == "confirmed");
    s.say(resident, w.rate);
    c = s.case_by_id(id);
    CHECK(c["status"] == "closed");
    CHECK(c["rating"] == 5);
    for (const char* action : {"opened", "accept", "claim", "report_done", "confirm", "rate"}) {
        INFO(action);
        CHECK(has_event(c, action));
    }

    // Points credited to the volunteer: the month's ranking of the community shows them.
    auto ranking = s.api("GET", "/api/v1/ranking?community=%E5%85%89%E6%98%8E%E7%A4%BE%E5%8C%BA");
    REQUIRE(ranking["ranking"].size() == 1);
    CHECK(ranking["ranking"][0]["points"] == 10);
    auto stars = s.get_public("/public/v1/stars?community=%E5%85%89%E6%98%8E%E7%A4%BE%E5%8C%BA");
    CHECK(stars["stars"].size() == 1);

    // Anyone given its public reference (number and code) can follow the case; nobody is named
    // there. The number alone, or with another code, finds nothing: numbers can be walked.
    const std::string ref = c["public_ref"];
    CHECK(ref.rfind(number + "-", 0) == 0);
    CHECK(ref.size() == number.size() + 9);
    s.get_public("/public/v1/cases/" + number, 404);
    std::string wrong = ref;
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    s.get_public("/public/v1/cases/" + wrong, 404);
    std::string upper = ref;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    CHECK(s.get_public("/public/v1/cases/" + upper)["number"] == number);
    // The resident can give it to their family: 查询 <number> tells them.
    CHECK(s.say(resident, "查询 " + number).find(ref) != std::string::npos);
    auto pub = s.get_public("/public/v1/cases/" + ref);
    CHECK(pub["status"] == "closed");
    CHECK(pub["history"].size() >= 5);
    CHECK(pub.dump().find(resident) == std::string::npos);
    CHECK(pub.dump().find(volunteer) == std::string::npos);
    CHECK(pub.dump().find("13800138000") == std::string::npos);
}

}  // namespace

TEST_CASE("a wish goes round the whole loop by chat, in Simplified script", "[e2e][cases]") {
    scenario s("wish-loop-s");
    run_wish_loop(s, {"我是独居老人，腿脚不便，希望有好心人帮我每周买一次菜。我住光明社区5栋，电话"
                      "13800138000",
                      "我要当志愿者", "光明社区", "心愿墙", "认领 ", "完成 ", "已解决", "5分"});
}

TEST_CASE("a wish goes round the whole loop by chat, in Traditional script", "[e2e][cases]") {
    scenario s("wish-loop-t");
    run_wish_loop(s, {"我是獨居老人，腿腳不便，希望有好心人幫我每週買一次菜。我住光明社區5棟，電話"
                      "13800138000",
                      "我要當志願者", "光明社區", "心願牆", "認領 ", "完成 ", "已解決", "5分"});
}

TEST_CASE("fifty volunteers claim one wish at the same moment: exactly one wins", "[e2e][cases]") {
    scenario s("claim-race");
    s.say("o_resident_race",
          "我家老人想要一台助行器，腿脚不方便出门。我住光明社区8栋，电话13800138000");
    auto c = s.newest_case();
    const std::string number = c["number"];
    REQUIRE(c["status"] == "accepted");

    constexpr int n = 50;
    for (int i = 0; i < n; ++i) s.register_volunteer("o_vol_" + std::to_string(i), "光明社区");

    std::barrier start(n);
    std::vector<wechat_peer::result> results(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            wechat_peer peer(s.g.cfg, s.g.port);
            start.arrive_and_wait();
            results[i] = peer.say("o_vol_" + std::to_string(i), "认领 " + number);
        });
    for (auto& t : threads) t.join();

    int winners = 0;
    std::string refusal;
    int refusals = 0;
    for (const auto& r : results) {
        REQUIRE(r.status == 200);  // nobody gets an error
        REQUIRE(r.reply.kind == dialog::reply::type::text);
        if (r.reply.text.find("13800138000") != std::string::npos) {
            ++winners;
        } else {
            if (refusal.empty()) refusal = r.reply.text;
            CHECK(r.reply.text == refusal);  // the same polite refusal for everyone else
            ++refusals;
        }
    }
    CHECK(winners == 1);
    CHECK(refusals == n - 1);
    auto after = s.case_by_id(c["id"]);
    CHECK(after["status"] == "claimed");
    int claims = 0;
    for (const auto& e : after["events"])
        if (e["action"] == "claim") ++claims;
    CHECK(claims == 1);
}

TEST_CASE("an unattended claim's lease runs out and the wish returns to the wall", "[e2e][cases]") {
    scenario s("lease");
    s.say("o_resident_lease",
          "希望有人陪我去医院复查，我一个人不方便。光明社区2栋，电话13900139000");
    auto c = s.newest_case();
    const std::string number = c["number"];
    s.register_volunteer("o_vol_lease", "光明社区");
    s.say("o_vol_lease", "认领 " + number);
    REQUIRE(s.case_by_id(c["id"])["status"] == "claimed");
    CHECK(s.get_public("/public/v1/wall")["wishes"].empty());

    // Nothing happens for longer than the lease (72 hours by default).
    s.clock.advance(73 * 3600);
    auto report = s.api("POST", "/api/v1/sweep");
    CHECK(report["leases_expired"] == 1);
    auto after = s.case_by_id(c["id"]);
    CHECK(after["status"] == "accepted");
    CHECK(after["claimer"].is_null());
    CHECK(has_event(after, "lease_expired"));
    REQUIRE(s.get_public("/public/v1/wall")["wishes"].size() == 1);
    // A second sweep at the same time changes nothing.
    CHECK(s.api("POST", "/api/v1/sweep")["leases_expired"] == 0);
    // The former claimer and the resident are told.
    auto outbox = s.outbox_of(c["id"]);
    CHECK(count_audience(outbox, "volunteer") >= 1);
}

TEST_CASE("operators move a complaint through its states and merge a duplicate", "[e2e][cases]") {
    scenario s("operator");
    s.say("o_res_a", "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑");
    auto first = s.newest_case();
    // The same light: b is made a follower of the first case, and insists on a case of their own
    // (an operator then sees the two as possible duplicates and merges them).
    s.say("o_res_b", "幸福小区3栋的路灯一直不亮，晚上走路很危险");
    s.say("o_res_b", "不是同一个问题");
    auto second = s.newest_case();
    REQUIRE(first["id"] != second["id"]);
    const std::string first_id = std::to_string(first["id"].get<std::int64_t>());
    const std::string second_id = std::to_string(second["id"].get<std::int64_t>());

    // Bad requests change nothing.
    s.api("POST", "/api/v1/cases/" + first_id + "/actions", "{not json", 400);
    s.api("POST", "/api/v1/cases/" + first_id + "/actions", R"({"action":"fly"})", 400);
    s.api("POST", "/api/v1/cases/" + first_id + "/actions", R"({"action":"assign"})", 400);
    s.api("POST", "/api/v1/cases/999999/actions", R"({"action":"accept"})", 404);
    s.api("GET", "/api/v1/cases/" + first_id + "/actions", "", 405);
    CHECK(s.case_by_id(first["id"])["status"] == "received");
    // Done before it was even accepted: the lifecycle refuses.
    s.api("POST", "/api/v1/cases/" + first_id + "/actions", R"({"action":"confirm"})", 409);

    s.api("POST", "/api/v1/cases/" + first_id + "/actions",
          R"({"action":"accept","note":"属实，转城管"})");
    // The assignee is a case worker the store knows (the case names no community: any worker).
    {
        adapters::db::store staff_db(s.g.cfg.db_path);
        adapters::db::staff_member m;
        m.id = "grid-07";
        m.name = "网格员";
        m.role = "worker";
        m.community = "幸福社区";
        adapters::db::save_staff(staff_db, m, now_s());
    }
    auto assigned = s.api("POST", "/api/v1/cases/" + first_id + "/actions",
                          R"({"action":"assign","assignee":"grid-07"})")["case"];
    CHECK(assigned["status"] == "assigned");
    CHECK(assigned["assignee"] == "grid-07");

    // The duplicate joins the first; its reporter keeps hearing about the first.
    auto merged = s.api("POST", "/api/v1/cases/" + second_id + "/actions",
                        json{{"action", "merge"}, {"into", first["number"]}}.dump())["case"];
    CHECK(merged["status"] == "merged");
    CHECK(merged["merged_into"] == first["id"]);
    auto target = s.case_by_id(first["id"]);
    REQUIRE(target["merged_cases"].size() == 1);
    CHECK(target["merged_cases"][0] == second["number"]);

    s.api("POST", "/api/v1/cases/" + first_id + "/actions", R"({"action":"start"})");
    auto done = s.api("POST", "/api/v1/cases/" + first_id + "/actions",
                      R"({"action":"report_done","note":"已更换灯泡"})")["case"];
    CHECK(done["status"] == "done");
    // Both reporters were told it is done.
    std::set<std::string> told;
    for (const auto& row : s.outbox_of(first["id"]))
        if (row["audience"] == "resident" && row["to"].is_string()) told.insert(row["to"]);
    CHECK(told.size() == 2);

    // The resident says it is not solved: back to the handler.
    s.say("o_res_a", "还没解决，灯还是不亮");
    auto reopened = s.case_by_id(first["id"]);
    CHECK(reopened["status"] == "in_progress");
    CHECK(has_event(reopened, "not_solved"));

    // Every step is in the audit trail with who did it.
    bool operator_seen = false;
    for (const auto& e : reopened["events"])
        if (e["actor"] == "operator:operator") operator_seen = true;
    CHECK(operator_seen);
}

namespace {

struct resident_script {
    std::string appeal, other_appeal, progress, detail, cancel;
};

void run_resident_flows(scenario& s, const resident_script& w) {
    const std::string user = "o_res_progress";
    s.say(user, w.appeal);
    auto c = s.newest_case();
    const std::string number = c["number"];

    auto progress = s.say(user, w.progress);
    CHECK(progress.find(number) != std::string::npos);

    auto added = s.say(user, w.detail);
    CHECK(added.find(number) != std::string::npos);
    CHECK(has_event(s.case_by_id(c["id"]), "detail"));

    s.say(user, w.cancel + number);
    CHECK(s.case_by_id(c["id"])["status"] == "cancelled");
    // Another resident cannot cancel someone else's case.
    s.say("o_res_other", w.other_appeal);
    auto theirs = s.newest_case();
    s.say(user, w.cancel + theirs["number"].get<std::string>());
    CHECK(s.case_by_id(theirs["id"])["status"] == "received");
}

}  // namespace

TEST_CASE("a resident checks progress, adds a detail and cancels by chat, in Simplified script",
          "[e2e][cases]") {
    scenario s("resident-s");
    run_resident_flows(s, {"和平路12号旁边的下水道井盖丢了，很危险",
                           "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑", "我的诉求怎么样了",
                           "补充一下，井盖旁边还有一个大坑", "取消 "});
}

TEST_CASE("a resident checks progress, adds a detail and cancels by chat, in Traditional script",
          "[e2e][cases]") {
    scenario s("resident-t");
    run_resident_flows(s, {"和平路12號旁邊的下水道井蓋丟了，很危險",
                           "幸福小區3棟門口的路燈壞了一個星期了，晚上很黑", "我的訴求怎麼樣了",
                           "補充一下，井蓋旁邊還有一個大坑", "取消 "});
}

namespace {

struct vote_script {
    std::string propose, community, other_community, vote, support;
};

void run_vote_flow(const std::string& tag, const vote_script& w) {
    scenario s(tag, [](gateway::config& c) { c.program.settings.proposal_threshold = 3; });
    // Residents tell the program their community by registering what they propose or vote on;
    // the proposer is asked for it when the profile has none.
    const std::string proposer = "o_res_proposer";
    s.say(proposer, w.propose);
    s.say(proposer, w.community);
    auto proposals = s.get_public("/public/v1/proposals");
    REQUIRE(proposals["proposals"].size() == 1);
    const std::string number = proposals["proposals"][0]["number"];
    CHECK(number.rfind("YS", 0) == 0);

    // Voters verified their phones (a vote needs one: docs/security.md, "one person, one vote").
    for (int i = 0; i <= 2; ++i)
        verify_phone_in_db(s.g.cfg, {dialog::channel::wechat_oa, "o_voter_" + std::to_string(i)},
                           "1391234000" + std::to_string(i));

    // Residents are asked their community before their first vote; it is remembered.
    auto asked = s.say("o_voter_0", w.vote + number);
    CHECK(asked.find("社区") != std::string::npos);
    auto counted = s.say("o_voter_0", w.community);
    CHECK(counted.find(number) != std::string::npos);
    auto twice = s.say("o_voter_0", w.vote + number);  // remembered: no question, but refused
    CHECK(twice.find("社区？") == std::string::npos);
    s.say("o_voter_far", w.vote + number);
    auto far = s.say("o_voter_far", w.other_community);
    CHECK(far != twice);
    auto p = s.get_public("/public/v1/proposals")["proposals"][0];
    CHECK(p["votes"] == 1);

    // A volunteer of the community votes without being asked.
    s.register_volunteer("o_voter_1", w.community);
    s.say("o_voter_1", w.support + number);
    s.say("o_voter_2", w.vote + number);
    auto passing = s.say("o_voter_2", w.community);
    // The proposal became a project case with its six-month deadline.
    auto project = s.newest_case();
    CHECK(project["kind"] == "project");
    CHECK(project["proposal_id"].is_number());
    CHECK(passing.find(project["number"].get<std::string>()) != std::string::npos);
    CHECK(s.get_public("/public/v1/proposals")["proposals"].empty());  // no longer open

    // Progress is published to the voters.
    const std::string id = std::to_string(project["id"].get<std::int64_t>());
    s.api("POST", "/api/v1/cases/" + id + "/actions", R"({"action":"accept"})");
    CHECK(count_audience(s.outbox_of(project["id"]), "voter") >= 3);
}

}  // namespace

TEST_CASE("residents propose a 微实事 and vote it into a project, in Simplified script",
          "[e2e][cases]") {
    run_vote_flow("vote-s", {"提议 在光明社区中心花园加装几盏路灯", "光明社区", "东城社区", "投票 ",
                             "支持 "});
}

TEST_CASE("residents propose a 微实事 and vote it into a project, in Traditional script",
          "[e2e][cases]") {
    run_vote_flow("vote-t", {"提議 在光明社區中心花園加裝幾盞路燈", "光明社區", "東城社區", "投票 ",
                             "支持 "});
}
