// End-to-end through the real minsheng-gateway program (issue 16, "one problem, one case"): three
// residents report the same broken street light on the official account (encrypted), the 12345
// feed (signed) and the mini program; the program opens one case and makes the other two its
// followers, which the operator API shows. An operator handles the case to done; each of the
// three hears the result (the fake WeChat API for the official account and the mini program,
// the stand-in SMS gateway for the caller) and each rates it: the caller on the 12345 centre's
// return visit (POST /hotline/feedback). A fourth resident who
// reports it and then says "不是同一个问题" gets their own case.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/gateway/sms_fake.hpp"
#include "tests/support/child_process.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using json = nlohmann::json;
using tools::fake_wechat::fake_wechat_server;

namespace {

const std::string wechat_token = "one-case-token";
const std::string aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const std::string appid = "wxonecase0000001";
const std::string operator_token = "one-case-operator-token-0123456789";
const std::string hotline_secret = "one-case-hotline-secret-0123456789";
const std::string progress_template = "tmpl-one-case-progress";

// The real program on a temporary database, configured to deliver to the fakes; stopped with
// SIGTERM (and its files removed) at the end.
struct program {
    std::string db = temp_db_path("one-case");
    std::string config_file = db + ".toml";
    child proc;
    unsigned short port = 0;

    program(const fake_wechat_server& fake, const sms_gateway& sms) {
        {
            std::ofstream f(config_file);
            f << "[wechat]\ntoken = \"" << wechat_token << "\"\nappid = \"" << appid
              << "\"\naes_key = \"" << aes_key << "\"\n"
              << "[wechat_api]\nbase_url = \"" << fake.base_url() << "\"\nappid = \""
              << fake.config().appid << "\"\nsecret = \"" << fake.config().secret << "\"\n"
              << "default_template = \"TPL\"\npoll_interval_ms = 20\nretry_base_ms = 1\n"
              << "sms_webhook = \"" << sms.url() << "\"\n"
              << "[miniprogram]\nbase_url = \"" << fake.base_url() << "\"\nappid = \""
              << fake.config().appid << "\"\nsecret = \"" << fake.config().secret << "\"\n"
              << "subscribe_template = \"" << progress_template << "\"\n"
              << "subscribe_page = \"pages/case/detail?number={number}\"\n"
              << "[miniprogram.subscribe_fields]\ncharacter_string1 = \"number\"\n"
              << "phrase2 = \"status\"\nthing3 = \"text\"\ntime4 = \"time\"\n";
        }
        spawn_options o;
        o.clean_minsheng_env = true;
        o.env_extra = {"MINSHENG_LISTEN=127.0.0.1:0",
                       "MINSHENG_DB=" + db,
                       "MINSHENG_DATA_DIR=" MINSHENG_SOURCE_DIR,
                       "MINSHENG_OPERATOR_TOKEN=" + operator_token,
                       "MINSHENG_HOTLINE_SECRET=" + hotline_secret,
                       std::string("MINSHENG_CODE_SECRET=") + test_code_secret};
        proc = spawn({MINSHENG_BIN_DIR "/minsheng-gateway", "--config", config_file}, o);
        const std::string line = read_line(proc.out, std::chrono::seconds(30));
        std::smatch m;
        INFO("the program said: " << line);
        REQUIRE(std::regex_match(line, m, std::regex(R"(listening on 127\.0\.0\.1:(\d+))")));
        port = static_cast<unsigned short>(std::stoi(m[1]));
    }
    ~program() {
        if (proc.pid > 0) {
            ::kill(proc.pid, SIGTERM);
            wait_exit(proc.pid, std::chrono::seconds(20));
            ::close(proc.out);
        }
        for (const char* suffix : {"", "-wal", "-shm", ".secret", ".toml"})
            std::filesystem::remove(db + suffix);
    }

    // The official account's peer: WeChat's servers, encrypting as the program expects.
    gateway::config peer_config() const {
        gateway::config c;
        c.wechat.token = wechat_token;
        c.wechat.appid = appid;
        c.wechat.encoding_aes_key = aes_key;
        c.wechat.mode = adapters::wechat_oa::security_mode::safe;
        return c;
    }

