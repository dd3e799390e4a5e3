// End-to-end: 12345 transcripts posted to the real gateway over HTTP with the real HMAC (v2),
// becoming cases in a real SQLite file, exactly once per call.

#include <iterator>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

constexpr const char* secret = "hotline-test-secret-0123456789";

struct hotline_fixture {
    running_gateway g;
    explicit hotline_fixture(const std::string& tag) : g(make(tag)) {}
    static gateway::config make(const std::string& tag) {
        auto c = test_config(security_mode::safe, temp_db_path(tag));
        c.hotline.secrets["default"] = secret;
        return c;
    }

    gateway::client_response post(const std::string& body,
                                  const std::string& type = "application/json",
                                  const std::string& target = "/hotline/transcripts",
                                  std::string sign_with = secret, std::int64_t skew = 0) {
        auto http = g.client();
        return http.request("POST", target, body,
                            signed_hotline_headers(sign_with, target, body, type, skew));
    }

    json cases(const std::string& query = "") {
        auto http = g.client();
        auto res =
            http.request("GET", "/api/v1/cases" + query, "", {{"Authorization", bearer(g.cfg)}});
        REQUIRE(res.status == 200);
        return json::parse(res.body)["cases"];
    }
};

std::string call(const std::string& id, const std::string& phone, const std::string& words) {
    return json{{"call_id", id},
                {"hotline", "12345"},
                {"caller", {{"phone", phone}}},
                {"turns",
                 {{{"speaker", "agent"}, {"text", "您好，12345热线，请讲。"}},
                  {{"speaker", "caller"}, {"text", words}},
                  {{"speaker", "agent"}, {"text", "好的，已经为您记录。"}}}}}
        .dump();
}

}  // namespace

TEST_CASE("a transcript batch with a duplicate and a malformed call answers per call",
          "[e2e][hotline]") {
    hotline_fixture f("hotline-batch");
    std::string batch = "[" +
                        call("C-1", "13800138000",
                             "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便。") +
                        "," + R"({"call_id":"C-2","caller":{"phone":"1"},"turns":[]})" + "," +
                        call("C-1", "13800138000",
                             "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便。") +
                        "]";
    auto res = f.post(batch);
    REQUIRE(res.status == 200);
    auto body = json::parse(res.body);
    REQUIRE(body["results"].size() == 3);
    CHECK(body["results"][0]["status"] == "accepted");
    REQUIRE(body["results"][0]["cases"].size() == 1);
    CHECK(body["results"][1]["status"] == "rejected");
    CHECK(body["results"][1]["call_id"] == "C-2");
    CHECK(body["results"][2]["status"] == "duplicate");
    CHECK(body["results"][2]["cases"] == body["results"][0]["cases"]);

    auto cases = f.cases("?channel=hotline");
    REQUIRE(cases.size() == 1);
    const auto& c = cases[0];
    CHECK(c["number"] == body["results"][0]["cases"][0]["number"]);
    CHECK(c["source"]["ref"] == "default:C-1");
    CHECK(c["source"]["span"] == "turn 2");
    CHECK(c["contact_phone"] == "138****8000");
    CHECK(c["description"].get<std::string>().find("您好") == std::string::npos);  // caller only

    // Sent again later: the same answer, nothing new.
    auto again = f.post(call("C-1", "13800138000", "幸福小区3栋门口的路灯坏了一个星期了。"));
    REQUIRE(again.status == 200);
    auto a = json::parse(again.body);
    CHECK(a["results"][0]["status"] == "duplicate");
    CHECK(a["results"][0]["cases"] == body["results"][0]["cases"]);
    CHECK(f.cases("?channel=hotline").size() == 1);

    // The caller's notification waits in the outbox (delivered on WeChat when the phone is bound,
    // else by SMS).
    auto http = f.g.client();
    auto outbox = json::parse(
        http.request("GET", "/api/v1/outbox?case_id=" + std::to_string(c["id"].get<std::int64_t>()),
                     "", {{"Authorization", bearer(f.g.cfg)}})
            .body)["notifications"];
    bool caller_told = false;
    for (const auto& n : outbox)
        if (n["template"] == "hotline/case_opened") caller_told = true;
    CHECK(caller_told);
}

TEST_CASE("a call that raises two problems opens two cases, each with its span", "[e2e][hotline]") {
    hotline_fixture f("hotline-two");
    std::string body =
        json{{"call_id", "C-7"},
             {"caller", {{"phone", "13900139000"}}},
             {"turns",
              {{{"speaker", "agent"}, {"text", "您好，请讲。"}},
               {{"speaker", "caller"}, {"text", "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑。"}},
               {{"speaker", "agent"}, {"text", "好的，还有别的吗？"}},
               {{"speaker", "caller"},
                {"text", "还有，小区门口的垃圾已经好几天没人清运了，臭得不行。"}}}}}
            .dump();
    auto res = f.post(body);
    REQUIRE(res.status == 200);
    auto r = json::parse(res.body)["results"][0];
    REQUIRE(r["status"] == "accepted");
    REQUIRE(r["cases"].size() == 2);
    CHECK(r["cases"][0]["span"] == "turn 2");
    CHECK(r["cases"][1]["span"] == "turn 4");
}

TEST_CASE("plain speaker-tagged text is accepted with the call id in the query", "[e2e][hotline]") {
    hotline_fixture f("hotline-text");
    std::string text =
        "[00:00:01] 坐席：您好，12345热线。\n"
        "[00:00:05] 市民：和平路12号旁边的下水道井盖丢了，很危险，请尽快处理。\n";
    auto res = f.post(text, "text/plain; charset=utf-8",
                      "/hotline/transcripts?call_id=T-1&caller_phone=13700137000");
    REQUIRE(res.status == 200);
    CHECK(json::parse(res.body)["results"][0]["status"] == "accepted");
    CHECK(f.cases("?channel=hotline").size() == 1);
}

