// End-to-end: the statistics endpoints (/api/v1/stats, demand.svg, resources.svg) of the real
// gateway, with cases filed by residents over the real encrypted official-account protocol and
// handled through the operator API, on a real SQLite file.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "dialog/templates.hpp"
#include "dialog/values/civil_time.hpp"
#include "gateway/operator/stats_render.hpp"
#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

const std::string guangming = "光明社区";
const std::string xingfu = "幸福社区";
const std::string nanshan = "南山社区";  // configured; nothing happens there
// "光明社区" in a query string.
const std::string guangming_q = "%E5%85%89%E6%98%8E%E7%A4%BE%E5%8C%BA";

gateway::config stats_config(const std::string& tag) {
    auto c = test_config(security_mode::safe, temp_db_path(tag));
    c.communities = {{guangming, "光明街道", {}, std::nullopt},
                     {xingfu, "光明街道", {}, std::nullopt},
                     {nanshan, "南山街道", {}, std::nullopt}};
    c.program.settings.stations = {
        {"gm-01", "光明社区党群服务驿站", guangming, "光明路1号", std::nullopt, ""},
        {"gm-02", "光明社区长者驿站", guangming, "光明路9号", std::nullopt, ""},
        {"xf-01", "幸福社区驿站", xingfu, "幸福路2号", std::nullopt, ""},
    };
    return c;
}

struct scenario {
    running_gateway g;
    wechat_peer wx;
    adapters::db::store db;  // for staff and their tokens, as minsheng-admin does

    explicit scenario(const std::string& tag)
        : g(stats_config(tag)), wx(g.cfg, g.port), db(g.cfg.db_path) {
        add_staff("w-gm", "worker", guangming, "");
        add_staff("w-xf", "worker", xingfu, "");
        add_staff("s-gm", "supervisor", "", "光明街道");
    }

    void add_staff(const std::string& id, const std::string& role, const std::string& community,
                   const std::string& street) {
        adapters::db::staff_member m;
        m.id = id;
        m.name = "员工" + id;
        m.role = role;
        m.community = community;
        m.street = street;
        adapters::db::save_staff(db, m, now_s());
    }
    std::string token_for(const std::string& id) {
        return adapters::db::issue_token(db, id, 0, "test", now_s()).token;
    }

    std::string say(const std::string& user, const std::string& text) {
        auto r = wx.say(user, text);
        REQUIRE(r.status == 200);
        return r.reply.text;
    }

    // GET with the bootstrap (admin) token, or with `token` ("-": none).
    gateway::client_response get(const std::string& target, const std::string& token = "") {
        auto http = g.client();
        std::map<std::string, std::string> headers;
        if (token.empty())
            headers["Authorization"] = bearer(g.cfg);
        else if (token != "-")
            headers["Authorization"] = "Bearer " + token;
        return http.request("GET", target, "", headers);
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

    json stats(const std::string& query = "", const std::string& token = "") {
        auto res = get("/api/v1/stats" + query, token);
        INFO(query << " → " << res.status << " " << res.body);
        REQUIRE(res.status == 200);
        CHECK(res.headers["content-type"] == "application/json; charset=utf-8");
        return json::parse(res.body);
    }

    json newest_case() {
        auto list = api("GET", "/api/v1/cases?limit=1");
        REQUIRE(list["cases"].size() == 1);
        return list["cases"][0];
    }

    json act(const json& c, const std::string& body) {
        return api("POST",
                   "/api/v1/cases/" + std::to_string(c["id"].get<std::int64_t>()) + "/actions",
                   body);
    }

    // An operator handles the complaint to done; the resident confirms and rates it.
    void handle_and_rate(const json& c, const std::string& resident, const std::string& rating) {
        act(c, R"({"action":"accept"})");
        act(c,
            json{{"action", "assign"}, {"assignee", c["community"] == guangming ? "w-gm" : "w-xf"}}
                .dump());
        act(c, R"({"action":"start"})");
        act(c, R"({"action":"report_done","note":"已处理"})");
        say(resident, "已解决");
        say(resident, rating);
    }
};

std::int64_t count_of(const json& rows, const std::string& key) {
    for (const auto& r : rows)
        if (r["key"] == key) return r["count"];
    return 0;
}

// Every text node of the picture, in document order.
std::vector<std::string> texts_of(const pugi::xml_document& doc) {
    std::vector<std::string> out;
    for (const auto& n : doc.select_nodes("//text")) out.push_back(n.node().child_value());
    return out;
}

bool has_text(const std::vector<std::string>& texts, const std::string& t) {
    for (const auto& x : texts)
        if (x == t) return true;
    return false;
}

// Parses an SVG answer and checks what every picture must have.
void parse_picture(const gateway::client_response& res, pugi::xml_document& doc) {
    INFO(res.body);
    REQUIRE(res.status == 200);
    CHECK(res.headers.at("content-type") == "image/svg+xml; charset=utf-8");
    const auto parsed = doc.load_string(res.body.c_str());
    REQUIRE(parsed);
    const auto svg = doc.child("svg");
    REQUIRE(svg);
    CHECK(std::string(svg.attribute("xmlns").value()) == "http://www.w3.org/2000/svg");
    CHECK(std::string(svg.attribute("role").value()) == "img");
    CHECK(std::string(svg.child("title").child_value()).size() > 0);
    CHECK(std::string(svg.child("desc").child_value()).size() > 0);
    // Self-contained: nothing fetched from elsewhere.
    CHECK(res.body.find("<script") == std::string::npos);
    CHECK(res.body.find("href") == std::string::npos);
    CHECK(res.body.find("@import") == std::string::npos);
    CHECK(res.body.find("url(") == std::string::npos);
}

std::string today_china() { return dialog::format_date(dialog::china_date(now_s())); }

}  // namespace

