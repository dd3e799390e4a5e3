// End-to-end: the grid worker's mobile page (/grid/) through the gateway, with a real SQLite
// file, the real encrypted official-account protocol and the fake WeChat API. The work order
// notice a grid worker gets carries a signed link; the page's API, authenticated by that link's
// token alone, takes the order through the same steps as the chat (接单, 到场, 处理中 with a
// photo, 办结), each a case event, the resident told. Bad, tampered, forged and expired tokens,
// another worker's token and an unbound worker's token are refused with nothing changed; failed
// tokens are throttled per address. Then the same in a real headless Chromium at phone width.
//
// Chromium and ChromeDriver are required for the browser test (scripts/test.sh installs them):
// when missing it fails and says so. MINSHENG_CHROMIUM and MINSHENG_CHROMEDRIVER name others.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "adapters/db/store.hpp"
#include "adapters/wechat_oa/detail/base64.hpp"
#include "gateway/grid_page/grid_links.hpp"
#include "gateway/server/config.hpp"
#include "gateway/server/station_scenes.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/gateway/webdriver.hpp"
#include "tests/support/child_process.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using tools::fake_wechat::fake_wechat_server;
using json = nlohmann::json;
namespace wd = minsheng::test::webdriver;

namespace {

constexpr const char* custom_send = "/cgi-bin/message/custom/send";
// The public URL the links are made with; the tests open them on the gateway's real port.
constexpr const char* public_url = "https://minsheng.example/city";

dialog::cases::boundary square(double lat0, double lng0, double side) {
    return {{{{{lat0, lng0}, {lat0, lng0 + side}, {lat0 + side, lng0 + side}, {lat0 + side, lng0}},
              {}}}};
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string number_in(const std::string& text) {
    const auto at = text.find("MS");
    if (at == std::string::npos || at + 15 > text.size()) return "";
    return text.substr(at, 15);
}

// A gateway with the grid page, delivering to the fake WeChat; 东城社区 with two grids.
struct page_scenario {
    fake_wechat_server fake{tools::fake_wechat::fake_config{}};
    shifted_clock clock;
    gateway::config cfg;
    std::unique_ptr<running_gateway> gw;
    std::unique_ptr<wechat_peer> wx;

    explicit page_scenario(const std::string& tag, int auth_failures_per_minute = 10)
        : cfg(test_config(security_mode::safe, temp_db_path(tag))) {
        cfg.delivery.base_url = fake.base_url();
        cfg.delivery.appid = fake.config().appid;
        cfg.delivery.secret = fake.config().secret;
        cfg.delivery.poll_interval_ms = 20;
        cfg.delivery.retry_base_ms = 1;
        cfg.delivery.max_attempts = 1000;
        cfg.grid_page.public_url = public_url;
        cfg.grid_page.dir = MINSHENG_SOURCE_DIR "/grid";
        cfg.limits.auth_failures_per_minute = auth_failures_per_minute;
        gateway::community_config c;
        c.name = "东城社区";
        c.street = "东城街道";
        c.grids = {"一网格", "二网格"};
        c.areas = {{"东城社区", "一网格", square(23.00, 113.70, 0.01)},
                   {"东城社区", "二网格", square(23.00, 113.71, 0.01)}};
        cfg.communities.push_back(c);
        cfg.program.settings.communities.push_back(c.name);
        cfg.program.settings.streets[c.name] = c.street;
        cfg.program.settings.grid_areas = c.areas;
        gw = std::make_unique<running_gateway>(cfg, clock.fn());
        wx = std::make_unique<wechat_peer>(cfg, gw->port, clock.fn());
    }

    std::string db() const { return "--db '" + cfg.db_path + "'"; }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(gw->port); }

    std::string say(const std::string& user, const std::string& text) {
        auto r = wx->say(user, text);
        REQUIRE(r.status == 200);
        return r.reply.text;
    }
    void bind(const std::string& openid, const std::string& id, const std::string& grid) {
        REQUIRE(admin("staff add " + db() + " --id " + id + " --name 网格员" + id +
                      " --role worker --community 东城社区 --grid " + grid)
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
    std::vector<dialog::case_event> events(const std::string& number) {
        adapters::db::reader r(cfg.db_path);
        return r.events_of(stored(number).id);
    }
    gateway::client_response call(const std::string& method, const std::string& target,
                                  const std::string& token, const json& body = nullptr) {
        gateway::http_client http("127.0.0.1", gw->port);
        std::map<std::string, std::string> h;
        if (!token.empty()) h["X-Grid-Token"] = token;
        if (!body.is_null()) h["Content-Type"] = "application/json";
        return http.request(method, target, body.is_null() ? "" : body.dump(), h);
    }
    json op(const std::string& method, const std::string& target, const json& body = nullptr) {
        gateway::http_client http("127.0.0.1", gw->port);
        std::map<std::string, std::string> h{{"Authorization", bearer(cfg)}};
        if (!body.is_null()) h["Content-Type"] = "application/json";
        auto res = http.request(method, target, body.is_null() ? "" : body.dump(), h);
        INFO(method << " " << target << " → " << res.status << " " << res.body);
        REQUIRE(res.status == 200);
        return json::parse(res.body, nullptr, false);
    }
    std::vector<std::string> texts_to(const std::string& openid) const {
        std::vector<std::string> out;
        for (const auto& r : fake.received(custom_send))
            if (r.answered_errcode == 0 && r.answered_status == 200 && r.json["touser"] == openid)
                out.push_back(r.json["text"]["content"].get<std::string>());
        return out;
    }
    // The first of `openid`'s texts holding `part`, waiting up to 15 s; "" when none came.
    std::string text_with(const std::string& openid, const std::string& part) const {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < until) {
            for (const auto& t : texts_to(openid))
                if (has(t, part)) return t;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return "";
    }
    bool told(const std::string& openid, const std::string& part) const {
        return !text_with(openid, part).empty();
    }
    // A resident's appeal in 一网格, routed to its worker; the case number.
    std::string routed_order(
        const std::string& resident,
        const std::string& appeal = "东城社区一网格3栋门口的路灯坏了，晚上很黑，电话13800138000") {
        const auto filed = say(resident, appeal);
        const auto number = number_in(filed);
        INFO(filed);
        REQUIRE_FALSE(number.empty());
        const auto routed =
            op("POST", "/api/v1/cases/" + std::to_string(stored(number).id) + "/actions",
               {{"action", "assign"}, {"assignee", "auto"}});
        REQUIRE(routed["case"]["assignee"] == "w-page-1");
        return number;
    }
    // The link in the work order notice `openid` got for `number`: its path and fragment.
    std::string link_for(const std::string& openid, const std::string& number) const {
        const auto text = text_with(openid, "/grid/#/order/" + number);
        INFO("no notice with a link to " << number << " for " << openid);
        REQUIRE_FALSE(text.empty());
        const auto at = text.find(public_url);
        REQUIRE(at != std::string::npos);
        auto end = text.find_first_of(" \n", at);
        return text.substr(at + std::string(public_url).size(),
                           end == std::string::npos ? std::string::npos
                                                    : end - at - std::string(public_url).size());
    }
};

std::string token_of(const std::string& link) {
    const auto at = link.find("?t=");
    REQUIRE(at != std::string::npos);
    return link.substr(at + 3);
}

// A small valid JPEG (1×1), as the page sends a photo.
std::string tiny_jpeg() {
    static const unsigned char bytes[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46,
                                          0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
                                          0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9};
    static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    const std::size_t n = sizeof bytes;
    for (; i + 2 < n; i += 3) {
        const unsigned v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
        for (int k = 18; k >= 0; k -= 6) out += b64[(v >> k) & 63];
    }
    if (i < n) {
        unsigned v = bytes[i] << 16;
        if (i + 1 < n) v |= bytes[i + 1] << 8;
        out += b64[(v >> 18) & 63];
        out += b64[(v >> 12) & 63];
        out += i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out += '=';
    }
    return "data:image/jpeg;base64," + out;
}

std::vector<std::string> actions(const std::vector<dialog::case_event>& ev) {
    std::vector<std::string> out;
    for (const auto& e : ev) out.push_back(e.action);
    return out;
}

}  // namespace

TEST_CASE("a work order notice links to the order on the grid page, which takes it to 办结",
          "[e2e][grid]") {
    page_scenario s("grid-page-api");
    s.bind("o_page_1", "w-page-1", "一网格");
    const auto number = s.routed_order("o_page_resident");
    const auto link = s.link_for("o_page_1", number);
    CHECK(link.rfind("/grid/#/order/" + number + "?t=", 0) == 0);
    const auto token = token_of(link);

    // The worker's orders, and the order with the address in full and the phone masked.
    auto list = s.call("GET", "/grid/api/orders", token);
    REQUIRE(list.status == 200);
    auto l = json::parse(list.body);
    REQUIRE(l["orders"].size() == 1);
    CHECK(l["orders"][0]["number"] == number);
    CHECK(l["worker"] == "网格员w-page-1");
    auto one = s.call("GET", "/grid/api/orders/" + number, token);
    REQUIRE(one.status == 200);
    auto o = json::parse(one.body)["order"];
    INFO(one.body);
    CHECK(has(o["description"].get<std::string>(), "一网格3栋门口"));
    CHECK(has(o["phone"].get<std::string>(), "138****8000"));
    CHECK_FALSE(has(one.body, "13800138000"));
    CHECK(o["accepted"] == false);
    CHECK(one.headers["cache-control"] == "no-store");

    // The steps, each the chat's own, each a case event; the resident hears the meaningful ones.
    auto r = s.call("POST", "/grid/api/orders/" + number + "/accept", token, json::object());
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["order"]["accepted"] == true);
    CHECK(s.told("o_page_resident", "网格员接单"));
    CHECK(s.call("POST", "/grid/api/orders/" + number + "/accept", token, json::object()).status ==
          409);
    CHECK(s.call("POST", "/grid/api/orders/" + number + "/arrive", token, json::object()).status ==
          400);
    r = s.call("POST", "/grid/api/orders/" + number + "/arrive", token,
               {{"lat", 23.005}, {"lng", 113.705}});
    REQUIRE(r.status == 200);
    CHECK(s.stored(number).status == "in_progress");
    CHECK(s.told("o_page_resident", "正在办理中"));
    CHECK(
        s.call("POST", "/grid/api/orders/" + number + "/progress", token, json::object()).status ==
        400);
    REQUIRE(s.call("POST", "/grid/api/orders/" + number + "/progress", token,
                   {{"text", "已到现场，灯泡烧坏，正在更换"}})
                .status == 200);
    // A photo that is not an image is refused, nothing written; a JPEG is kept.
    const auto before = s.events(number).size();
    CHECK(s.call("POST", "/grid/api/orders/" + number + "/photo", token,
                 {{"text", "data:image/jpeg;base64,aGVsbG8gd29ybGQ="}})
              .status == 400);
    CHECK(s.events(number).size() == before);
    REQUIRE(s.call("POST", "/grid/api/orders/" + number + "/photo", token, {{"text", tiny_jpeg()}})
                .status == 200);
    // A photo whose base64 happens to read like a phone number reaches operators intact.
    const std::string phone_like = "data:image/jpeg;base64,/9j/4AAQ13800138000AAAD/2Q==";
    REQUIRE(s.call("POST", "/grid/api/orders/" + number + "/photo", token, {{"text", phone_like}})
                .status == 200);
    bool intact = false;
    const auto shown = s.op("GET", "/api/v1/cases/" + std::to_string(s.stored(number).id));
    for (const auto& e : shown["events"])
        intact = intact || (e["action"] == "order_photo" && e["note"] == phone_like);
    CHECK(intact);
    r = s.call("POST", "/grid/api/orders/" + number + "/done", token,
               {{"text", "已更换灯泡，路灯恢复照明"}});
    REQUIRE(r.status == 200);
    CHECK(s.stored(number).status == "done");
    CHECK(s.told("o_page_resident", "已更换灯泡，路灯恢复照明"));

    const auto ev = s.events(number);
    const auto acts = actions(ev);
    for (const auto* a : {"order_accepted", "start", "order_progress", "report_done"})
        CHECK(std::count(acts.begin(), acts.end(), a) == 1);
    CHECK(std::count(acts.begin(), acts.end(), "order_photo") == 2);
    for (const auto& e : ev) {
        if (e.action == "order_photo") CHECK((e.note == tiny_jpeg() || e.note == phone_like));
        if (e.action == "start") CHECK(has(e.note, "arrived at 23.005"));
        if (e.action == "order_accepted") CHECK(has(e.actor, "w-page-1"));
    }
    // Done: the order has left the worker's list.
    CHECK(json::parse(s.call("GET", "/grid/api/orders", token).body)["orders"].empty());
}

TEST_CASE("the grid page refuses bad, forged, expired and others' tokens and changes nothing",
          "[e2e][grid]") {
    page_scenario s("grid-page-refusals", 100);
    s.bind("o_page_1", "w-page-1", "一网格");
    s.bind("o_page_2", "w-page-2", "二网格");
    const auto number = s.routed_order("o_page_resident");
    const auto token = token_of(s.link_for("o_page_1", number));
    const auto status_before = s.stored(number).status;
    const auto events_before = s.events(number).size();
    const auto unchanged = [&] {
        CHECK(s.stored(number).status == status_before);
        CHECK(s.events(number).size() == events_before);
    };
    const std::string accept = "/grid/api/orders/" + number + "/accept";

    // No token, a tampered one (signature or payload), one signed under another secret.
    CHECK(s.call("GET", "/grid/api/orders", "").status == 401);
    CHECK(s.call("POST", accept, "", json::object()).status == 401);
    auto tampered = token;
    tampered[token.size() - 5] = tampered[token.size() - 5] == 'A' ? 'B' : 'A';
    CHECK(s.call("POST", accept, tampered, json::object()).status == 401);
    auto other_person = token;
    other_person[0] = other_person[0] == 'd' ? 'e' : 'd';
    CHECK(s.call("POST", accept, other_person, json::object()).status == 401);
    // The last character changed only in bits the encoding leaves unused: still another token.
    auto unused_bits = token;
    unused_bits.back() = static_cast<char>(unused_bits.back() ^ 1);
    CHECK(s.call("POST", accept, unused_bits, json::object()).status == 401);
    gateway::grid_page::grid_links foreign("another-deployment-secret-0123456789", public_url,
                                           3600);
    CHECK(s.call("POST", accept, foreign.token_for("wechat_oa:o_page_1", s.clock.fn()()),
                 json::object())
              .status == 401);
    unchanged();

    // Worker B's own valid token (as the gateway signs B's links) opens nothing of A's.
    gateway::grid_page::grid_links ours(gateway::keying_secret(s.cfg), public_url, 72 * 3600);
    const auto b_token = ours.token_for("wechat_oa:o_page_2", s.clock.fn()());
    auto b_list = s.call("GET", "/grid/api/orders", b_token);
    REQUIRE(b_list.status == 200);
    CHECK(json::parse(b_list.body)["orders"].empty());
    CHECK(s.call("GET", "/grid/api/orders/" + number, b_token).status == 404);
    CHECK(s.call("POST", accept, b_token, json::object()).status == 404);
    CHECK(s.call("POST", "/grid/api/orders/" + number + "/done", b_token, {{"text", "已修好"}})
              .status == 404);
    // A resident's own identity signed the same way is no worker.
    CHECK(s.call("GET", "/grid/api/orders",
                 ours.token_for("wechat_oa:o_page_resident", s.clock.fn()()))
              .status == 403);
    unchanged();

    // A's token works, until A's WeChat is unbound from the staff record.
    CHECK(s.call("GET", "/grid/api/orders/" + number, token).status == 200);
    REQUIRE(admin("staff unbind " + s.db() + " --id w-page-1").code == 0);
    CHECK(s.call("GET", "/grid/api/orders/" + number, token).status == 403);
    CHECK(s.call("POST", accept, token, json::object()).status == 403);
    unchanged();

    // Expired: the link lives link_hours (72).
    const auto b_later = ours.token_for("wechat_oa:o_page_2", s.clock.fn()());
    s.clock.advance(72 * 3600 + 60);
    CHECK(s.call("GET", "/grid/api/orders", b_later).status == 401);
    CHECK(s.stored(number).status == status_before);  // (the timer may write reminders now)
}

TEST_CASE("failed grid page tokens from one address get 429 after the limit, valid ones too",
          "[e2e][grid]") {
    page_scenario s("grid-page-throttle", 3);
    s.bind("o_page_1", "w-page-1", "一网格");
    const auto number = s.routed_order("o_page_resident");
    const auto token = token_of(s.link_for("o_page_1", number));
    // A valid token spends nothing.
    for (int i = 0; i < 5; ++i) CHECK(s.call("GET", "/grid/api/orders", token).status == 200);
    for (int i = 0; i < 3; ++i) CHECK(s.call("GET", "/grid/api/orders", "x.1.y").status == 401);
    auto r = s.call("POST", "/grid/api/orders/" + number + "/accept", token, json::object());
    CHECK(r.status == 429);
    CHECK_FALSE(r.headers["retry-after"].empty());
    CHECK(s.stored(number).status == "assigned");
    const auto acts = actions(s.events(number));
    CHECK(std::count(acts.begin(), acts.end(), "order_accepted") == 0);
}

TEST_CASE("the gateway serves the grid page's files with safe headers and only those",
          "[e2e][grid]") {
    page_scenario s("grid-page-files");
    gateway::http_client http("127.0.0.1", s.gw->port);
    CHECK(http.request("GET", "/grid").status == 302);
    auto index = http.request("GET", "/grid/");
    REQUIRE(index.status == 200);
    CHECK(has(index.body, "app.js"));
    CHECK(has(index.headers["content-security-policy"], "frame-ancestors 'none'"));
    CHECK(index.headers["x-content-type-options"] == "nosniff");
    CHECK(index.headers["referrer-policy"] == "no-referrer");
    CHECK(http.request("GET", "/grid/app.js").status == 200);
    CHECK(http.request("GET", "/grid/../templates/notify/order_link.txt").status == 404);
    CHECK(http.request("GET", "/grid/nothing.js").status == 404);
    CHECK(http.request("DELETE", "/grid/").status == 405);
}

namespace {

// `name` from the environment variable, else the first match on PATH; empty when neither.
std::string find_program(const char* env, const std::string& name) {
    if (const char* v = std::getenv(env); v && *v) return ::access(v, X_OK) == 0 ? v : "";
    std::stringstream path(std::getenv("PATH") ? std::getenv("PATH") : "");
    for (std::string dir; std::getline(path, dir, ':');) {
        auto p = std::filesystem::path(dir) / name;
        if (!dir.empty() && ::access(p.c_str(), X_OK) == 0) return p.string();
    }
    return {};
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

unsigned short free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    ::close(fd);
    return ntohs(a.sin_port);
}

// ChromeDriver as a child process, ready to take sessions; killed and reaped at the end.
struct chrome_driver {
    pid_t pid = -1;
    unsigned short port = 0;
    std::string log;