    json call(const std::string& method, const std::string& target, const json& body,
              const std::string& auth, int expect) {
        gateway::http_client http("127.0.0.1", port);
        std::map<std::string, std::string> h;
        if (!auth.empty()) h["Authorization"] = auth;
        if (!body.is_null()) h["Content-Type"] = "application/json";
        auto res = http.request(method, target, body.is_null() ? "" : body.dump(), h);
        INFO(method << " " << target << " → " << res.status << " " << res.body);
        REQUIRE(res.status == expect);
        return json::parse(res.body, nullptr, false);
    }
    // A return visit posted to /hotline/feedback, signed with `secret` at now + skew seconds.
    gateway::client_response feedback(const json& visit, std::int64_t skew,
                                      const std::string& secret = hotline_secret) {
        gateway::http_client http("127.0.0.1", port);
        const std::string body = visit.dump();
        auto res = http.request(
            "POST", "/hotline/feedback", body,
            signed_hotline_headers(secret, "/hotline/feedback", body, "application/json", skew));
        UNSCOPED_INFO("feedback → " << res.status << " " << res.body);
        return res;
    }
    // "不是同一件事" posted to /hotline/not-same, signed with `secret` at now + skew seconds.
    gateway::client_response not_same(const json& ask, std::int64_t skew,
                                      const std::string& secret = hotline_secret) {
        gateway::http_client http("127.0.0.1", port);
        const std::string body = ask.dump();
        auto res = http.request(
            "POST", "/hotline/not-same", body,
            signed_hotline_headers(secret, "/hotline/not-same", body, "application/json", skew));
        UNSCOPED_INFO("not-same → " << res.status << " " << res.body);
        return res;
    }
    json op(const std::string& method, const std::string& target, const json& body = nullptr) {
        return call(method, target, body, "Bearer " + operator_token, 200);
    }
};

// Waits (at most 20 s) until `done` holds.
bool eventually(const std::function<bool()>& done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return done();
}

// The notifications to `user` (an openid, or a caller's phone), oldest first, as the program
// stored them.
std::vector<adapters::db::outbox_row> outbox_to(const std::string& db, const std::string& user) {
    adapters::db::reader r(db);
    adapters::db::outbox_filter f;
    f.limit = 1000;
    std::vector<adapters::db::outbox_row> out;
    for (auto& row : r.list_outbox(f))
        if (row.n.to && row.n.to->user_id == user) out.push_back(std::move(row));
    std::reverse(out.begin(), out.end());
    return out;
}

// Whether `user` has a notification of `key` that was delivered.
bool delivered(const std::string& db, const std::string& user, const std::string& key) {
    for (const auto& row : outbox_to(db, user))
        if (row.n.template_key == key && row.status == "delivered") return true;
    return false;
}

// What the fake WeChat API accepted for `openid` (customer-service, template or subscribe).
std::size_t accepted_for(const fake_wechat_server& fake, const std::string& openid) {
    std::size_t n = 0;
    for (const auto& r : fake.received())
        if (r.answered_errcode == 0 && r.answered_status == 200 && r.json.is_object() &&
            r.json.value("touser", "") == openid)
            ++n;
    return n;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("three residents on three channels report one broken light: one case, all told",
          "[e2e][duplicates]") {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    sms_gateway sms;
    program p(fake, sms);
    wechat_peer wx(p.peer_config(), p.port);

    // 1. The official account: the case is opened.
    const std::string chat_user = "o_one_case_chat";
    auto opened = wx.say(chat_user, "幸福路的路灯坏了，晚上一片漆黑，走路很不安全");
    REQUIRE(opened.status == 200);
    auto listed = p.op("GET", "/api/v1/cases?limit=10")["cases"];
    REQUIRE(listed.size() == 1);
    const std::int64_t id = listed[0]["id"];
    const std::string number = listed[0]["number"];
    CHECK(has(opened.reply.text, number));
    const std::string url = "/api/v1/cases/" + std::to_string(id);

    // 2. The 12345 feed: the caller follows the case, and the answer says so.
    const std::string caller = "13900139000";
    const std::string call =
        json{{"call_id", "one-case-1"},
             {"hotline", "12345"},
             {"caller", {{"phone", caller}}},
             {"turns",
              {{{"speaker", "agent"}, {"text", "您好，12345热线，请讲。"}},
               {{"speaker", "caller"}, {"text", "幸福路那边路灯不亮了，晚上很黑，走路不安全"}},
               {{"speaker", "agent"}, {"text", "好的，已经为您记录。"}}}}}
            .dump();
    {
        gateway::http_client http("127.0.0.1", p.port);
        auto res =
            http.request("POST", "/hotline/transcripts", call,
                         signed_hotline_headers(hotline_secret, "/hotline/transcripts", call));
        INFO(res.body);
        REQUIRE(res.status == 200);
        const auto result = json::parse(res.body)["results"][0];
        REQUIRE(result["cases"].size() == 1);
        CHECK(result["cases"][0]["number"] == number);
        CHECK(result["cases"][0]["joined"] == true);

        // The same caller rings again about it: no case and no second row; the operator's
        // answer says they follow it already.
        json second = json::parse(call);
        second["call_id"] = "one-case-2";
        second["turns"][1]["text"] = "幸福路的路灯坏了好几天了，晚上一片黑，怎么还没人修";
        const std::string again = second.dump();
        res = http.request("POST", "/hotline/transcripts", again,
                           signed_hotline_headers(hotline_secret, "/hotline/transcripts", again));
        INFO(res.body);
        REQUIRE(res.status == 200);
        const auto repeated = json::parse(res.body)["results"][0];
        REQUIRE(repeated["cases"].size() == 1);
        CHECK(repeated["cases"][0]["number"] == number);
        CHECK(repeated["cases"][0]["repeated"] == true);
        CHECK_FALSE(repeated["cases"][0].contains("joined"));
        CHECK(has(repeated["cases"][0]["answer"].get<std::string>(), "此前已经反映或关注过"));
        CHECK(p.op("GET", "/api/v1/cases?limit=10")["cases"].size() == 1);
        CHECK(p.op("GET", url)["followers"].size() == 1);
    }

    // 3. The mini program (its resident accepted subscribe messages for the progress).
    const std::string mp_code = "code-one-case-mp";
    const std::string mp_user = fake_wechat_server::openid_for_code(mp_code);
    const auto session = p.call("POST", "/mp/v1/login", {{"code", mp_code}}, "", 200);
    const std::string mp_auth = "Bearer " + session.at("session").get<std::string>();
    for (int i = 0; i < 3; ++i)
        p.call("POST", "/mp/v1/subscriptions", {{"accepted", {progress_template}}}, mp_auth, 200);
    const auto joined = p.call("POST", "/mp/v1/cases",
                               {{"request_id", "one-case-mp-1"},
                                {"kind", "complaint"},
                                {"description", "幸福路路灯不亮好几天了，请派人修一下"}},
                               mp_auth, 201);
    CHECK(joined.at("joined") == true);
    CHECK(joined.at("number") == number);

    // One case; the operator API shows the other two as its followers, masked.
    CHECK(p.op("GET", "/api/v1/cases?limit=10")["cases"].size() == 1);
    auto shown = p.op("GET", url);
    REQUIRE(shown["followers"].size() == 2);
    CHECK(shown["followers"][0]["via"] == "hotline");
    CHECK(shown["followers"][1]["via"] == "mp");
    CHECK_FALSE(has(shown["followers"].dump(), caller));
    CHECK_FALSE(has(shown["followers"].dump(), mp_user));
    CHECK(shown["residents_following"] == 3);  // the reporter and the two followers

    // 4. A fourth resident reports it too, is joined, and says it is not the same problem: their
    // own case, and they leave the first.
    const std::string fourth = "o_one_case_fourth";
    auto fourth_joined = wx.say(fourth, "幸福路路灯不亮好几天了，请派人修一下");
    REQUIRE(fourth_joined.status == 200);
    CHECK(has(fourth_joined.reply.text, number));
    auto own = wx.say(fourth, "不是同一个问题");
    REQUIRE(own.status == 200);
    listed = p.op("GET", "/api/v1/cases?limit=10")["cases"];
    REQUIRE(listed.size() == 2);
    const std::string own_number = listed[0]["number"];
    CHECK(own_number != number);
    CHECK(has(own.reply.text, own_number));
    shown = p.op("GET", url);
    REQUIRE(shown["followers"].size() == 3);
    CHECK(shown["followers"][2]["via"] == "chat");
    CHECK_FALSE(shown["followers"][2]["left_at"].is_null());
    CHECK(shown["residents_following"] == 3);  // the fourth left
    // The operator sees the two cases of one problem in the case's possible duplicates.
    bool listed_own = false;
    const auto possible = p.op("GET", url + "/possible-duplicates");
    INFO(possible.dump() << "\n" << p.op("GET", "/api/v1/cases?limit=10").dump());
    for (const auto& d : possible["possible_duplicates"])
        listed_own = listed_own || d["number"] == own_number;
    CHECK(listed_own);

    // 5. An operator handles the case to done.
    {
        adapters::db::store db(p.db);
        adapters::db::staff_member m;
        m.id = "w-one-case";
        m.name = "李芳";
        m.role = "worker";
        // A worker of the case's community (any community's when it has none).
        m.community =
            shown["community"].is_string() ? shown["community"].get<std::string>() : "东城社区";
        adapters::db::save_staff(db, m, now_s());
    }
    p.op("POST", url + "/actions", {{"action", "assign"}, {"assignee", "w-one-case"}});
    p.op("POST", url + "/actions", {{"action", "start"}});
    // The 12345 centre's return visit before the case is done: refused, and nothing is kept (the
    // same visit is taken once the case is done).
    const json visit{{"callback_id", "one-case-visit-1"},
                     {"case", number},
                     {"caller_phone", caller},
                     {"rating", 3},
                     {"comment", "灯修好了，就是晚了几天"}};
    CHECK(p.feedback(visit, -10).status == 409);
    p.op("POST", url + "/actions", {{"action", "report_done"}});
    CHECK(p.op("GET", url)["status"] == "done");

    // Each of the three hears the result, delivered: the reporter asked to confirm or rate, the
    // followers asked for their own rating; the fourth (who left) hears nothing of it.
    CHECK(eventually([&] { return delivered(p.db, chat_user, "notify/case_done"); }));
    CHECK(eventually([&] { return delivered(p.db, caller, "notify/follower_done_call"); }));
    CHECK(eventually([&] { return delivered(p.db, mp_user, "notify/follower_done"); }));
    for (const auto& row : outbox_to(p.db, fourth)) {
        CHECK(row.n.template_key != "notify/follower_done");
        CHECK(row.n.template_key != "notify/case_assigned");
    }
    CHECK(accepted_for(fake, chat_user) >= 1);
    CHECK(accepted_for(fake, mp_user) >= 1);
    bool caller_heard = false;
    for (const auto& text : sms.texts_to(caller))
        caller_heard = caller_heard || (has(text, number) && has(text, "回访"));
    CHECK(caller_heard);
    // The operators' outbox view lists those notices without naming anyone: not in `to`, not in
    // the text, not in the idempotency keys (which are made of the person's channel and id).
    const auto queue = p.op("GET", "/api/v1/outbox?limit=200");
    CHECK(has(queue.dump(), "notify/follower_done_call"));
    CHECK_FALSE(has(queue.dump(), caller));
    CHECK_FALSE(has(queue.dump(), mp_user));
    CHECK_FALSE(has(queue.dump(), chat_user));

    // The caller rates on the centre's return visit: only for the phone that follows the case by
    // a call, only signed, a rating 1-5, once.
    json stranger = visit;
    stranger["callback_id"] = "one-case-visit-2";
    stranger["caller_phone"] = "13700137001";
    CHECK(p.feedback(stranger, 0).status == 403);
    json bad = visit;
    bad["rating"] = 7;
    CHECK(p.feedback(bad, 0).status == 400);
    CHECK(p.feedback(visit, 0, "wrong-secret-0123456789").status == 401);
    auto fed = p.feedback(visit, 0);
    REQUIRE(fed.status == 200);
    auto fed_json = json::parse(fed.body);
    CHECK(fed_json["rated_as"] == "follower");
    CHECK(fed_json["status"] == "accepted");
    CHECK(p.op("GET", url)["followers"][0]["rating"] == 3);
    CHECK(p.op("GET", url)["status"] == "done");  // a follower's rating is theirs alone
    fed = p.feedback(visit, -5);                  // sent again (another signature): the same answer
    REQUIRE(fed.status == 200);
    CHECK(json::parse(fed.body)["status"] == "duplicate");
    json again = visit;
    again["callback_id"] = "one-case-visit-3";
    again["rating"] = 1;
    CHECK(p.feedback(again, 0).status == 409);  // rated already
    CHECK(p.op("GET", url)["followers"][0]["rating"] == 3);
    bool noted = false;
    const auto history = p.op("GET", url)["events"];
    for (const auto& e : history)
        noted = noted || (e["action"] == "follower_rated" && has(e["note"].dump(), "晚了几天"));
    CHECK(noted);

    // And they rate: the mini program follower for themselves, the reporter by chat.
    const auto mp_rated =
        p.call("POST", "/mp/v1/cases/" + number + "/rate", {{"rating", 4}}, mp_auth, 200);
    CHECK(mp_rated.at("following") == true);
    CHECK(p.op("GET", url)["status"] == "done");  // a follower's rating is theirs alone
    p.call("POST", "/mp/v1/cases/" + number + "/rate", {{"rating", 2}}, mp_auth, 403);  // once
    auto rated = wx.say(chat_user, "5分");
    REQUIRE(rated.status == 200);
    shown = p.op("GET", url);
    CHECK(shown["status"] == "closed");
    CHECK(shown["rating"] == 5);
    CHECK(shown["followers"][1]["rating"] == 4);
    CHECK(shown["followers"][0]["rating"] == 3);
}

TEST_CASE("a mini program resident joined to a case says it is another problem: their own case",
          "[e2e][duplicates]") {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    sms_gateway sms;
    program p(fake, sms);
    wechat_peer wx(p.peer_config(), p.port);

    // The case, opened on the official account.
    auto opened = wx.say("o_not_same_chat", "幸福路的路灯坏了，晚上一片漆黑，走路很不安全");
    REQUIRE(opened.status == 200);
    auto listed = p.op("GET", "/api/v1/cases?limit=10")["cases"];
    REQUIRE(listed.size() == 1);
    const std::string number = listed[0]["number"];
    const std::string url = "/api/v1/cases/" + std::to_string(listed[0]["id"].get<std::int64_t>());

    const auto login = [&](const std::string& code) {
        const auto session = p.call("POST", "/mp/v1/login", {{"code", code}}, "", 200);
        return "Bearer " + session.at("session").get<std::string>();
    };
    const std::string mp_user = fake_wechat_server::openid_for_code("code-not-same-mp");
    const std::string mp_auth = login("code-not-same-mp");
    const std::string stranger_auth = login("code-not-same-stranger");
    const json form{{"request_id", "not-same-1"},
                    {"kind", "complaint"},
                    {"description", "幸福路路灯不亮好几天了，请派人修一下"}};

    // A filing of the same problem joins the case, and the answer says how to say it is not.
    const auto joined = p.call("POST", "/mp/v1/cases", form, mp_auth, 201);
    REQUIRE(joined.at("joined") == true);
    CHECK(joined.at("number") == number);
    CHECK(has(joined.at("message").get<std::string>(), "不是同一个问题"));
    REQUIRE(p.op("GET", url)["followers"].size() == 1);

    // Refused, and nothing changes: a malformed number, a case that does not exist, a case the
    // resident was never joined to (someone else's joined case, or their own filing's).
    json bad = form;
    bad["request_id"] = "not-same-bad";
    bad["not_same_as"] = "MS 2026/01";
    CHECK(p.call("POST", "/mp/v1/cases", bad, mp_auth, 400)["error"]["code"] == "bad_request");
    bad["not_same_as"] = "MS19990101-0001";
    CHECK(p.call("POST", "/mp/v1/cases", bad, mp_auth, 404)["error"]["code"] == "case_not_found");
    json stranger = form;
    stranger["request_id"] = "not-same-stranger";
    stranger["not_same_as"] = number;
    const auto refused = p.call("POST", "/mp/v1/cases", stranger, stranger_auth, 403);
    CHECK(refused["error"]["code"] == "not_following");
    CHECK(has(refused["error"]["message"].get<std::string>(), "没有关注"));
    CHECK(p.op("GET", "/api/v1/cases?limit=10")["cases"].size() == 1);
    CHECK(p.op("GET", url)["followers"][0]["left_at"].is_null());

    // The joined resident says it is another problem: they leave the case and the same
    // description opens their own, although it is still the same problem to the matcher.
    json own = form;
    own["request_id"] = "not-same-2";
    own["not_same_as"] = number;
    const auto mine = p.call("POST", "/mp/v1/cases", own, mp_auth, 201);
    CHECK_FALSE(mine.contains("joined"));
    const std::string own_number = mine.at("number");
    CHECK(own_number != number);
    listed = p.op("GET", "/api/v1/cases?limit=10")["cases"];
    REQUIRE(listed.size() == 2);
    const auto followers = p.op("GET", url)["followers"];
    REQUIRE(followers.size() == 1);
    CHECK(followers[0]["via"] == "mp");
    CHECK_FALSE(followers[0]["left_at"].is_null());
    CHECK(p.op("GET", url)["residents_following"] == 1);  // the reporter alone
    // Their case is theirs: listed among their cases, shown to them.
    bool listed_mine = false;
    const auto my_cases = p.call("GET", "/mp/v1/cases", nullptr, mp_auth, 200);
    for (const auto& c : my_cases["cases"]) listed_mine = listed_mine || c["number"] == own_number;
    CHECK(listed_mine);
    p.call("GET", "/mp/v1/cases/" + own_number, nullptr, mp_auth, 200);
    CHECK_FALSE(has(p.op("GET", url)["followers"].dump(), mp_user));

    // A retry of that submit answers the same case and opens nothing more; a filing of the same
    // problem later is not joined to the case they left: it tells their own case again, which
    // takes the words and the photo as details.
    const auto retried = p.call("POST", "/mp/v1/cases", own, mp_auth, 200);
    CHECK(retried.at("number") == own_number);
    json later = form;
    later["request_id"] = "not-same-3";
    later["description"] = "幸福路的路灯还是不亮，晚上很黑，请尽快来修";
    later["media_ids"] = json::array({"media-again-1"});
    const auto again = p.call("POST", "/mp/v1/cases", later, mp_auth, 201);
    CHECK(again.at("repeated") == true);
    CHECK(again.at("following") == false);
    CHECK(again.at("number") == own_number);
    CHECK(has(again.at("message").get<std::string>(), "您之前已经反映过这个问题"));
    CHECK(p.op("GET", url)["followers"].size() == 1);
    std::int64_t own_id = 0;
    const auto all_cases = p.op("GET", "/api/v1/cases?limit=10");
    REQUIRE(all_cases["cases"].size() == 2);
    for (const auto& c : all_cases["cases"])
        if (c["number"] == own_number) own_id = c["id"].get<std::int64_t>();
    const auto own_events = p.op("GET", "/api/v1/cases/" + std::to_string(own_id))["events"];
    const auto shown = own_events.dump();
    CHECK(has(shown, "幸福路的路灯还是不亮"));
    CHECK(has(shown, "media:media-again-1"));

    // Their own case named as not the same: a case of its own after all.
    json separate = later;
    separate["request_id"] = "not-same-4";
    separate["not_same_as"] = own_number;
    const auto third = p.call("POST", "/mp/v1/cases", separate, mp_auth, 201);
    CHECK_FALSE(third.contains("repeated"));
    CHECK(third.at("number") != own_number);
    CHECK(p.op("GET", "/api/v1/cases?limit=10")["cases"].size() == 3);
}

TEST_CASE(
    "a 12345 caller joined to a case says it is another problem: the centre posts it, and "
    "their own case opens from what they said",
    "[e2e][duplicates][hotline]") {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    sms_gateway sms;
    program p(fake, sms);
    wechat_peer wx(p.peer_config(), p.port);

    auto opened = wx.say("o_split_chat", "幸福路的路灯坏了，晚上一片漆黑，走路很不安全");
    REQUIRE(opened.status == 200);
    auto listed = p.op("GET", "/api/v1/cases?limit=10")["cases"];
    REQUIRE(listed.size() == 1);
    const std::string number = listed[0]["number"];
    const std::string url = "/api/v1/cases/" + listed[0]["id"].dump();

    // The caller is joined to it, and the operator reads them the answer that says so.
    const std::string caller = "13900139002";
    const std::string call =
        json{{"call_id", "split-1"},
             {"hotline", "12345"},
             {"caller", {{"phone", caller}}},
             {"turns",
              {{{"speaker", "agent"}, {"text", "您好，12345热线，请讲。"}},
               {{"speaker", "caller"}, {"text", "幸福路那边路灯不亮了，晚上很黑，走路不安全"}},
               {{"speaker", "agent"}, {"text", "附近已有同类问题，已将您加入关注。"}}}}}
            .dump();
    {
        gateway::http_client http("127.0.0.1", p.port);
        auto res =
            http.request("POST", "/hotline/transcripts", call,
                         signed_hotline_headers(hotline_secret, "/hotline/transcripts", call));
        REQUIRE(res.status == 200);
        const auto result = json::parse(res.body)["results"][0];
        REQUIRE(result["cases"].size() == 1);
        REQUIRE(result["cases"][0]["joined"] == true);
    }
    CHECK(p.op("GET", url)["residents_following"] == 2);

    // Refused, nothing changed: unsigned or wrongly signed, a malformed body, a case nobody
    // has, a phone that follows it by no call.
    const json ask{{"request_id", "NS-1"}, {"case", number}, {"caller_phone", caller}};
    CHECK(p.not_same(ask, 0, "wrong-secret-0123456789").status == 401);
    {
        gateway::http_client http("127.0.0.1", p.port);
        const std::string body = ask.dump();
        CHECK(
            http.request("POST", "/hotline/not-same", body, {{"Content-Type", "application/json"}})
                .status == 401);
    }
    json bad = ask;
    bad["caller_phone"] = "not a phone";
    CHECK(p.not_same(bad, 0).status == 400);
    bad = ask;
    bad.erase("request_id");
    CHECK(p.not_same(bad, 0).status == 400);
    json unknown = ask;
    unknown["case"] = "MS20200101-9999";
    CHECK(p.not_same(unknown, 0).status == 404);
    json stranger = ask;
    stranger["caller_phone"] = "13700137009";
    auto refused = p.not_same(stranger, 0);
    CHECK(refused.status == 403);
    CHECK(has(refused.body, "not_the_caller"));
    CHECK(p.op("GET", "/api/v1/cases?limit=10")["cases"].size() == 1);
    CHECK(p.op("GET", url)["followers"][0]["left_at"].is_null());

    // The caller's own case, from what they said on the call; they leave the first.
    auto res = p.not_same(ask, 0);
    REQUIRE(res.status == 200);
    const auto answer = json::parse(res.body);
    CHECK(answer["status"] == "accepted");
    CHECK(answer["left"] == number);
    const std::string own = answer["case"]["number"];
    CHECK(own != number);
    CHECK(answer["case"]["span"] == "turn 2");
    CHECK(has(answer["answer"].get<std::string>(), own));
    listed = p.op("GET", "/api/v1/cases?limit=10")["cases"];
    REQUIRE(listed.size() == 2);
    CHECK(listed[0]["number"] == own);
    const auto own_case = p.op("GET", "/api/v1/cases/" + listed[0]["id"].dump());
    CHECK(has(own_case.dump(), "路灯不亮"));
    CHECK(own_case["source"]["ref"] == "default:split-1");  // <system>:<call id>
    CHECK_FALSE(has(own_case.dump(), caller));              // masked, as every view
    auto shown = p.op("GET", url);
    CHECK_FALSE(shown["followers"][0]["left_at"].is_null());
    CHECK(shown["residents_following"] == 1);
    bool noted = false;
    for (const auto& e : shown["events"])
        noted = noted || (e["action"] == "follower_split" && has(e.dump(), own));
    CHECK(noted);
    // Told by SMS, naming their own case.
    CHECK(eventually([&] {
        for (const auto& text : sms.texts_to(caller))
            if (has(text, own) && has(text, number)) return true;
        return false;
    }));

    // Sent again (another signature): the same answer, nothing more; another request: refused.
    res = p.not_same(ask, -5);
    REQUIRE(res.status == 200);
    CHECK(json::parse(res.body)["status"] == "duplicate");
    CHECK(json::parse(res.body)["case"]["number"] == own);
    json later = ask;
    later["request_id"] = "NS-2";
    refused = p.not_same(later, 0);
    CHECK(refused.status == 409);
    CHECK(has(refused.body, "not_following"));
    CHECK(p.op("GET", "/api/v1/cases?limit=10")["cases"].size() == 2);
}

TEST_CASE(
    "an operator splits off a follower whose report is another problem: their own case, "
    "with what they sent",
    "[e2e][duplicates]") {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    sms_gateway sms;
    program p(fake, sms);
    wechat_peer wx(p.peer_config(), p.port);

    REQUIRE(wx.say("o_split_op_chat", "幸福路的路灯坏了，晚上一片漆黑，走路很不安全").status ==
            200);
    auto listed = p.op("GET", "/api/v1/cases?limit=10")["cases"];
    REQUIRE(listed.size() == 1);
    const std::string number = listed[0]["number"];
    const std::string url = "/api/v1/cases/" + listed[0]["id"].dump();

    // A mini program resident is joined to it, with a photo.
    const std::string mp_code = "code-split-op-mp";
    const std::string mp_user = fake_wechat_server::openid_for_code(mp_code);
    const auto session = p.call("POST", "/mp/v1/login", {{"code", mp_code}}, "", 200);
    const std::string mp_auth = "Bearer " + session.at("session").get<std::string>();
    const auto joined = p.call("POST", "/mp/v1/cases",
                               {{"request_id", "split-op-1"},
                                {"kind", "complaint"},
                                {"description", "幸福路路灯不亮好几天了，请派人修一下"},
                                {"media_ids", {"media-split-1"}}},
                               mp_auth, 201);
    REQUIRE(joined.at("joined") == true);
    auto shown = p.op("GET", url);
    REQUIRE(shown["followers"].size() == 1);
    const auto row = shown["followers"][0];
    CHECK(row["can_split"] == true);
    const std::string joined_at = row["joined_at"];

    // Refused, nothing changed: a malformed body, a row that is not there or not as shown.
    const std::string split = url + "/followers/split";
    const std::string auth = "Bearer " + operator_token;
    p.call("POST", split, {{"follower", 0}, {"joined_at", joined_at}}, auth, 400);
    p.call("POST", split, {{"follower", 1}, {"joined_at", "yesterday"}}, auth, 400);
    p.call("POST", split, {{"follower", 1}}, auth, 400);
    p.call("POST", split, {{"follower", 2}, {"joined_at", joined_at}}, auth, 409);
    p.call("POST", split, {{"follower", 1}, {"joined_at", "2020-01-01T00:00:00+08:00"}}, auth, 409);
    p.call("POST", split, {{"follower", 1}, {"joined_at", joined_at}}, "", 401);
    p.call("POST", "/api/v1/cases/999999/followers/split",
           {{"follower", 1}, {"joined_at", joined_at}}, auth, 404);
    CHECK(p.op("GET", "/api/v1/cases?limit=10")["cases"].size() == 1);
    CHECK(p.op("GET", url)["followers"][0]["left_at"].is_null());

    // Their own case, from what they sent; they leave the first and are told.
    const auto done = p.call("POST", split, {{"follower", 1}, {"joined_at", joined_at}}, auth, 201);
    const std::string own = done["case"]["number"];
    CHECK(own != number);
    CHECK(done["left"]["number"] == number);
    const auto own_case = p.op("GET", "/api/v1/cases/" + done["case"]["id"].dump());
    CHECK(has(own_case.dump(), "路灯不亮好几天"));
    CHECK(has(own_case.dump(), "media-split-1"));  // their photo, as their detail line
    CHECK_FALSE(has(own_case.dump(), mp_user));
    shown = p.op("GET", url);
    CHECK_FALSE(shown["followers"][0]["left_at"].is_null());
    CHECK(shown["followers"][0]["can_split"] == false);
    bool noted = false;
    for (const auto& e : shown["events"])
        noted = noted || (e["action"] == "follower_split" && has(e.dump(), own));
    CHECK(noted);
    bool told = false;
    for (const auto& n : outbox_to(p.db, mp_user))
        told = told || (n.n.template_key == "notify/follower_split" && has(n.n.text, own));
    CHECK(told);
    // The operators' outbox view names nobody (its idempotency keys included).
    const auto queue = p.op("GET", "/api/v1/outbox?limit=100").dump();
    CHECK(has(queue, "notify/follower_split"));
    CHECK_FALSE(has(queue, mp_user));
    // It is theirs in the mini program now.
    bool mine = false;
    const auto my_cases = p.call("GET", "/mp/v1/cases", nullptr, mp_auth, 200);
    INFO(my_cases.dump() << "\n" << own_case.dump());
    for (const auto& c : my_cases["cases"]) mine = mine || c["number"] == own;
    CHECK(mine);
    // Once: the row has left.
    p.call("POST", split, {{"follower", 1}, {"joined_at", joined_at}}, auth, 409);
    CHECK(p.op("GET", "/api/v1/cases?limit=10")["cases"].size() == 2);
}