TEST_CASE("the stats templates all exist", "[e2e][stats]") {
    auto texts = dialog::template_set::load(MINSHENG_SOURCE_DIR "/templates");
    CHECK_NOTHROW(texts->require(gateway::stats_render::template_keys()));
}

TEST_CASE("stats follow cases as they are filed, closed and rated", "[e2e][stats]") {
    scenario s("stats-cases");

    auto empty = s.stats();
    CHECK(empty["until"] == today_china());
    CHECK(empty["communities"].is_null());  // the bootstrap operator is an admin: everything
    CHECK(empty["totals"]["cases"] == 0);
    CHECK(empty["deadlines"]["compliance_rate"].is_null());
    CHECK(empty["ratings"]["mean"].is_null());
    CHECK(empty["ratings"]["distribution"]["5"] == 0);
    // The configured communities are listed with their stations even before anything happens.
    REQUIRE(empty["resources"].size() == 3);
    // By name: 光 (U+5149), 南 (U+5357), 幸 (U+5E78).
    CHECK(empty["resources"][0] ==
          json{{"community", guangming}, {"volunteers", 0}, {"stations", 2}});
    CHECK(empty["resources"][1] ==
          json{{"community", nanshan}, {"volunteers", 0}, {"stations", 0}});
    CHECK(empty["resources"][2] == json{{"community", xingfu}, {"volunteers", 0}, {"stations", 1}});

    s.say("o_res_gm", "光明社区3栋门口的路灯坏了一个星期了，晚上很黑");
    auto first = s.newest_case();
    REQUIRE(first["community"] == guangming);
    s.say("o_res_xf", "幸福社区2栋楼下的垃圾好几天没人清运了，气味很大");
    auto second = s.newest_case();
    REQUIRE(second["community"] == xingfu);
    REQUIRE(first["id"] != second["id"]);

    auto filed = s.stats();
    CHECK(filed["totals"]["cases"] == 2);
    CHECK(filed["totals"]["open"] == 2);
    CHECK(filed["totals"]["closed"] == 0);
    CHECK(filed["totals"]["overdue"] == 0);
    CHECK(count_of(filed["by_channel"], "wechat_oa") == 2);
    CHECK(count_of(filed["by_community"], guangming) == 1);
    CHECK(count_of(filed["by_community"], xingfu) == 1);
    CHECK(count_of(filed["by_kind"], first["kind"].get<std::string>()) >= 1);
    CHECK(count_of(filed["by_category"], first["category"].get<std::string>()) >= 1);
    CHECK(count_of(filed["by_status"], "received") + count_of(filed["by_status"], "accepted") == 2);
    CHECK(filed["deadlines"]["with_deadline"] == 2);
    CHECK(filed["deadlines"]["open_on_time"] == 2);
    CHECK(filed["deadlines"]["compliance_rate"].is_null());  // nothing decided yet
    std::int64_t demand_total = 0;
    for (const auto& cell : filed["demand"]) demand_total += cell["count"].get<std::int64_t>();
    CHECK(demand_total == 2);

    // Closing the first with a 5: closed +1, on time, the mean is 5.
    s.handle_and_rate(first, "o_res_gm", "5分");
    REQUIRE(s.api("GET",
                  "/api/v1/cases/" + std::to_string(first["id"].get<std::int64_t>()))["status"] ==
            "closed");
    auto closed = s.stats();
    CHECK(closed["totals"]["closed"] == 1);
    CHECK(closed["totals"]["open"] == 1);
    CHECK(count_of(closed["by_status"], "closed") == 1);
    CHECK(closed["deadlines"]["closed_on_time"] == 1);
    CHECK(closed["deadlines"]["closed_late"] == 0);
    CHECK(closed["deadlines"]["compliance_rate"] == 1.0);
    CHECK(closed["ratings"]["count"] == 1);
    CHECK(closed["ratings"]["mean"] == 5.0);
    CHECK(closed["ratings"]["distribution"]["5"] == 1);

    // A 3 for the second moves the mean to 4.
    s.handle_and_rate(second, "o_res_xf", "3分");
    auto rated = s.stats();
    CHECK(rated["totals"]["closed"] == 2);
    CHECK(rated["ratings"]["count"] == 2);
    CHECK(rated["ratings"]["mean"] == 4.0);
    CHECK(rated["ratings"]["distribution"]["3"] == 1);
    CHECK(rated["ratings"]["distribution"]["5"] == 1);

    // One community: only its case.
    auto one = s.stats("?community=" + guangming_q);
    CHECK(one["communities"] == json::array({guangming}));
    CHECK(one["totals"]["cases"] == 1);
    CHECK(one["ratings"]["mean"] == 5.0);
    REQUIRE(one["resources"].size() == 1);
    CHECK(one["resources"][0]["community"] == guangming);
    for (const auto& cell : one["demand"]) CHECK(cell["community"] == guangming);

    // A window in the past has none of them; today alone has both.
    auto past = s.stats("?since=2020-01-01&until=2020-01-31");
    CHECK(past["since"] == "2020-01-01");
    CHECK(past["until"] == "2020-01-31");
    CHECK(past["totals"]["cases"] == 0);
    auto today = s.stats("?since=" + today_china() + "&until=" + today_china());
    CHECK(today["totals"]["cases"] == 2);
}

