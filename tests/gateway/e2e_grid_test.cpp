// End-to-end: grid workers (网格员) through the gateway, over the real encrypted official-account
// protocol, a real SQLite file and the fake WeChat API. A resident's appeal naming a grid is
// routed to that grid's worker, who hears of it on WeChat and takes it from 接单 to 办结 by chat
// (a location for 到场, a photo); the resident hears each meaningful step and rates. A stranger
// and another grid's worker are refused. A worker's patrol report with a photo and a location
// opens a case on channel grid in the grid whose boundary holds it; a report of a resident in
// difficulty is private: on no wall, no Open311 answer, no public view.

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/db/store.hpp"
#include "dialog/cases/calendar.hpp"
#include "dialog/cases/working_hours.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using tools::fake_wechat::fake_wechat_server;
using json = nlohmann::json;

namespace {

constexpr const char* custom_send = "/cgi-bin/message/custom/send";

dialog::cases::boundary square(double lat0, double lng0, double side) {
    return {{{{{lat0, lng0}, {lat0, lng0 + side}, {lat0 + side, lng0 + side}, {lat0 + side, lng0}},
              {}}}};
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The first case number ("MS20261203-0001", or a wish's "WX…") in a text; "" when none.
std::string number_in(const std::string& text) {
    const auto at = std::min(text.find("MS"), text.find("WX"));
    if (at == std::string::npos || at + 15 > text.size()) return "";
    return text.substr(at, 15);
}

// A gateway delivering to the fake WeChat API; 东城社区 with two grids drawn on the map.
struct grid_scenario {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    shifted_clock clock;  // the gateway's and WeChat's time, moved by the overdue test
    gateway::config cfg;
    std::unique_ptr<running_gateway> gw;
    std::unique_ptr<wechat_peer> wx;
    std::unique_ptr<gateway::http_client> http;

    explicit grid_scenario(const std::string& tag)
        : cfg(test_config(security_mode::safe, temp_db_path(tag))) {
        cfg.delivery.base_url = fake.base_url();
        cfg.delivery.appid = fake.config().appid;
        cfg.delivery.secret = fake.config().secret;
        cfg.delivery.poll_interval_ms = 20;
        cfg.delivery.retry_base_ms = 1;
        cfg.delivery.max_attempts = 1000;
        cfg.open311.api_keys["city"] = "open311-grid-key-0123456789";
        gateway::community_config c;
        c.name = "东城社区";
        c.street = "东城街道";
        c.grids = {"一网格", "二网格"};
        c.areas = {{"东城社区", "一网格", square(23.00, 113.70, 0.01)},
                   {"东城社区", "二网格", square(23.00, 113.71, 0.01)}};
        cfg.communities.push_back(c);
        // As check_console derives them from [[community]].
        cfg.program.settings.communities.push_back(c.name);
        cfg.program.settings.streets[c.name] = c.street;
        cfg.program.settings.grid_areas = c.areas;
        gw = std::make_unique<running_gateway>(cfg, clock.fn());
        wx = std::make_unique<wechat_peer>(cfg, gw->port, clock.fn());
        http = std::make_unique<gateway::http_client>("127.0.0.1", gw->port);
    }

    std::string db() const { return "--db '" + cfg.db_path + "'"; }

    std::string say(const std::string& user, const std::string& text) {
        auto r = wx->say(user, text);
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    std::string location(const std::string& user, const std::string& lat, const std::string& lng) {
        const auto t = clock.fn()();
        auto r = wx->post(wx->codec.push(adapters::wechat_oa::render_location_push(
                                             {wx->account, user, lat, lng, "东城社区", t, ""}),
                                         wx->account, user, t));
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    std::string photo(const std::string& user, const std::string& url) {
        static int seq = 0;
        const int n = ++seq;
        const auto t = clock.fn()();
        const std::string xml =
            "<xml><ToUserName><![CDATA[" + wx->account + "]]></ToUserName><FromUserName><![CDATA[" +
            user + "]]></FromUserName><CreateTime>" + std::to_string(t) +
            "</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[" + url +
            "]]></PicUrl><MediaId><![CDATA[media-" + std::to_string(n) + "]]></MediaId><MsgId>" +
            std::to_string(7000000000000000000LL + n) + "</MsgId></xml>";
        auto r = wx->post(wx->codec.push(xml, wx->account, user, t));
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    void bind(const std::string& openid, const std::string& id, const std::string& grid,
              const std::string& role = "worker") {
        REQUIRE(
            admin(
                "staff add " + db() + " --id " + id + " --name 网格员" + id + " --role " + role +
                (role == "worker" ? " --community 东城社区 --grid " + grid : " --street 东城街道"))
                .code == 0);
        const auto code = trimmed(admin("staff bind-code " + db() + " --id " + id).out);
        REQUIRE(code.size() == 8);
        REQUIRE(has(say(openid, "绑定工号 " + code), "网格员" + id));
    }
    dialog::case_record stored(const std::string& number) {
        adapters::db::reader r(cfg.db_path);
        auto c = r.get_case_by_number(number);
        REQUIRE(c);
        return *c;
    }
    json op(const std::string& method, const std::string& target, const json& body = nullptr) {
        std::map<std::string, std::string> h{{"Authorization", bearer(cfg)}};
        if (!body.is_null()) h["Content-Type"] = "application/json";
        auto res = http->request(method, target, body.is_null() ? "" : body.dump(), h);
        INFO(method << " " << target << " → " << res.status << " " << res.body);
        REQUIRE(res.status == 200);
        return json::parse(res.body, nullptr, false);
    }
    // Customer-service texts the fake accepted for `openid`.
    std::vector<std::string> texts_to(const std::string& openid) const {
        std::vector<std::string> out;
        for (const auto& r : fake.received(custom_send))
            if (r.answered_errcode == 0 && r.answered_status == 200 && r.json["touser"] == openid)
                out.push_back(r.json["text"]["content"].get<std::string>());
        return out;
    }
    // Waits until one of `openid`'s texts holds `part`, or 15 s pass.
    bool told(const std::string& openid, const std::string& part) const {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < until) {
            for (const auto& t : texts_to(openid))
                if (has(t, part)) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
};

}  // namespace

TEST_CASE("a resident's appeal in a grid reaches its worker, who completes it by chat",
          "[e2e][grid]") {
    grid_scenario s("grid-orders");
    s.bind("o_grid_1", "w-grid-1", "一网格");
    s.bind("o_grid_2", "w-grid-2", "二网格");

    const auto filed = s.say("o_resident", "东城社区一网格3栋门口的路灯坏了，晚上很黑，麻烦修一下");
    const auto number = number_in(filed);
    INFO(filed);
    REQUIRE_FALSE(number.empty());
    const auto id = s.stored(number).id;

    // Routed to the grid's worker, who hears of the order on WeChat.
    const auto routed = s.op("POST", "/api/v1/cases/" + std::to_string(id) + "/actions",
                             {{"action", "assign"}, {"assignee", "auto"}});
    CHECK(routed["case"]["assignee"] == "w-grid-1");
    CHECK(s.told("o_grid_1", number));
    CHECK(has(s.say("o_grid_1", "我的工单"), number));

    // A stranger and the other grid's worker are refused; nothing changes.
    CHECK(has(s.say("o_stranger", "接单 " + number), "工作人员"));
    CHECK(has(s.say("o_grid_2", "接单 " + number), "不是指派给您"));
    CHECK(has(s.say("o_grid_2", "办结 " + number + " 已修好"), "不是指派给您"));
    CHECK(s.stored(number).status == "assigned");

    CHECK(has(s.say("o_grid_1", "接单 " + number), "已接单"));
    CHECK(s.told("o_resident", "网格员接单"));
    CHECK(has(s.say("o_grid_1", "到场 " + number), "位置"));
    CHECK(has(s.location("o_grid_1", "23.005000", "113.705000"), "已记录到场"));
    CHECK(s.told("o_resident", "正在办理中"));
    CHECK(has(s.photo("o_grid_1", "http://127.0.0.1/photos/lamp.jpg"), "照片"));
    CHECK(has(s.say("o_grid_1", "办结 " + number + " 已更换灯泡，路灯恢复照明"), "已办结"));
    CHECK(s.told("o_resident", "已更换灯泡，路灯恢复照明"));
    CHECK(s.stored(number).status == "done");

    // The resident rates as usual.
    s.say("o_resident", "5分");
    CHECK(s.stored(number).rating == 5);
}

TEST_CASE("a patrol report opens a case in the grid of its location; a private one stays hidden",
          "[e2e][grid]") {
    grid_scenario s("grid-patrol");
    s.bind("o_grid_2", "w-grid-2", "二网格");

    // A hazard: public like any appeal, in the grid whose boundary holds the place.
    CHECK(has(s.say("o_grid_2", "巡查上报 5栋楼道堆放大量杂物，存在消防隐患"), "位置"));
    CHECK(has(s.photo("o_grid_2", "http://127.0.0.1/photos/stairs.jpg"), "照片"));
    const auto filed = s.location("o_grid_2", "23.004000", "113.715000");
    INFO(filed);
    CHECK(has(filed, "二网格"));
    const auto hazard = s.stored(number_in(filed));
    CHECK(hazard.from == dialog::channel::grid);
    CHECK(hazard.reporter_id == "o_grid_2");
    CHECK(hazard.community == "东城社区");
    CHECK_FALSE(hazard.is_private);
    REQUIRE(hazard.location);
    CHECK(hazard.location->lng == Approx(113.715));

    // A resident in difficulty: private.
    s.say("o_grid_2", "巡查上报 3栋独居老人行动不便，家中无人照顾，需要帮助");
    const auto filed_private = s.location("o_grid_2", "23.006000", "113.716000");
    INFO(filed_private);
    const auto hidden = s.stored(number_in(filed_private));
    CHECK(hidden.is_private);
    CHECK(hidden.handling_mode.empty());
    CHECK(hidden.community == "东城社区");

    auto get = [&](const std::string& target) {
        auto res = s.http->request("GET", target);
        return std::pair{res.status, res.body};
    };
    // Never on the wall, in Open311 answers or the public case view; the hazard is.
    const auto [wall_status, wall] = get("/public/v1/wall");
    CHECK(wall_status == 200);
    CHECK_FALSE(has(wall, hidden.number));
    const auto [list_status, list] = get("/open311/v2/requests.json");
    CHECK(list_status == 200);
    CHECK(has(list, hazard.number));
    CHECK_FALSE(has(list, hidden.number));
    CHECK(get("/open311/v2/requests/" + hidden.number + ".json").first == 404);
    CHECK(get("/open311/v2/requests.json?service_request_id=" + hidden.number)
              .second.find(hidden.number) == std::string::npos);
    CHECK(get("/public/v1/cases/" + hidden.number + "-" + hidden.public_code).first == 404);
    CHECK(get("/public/v1/cases/" + hazard.number + "-" + hazard.public_code).first == 200);
    // Operators still see it.
    CHECK(s.op("GET", "/api/v1/cases/" + std::to_string(hidden.id))["number"] == hidden.number);
}

TEST_CASE("the grid map counts open and overdue orders; the supervisor hears of an overdue one",
          "[e2e][grid]") {
    grid_scenario s("grid-overdue");
    s.bind("o_grid_1", "w-grid-1", "一网格");
    s.bind("o_sup", "s-east", "", "supervisor");
    const auto filed = s.say("o_resident", "东城社区一网格3栋门口的路灯坏了，晚上很黑，麻烦修一下");
    const auto number = number_in(filed);
    INFO(filed);
    REQUIRE_FALSE(number.empty());
    const auto c = s.stored(number);
    s.op("POST", "/api/v1/cases/" + std::to_string(c.id) + "/actions",
         {{"action", "assign"}, {"assignee", "auto"}});
    REQUIRE(s.stored(number).assignee == "w-grid-1");

    const auto map = [&] {
        std::map<std::string, std::string> h{{"Authorization", bearer(s.cfg)}};
        auto res = s.http->request("GET", "/api/v1/stats/grids.svg", "", h);
        REQUIRE(res.status == 200);
        return res.body;
    };
    auto svg = map();
    CHECK(has(svg, "data-grid=\"一网格\" data-open=\"1\" data-overdue=\"0\""));
    CHECK(has(svg, "data-grid=\"二网格\" data-open=\"0\" data-overdue=\"0\""));
    CHECK(has(svg, "<title id=\"stats-title\">网格工单图</title>"));

    // Past the deadline, in working hours: the sweep escalates to the street's supervisor.
    const auto cal = dialog::cases::working_calendar::load(MINSHENG_SOURCE_DIR "/calendar");
    const auto when =
        dialog::cases::working_hours::standard().next_working_time(cal, c.deadline_at + 3600);
    REQUIRE(c.deadline_at > 0);
    s.clock.advance(when - s.clock.fn()() + 60);
    // (Customer-service messages reach a user within 48 hours of their last message.)
    s.say("o_sup", "你好");
    s.op("POST", "/api/v1/sweep");
    CHECK(s.told("o_sup", number));
    CHECK(s.stored(number).escalated_at > 0);
    svg = map();
    CHECK(has(svg, "data-grid=\"一网格\" data-open=\"1\" data-overdue=\"1\""));
}