    explicit chrome_driver(const std::string& driver) {
        port = free_port();
        log = temp_db_path("grid-chromedriver") + ".log";
        spawn_options o;
        o.stderr_to_stdout = true;
        o.log_file = log;
        pid = spawn({driver, "--port=" + std::to_string(port)}, o).pid;
        const bool ready = wd::poll_until(
            [&] {
                try {
                    gateway::http_client http("127.0.0.1", port, std::chrono::seconds(2));
                    auto res = http.request("GET", "/status");
                    auto j = json::parse(res.body, nullptr, false);
                    return res.status == 200 && !j.is_discarded() &&
                           j["value"].value("ready", false);
                } catch (const std::exception&) {
                    return false;
                }
            },
            std::chrono::seconds(30));
        INFO("chromedriver did not become ready; its log:\n" << read_file(log));
        REQUIRE(ready);
    }
    chrome_driver(const chrome_driver&) = delete;
    chrome_driver& operator=(const chrome_driver&) = delete;
    ~chrome_driver() {
        if (pid > 0) {
            ::kill(pid, SIGTERM);
            int status = 0;
            ::waitpid(pid, &status, 0);
        }
        std::filesystem::remove(log);
    }
};

void wait_for(wd::session& s, const std::string& what, const std::string& script) {
    const bool ok = wd::poll_until([&] { return s.execute("return !!(" + script + ");") == true; });
    INFO("waiting for " << what << " (" << script << "); the page says: "
                        << s.execute("return document.getElementById('status').textContent;")
                        << "; url " << s.url());
    REQUIRE(ok);
}

// A real 1×1 PNG the browser can decode, written to a file for the file input.
std::string photo_file() {
    const auto png = adapters::wechat_oa::detail::base64_decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5E"
        "rkJggg==");
    REQUIRE(png);
    const auto path = temp_db_path("grid-photo") + ".png";
    std::ofstream(path, std::ios::binary) << *png;
    return path;
}

}  // namespace