TEST_CASE("stats count a volunteer's claim, the confirmed wish and the points", "[e2e][stats]") {
    scenario s("stats-volunteer");
    s.say("o_elder",
          "我是独居老人，腿脚不便，希望有好心人帮我每周买一次菜。我住光明社区5栋，电话"
          "13800138000");
    auto wish = s.newest_case();
    REQUIRE(wish["kind"] == "wish");
    const std::string number = wish["number"];

    s.say("o_vol", "我要当志愿者");
    s.say("o_vol", guangming);
    approve_volunteer(s.g.cfg, s.g.port, application_in(s.say("o_vol", "会买菜、陪老人聊天")));
    auto registered = s.stats();
    CHECK(registered["volunteers"]["registered"] == 1);
    CHECK(registered["volunteers"]["active"] == 0);
    CHECK(registered["volunteers"]["claims"] == 0);

    s.say("o_vol", "认领 " + number);
    s.say("o_vol", "完成 " + number);
    s.say("o_elder", "已解决");
    s.say("o_elder", "5分");

    auto v = s.stats()["volunteers"];
    CHECK(v["registered"] == 1);
    CHECK(v["active"] == 1);
    CHECK(v["claims"] == 1);
    CHECK(v["wishes_confirmed"] == 1);
    CHECK(v["points_credited"] == 10);
    CHECK(v["visits"] == 0);
    CHECK(v["service_minutes"] == 0);

    // The resource chart shows the volunteer and the stations of 光明社区.
    pugi::xml_document doc;
    parse_picture(s.get("/api/v1/stats/resources.svg"), doc);
    const auto texts = texts_of(doc);
    CHECK(has_text(texts, guangming));
    CHECK(has_text(texts, xingfu));
    CHECK(has_text(texts, nanshan));
    CHECK(has_text(texts, "1"));  // the volunteer
    CHECK(has_text(texts, "2"));  // 光明社区's stations
    CHECK(has_text(texts, "志愿者（名）"));
    CHECK(has_text(texts, "驿站（个）"));
    CHECK(std::string(doc.child("svg").child("desc").child_value()).find("1 名") !=
          std::string::npos);
}