TEST_CASE("a wrong HMAC, a stale timestamp or a bad body changes nothing", "[e2e][hotline]") {
    hotline_fixture f("hotline-bad");
    const std::string good = call("C-9", "13800138000", "幸福小区3栋门口的路灯坏了一个星期了。");
    CHECK(f.post(good, "application/json", "/hotline/transcripts", "another-secret-abcdefgh")
              .status == 401);
    CHECK(f.post(good, "application/json", "/hotline/transcripts", secret, -3600).status == 401);
    {
        auto http = f.g.client();
        CHECK(http.request("POST", "/hotline/transcripts", good,
                           {{"Content-Type", "application/json"}})
                  .status == 401);
    }
    CHECK(f.post("{not json").status == 400);
    CHECK(f.post("<call/>", "application/xml").status == 400);
    CHECK(f.cases().empty());
    CHECK(f.g.app.stats().requests_rejected.value("bad_signature") == 1);
    CHECK(f.g.app.stats().requests_rejected.value("stale_timestamp") == 1);
}

namespace {
// Long single-problem letters, as callers read them out: a title, the complaint, rhetorical
// questions, closing formulas, dates and signatures (hand-written, not from any corpus).
const std::string letters[] = {
    "关于阳光花园小区垃圾站长期无人管理的投诉！尊敬的领导：您好！我是阳光花园小区的一名业主。"
    "我们小区东门旁边的垃圾站已经有三个多月没有人认真管理了，垃圾桶满了也没人清运，垃圾堆到了"
    "路中间。同时，垃圾站旁边就是小区的儿童游乐场。我们多次向物业反映，物业总是说已经安排了。"
    "难道就没有人管了吗？我们每年交的物业费都去哪里了？大家觉得可笑不可笑？希望有关部门尽快督促"
    "物业整改。此致\n敬礼！\n一位阳光花园的业主\n2018年2月23日",
    "请求解决城南中学门口交通拥堵问题。城南中学门口每天早上七点到八点都堵得水泄不通，接送孩子"
    "的车辆乱停乱放，学生只能在车缝里穿行。另外，学校门口没有斑马线，也没有红绿灯，前几天还有一"
    "个学生被电动车撞倒了。这样下去迟早要出大事！有关部门为什么不管？恳请交警部门在上下学时段"
    "派人疏导，并在学校门口设置斑马线和减速带。谢谢！\n一位家长\n2019年9月6日",
    "反映我单位拖欠工资问题。我于2018年3月进入某建筑公司工作，担任施工员。公司从去年10月开始"
    "就没有按时发工资，到现在已经拖欠了整整五个月。我们多次找公司领导，领导每次都说下个月一定"
    "发，可是到现在一分钱也没有。而且，公司也没有给我们缴纳社保。我们一家老小都靠这份工资生活，"
    "现在连房贷都还不上了。请问这样的公司就没有人管吗？恳请劳动监察部门为我们做主！此致 敬礼",
};

std::string long_call(const std::string& id, const std::string& words) {
    return json{{"call_id", id},
                {"caller", {{"phone", "13600136000"}}},
                {"turns",
                 {{{"speaker", "agent"}, {"text", "您好，12345热线，请讲。"}},
                  {{"speaker", "caller"}, {"text", words}},
                  {{"speaker", "agent"}, {"text", "请问具体是在哪个位置？"}},
                  {{"speaker", "caller"}, {"text", "就在我刚才说的那个地方，麻烦你们尽快处理。"}},
                  {{"speaker", "agent"}, {"text", "好的，还有别的问题吗？"}},
                  {{"speaker", "caller"}, {"text", "没有了，谢谢。"}}}}}
        .dump();
}
}  // namespace

TEST_CASE("long single-problem letters said in a call open one case each", "[e2e][hotline]") {
    hotline_fixture f("hotline-letters");
    int n = 0;
    for (const auto& l : letters) {
        const std::string id = "L-" + std::to_string(++n);
        auto res = f.post(long_call(id, l));
        REQUIRE(res.status == 200);
        auto r = json::parse(res.body)["results"][0];
        REQUIRE(r["status"] == "accepted");
        CHECK(r["cases"].size() == 1);
        CHECK(r["cases"][0]["span"] == "turns 2-4");  // the thanks in turn 6 stay out
    }
    CHECK(f.cases("?channel=hotline").size() == std::size(letters));
}

TEST_CASE("a call with 还有一件事 opens two cases whose texts are the two problems",
          "[e2e][hotline]") {
    hotline_fixture f("hotline-two-spans");
    const std::string first = "我要反映一下，我们小区门口的路灯坏了一个星期了，晚上特别黑。";
    const std::string second = "还有一件事，我们楼下的烧烤摊每天营业到凌晨两点，油烟直往家里灌。";
    auto res = f.post(call("C-21", "13500135000", first + second));
    REQUIRE(res.status == 200);
    auto r = json::parse(res.body)["results"][0];
    REQUIRE(r["cases"].size() == 2);
    auto cases = f.cases("?channel=hotline");
    REQUIRE(cases.size() == 2);
    std::set<std::string> texts;
    for (const auto& c : cases) texts.insert(c["description"].get<std::string>());
    INFO("descriptions are shown masked: the texts here carry no address or phone");
    CHECK(texts.contains(first));
    CHECK(texts.contains(second));
}
