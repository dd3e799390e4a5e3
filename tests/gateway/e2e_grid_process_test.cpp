// End-to-end through the real programs: the minsheng-gateway binary, started with a TOML config
// (one community, two grids drawn on the map, the grid page's public URL), delivering to the fake
// WeChat API; staff made with the real minsheng-admin program. A resident's appeal in a grid
// reaches that grid's worker on WeChat with a link to the order; the worker accepts and arrives
// by chat, then uploads a photo and completes on the grid page's API with the link's token; the
// resident hears each meaningful step and rates. A worker's patrol report with a photo and a
// location opens a case in the grid whose boundary holds it.
//
// The overdue escalation: the program has no clock option and a deadline is a working day at
// least, so the test moves the order's deadline into the past in the database (what the passing
// of that day would have done) and gives the program a calendar on which every day and hour is
// working time, so that the run does not depend on when the test runs.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "adapters/db/store.hpp"
#include "gateway/server/config.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/support/child_process.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using json = nlohmann::json;

namespace {

constexpr const char* custom_send = "/cgi-bin/message/custom/send";
constexpr const char* public_url = "https://minsheng.example";

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string number_in(const std::string& text) {
    const auto at = text.find("MS");
    if (at == std::string::npos || at + 15 > text.size()) return "";
    return text.substr(at, 15);
}

// The gateway program on a config file, and what a test talks to it with.
struct gateway_program {
    tools::fake_wechat::fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    std::string db = temp_db_path("grid-process");
    std::string config_file = db + ".toml";
    gateway::config cfg;  // the same file as the program reads it
    child proc;
    unsigned short port = 0;
    std::unique_ptr<wechat_peer> wx;

    // `extra`: more TOML tables (a [program] table), written before the others.
    explicit gateway_program(const std::string& extra = "") {
        {
            std::ofstream f(config_file);
            f << "operator_token = \"grid-process-operator-token-0123456789abcdef\"\n"
              << extra << "[wechat]\ntoken = \"grid-process\"\nappid = \"wxgridprocess0001\"\n"
              << "aes_key = \"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\"\n"
              << "[wechat_api]\nbase_url = \"" << fake.base_url() << "\"\nappid = \""
              << fake.config().appid << "\"\nsecret = \"" << fake.config().secret << "\"\n"
              << "poll_interval_ms = 20\nretry_base_ms = 1\nmax_attempts = 100\n"
              << "[grid_page]\npublic_url = \"" << public_url << "\"\n"
              << "[[community]]\nname = \"东城社区\"\nstreet = \"东城街道\"\n"
              << "[[community.grid]]\nname = \"一网格\"\n"
              << "boundary = [{lat = 23.00, lng = 113.70}, {lat = 23.00, lng = 113.71}, "
                 "{lat = 23.01, lng = 113.71}, {lat = 23.01, lng = 113.70}]\n"
              << "[[community.grid]]\nname = \"二网格\"\n"
              << "boundary = [{lat = 23.00, lng = 113.71}, {lat = 23.00, lng = 113.72}, "
                 "{lat = 23.01, lng = 113.72}, {lat = 23.01, lng = 113.71}]\n";
        }
        const std::vector<std::string> env = {
            "MINSHENG_LISTEN=127.0.0.1:0", "MINSHENG_DB=" + db,
            "MINSHENG_DATA_DIR=" MINSHENG_SOURCE_DIR, "MINSHENG_LOG_LEVEL=warn",
            std::string("MINSHENG_CODE_SECRET=") + test_code_secret};
        cfg = gateway::load_config(config_file, {{"MINSHENG_DB", db},
                                                 {"MINSHENG_LISTEN", "127.0.0.1:0"},
                                                 {"MINSHENG_DATA_DIR", MINSHENG_SOURCE_DIR},
                                                 {"MINSHENG_CODE_SECRET", test_code_secret}});
        spawn_options o;
        o.clean_minsheng_env = true;
        o.env_extra = env;
        proc = spawn({MINSHENG_BIN_DIR "/minsheng-gateway", "--config", config_file}, o);
        const auto line = read_line(proc.out, std::chrono::seconds(30));
        std::smatch m;
        INFO("the program said: " << line);
        REQUIRE(std::regex_match(line, m, std::regex(R"(listening on 127\.0\.0\.1:(\d+))")));
        port = static_cast<unsigned short>(std::stoi(m[1]));
        wx = std::make_unique<wechat_peer>(cfg, port);
    }
    gateway_program(const gateway_program&) = delete;
    gateway_program& operator=(const gateway_program&) = delete;
    ~gateway_program() {
        if (proc.pid > 0) {
            ::kill(proc.pid, SIGTERM);
            wait_exit(proc.pid, std::chrono::seconds(10));
            ::close(proc.out);
        }
        for (const char* suffix : {"", "-wal", "-shm", ".secret", ".toml"})
            std::filesystem::remove(db + suffix);
    }