TEST_CASE("the demand picture shows each community's cases by category", "[e2e][stats]") {
    scenario s("stats-demand");

    // Nothing yet: a picture that says so.
    {
        pugi::xml_document doc;
        parse_picture(s.get("/api/v1/stats/demand.svg"), doc);
        CHECK(has_text(texts_of(doc), "暂无数据"));
    }

    s.say("o_res_1", "光明社区3栋门口的路灯坏了一个星期了，晚上很黑");
    auto c1 = s.newest_case();
    s.say("o_res_2", "光明社区5栋门口的路灯也不亮了，晚上走路很危险");
    s.say("o_res_3", "幸福社区2栋楼下的垃圾好几天没人清运了，气味很大");
    auto c3 = s.newest_case();

    pugi::xml_document doc;
    parse_picture(s.get("/api/v1/stats/demand.svg"), doc);
    const auto texts = texts_of(doc);
    CHECK(has_text(texts, guangming));
    CHECK(has_text(texts, xingfu));
    CHECK(has_text(texts, "合计"));
    CHECK_FALSE(has_text(texts, "暂无数据"));
    // The row totals: 2 for 光明社区, 1 for 幸福社区.
    CHECK(has_text(texts, "2"));
    CHECK(has_text(texts, "1"));
    const std::string cat1 = c1["category"];
    CHECK(has_text(texts, cat1.empty() ? "未分类" : cat1));
    const std::string title = doc.child("svg").child("title").child_value();
    CHECK(title.find("需求图") != std::string::npos);
    const std::string desc = doc.child("svg").child("desc").child_value();
    CHECK(desc.find("3 件") != std::string::npos);
    CHECK(desc.find(today_china()) != std::string::npos);

    // Narrowed to one community, the other is not in the picture.
    pugi::xml_document one;
    parse_picture(s.get("/api/v1/stats/demand.svg?community=" + guangming_q), one);
    const auto one_texts = texts_of(one);
    CHECK(has_text(one_texts, guangming));
    CHECK_FALSE(has_text(one_texts, xingfu));
    (void)c3;
}

TEST_CASE("stats refuse bad dates, a missing token and other methods", "[e2e][stats]") {
    scenario s("stats-bad");
    for (const std::string query : {"?since=2026-13-01", "?until=yesterday", "?since=2026-02-30",
                                    "?since=2026-1-5", "?since=2026-03-02&until=2026-03-01"}) {
        for (const std::string path :
             {"/api/v1/stats", "/api/v1/stats/demand.svg", "/api/v1/stats/resources.svg"}) {
            auto res = s.get(path + query);
            INFO(path << query << " → " << res.status << " " << res.body);
            CHECK(res.status == 400);
            auto body = json::parse(res.body);
            CHECK(body["error"]["code"] == "bad_parameter");
            // The message is for a person: Chinese, from the templates.
            CHECK(body["error"]["message"].get<std::string>().find("日期") != std::string::npos);
        }
    }
    for (const std::string path :
         {"/api/v1/stats", "/api/v1/stats/demand.svg", "/api/v1/stats/resources.svg"}) {
        auto res = s.get(path, "-");
        CHECK(res.status == 401);
        CHECK(json::parse(res.body)["error"]["code"] == "unauthorized");
    }
    auto http = s.g.client();
    auto post = http.request("POST", "/api/v1/stats", "{}", {{"Authorization", bearer(s.g.cfg)}});
    CHECK(post.status == 405);
    CHECK(s.get("/api/v1/stats/other.svg").status == 404);
    // Nothing was changed by any of it.
    CHECK(s.stats()["totals"]["cases"] == 0);
}

namespace {

// Figures as the store would give them, for the rendering alone.
adapters::db::statistics sample_figures(const std::string& odd_name) {
    adapters::db::statistics s;
    s.totals = {5, 3, 2, 1};
    s.by_category = {{"城管", 3}, {"", 2}};
    s.by_kind = {{"complaint", 5}};
    s.by_channel = {{"hotline", 4}, {"wechat_oa", 1}};
    s.by_community = {{odd_name, 4}, {"", 1}};
    s.by_status = {{"closed", 2}, {"received", 3}};
    s.deadlines = {4, 1, 1, 1, 1, 1.0 / 3.0};
    s.ratings.count = 2;
    s.ratings.mean = 4.5;
    s.ratings.distribution = {0, 0, 0, 1, 1};
    s.volunteers = {3, 2, 4, 1, 6, 90, 25};
    s.demand = {{"", "城管", 1}, {odd_name, "", 2}, {odd_name, "城管", 2}};
    s.resources = {{odd_name, 3, 1}, {"和平社区", 0, 0}};
    return s;
}

}  // namespace