TEST_CASE("a grid worker takes an order from the notice's link to 办结 in Chromium at phone width",
          "[e2e][grid][browser]") {
    const std::string chromium = find_program("MINSHENG_CHROMIUM", "chromium");
    const std::string driver = find_program("MINSHENG_CHROMEDRIVER", "chromedriver");
    INFO(
        "the grid page test needs Chromium and ChromeDriver (Debian: apt-get install chromium "
        "chromium-driver); found chromium '"
        << chromium << "', chromedriver '" << driver << "'");
    REQUIRE(!chromium.empty());
    REQUIRE(!driver.empty());

    page_scenario sc("grid-page-browser");
    sc.bind("o_page_1", "w-page-1", "一网格");
    const auto number = sc.routed_order("o_page_resident");
    const auto link = sc.link_for("o_page_1", number);
    const auto photo = photo_file();

    chrome_driver cd(driver);
    json options{{"binary", chromium},
                 {"args",
                  {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--window-size=375,812", "--lang=zh-CN",
                   "--user-agent=Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                   "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
                   "MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN"}}};
    std::unique_ptr<wd::session> session_ptr;
    try {
        session_ptr = std::make_unique<wd::session>(
            cd.port, json{{"browserName", "chrome"}, {"goog:chromeOptions", options}});
    } catch (const std::exception& e) {
        FAIL("no browser session: " << e.what() << "\nchromedriver log:\n" << read_file(cd.log));
    }
    wd::session& s = *session_ptr;
    s.set_window_size(375, 812);

    // The link from the notice, opened on the gateway.
    s.navigate(sc.base() + link);
    wait_for(s, "the order", "document.getElementById('accept')");
    CHECK(s.text(s.find("#order-number")) == number);
    CHECK(has(s.text(s.find("#order-description")), "3栋门口"));
    CHECK_FALSE(has(s.text(s.find("#view")), "13800138000"));
    // Phone width: nothing wider than the screen.
    CHECK(s.execute("return document.documentElement.scrollWidth;").get<int>() <= 375);

    s.click(s.find("#accept"));
    wait_for(s, "the order accepted", "!document.getElementById('accept')");
    CHECK(sc.told("o_page_resident", "网格员接单"));

    // The phone refuses to tell its location: the worker types the place instead.
    s.execute(
        "Object.defineProperty(navigator, 'geolocation', {configurable: true, value: "
        "{getCurrentPosition: (ok, err) => err({code: 1, message: 'denied'})}});");
    s.click(s.find("#arrive"));
    wait_for(s, "the place field", "!document.getElementById('arrive-form').hidden");
    s.send_keys(s.find("#arrive-place"), "东城社区一网格3栋门口");
    s.click(s.find("#arrive-place-submit"));
    wait_for(s, "the order in progress",
             "document.getElementById('order-status').dataset.status === 'in_progress'");
    CHECK(sc.told("o_page_resident", "正在办理中"));

    s.send_keys(s.find("#progress-text"), "已到现场，灯泡烧坏，正在更换");
    s.send_keys(s.find("#progress-photo"), photo);
    s.click(s.find("#progress-submit"));
    wait_for(s, "the photo uploaded", "document.getElementById('photos')");

    s.send_keys(s.find("#done-text"), "已更换灯泡，路灯恢复照明");
    s.click(s.find("#done-submit"));
    wait_for(s, "the order done",
             "document.getElementById('order-status').dataset.status === 'done'");
    CHECK(sc.stored(number).status == "done");
    CHECK(sc.told("o_page_resident", "已更换灯泡，路灯恢复照明"));

    const auto ev = sc.events(number);
    const auto acts = actions(ev);
    for (const auto* a :
         {"order_accepted", "start", "order_progress", "order_photo", "report_done"})
        CHECK(std::count(acts.begin(), acts.end(), a) == 1);
    for (const auto& e : ev) {
        if (e.action == "start") CHECK(e.note == "arrived at: 东城社区一网格3栋门口");
        if (e.action == "order_progress") CHECK(e.note == "已到现场，灯泡烧坏，正在更换");
        if (e.action == "order_photo") CHECK(e.note.rfind("data:image/jpeg;base64,", 0) == 0);
    }

    // A second order, given back to the community on the page with a reason: it leaves the
    // worker, the community's workers are told why.
    const auto second =
        sc.routed_order("o_page_resident_2", "东城社区一网格5栋楼下的井盖丢了，很危险");
    const auto second_link = sc.link_for("o_page_1", second);
    s.navigate(sc.base() + "/grid/");
    s.navigate(sc.base() + second_link);
    wait_for(s, "the second order", "document.getElementById('return-text')");
    CHECK(s.text(s.find("#order-number")) == second);
    s.click(s.find("#return-submit"));  // no reason: the page asks for one, nothing is sent
    wait_for(s, "the reason asked for",
             "document.getElementById('status').classList.contains('error')");
    CHECK(sc.stored(second).status == "assigned");
    s.send_keys(s.find("#return-text"), "井盖归市政管理，不在本网格处理范围");
    s.click(s.find("#return-submit"));
    wait_for(s, "the order given back",
             "document.getElementById('status').textContent.includes('工单已退回社区')");
    CHECK(sc.stored(second).status == "accepted");
    CHECK(sc.stored(second).assignee.empty());
    bool returned = false;
    for (const auto& e : sc.events(second))
        returned = returned ||
                   (e.action == "return_order" && e.note == "井盖归市政管理，不在本网格处理范围" &&
                    has(e.actor, "w-page-1"));
    CHECK(returned);
    CHECK_FALSE(s.exists("#return-text"));  // nothing more to do on it here

    // A tampered link: the page's polite error, and nothing changes.
    const auto events_before = sc.events(number).size();
    auto tampered = link;
    tampered[link.size() - 5] = tampered[link.size() - 5] == 'A' ? 'B' : 'A';
    s.navigate(sc.base() + "/grid/");
    s.navigate(sc.base() + tampered);
    wait_for(s, "the error",
             "document.getElementById('status').textContent.includes('链接已失效')");
    CHECK_FALSE(s.exists("#order"));
    CHECK(sc.events(number).size() == events_before);
    std::filesystem::remove(photo);
}

