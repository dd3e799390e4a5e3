// End-to-end: the web console in a real headless Chromium, driven through ChromeDriver over the
// W3C WebDriver protocol, against the real gateway on a real SQLite file. A resident files a case
// over the real encrypted official-account protocol; a case worker created with the real
// minsheng-admin program logs in with the keyboard, takes the case, adds a note, closes it and
// sees the statistics change; the store confirms every step. Also: how the gateway serves the
// console's files (redirects, headers, traversal, methods, a missing directory).
//
// Chromium and ChromeDriver are required (scripts/test.sh installs them): when they are missing
// the test fails and says so. MINSHENG_CHROMIUM and MINSHENG_CHROMEDRIVER name other binaries.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/db/staff.hpp"
#include "adapters/db/store.hpp"
#include "dialog/values/civil_time.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/gateway/webdriver.hpp"
#include "tests/support/child_process.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;
namespace wd = minsheng::test::webdriver;

namespace {

const std::string guangming = "光明社区";

gateway::config console_config(const std::string& tag) {
    auto c = test_config(security_mode::safe, temp_db_path(tag));
    c.console_dir = MINSHENG_SOURCE_DIR "/console";
    c.communities = {{guangming, "光明街道", {}, std::nullopt}};
    return c;
}

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

// A child process; killed and reaped on destruction.
struct child_process {
    pid_t pid = -1;
    child_process() = default;
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    ~child_process() {
        if (pid <= 0) return;
        ::kill(pid, SIGTERM);
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
};

// Errors joined with the output, as a person at a terminal sees them.
spawn_options joined(std::string log_file = "") {
    spawn_options o;
    o.stderr_to_stdout = true;
    o.log_file = std::move(log_file);
    return o;
}

unsigned short free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(s >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    ::close(s);
    return ntohs(a.sin_port);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// ChromeDriver as a child process, ready to take sessions.
struct chrome_driver {
    child_process proc;
    unsigned short port = 0;
    std::string log;

    explicit chrome_driver(const std::string& driver) {
        port = free_port();
        log = temp_db_path("chromedriver") + ".log";
        proc.pid = spawn({driver, "--port=" + std::to_string(port)}, joined(log)).pid;
        bool ready = wd::poll_until(
            [&] {
                try {
                    gateway::http_client http("127.0.0.1", port, std::chrono::seconds(2));
                    auto res = http.request("GET", "/status");
                    auto j = json::parse(res.body, nullptr, false);
                    return res.status == 200 && !j.is_discarded() &&
                           j["value"].value("ready", false);
                } catch (const std::exception&) {
                    return false;  // not listening yet
                }
            },
            std::chrono::seconds(30));
        INFO("chromedriver did not become ready; its log:\n" << read_file(log));
        REQUIRE(ready);
    }
    ~chrome_driver() { std::filesystem::remove(log); }
};

struct api_client {
    unsigned short port;
    std::string auth;

    gateway::client_response raw(const std::string& method, const std::string& target,
                                 const std::string& body = "") {
        gateway::http_client http("127.0.0.1", port);
        return http.request(method, target, body,
                            {{"Authorization", auth}, {"Content-Type", "application/json"}});
    }
    json get(const std::string& target) {
        auto res = raw("GET", target);
        INFO("GET " << target << " → " << res.status << " " << res.body);
        REQUIRE(res.status == 200);
        return json::parse(res.body);
    }
};

// What the page shows in its message region (for failure reports).
std::string page_message(wd::session& s) {
    try {
        return s.execute("return document.getElementById('message').textContent;")
            .get<std::string>();
    } catch (const std::exception& e) {
        return e.what();
    }
}

// Waits until `script` (a JavaScript expression) is true in the page.
void wait_for(wd::session& s, const std::string& what, const std::string& script) {
    bool ok = wd::poll_until([&] { return s.execute("return !!(" + script + ");") == true; });
    INFO("waiting for " << what << " (" << script << "); the page says: " << page_message(s)
                        << "; url " << s.url());
    REQUIRE(ok);
}

// The focused element's id, and whether its focus is visibly marked (:focus-visible with an
// outline or a box shadow of some width).
struct focus_info {
    std::string id;
    bool visible = false;
};

focus_info focused(wd::session& s) {
    auto j = s.execute(R"(
        const e = document.activeElement;
        if (!e) return {id: "", visible: false};
        const st = getComputedStyle(e);
        const outline = st.outlineStyle !== "none" && parseFloat(st.outlineWidth) > 0;
        const shadow = st.boxShadow && st.boxShadow !== "none";
        return {id: e.id || e.tagName, visible: e.matches(":focus-visible") && (outline || shadow)};
    )");
    return {j.value("id", std::string()), j.value("visible", false)};
}

// Presses Tab until the element with `id` has the focus (at most `limit` presses), checking at
// every stop that the focus is visible.
void tab_to(wd::session& s, const std::string& id, int limit = 60) {
    for (int i = 0; i < limit; ++i) {
        s.press({wd::keys::tab});
        auto f = focused(s);
        INFO("Tab stop " << i + 1 << ": " << f.id);
        CHECK(f.visible);
        if (f.id == id) return;
    }
    FAIL("Tab never reached #" << id);
}

// At 640 CSS px (a 1280 px window at 200% zoom) the page must not scroll sideways.
void check_no_horizontal_scroll(wd::session& s, const std::string& page) {
    auto j = s.execute(
        "return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth};");
    INFO(page << ": scrollWidth " << j["scroll"] << ", innerWidth " << j["inner"]);
    CHECK(j["inner"].get<int>() <= 660);
    CHECK(j["scroll"].get<int>() <= j["inner"].get<int>());
}

std::string status_of_case(wd::session& s) {
    return s
        .execute(
            "const e = document.getElementById('case-status');"
            "return e ? e.getAttribute('data-status') : '';")
        .get<std::string>();
}

}  // namespace

TEST_CASE("the gateway serves the console's files safely and only those", "[e2e][console]") {
    running_gateway g(console_config("console-files"));
    auto http = g.client();

    for (const char* from : {"/", "/console"}) {
        auto r = http.request("GET", from);
        INFO(from);
        CHECK(r.status == 302);
        CHECK(r.headers["location"] == "/console/");
    }
    auto index = http.request("GET", "/console/");
    REQUIRE(index.status == 200);
    CHECK(index.headers["content-type"] == "text/html; charset=utf-8");
    CHECK(index.headers["content-security-policy"] ==
          "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    CHECK(index.headers["x-content-type-options"] == "nosniff");
    CHECK(index.headers["referrer-policy"] == "no-referrer");
    CHECK(index.headers["cache-control"] == "no-cache");
    CHECK(index.body.find("<html lang=\"zh-CN\">") != std::string::npos);
    CHECK(index.body == http.request("GET", "/console/index.html").body);

    auto js = http.request("GET", "/console/app.js");
    REQUIRE(js.status == 200);
    CHECK(js.headers["content-type"] == "text/javascript; charset=utf-8");
    CHECK(http.request("GET", "/console/style.css").headers["content-type"] ==
          "text/css; charset=utf-8");
    // Nothing is fetched from elsewhere at run time, and the token never goes to localStorage.
    for (const char* f : {"index.html", "app.js", "style.css", "text.js"}) {
        auto body = http.request("GET", std::string("/console/") + f).body;
        INFO(f);
        CHECK(body.find("http://") == std::string::npos);
        CHECK(body.find("https://") == std::string::npos);
        CHECK(body.find("localStorage") == std::string::npos);
    }

    // Revalidation: the same ETag answers 304 without a body.
    const std::string etag = js.headers["etag"];
    REQUIRE(etag.size() > 2);
    auto again = http.request("GET", "/console/app.js", "", {{"If-None-Match", etag}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    auto head = http.request("HEAD", "/console/app.js");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.headers["etag"] == etag);

    // Only files loaded at start-up: no traversal, no hidden files, no directories.
    for (const char* bad :
         {"/console/../CMakeLists.txt", "/console/%2e%2e/CMakeLists.txt", "/console//etc/passwd",
          "/console/../../etc/passwd", "/console/missing.js", "/console/.", "/console/./app.js",
          "/console/app.js/", "/consolex"}) {
        auto r = http.request("GET", bad);
        INFO(bad << " → " << r.status << " " << r.body);
        CHECK(r.status == 404);
        CHECK(r.body.find("<script") == std::string::npos);
    }
    auto nf = http.request("GET", "/console/nothing.html");
    CHECK(nf.headers["content-type"] == "text/plain; charset=utf-8");
    CHECK(nf.body.find("页面不存在") != std::string::npos);
    CHECK(nf.headers["x-content-type-options"] == "nosniff");

    for (const char* method : {"POST", "PUT", "DELETE"}) {
        auto r = http.request(method, "/console/index.html", "x");
        INFO(method);
        CHECK(r.status == 405);
        CHECK(r.headers["allow"] == "GET, HEAD");
    }
}

TEST_CASE("without its directory the console answers 404 and the gateway still works",
          "[e2e][console]") {
    auto c = console_config("console-missing");
    c.console_dir = c.db_path + "-no-such-console";
    running_gateway g(c);
    auto http = g.client();
    auto r = http.request("GET", "/console/");
    CHECK(r.status == 404);
    CHECK(r.body.find("暂未安装") != std::string::npos);
    CHECK(http.request("GET", "/console").status == 302);
    CHECK(http.request("GET", "/healthz").status == 200);
}

TEST_CASE("a case worker handles a resident's case on the console by keyboard and mouse",
          "[e2e][console]") {
    const std::string chromium = find_program("MINSHENG_CHROMIUM", "chromium");
    const std::string driver = find_program("MINSHENG_CHROMEDRIVER", "chromedriver");
    INFO(
        "the console test needs Chromium and ChromeDriver (Debian: apt-get install chromium "
        "chromium-driver; scripts/test.sh installs them); found chromium '"
        << chromium << "', chromedriver '" << driver << "'");
    REQUIRE(!chromium.empty());
    REQUIRE(!driver.empty());

    running_gateway g(console_config("console-browser"));
    api_client admin{g.port, bearer(g.cfg)};

    // A resident files a case on the official account.
    wechat_peer wx(g.cfg, g.port);
    auto filed = wx.say("o_console_resident", "光明社区3栋门口的路灯坏了一个星期了，晚上很黑");
    REQUIRE(filed.status == 200);
    auto list = admin.get("/api/v1/cases?limit=1");
    REQUIRE(list["cases"].size() == 1);
    const json filed_case = list["cases"][0];
    const std::int64_t case_id = filed_case["id"];
    const std::string number = filed_case["number"];
    REQUIRE(filed_case["status"] == "received");
    REQUIRE(filed_case["community"] == guangming);

    // The case worker, made with the real admin program on the gateway's database.
    const std::string admin_bin = MINSHENG_BIN_DIR "/minsheng-admin";
    auto added = run({admin_bin, "staff", "add", "--db", g.cfg.db_path, "--id", "w-console",
                      "--name", "李芳", "--role", "worker", "--community", guangming},
                     joined());
    INFO("staff add: " << added.second);
    REQUIRE(added.first == 0);
    auto issued = run({admin_bin, "token", "issue", "--db", g.cfg.db_path, "--staff", "w-console",
                       "--label", "console test"},
                      joined());
    INFO("token issue: " << issued.second);
    REQUIRE(issued.first == 0);
    std::string token = issued.second.substr(0, issued.second.find('\n'));
    REQUIRE(token.size() >= 16);
    api_client worker{g.port, "Bearer " + token};
    REQUIRE(worker.get("/api/v1/me")["role"] == "worker");
    const auto closed_before = worker.get("/api/v1/stats")["totals"]["closed"].get<std::int64_t>();

    chrome_driver cd(driver);
    json options{{"binary", chromium},
                 {"args",
                  {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--window-size=1280,900", "--lang=zh-CN"}}};
    std::unique_ptr<wd::session> session_ptr;
    try {
        session_ptr = std::make_unique<wd::session>(
            cd.port, json{{"browserName", "chrome"}, {"goog:chromeOptions", options}});
    } catch (const std::exception& e) {
        FAIL("no browser session: " << e.what() << "\nchromedriver log:\n" << read_file(cd.log));
    }
    wd::session& s = *session_ptr;
    const std::string base = "http://127.0.0.1:" + std::to_string(g.port);

    // / redirects to the console, which asks for a token.
    s.navigate(base + "/");
    wait_for(s, "the log-in form", "document.getElementById('token')");
    CHECK(s.url().rfind(base + "/console/", 0) == 0);
    CHECK(s.title().find("登录") != std::string::npos);

    SECTION("log-in, taking the case and one action purely by keyboard") {
        // The first Tab reaches the skip link, the next one the token field.
        s.press({wd::keys::tab});
        auto f = focused(s);
        CHECK(f.id == "skip-link");
        CHECK(f.visible);
        s.press({wd::keys::tab});
        f = focused(s);
        REQUIRE(f.id == "token");
        CHECK(f.visible);
        // A wrong token is refused with a message; the field keeps the focus with its text
        // selected, so typing replaces it.
        s.type("not-a-valid-token");
        s.press({wd::keys::enter});
        wait_for(s, "the refusal",
                 "document.querySelector('#message p.error') && "
                 "document.querySelector('#message').textContent.includes('令牌无效')");
        CHECK(focused(s).id == "token");
        CHECK(s.execute("return sessionStorage.length;") == 0);
        s.type(token);
        s.press({wd::keys::enter});
        wait_for(s, "the queue",
                 "location.hash.startsWith('#/queue') && !document.getElementById('who').hidden");
        wait_for(s, "the case in the queue",
                 "document.getElementById('case-link-" + std::to_string(case_id) + "')");
        CHECK(s.execute("return document.getElementById('who-text').textContent;")
                  .get<std::string>()
                  .find("李芳") != std::string::npos);
        // The focus went to the new page's heading; the token is in sessionStorage only.
        CHECK(focused(s).id == "page-heading");
        CHECK(s.execute("return localStorage.length;") == 0);
        CHECK(s.execute("return sessionStorage.getItem('minsheng.console.token');") == token);

        // Take the case: Tab to its 接单 button (every stop visibly focused), press Enter.
        tab_to(s, "take-" + std::to_string(case_id));
        s.press({wd::keys::enter});
        wait_for(s, "the case taken",
                 "document.querySelector('#message').textContent.includes('已接单') && "
                 "!document.getElementById('take-" +
                     std::to_string(case_id) + "')");
        CHECK(focused(s).id == "case-link-" + std::to_string(case_id));
        CHECK(admin.get("/api/v1/cases/" + std::to_string(case_id))["assignee"] == "w-console");

        // Open the case with Enter on its link, then start it with the keyboard.
        s.press({wd::keys::enter});
        wait_for(s, "the case page", "document.getElementById('case-status')");
        CHECK(status_of_case(s) == "assigned");
        CHECK(focused(s).id == "page-heading");
        tab_to(s, "action-start");
        s.press({wd::keys::enter});
        wait_for(s, "the case started",
                 "document.getElementById('case-status') && "
                 "document.getElementById('case-status')"
                 ".getAttribute('data-status') === 'in_progress'");
        CHECK(focused(s).id == "actions-heading");
        CHECK(admin.get("/api/v1/cases/" + std::to_string(case_id))["status"] == "in_progress");
        // Shift+Tab goes back: no keyboard trap.
        tab_to(s, "action-note");
        s.press_shift_tab();
        CHECK(focused(s).id != "action-note");
    }

    SECTION("a volunteer application approved on the console's 志愿者申请 page") {
        // Someone applies on the official account, in the worker's community.
        REQUIRE(wx.say("o_console_applicant", "我要当志愿者").status == 200);
        REQUIRE(wx.say("o_console_applicant", guangming).status == 200);
        auto applied = wx.say("o_console_applicant", "会修电器");
        REQUIRE(applied.status == 200);
        const std::string application = application_in(applied.reply.text);
        REQUIRE_FALSE(application.empty());

        s.send_keys(s.find("#token"), token);
        s.click(s.find("#login-button"));
        wait_for(s, "the queue", "!document.getElementById('who').hidden");
        s.click(s.find("#nav-volunteers"));
        const std::string approve = "approve-" + application;
        wait_for(s, "the application listed", "document.getElementById('" + approve + "')");
        const std::string row = s.text(s.find("#volunteers-table"));
        INFO(applied.reply.text << "\n" << row);
        CHECK(row.find(application) != std::string::npos);
        CHECK(row.find(guangming) != std::string::npos);
        CHECK(row.find("修电器") != std::string::npos);  // the skills as the chat took them
        CHECK(s.exists("#refuse-" + application));

        s.click(s.find("#" + approve));
        wait_for(s, "the decision, and the list without it",
                 "document.querySelector('#message').textContent.includes('已同意') && "
                 "document.getElementById('volunteers-empty')");

        // Stored: approved by this worker; the applicant is told.
        const auto approved = admin.get("/api/v1/volunteers?status=approved");
        REQUIRE(approved["applications"].size() == 1);
        CHECK(approved["applications"][0]["application"] == application);
        CHECK(approved["applications"][0]["decided_by"] == "operator:w-console");
        bool told = false;
        const auto outbox = admin.get("/api/v1/outbox?limit=100")["notifications"];
        INFO(outbox.dump());
        for (const auto& n : outbox)
            if (n["template"] == "notify/volunteer_approved" && n["audience"] == "volunteer")
                told = true;
        CHECK(told);
    }

    SECTION("the whole case by mouse: take, note, 办结, close, statistics, zoom, log-out") {
        s.send_keys(s.find("#token"), token);
        s.click(s.find("#login-button"));
        const std::string take = "take-" + std::to_string(case_id);
        wait_for(s, "the case in the queue", "document.getElementById('" + take + "')");

        // 200% zoom on the queue: 640 CSS px, no sideways scrolling.
        s.set_window_size(640, 900);
        wait_for(s, "the narrow window", "window.innerWidth <= 660");
        check_no_horizontal_scroll(s, "queue");
        s.set_window_size(1280, 900);

        // The filters narrow the queue: unassigned shows it, assigned-to-me does not yet.
        s.execute("document.getElementById('f-assignee').value = 'none';");
        s.click(s.find("#filter-apply"));
        wait_for(s, "the unassigned queue",
                 "location.hash.includes('assignee=none') && "
                 "document.getElementById('" +
                     take + "')");
        s.execute("document.getElementById('f-assignee').value = 'me';");
        s.click(s.find("#filter-apply"));
        wait_for(s, "the empty queue of my cases", "document.getElementById('queue-empty')");
        s.click(s.find("#filter-reset"));
        wait_for(s, "the whole queue", "document.getElementById('" + take + "')");

        s.click(s.find("#" + take));
        wait_for(s, "the case taken",
                 "document.querySelector('#message').textContent.includes('已接单') && "
                 "!document.getElementById('" +
                     take + "') && document.getElementById('case-link-" + std::to_string(case_id) +
                     "')");
        s.click(s.find("#case-link-" + std::to_string(case_id)));
        wait_for(s, "the case page", "document.getElementById('case-status')");
        CHECK(status_of_case(s) == "assigned");
        CHECK(s.execute("return document.getElementById('page-heading').textContent;") ==
              "案件 " + number);
        // The description is shown masked, as the API gives it.
        CHECK(s.text(s.find("#field-description")).find("路灯") != std::string::npos);

        // A note, then the lifecycle to the end.
        const std::string note = "已联系物业，明天上午维修路灯";
        s.send_keys(s.find("#note-text"), note);
        s.click(s.find("#note-button"));
        wait_for(s, "the note in the history",
                 "document.querySelector('#history-table tr[data-action=note]')");
        CHECK(page_message(s).find("备注已添加") != std::string::npos);
        CHECK(s.text(s.find("#history-table")).find(note) != std::string::npos);

        for (auto [action, status] : {std::pair<std::string, std::string>{"start", "in_progress"},
                                      {"report_done", "done"},
                                      {"close", "closed"}}) {
            INFO(action);
            s.click(s.find("#action-" + action));
            wait_for(s, std::string("status ") + status,
                     "document.getElementById('case-status') && "
                     "document.getElementById('case-status').getAttribute('data-status') === '" +
                         status + "'");
            CHECK(page_message(s).find("操作成功") != std::string::npos);
        }
        CHECK(!s.exists("#action-close"));
        CHECK(s.exists("#action-reopen"));

        // 200% zoom on the case page, with its history table.
        s.set_window_size(640, 900);
        wait_for(s, "the narrow window", "window.innerWidth <= 660");
        check_no_horizontal_scroll(s, "case");
        s.set_window_size(1280, 900);

        // The store really changed: the note and the status, by this worker.
        auto stored = admin.get("/api/v1/cases/" + std::to_string(case_id));
        CHECK(stored["status"] == "closed");
        CHECK(stored["assignee"] == "w-console");
        bool note_stored = false;
        for (const auto& e : stored["events"])
            if (e["action"] == "note" && e["note"] == note && e["actor"] == "operator:w-console")
                note_stored = true;
        CHECK(note_stored);

        // 主动发现 is not offered to a case worker.
        CHECK(s.execute("return document.getElementById('nav-discovery-item').hidden;") == true);

        // The statistics page shows one more closed case, and both pictures.
        s.click(s.find("#nav-stats"));
        wait_for(s, "the statistics", "document.getElementById('total-closed')");
        CHECK(s.text(s.find("#total-closed")) == std::to_string(closed_before + 1));
        CHECK(worker.get("/api/v1/stats")["totals"]["closed"] == closed_before + 1);
        for (const char* picture : {"picture-demand", "picture-resources"}) {
            INFO(picture);
            wait_for(s, picture,
                     std::string("document.getElementById('") + picture +
                         "').getAttribute('data-loaded') === '1'");
            CHECK(s.exists(std::string("#") + picture + " svg[role=img] title"));
        }

        // 微信通知: a one-time code on the page, sent from the worker's WeChat, binds it.
        s.click(s.find("#nav-wechat"));
        wait_for(s, "the WeChat page", "document.getElementById('wechat-make-code')");
        CHECK(s.text(s.find("#wechat-status")).find("还没有绑定") != std::string::npos);
        s.click(s.find("#wechat-make-code"));
        wait_for(s, "the code", "document.getElementById('wechat-send')");
        const std::string send = s.text(s.find("#wechat-send"));
        CHECK(send.rfind("绑定工号 ", 0) == 0);
        CHECK(send.size() == std::string("绑定工号 ").size() + 8);
        auto bound = wx.say("o_console_worker", send);
        REQUIRE(bound.status == 200);
        CHECK(bound.reply.text.find("李芳") != std::string::npos);
        CHECK(worker.get("/api/v1/me")["wechat_bound"] == true);

        // Log-out forgets the token.
        s.click(s.find("#logout"));
        wait_for(s, "the log-in form again", "document.getElementById('token')");
        CHECK(s.execute("return sessionStorage.length;") == 0);
        CHECK(s.execute("return document.getElementById('who').hidden;") == true);
    }
}

TEST_CASE("a supervisor sees the street's households worth a visit and records one on the console",
          "[e2e][console][discovery]") {
    const std::string chromium = find_program("MINSHENG_CHROMIUM", "chromium");
    const std::string driver = find_program("MINSHENG_CHROMEDRIVER", "chromedriver");
    REQUIRE(!chromium.empty());
    REQUIRE(!driver.empty());

    running_gateway g(console_config("console-discovery"));
    // A resident of 光明社区 with a verified phone wished for help with medical bills; 医保 sees
    // the same household (ID number and phone) with high costs.
    const std::string phone = "13912340000";
    {
        adapters::db::store db(g.cfg.db_path);
        db.run([&](dialog::unit_of_work& uow) {
            dialog::person p;
            p.who = {dialog::channel::wechat_oa, "o_console_family"};
            p.phone = phone;
            p.phone_verified_at = now_s();
            p.updated_at = now_s();
            uow.save_person(p);
            dialog::case_draft d;
            d.reporter_id = "o_console_family";
            d.kind = "wish";
            d.urgency = "normal";
            d.description = "老伴住院，医药费负担太重";
            d.community = guangming;
            d.source_key = "console-discovery";
            d.created_at = now_s() - 86400;
            uow.open_case(d);
        });
    }
    const std::string csv = g.cfg.db_path + "-yibao.csv";
    {
        std::ofstream f(csv);
        f << "身份证号,手机号,指标,金额,日期,社区\n11010519491231002X," << phone
          << ",大病自付费用高,18000,2026-10-01," << guangming << "\n";
    }
    spawn_options env = joined();
    env.env_extra = {std::string("MINSHENG_CODE_SECRET=") + test_code_secret};
    const std::string admin_bin = MINSHENG_BIN_DIR "/minsheng-admin";
    auto imported = run(
        {admin_bin, "discovery", "import", "--db", g.cfg.db_path, "--source", "医保", csv}, env);
    INFO("import: " << imported.second);
    REQUIRE(imported.first == 0);
    std::filesystem::remove(csv);
    REQUIRE(run({admin_bin, "staff", "add", "--db", g.cfg.db_path, "--id", "s-console", "--name",
                 "王强", "--role", "supervisor", "--street", "光明街道"},
                joined())
                .first == 0);
    auto issued =
        run({admin_bin, "token", "issue", "--db", g.cfg.db_path, "--staff", "s-console"}, joined());
    REQUIRE(issued.first == 0);
    const std::string token = issued.second.substr(0, issued.second.find('\n'));

    chrome_driver cd(driver);
    json options{{"binary", chromium},
                 {"args",
                  {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--window-size=1280,900", "--lang=zh-CN"}}};
    std::unique_ptr<wd::session> session_ptr;
    try {
        session_ptr = std::make_unique<wd::session>(
            cd.port, json{{"browserName", "chrome"}, {"goog:chromeOptions", options}});
    } catch (const std::exception& e) {
        FAIL("no browser session: " << e.what() << "\nchromedriver log:\n" << read_file(cd.log));
    }
    wd::session& s = *session_ptr;
    s.navigate("http://127.0.0.1:" + std::to_string(g.port) + "/");
    wait_for(s, "the log-in form", "document.getElementById('token')");
    s.send_keys(s.find("#token"), token);
    s.click(s.find("#login-button"));
    wait_for(s, "the queue", "!document.getElementById('who').hidden");
    CHECK(s.execute("return document.getElementById('nav-discovery-item').hidden;") == false);
    s.click(s.find("#nav-discovery"));
    wait_for(s, "the household listed", "document.getElementById('record-1')");
    const std::string row = s.text(s.find("#discovery-table tbody tr"));
    CHECK(row.find("139****0000") != std::string::npos);
    CHECK(row.find("医保") != std::string::npos);
    CHECK(row.find("大病自付费用高") != std::string::npos);
    CHECK(row.find("民生平台") != std::string::npos);
    CHECK(row.find("11010519491231002X") == std::string::npos);
    CHECK(row.find(phone) == std::string::npos);

    // Referred: recorded, and still listed, marked.
    s.execute("document.getElementById('outcome-1').value = 'referred'; return true;");
    s.click(s.find("#record-1"));
    wait_for(s, "the visit recorded",
             "document.getElementById('message').textContent.includes('已转介相关部门')");
    wait_for(s, "the household marked referred",
             "document.querySelector('#discovery-table tbody tr th') && document.querySelector("
             "'#discovery-table tbody tr th').textContent.includes('已转介')");
    api_client admin{g.port, bearer(g.cfg)};
    std::multiset<std::string> actions;
    const auto trail = admin.get("/api/v1/audit");
    INFO(trail.dump());
    for (const auto& e : trail["entries"]) actions.insert(e["action"].get<std::string>());
    CHECK(actions.count("discovery_view") == 2);
    CHECK(actions.count("discovery_visit") == 1);
}

namespace {

// A browser session on the console at `port`, logged in with `token`.
struct console_session {
    chrome_driver cd;
    std::unique_ptr<wd::session> s;

    console_session(const std::string& driver, const std::string& chromium, unsigned short port,
                    const std::string& token)
        : cd(driver) {
        json options{{"binary", chromium},
                     {"args",
                      {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                       "--window-size=1280,900", "--lang=zh-CN"}}};
        try {
            s = std::make_unique<wd::session>(
                cd.port, json{{"browserName", "chrome"}, {"goog:chromeOptions", options}});
        } catch (const std::exception& e) {
            FAIL("no browser session: " << e.what() << "\nchromedriver log:\n"
                                        << read_file(cd.log));
        }
        s->navigate("http://127.0.0.1:" + std::to_string(port) + "/");
        wait_for(*s, "the log-in form", "document.getElementById('token')");
        s->send_keys(s->find("#token"), token);
        s->click(s->find("#login-button"));
        wait_for(*s, "the queue", "!document.getElementById('who').hidden");
    }
};

// A staff member of 光明街道 in the gateway's database, and their bearer token.
std::string add_staff(const gateway::config& cfg, const std::string& id, const std::string& role) {
    adapters::db::store db(cfg.db_path);
    adapters::db::staff_member m;
    m.id = id;
    m.name = "员工" + id;
    m.role = role;
    if (role == "worker") m.community = guangming;
    if (role == "supervisor") m.street = "光明街道";
    adapters::db::save_staff(db, m, now_s());
    return adapters::db::issue_token(db, id, 0, "test", now_s()).token;
}

// 10:00 China time on 2 November 2026.
std::int64_t november_2026() {
    return dialog::china_unix(
        dialog::civil_date{std::chrono::year{2026}, std::chrono::month{11}, std::chrono::day{2}},
        10 * 3600);
}

}  // namespace

TEST_CASE("supervisors see the missing-calendar banner in November; with next year's file not",
          "[e2e][console][calendar]") {
    const std::string chromium = find_program("MINSHENG_CHROMIUM", "chromium");
    const std::string driver = find_program("MINSHENG_CHROMEDRIVER", "chromedriver");
    REQUIRE(!chromium.empty());
    REQUIRE(!driver.empty());
    const auto banner_shown = [](wd::session& s) {
        return s
            .execute(
                "const n = document.getElementById('notices');"
                "const b = document.getElementById('notice-calendar_next_year_missing');"
                "return !!n && !n.hidden && !!b && b.textContent.includes('calendar import');")
            .get<bool>();
    };
    // The shipped 2026 file only, in a directory of the test's own.
    const std::filesystem::path cal = temp_db_path("console-calendar") + ".d";
    std::filesystem::create_directories(cal);
    std::filesystem::copy_file(MINSHENG_SOURCE_DIR "/calendar/cn-2026.txt", cal / "cn-2026.txt");

    SECTION("2 November with no 2027 file: the supervisor sees it, a worker does not") {
        auto c = console_config("console-calendar-missing");
        c.program.calendar_dir = cal.string();
        const auto now = november_2026();
        running_gateway g(c, [now] { return now; });
        const auto supervisor = add_staff(g.cfg, "s-cal", "supervisor");
        const auto worker = add_staff(g.cfg, "w-cal", "worker");
        {
            console_session cs(driver, chromium, g.port, supervisor);
            wait_for(*cs.s, "the banner",
                     "document.getElementById('notice-calendar_next_year_missing')");
            CHECK(banner_shown(*cs.s));
        }
        console_session cw(driver, chromium, g.port, worker);
        CHECK(cw.s->execute("return document.getElementById('notices').hidden;") == true);
        CHECK_FALSE(banner_shown(*cw.s));
    }
    SECTION("2 November with a 2027 file: no banner") {
        // A made-up 2027 file for the test only (the real one comes from the official notice).
        {
            std::ofstream f(cal / "cn-2027.txt");
            f << "holiday 2027-01-01 test\n";
        }
        auto c = console_config("console-calendar-loaded");
        c.program.calendar_dir = cal.string();
        const auto now = november_2026();
        running_gateway g(c, [now] { return now; });
        const auto supervisor = add_staff(g.cfg, "s-cal2", "supervisor");
        console_session cs(driver, chromium, g.port, supervisor);
        CHECK(cs.s->execute("return document.getElementById('notices').hidden;") == true);
        CHECK_FALSE(banner_shown(*cs.s));
    }
    std::filesystem::remove_all(cal);
}

TEST_CASE("the statistics page shows certificate requests deflected per item and month, scoped",
          "[e2e][console][certificates]") {
    const std::string chromium = find_program("MINSHENG_CHROMIUM", "chromium");
    const std::string driver = find_program("MINSHENG_CHROMEDRIVER", "chromedriver");
    REQUIRE(!chromium.empty());
    REQUIRE(!driver.empty());

    auto c = console_config("console-certificates");
    c.communities.push_back({"东城社区", "东城街道", {}, std::nullopt});
    c.program.certificates_file = MINSHENG_SOURCE_DIR "/data/certificates.toml";
    running_gateway g(c);
    // Residents of 光明社区 asked three times (one then still needed help), one of 东城社区 once.
    {
        adapters::db::store db(g.cfg.db_path);
        auto ask = [&](const std::string& user, const std::string& community,
                       const std::string& key, const std::string& item, bool escalated) {
            db.run([&](dialog::unit_of_work& uow) {
                dialog::person p;
                p.who = {dialog::channel::wechat_oa, user};
                p.community = community;
                p.updated_at = now_s();
                uow.save_person(p);
            });
            dialog::inbound_message m;
            m.from = dialog::channel::wechat_oa;
            m.user_id = user;
            m.dedup_key = key;
            m.kind = dialog::inbound_kind::text;
            m.text = "证明";
            m.create_time = now_s();
            db.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
                uow.count_certificate_answer(item, m.from, key, now_s());
                if (escalated) uow.certificate_answer_escalated(key);
                return std::string("answered");
            });
        };
        ask("o_gm_1", guangming, "k1", "residence", false);
        ask("o_gm_2", guangming, "k2", "residence", true);
        ask("o_gm_3", guangming, "k3", "kinship", false);
        ask("o_dc_1", "东城社区", "k4", "residence", false);
    }
    const std::string month = [] {
        const auto d = dialog::china_date(now_s());
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(d.year()),
                      static_cast<unsigned>(d.month()));
        return std::string(buf);
    }();

    // The API: the admin sees both communities, the street's supervisor only 光明社区.
    api_client admin{g.port, bearer(g.cfg)};
    const auto all = admin.get("/api/v1/stats")["certificates"];
    INFO(all.dump());
    REQUIRE(all.size() == 2);
    CHECK(all[0] == json{{"month", month},
                         {"item", "kinship"},
                         {"name", "亲属关系证明"},
                         {"answered", 1},
                         {"escalated", 0},
                         {"deflected", 1}});
    CHECK(all[1]["item"] == "residence");
    CHECK(all[1]["answered"] == 3);
    CHECK(all[1]["deflected"] == 2);
    const auto supervisor = add_staff(g.cfg, "s-cert", "supervisor");
    api_client street{g.port, "Bearer " + supervisor};
    const auto scoped = street.get("/api/v1/stats")["certificates"];
    INFO(scoped.dump());
    REQUIRE(scoped.size() == 2);
    CHECK(scoped[1]["item"] == "residence");
    CHECK(scoped[1]["answered"] == 2);
    CHECK(scoped[1]["escalated"] == 1);
    CHECK(scoped[1]["deflected"] == 1);
    // A window before today: none.
    CHECK(street.get("/api/v1/stats?since=2026-01-01&until=2026-01-31")["certificates"].empty());

    // The console's statistics page shows the supervisor's figures.
    console_session cs(driver, chromium, g.port, supervisor);
    cs.s->click(cs.s->find("#nav-stats"));
    wait_for(*cs.s, "the certificate figures",
             "document.querySelector('#stats-certificates tr[data-item=residence]')");
    const std::string row = cs.s->text(cs.s->find("#stats-certificates tr[data-item=residence]"));
    INFO(row);
    CHECK(row.find("居住证明") != std::string::npos);
    CHECK(row.find(month) != std::string::npos);
    const auto cells = cs.s->execute(
        "return [...document.querySelectorAll('#stats-certificates tr[data-item=residence] td')]"
        ".map((td) => td.textContent);");
    CHECK(cells == json{month, "居住证明", "2", "1", "1"});
}

TEST_CASE("a case worker sees a case's followers and merges a possible duplicate with one click",
          "[e2e][console][duplicates]") {
    const std::string chromium = find_program("MINSHENG_CHROMIUM", "chromium");
    const std::string driver = find_program("MINSHENG_CHROMEDRIVER", "chromedriver");
    REQUIRE(!chromium.empty());
    REQUIRE(!driver.empty());

    running_gateway g(console_config("console-duplicates"));
    // Reports of one light: the first opens the case, the second follows it, the third said
    // "不是同一个问题" and has their own; a fourth was filed without the check (straight into the
    // store), so the decision finds both like the first.
    wechat_peer wx(g.cfg, g.port);
    REQUIRE(wx.say("o_dup_first", "光明社区幸福路的路灯坏了，晚上一片漆黑，走路很不安全").status ==
            200);
    REQUIRE(wx.say("o_dup_second", "光明社区幸福路路灯不亮好几天了，请派人修一下").status == 200);
    REQUIRE(wx.say("o_dup_third", "光明社区幸福路路灯不亮好几天了，请派人修一下").status == 200);
    REQUIRE(wx.say("o_dup_third", "不是同一个问题").status == 200);
    api_client admin{g.port, bearer(g.cfg)};
    auto cases = admin.get("/api/v1/cases?limit=10")["cases"];
    REQUIRE(cases.size() == 2);
    const std::int64_t first_id = cases[1]["id"];  // newest first
    const json first = admin.get("/api/v1/cases/" + std::to_string(first_id));
    REQUIRE(first["followers"].size() == 2);
    std::string own_number;
    {
        adapters::db::store db(g.cfg.db_path);
        db.run([&](dialog::unit_of_work& uow) {
            dialog::case_draft d;
            d.reporter_id = "o_dup_fourth";
            d.kind = "complaint";
            d.category = first["category"].get<std::string>();
            d.urgency = "normal";
            d.description = "光明社区幸福路的路灯坏了，晚上一片漆黑，走路很不安全";
            d.community = guangming;
            d.source_key = "console-dup-fourth";
            d.created_at = now_s();
            own_number = uow.open_case(d).number;
            // A grid worker's photo on the first case (as the grid page keeps it): a 1×1 PNG.
            uow.add_event({0, first_id, now_s(), "worker:w-grid", "order_photo", "", "",
                           "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAA"
                           "DUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="});
        });
    }
    cases = admin.get("/api/v1/cases?limit=10")["cases"];
    REQUIRE(cases.size() == 3);
    REQUIRE(cases[0]["number"] == own_number);
    const std::int64_t own_id = cases[0]["id"];
    const std::string admin_bin = MINSHENG_BIN_DIR "/minsheng-admin";
    REQUIRE(run({admin_bin, "staff", "add", "--db", g.cfg.db_path, "--id", "w-dup", "--name",
                 "李芳", "--role", "worker", "--community", guangming},
                joined())
                .first == 0);
    auto issued =
        run({admin_bin, "token", "issue", "--db", g.cfg.db_path, "--staff", "w-dup"}, joined());
    REQUIRE(issued.first == 0);
    const std::string token = issued.second.substr(0, issued.second.find('\n'));

    chrome_driver cd(driver);
    json options{{"binary", chromium},
                 {"args",
                  {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--window-size=1280,900", "--lang=zh-CN"}}};
    std::unique_ptr<wd::session> session_ptr;
    try {
        session_ptr = std::make_unique<wd::session>(
            cd.port, json{{"browserName", "chrome"}, {"goog:chromeOptions", options}});
    } catch (const std::exception& e) {
        FAIL("no browser session: " << e.what() << "\nchromedriver log:\n" << read_file(cd.log));
    }
    wd::session& s = *session_ptr;
    s.navigate("http://127.0.0.1:" + std::to_string(g.port) + "/");
    wait_for(s, "the log-in form", "document.getElementById('token')");
    s.send_keys(s.find("#token"), token);
    s.click(s.find("#login-button"));
    wait_for(s, "the queue", "!document.getElementById('who').hidden");
    s.navigate("http://127.0.0.1:" + std::to_string(g.port) + "/console/#/case/" +
               std::to_string(first_id));
    wait_for(s, "the followers", "document.querySelectorAll('#followers-table tbody tr').length");

    // The followers: masked, with how they came; the one who left is marked so.
    const std::string followers = s.text(s.find("#followers-table tbody"));
    CHECK(followers.find("o_dup_second") == std::string::npos);
    CHECK(followers.find("o_dup_third") == std::string::npos);
    CHECK(followers.find("…") != std::string::npos);
    CHECK(followers.find("公众号对话") != std::string::npos);
    CHECK(s.execute("return document.querySelectorAll('#followers-table tr[data-left=\"1\"]')"
                    ".length;") == 1);
    // Who hears its progress: the reporter and the follower who stayed (the third left).
    CHECK(s.execute("return document.getElementById('followers-count').dataset.n;") == "2");
    CHECK(s.text(s.find("#followers-count")).find("共有 2 位居民") != std::string::npos);

    // The photo in the history is a picture the browser shows (the page's CSP lets data: images
    // in), labelled for screen readers.
    wait_for(s, "the photo decoded",
             "document.querySelector('#history-table img.photo') && "
             "document.querySelector('#history-table img.photo').naturalWidth === 1");
    CHECK(s.execute("return document.querySelector('#history-table img.photo').alt;")
              .get<std::string>()
              .find("现场照片") != std::string::npos);

    // The third resident's own case is a possible duplicate; one click merges it into this one.
    wait_for(s, "the possible duplicates",
             "document.querySelector('#duplicates-table tr[data-number=\"" + own_number + "\"]')");
    s.click(s.find("#duplicates-table tr[data-number=\"" + own_number + "\"] button.merge-here"));
    wait_for(s, "the merge done",
             "document.getElementById('message').textContent.includes('" + own_number + "')");
    const auto merged = admin.get("/api/v1/cases/" + std::to_string(own_id));
    CHECK(merged["status"] == "merged");
    CHECK(merged["merged_into"] == first_id);
    // Its reporter follows this case now, and the page shows it.
    const auto after = admin.get("/api/v1/cases/" + std::to_string(first_id));
    bool by_merge = false;
    for (const auto& f : after["followers"]) by_merge = by_merge || f["via"] == "merge";
    CHECK(by_merge);
    CHECK(after["merged_cases"].size() == 1);
    wait_for(s, "the merged follower listed",
             "document.querySelector('#followers-table tr[data-via=\"merge\"]')");
    CHECK(s.execute("return document.getElementById('followers-count').dataset.n;") == "3");
    // The merged case is no longer a possible duplicate; the third resident's still is.
    wait_for(s, "the merged case gone from the possible duplicates",
             "document.getElementById('duplicates-list').getAttribute('data-loaded') === '1' && "
             "!document.querySelector('#duplicates-table tr[data-number=\"" +
                 own_number + "\"]')");
    CHECK(s.execute("return document.querySelectorAll('#duplicates-table tbody tr').length;") == 1);

    // The second resident's report proves another problem: one click opens their own case from
    // what they said. Only a follower whose report is kept and who still follows has the button
    // (not the third, who left, nor the one who came by the merge).
    CHECK(s.execute("return document.querySelectorAll('#followers-table button.split-follower')"
                    ".length;") == 1);
    s.click(
        s.find("#followers-table tr[data-via=\"chat\"][data-left=\"0\"] "
               "button.split-follower"));
    wait_for(s, "the split done",
             "document.getElementById('message').textContent.includes('单独立案')");
    const auto split = admin.get("/api/v1/cases/" + std::to_string(first_id));
    std::size_t left = 0;
    for (const auto& f : split["followers"]) left += f["left_at"].is_null() ? 0 : 1;
    CHECK(left == 2);
    const auto newest = admin.get("/api/v1/cases?limit=1")["cases"][0];
    CHECK(newest["number"] != own_number);
    CHECK(newest["id"].get<std::int64_t>() > own_id);
    wait_for(s, "the follower marked as left",
             "document.querySelectorAll('#followers-table tr[data-left=\"1\"]').length === 2");
    CHECK(s.execute("return document.getElementById('followers-count').dataset.n;") == "2");
}