TEST_CASE("the stats JSON carries every field of the contract", "[stats]") {
    const auto j = gateway::stats_render::to_json(sample_figures("东城社区"),
                                                  {"2026-11-01", "2026-11-30", std::nullopt});
    CHECK(j["since"] == "2026-11-01");
    CHECK(j["until"] == "2026-11-30");
    CHECK(j["communities"].is_null());
    CHECK(j["totals"] == json{{"cases", 5}, {"open", 3}, {"closed", 2}, {"overdue", 1}});
    CHECK(j["by_category"] == json::parse(R"([{"key":"城管","count":3},{"key":"","count":2}])"));
    CHECK(j["by_kind"].size() == 1);
    CHECK(j["by_channel"][0] == json{{"key", "hotline"}, {"count", 4}});
    CHECK(j["by_community"].size() == 2);
    CHECK(j["by_status"].size() == 2);
    CHECK(j["deadlines"] == json{{"with_deadline", 4},
                                 {"closed_on_time", 1},
                                 {"closed_late", 1},
                                 {"open_overdue", 1},
                                 {"open_on_time", 1},
                                 {"compliance_rate", 0.3333}});
    CHECK(j["ratings"] == json::parse(R"({"count":2,"mean":4.5,
        "distribution":{"1":0,"2":0,"3":0,"4":1,"5":1}})"));
    CHECK(j["volunteers"] == json{{"registered", 3},
                                  {"active", 2},
                                  {"claims", 4},
                                  {"wishes_confirmed", 1},
                                  {"visits", 6},
                                  {"service_minutes", 90},
                                  {"points_credited", 25}});
    CHECK(j["demand"][1] == json{{"community", "东城社区"}, {"category", ""}, {"count", 2}});
    CHECK(j["resources"][0] == json{{"community", "东城社区"}, {"volunteers", 3}, {"stations", 1}});

    adapters::db::statistics none;
    const auto empty =
        gateway::stats_render::to_json(none, {"2026-11-01", "2026-11-30", {{"东城社区"}}});
    CHECK(empty["communities"] == json::array({"东城社区"}));
    CHECK(empty["deadlines"]["compliance_rate"].is_null());
    CHECK(empty["ratings"]["mean"].is_null());
    CHECK(empty["ratings"]["distribution"].size() == 5);
    CHECK(empty["demand"] == json::array());
    CHECK(empty["resources"] == json::array());
}

TEST_CASE("the pictures escape names, drop what XML forbids and stay readable", "[stats]") {
    auto texts = dialog::template_set::load(MINSHENG_SOURCE_DIR "/templates");
    const std::string odd = "A&B<社区>\"'\x01";
    const auto figures = sample_figures(odd);
    const gateway::stats_render::window w{"2026-11-01", "2026-11-30", {{odd}}};
    for (const auto& svg : {gateway::stats_render::demand_svg(figures, w, *texts),
                            gateway::stats_render::resources_svg(figures, w, *texts)}) {
        INFO(svg);
        pugi::xml_document doc;
        REQUIRE(doc.load_string(svg.c_str()));
        const auto root = doc.child("svg");
        CHECK(std::string(root.attribute("role").value()) == "img");
        const auto t = texts_of(doc);
        CHECK(has_text(t, "A&B<社区>\"'"));  // escaped in the file, whole when read back
        CHECK(svg.find('\x01') == std::string::npos);
        CHECK(std::string(root.child("desc").child_value()).find("A&B<社区>") != std::string::npos);
        CHECK(svg.find("<script") == std::string::npos);
    }
    const auto demand = gateway::stats_render::demand_svg(figures, w, *texts);
    pugi::xml_document doc;
    REQUIRE(doc.load_string(demand.c_str()));
    const auto t = texts_of(doc);
    CHECK(has_text(t, "未分类"));      // the category ""
    CHECK(has_text(t, "未填写社区"));  // the community ""
    CHECK(has_text(t, "4"));           // a row total
    CHECK(has_text(t, "0"));           // the empty cell of "" × ""
    // The busiest cell is the darkest shade, with white text.
    CHECK(demand.find("#08519c") != std::string::npos);

    // A name too long for a label is cut.
    const std::string long_name = "一二三四五六七八九十一二三四五六七八九十社区";
    auto long_figures = sample_figures(long_name);
    pugi::xml_document cut;
    REQUIRE(cut.load_string(gateway::stats_render::resources_svg(long_figures, w, *texts).c_str()));
    CHECK(has_text(texts_of(cut), "一二三四五六七八九十一二三四五…"));
}