TEST_CASE("grid page tokens name their person until they expire, and nothing else verifies",
          "[gateway][grid]") {
    gateway::grid_page::grid_links links("a-keying-secret-of-enough-length", "https://x.example/",
                                         3600);
    const auto t = links.token_for("wechat_oa:o_abc", 1000);
    CHECK(links.person_of(t, 1000) == "wechat_oa:o_abc");
    CHECK(links.person_of(t, 4599) == "wechat_oa:o_abc");
    CHECK_FALSE(links.person_of(t, 4600));  // expired
    CHECK(links.link_for("wechat_oa:o_abc", "MS20261203-0001", 1000) ==
          "https://x.example/grid/#/order/MS20261203-0001?t=" + t);
    // Every single character changed, dropped or added: refused.
    for (std::size_t i = 0; i < t.size(); ++i) {
        auto u = t;
        u[i] = u[i] == 'Z' ? 'Y' : 'Z';
        INFO(i);
        CHECK_FALSE(links.person_of(u, 1000));
        CHECK_FALSE(links.person_of(t.substr(0, i) + t.substr(i + 1), 1000));
    }
    CHECK_FALSE(links.person_of(t + "A", 1000));
    CHECK_FALSE(links.person_of("", 1000));
    gateway::grid_page::grid_links other("another-keying-secret-of-length", "", 3600);
    CHECK_FALSE(other.person_of(t, 1000));
    CHECK(other.link_for("wechat_oa:o_abc", "MS1", 1000).empty());
    CHECK_THROWS_AS(gateway::grid_page::grid_links("short", "", 3600), std::invalid_argument);
}

TEST_CASE("the grid page's settings are checked at load", "[gateway][grid]") {
    const auto load = [](const std::string& toml) {
        const auto path = temp_db_path("grid-page-config") + ".toml";
        std::ofstream(path) << toml;
        auto c = gateway::load_config(path, {{"MINSHENG_DATA_DIR", MINSHENG_SOURCE_DIR}});
        std::filesystem::remove(path);
        return c;
    };
    auto c = load("[grid_page]\npublic_url = \"https://m.example/city\"\nlink_hours = 24\n");
    CHECK(c.grid_page.public_url == "https://m.example/city");
    CHECK(c.grid_page.link_hours == 24);
    CHECK(c.grid_page.dir == std::string(MINSHENG_SOURCE_DIR) + "/grid");
    CHECK_THROWS_AS(load("[grid_page]\npublic_url = \"ftp://m.example\"\n"), gateway::config_error);
    CHECK_THROWS_AS(load("[grid_page]\npublic_url = \"https://m.example/?x=1\"\n"),
                    gateway::config_error);
    CHECK_THROWS_AS(load("[grid_page]\nlink_hours = 0\n"), gateway::config_error);
}