    std::string say(const std::string& user, const std::string& text) {
        auto r = wx->say(user, text);
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    std::string location(const std::string& user, const std::string& lat, const std::string& lng) {
        const auto t = now_s();
        auto r = wx->post(wx->codec.push(adapters::wechat_oa::render_location_push(
                                             {wx->account, user, lat, lng, "东城社区", t, ""}),
                                         wx->account, user, t));
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    std::string photo(const std::string& user, const std::string& url, int n) {
        const auto t = now_s();
        const std::string xml =
            "<xml><ToUserName><![CDATA[" + wx->account + "]]></ToUserName><FromUserName><![CDATA[" +
            user + "]]></FromUserName><CreateTime>" + std::to_string(t) +
            "</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[" + url +
            "]]></PicUrl><MediaId><![CDATA[media-" + std::to_string(n) + "]]></MediaId><MsgId>" +
            std::to_string(7100000000000000000LL + n) + "</MsgId></xml>";
        auto r = wx->post(wx->codec.push(xml, wx->account, user, t));
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    void bind(const std::string& openid, const std::string& id, const std::string& grid) {
        const std::string dbarg = "--db '" + db + "'";
        REQUIRE(admin("staff add " + dbarg + " --id " + id + " --name 网格员" + id +
                      (grid.empty() ? " --role supervisor --street 东城街道"
                                    : " --role worker --community 东城社区 --grid " + grid))
                    .code == 0);
        const auto code = trimmed(admin("staff bind-code " + dbarg + " --id " + id).out);
        REQUIRE(code.size() == 8);
        const auto bound = say(openid, "绑定工号 " + code);
        INFO(bound);
        REQUIRE(has(bound, "网格员" + id));
    }
    dialog::case_record stored(const std::string& number) {
        adapters::db::reader r(db);
        auto c = r.get_case_by_number(number);
        REQUIRE(c);
        return *c;
    }
    gateway::client_response call(const std::string& method, const std::string& target,
                                  const std::map<std::string, std::string>& headers,
                                  const json& body = nullptr) {
        gateway::http_client http("127.0.0.1", port);
        auto h = headers;
        if (!body.is_null()) h["Content-Type"] = "application/json";
        return http.request(method, target, body.is_null() ? "" : body.dump(), h);
    }
    std::string text_with(const std::string& openid, const std::string& part) const {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < until) {
            for (const auto& r : fake.received(custom_send))
                if (r.answered_errcode == 0 && r.json["touser"] == openid) {
                    const auto t = r.json["text"]["content"].get<std::string>();
                    if (has(t, part)) return t;
                }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return "";
    }
    bool told(const std::string& openid, const std::string& part) const {
        return !text_with(openid, part).empty();
    }
};

// A small JPEG's data URL, as the page sends a photo (the gateway checks the JPEG magic).
std::string jpeg_data_url() { return "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2Q=="; }

}  // namespace

TEST_CASE(
    "through the real gateway program a grid order goes from the resident to the worker "
    "and back, by chat and on the grid page",
    "[e2e][grid][process]") {
    gateway_program g;
    g.bind("o_proc_worker", "w-proc-1", "一网格");
    g.bind("o_proc_other", "w-proc-2", "二网格");

    const auto filed = g.say("o_proc_resident", "东城社区一网格5栋楼道的灯坏了，晚上看不见路");
    const auto number = number_in(filed);
    INFO(filed);
    REQUIRE_FALSE(number.empty());
    const std::map<std::string, std::string> op{{"Authorization", bearer(g.cfg)}};
    auto routed =
        g.call("POST", "/api/v1/cases/" + std::to_string(g.stored(number).id) + "/actions", op,
               {{"action", "assign"}, {"assignee", "auto"}});
    INFO(routed.body);
    REQUIRE(routed.status == 200);
    CHECK(json::parse(routed.body)["case"]["assignee"] == "w-proc-1");

    // The grid's worker hears of it on WeChat, with the link to the order.
    const auto notice = g.text_with("o_proc_worker", number);
    REQUIRE_FALSE(notice.empty());
    const auto at = notice.find(std::string(public_url) + "/grid/#/order/" + number + "?t=");
    REQUIRE(at != std::string::npos);
    const auto token =
        notice.substr(notice.find("?t=", at) + 3,
                      notice.find_first_of(" \n", at) == std::string::npos
                          ? std::string::npos
                          : notice.find_first_of(" \n", at) - (notice.find("?t=", at) + 3));
    CHECK_FALSE(g.told("o_proc_other", number));

    // By chat: 接单 and 到场 with a location.
    CHECK(has(g.say("o_proc_worker", "接单 " + number), "已接单"));
    CHECK(g.told("o_proc_resident", "网格员接单"));
    CHECK(has(g.say("o_proc_worker", "到场 " + number), "位置"));
    CHECK(has(g.location("o_proc_worker", "23.005000", "113.705000"), "已记录到场"));
    CHECK(g.told("o_proc_resident", "正在办理中"));

    // On the page: a photo and 办结 with the result.
    const std::map<std::string, std::string> page{{"X-Grid-Token", token}};
    auto r =
        g.call("POST", "/grid/api/orders/" + number + "/photo", page, {{"text", jpeg_data_url()}});
    INFO(r.body);
    CHECK(r.status == 200);
    r = g.call("POST", "/grid/api/orders/" + number + "/done", page,
               {{"text", "已更换楼道灯，照明恢复"}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(g.stored(number).status == "done");
    CHECK(g.told("o_proc_resident", "已更换楼道灯，照明恢复"));

    // The resident rates.
    g.say("o_proc_resident", "5分");
    CHECK(g.stored(number).rating == 5);
    {
        adapters::db::reader rd(g.db);
        std::vector<std::string> acts;
        for (const auto& e : rd.events_of(g.stored(number).id)) acts.push_back(e.action);
        for (const auto* a : {"assign", "order_accepted", "start", "order_photo", "report_done"})
            CHECK(std::count(acts.begin(), acts.end(), a) == 1);
    }

    // A patrol report with a photo and a location in 二网格 opens a case on channel grid there.
    CHECK(has(g.say("o_proc_other", "巡查上报 东城社区路口的井盖破损了，有安全隐患"), "位置"));
    g.photo("o_proc_other", "http://127.0.0.1/photos/cover.jpg", 1);
    const auto reported = g.location("o_proc_other", "23.005000", "113.715000");
    INFO(reported);
    const auto patrol = number_in(reported);
    REQUIRE_FALSE(patrol.empty());
    CHECK(has(reported, "二网格"));
    const auto c = g.stored(patrol);
    CHECK(c.from == dialog::channel::grid);
    CHECK(c.community == "东城社区");
    REQUIRE(c.location);
    CHECK(c.location->lng == Approx(113.715));
}

namespace {

// A calendar directory on which every day of this year and the next is a working day.
std::string every_day_calendar(const std::string& base) {
    const std::string dir = base + ".calendar";
    std::filesystem::create_directories(dir);
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    for (int year = tm.tm_year + 1900; year <= tm.tm_year + 1901; ++year) {
        std::ofstream f(dir + "/cn-" + std::to_string(year) + ".txt");
        std::tm day{};
        day.tm_year = year - 1900;
        day.tm_mday = 1;
        day.tm_hour = 12;
        for (std::time_t t = timegm(&day);; t += 86400) {
            std::tm d{};
            gmtime_r(&t, &d);
            if (d.tm_year != year - 1900) break;
            if (d.tm_wday == 0 || d.tm_wday == 6) {
                char buf[16];
                std::strftime(buf, sizeof buf, "%Y-%m-%d", &d);
                f << "workday " << buf << "\n";
            }
        }
    }
    return dir;
}

}  // namespace

TEST_CASE("through the real gateway program the supervisor is told of an overdue grid order",
          "[e2e][grid][process]") {
    const std::string cal = every_day_calendar(temp_db_path("grid-process-cal"));
    gateway_program g("[program]\ncalendar_dir = \"" + cal +
                      "\"\nworking_hours = \"00:00-24:00\"\n");
    g.bind("o_proc_worker", "w-proc-1", "一网格");
    g.bind("o_proc_sup", "s-proc", "");

    const auto filed = g.say("o_proc_resident", "东城社区一网格7栋门口的井盖松了，踩上去会响");
    const auto number = number_in(filed);
    INFO(filed);
    REQUIRE_FALSE(number.empty());
    const std::map<std::string, std::string> op{{"Authorization", bearer(g.cfg)}};
    REQUIRE(g.call("POST", "/api/v1/cases/" + std::to_string(g.stored(number).id) + "/actions", op,
                   {{"action", "assign"}, {"assignee", "auto"}})
                .status == 200);
    REQUIRE(g.told("o_proc_worker", number));
    CHECK(has(g.say("o_proc_worker", "接单 " + number), "已接单"));

    // A day passes: the deadline is behind us (written as the program would find it).
    {
        adapters::db::store st(g.db);
        st.run([&](dialog::unit_of_work& uow) {
            auto c = uow.find_case(number);
            REQUIRE(c);
            auto u = *c;
            u.deadline_at = now_s() - 3600;
            u.remind_at = now_s() - 7200;
            REQUIRE(uow.update_case(u, c->status, c->updated_at));
        });
    }
    REQUIRE(g.stored(number).escalated_at == 0);
    g.say("o_proc_sup", "你好");  // a customer-service window for the supervisor
    CHECK(g.call("POST", "/api/v1/sweep", op).status == 200);
    const auto told = g.text_with("o_proc_sup", number);
    CHECK(has(told, "已超过办理期限"));
    CHECK(g.stored(number).escalated_at > 0);
    std::filesystem::remove_all(cal);
}