TEST_CASE("xml_escape escapes markup and repairs bad UTF-8", "[stats]") {
    using gateway::stats_render::xml_escape;
    CHECK(xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
    CHECK(xml_escape("东城\t社区\n") == "东城\t社区\n");
    CHECK(xml_escape(std::string("x\x00y\x1f", 4)) == "xy");
    CHECK(xml_escape("\xff") == "\xEF\xBF\xBD");
    CHECK(xml_escape("\xEF\xBF\xBF") == "");  // U+FFFF is not an XML character
}

TEST_CASE("empty figures draw pictures that say there is no data", "[stats]") {
    auto texts = dialog::template_set::load(MINSHENG_SOURCE_DIR "/templates");
    adapters::db::statistics none;
    const gateway::stats_render::window w{"2026-11-01", "2026-11-30", std::nullopt};
    for (const auto& svg : {gateway::stats_render::demand_svg(none, w, *texts),
                            gateway::stats_render::resources_svg(none, w, *texts)}) {
        pugi::xml_document doc;
        REQUIRE(doc.load_string(svg.c_str()));
        CHECK(has_text(texts_of(doc), "暂无数据"));
        CHECK(std::string(doc.child("svg").child("title").child_value()).size() > 0);
        CHECK(std::string(doc.child("svg").child("desc").child_value()).find("全部社区") !=
              std::string::npos);
    }
}

TEST_CASE("stats of a worker and a supervisor cover only their communities", "[e2e][stats]") {
    scenario s("stats-scope");
    s.say("o_res_gm", "光明社区3栋门口的路灯坏了一个星期了，晚上很黑");
    REQUIRE(s.newest_case()["community"] == guangming);
    s.say("o_res_xf", "幸福社区2栋楼下的垃圾好几天没人清运了，气味很大");
    REQUIRE(s.newest_case()["community"] == xingfu);
    s.say("o_res_hp", "南山社区6栋楼道的灯坏了，晚上上下楼很不方便");
    REQUIRE(s.newest_case()["community"] == nanshan);
    CHECK(s.stats()["totals"]["cases"] == 3);

    // A worker: their community only, in every figure and picture.
    const std::string worker = s.token_for("w-gm");
    auto mine = s.stats("", worker);
    CHECK(mine["communities"] == json::array({guangming}));
    CHECK(mine["totals"]["cases"] == 1);
    CHECK(mine["by_community"] == json::parse(R"([{"key":"光明社区","count":1}])"));
    REQUIRE(mine["resources"].size() == 1);
    CHECK(mine["resources"][0]["community"] == guangming);
    CHECK(s.stats("?community=" + guangming_q, worker)["totals"]["cases"] == 1);
    {
        pugi::xml_document doc;
        parse_picture(s.get("/api/v1/stats/demand.svg", worker), doc);
        CHECK(has_text(texts_of(doc), guangming));
        CHECK_FALSE(has_text(texts_of(doc), xingfu));
        CHECK_FALSE(has_text(texts_of(doc), nanshan));
    }
    // Another community: refused, in JSON and pictures alike.
    const std::string xingfu_q = "%E5%B9%B8%E7%A6%8F%E7%A4%BE%E5%8C%BA";
    for (const std::string path :
         {"/api/v1/stats", "/api/v1/stats/demand.svg", "/api/v1/stats/resources.svg"}) {
        auto res = s.get(path + "?community=" + xingfu_q, worker);
        INFO(path << " → " << res.status << " " << res.body);
        CHECK(res.status == 403);
        CHECK(json::parse(res.body)["error"]["code"] == "forbidden");
    }

    // A supervisor: the communities of their street (光明社区 and 幸福社区), not 南山社区.
    const std::string supervisor = s.token_for("s-gm");
    auto street = s.stats("", supervisor);
    CHECK(street["communities"] == json::array({guangming, xingfu}));
    CHECK(street["totals"]["cases"] == 2);
    CHECK(count_of(street["by_community"], nanshan) == 0);
    CHECK(s.stats("?community=" + xingfu_q, supervisor)["totals"]["cases"] == 1);
    CHECK(
        s.get("/api/v1/stats?community=%E5%8D%97%E5%B1%B1%E7%A4%BE%E5%8C%BA", supervisor).status ==
        403);

    // A token nobody issued: 401.
    CHECK(s.get("/api/v1/stats", "not-a-token").status == 401);
}
