// End-to-end: the real minsheng-gateway program as a child process, stopped with SIGTERM under
// load (it drains, exits 0, and everything it acknowledged is there after a restart), and run
// out of file descriptors (it backs off instead of spinning, and serves again once they are
// back).

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "tests/gateway/abuse_support.hpp"
#include "tools/fake_wechat/fake_server.hpp"

using namespace minsheng;
using namespace minsheng::test;
using adapters::wechat_oa::security_mode;
using json = nlohmann::json;

namespace {

// One official-account message the gateway answered 200.
struct acknowledged {
    std::string user, msg_id, text, reply;
};

json operator_get(unsigned short port, const gateway::config& c, const std::string& target) {
    gateway::http_client http("127.0.0.1", port);
    auto res = http.request("GET", target, "", {{"Authorization", bearer(c)}});
    INFO(target << " → " << res.status << " " << res.body);
    REQUIRE(res.status == 200);
    return json::parse(res.body);
}

std::size_t open_fds(pid_t pid) {
    std::error_code ec;
    std::size_t n = 0;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
         !ec && it != end; it.increment(ec))
        ++n;
    return n;
}

}  // namespace

TEST_CASE("SIGTERM under load drains, exits 0, and every acknowledged message survives a restart",
          "[gateway][e2e]") {
    namespace fw = tools::fake_wechat;
    fw::fake_wechat_server fake{fw::fake_config{}};
    const auto account = test_config(security_mode::safe, "");  // what wechat_peer plays
    // Delivery on, so the outbox worker runs (and must stop before the writer).
    const std::string toml = wechat_toml(account) + "[wechat_api]\nbase_url = \"" +
                             fake.base_url() + "\"\nappid = \"" + fake.config().appid +
                             "\"\nsecret = \"" + fake.config().secret +
                             "\"\ndefault_template = \"TPL\"\npoll_interval_ms = 20\n";
    const std::string db = temp_db_path("sigterm");
    auto first = std::make_unique<gateway_process>(db, toml);
    const unsigned short port = first->port();

    std::atomic<bool> terminating{false};
    std::atomic<int> acked{0};
    std::vector<std::future<std::pair<std::vector<acknowledged>, int>>> senders;
    for (int t = 0; t < 4; ++t)
        senders.push_back(std::async(std::launch::async, [&, t] {
            std::vector<acknowledged> mine;
            int refused = 0;  // answered but not 200 (503 while stopping)
            wechat_peer wx(account, port);
            for (int k = 0; k < 2000; ++k) {
                acknowledged m{"o_stop_" + std::to_string(t),
                               std::to_string(9100000000000000000LL + t * 10000 + k),
                               "幸福小区" + std::to_string(k % 30 + 1) +
                                   "栋门口的路灯坏了一个星期了，晚上很黑，老人出门不方便",
                               ""};
                try {
                    const auto ts = now_s();
                    auto r = wx.post(wx.codec.text({wx.account, m.user, m.text, ts, m.msg_id}, ts));
                    if (r.status != 200) {
                        ++refused;
                        if (terminating.load()) break;
                        continue;
                    }
                    m.reply = r.reply.text;
                    mine.push_back(std::move(m));
                    ++acked;
                } catch (const std::exception&) {
                    // No connection: only once the program is stopping.
                    if (!terminating.load()) ++refused;
                    break;
                }
            }
            return std::pair{std::move(mine), refused};
        }));

    // Under load: stop once a good number of messages have been answered.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (acked.load() < 40 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(ms(10));
    REQUIRE(acked.load() >= 40);
    terminating = true;
    CHECK(first->stop(SIGTERM, std::chrono::seconds(20)) == 0);

    std::vector<acknowledged> all;
    int refused_before_stop = 0;
    for (auto& f : senders) {
        REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
        auto [mine, refused] = f.get();
        all.insert(all.end(), mine.begin(), mine.end());
        refused_before_stop += refused;
    }
    INFO(all.size() << " messages acknowledged before the stop");
    CHECK(refused_before_stop == 0);

    // The same database, a new process: every acknowledged message is there.
    first->keep_files();
    first.reset();
    gateway_process second(db, toml);
    const std::regex number_re(R"((MS|WX)\d{8}-\d{4})");
    std::set<std::string> numbers;
    const auto listed = operator_get(second.port(), account, "/api/v1/cases?limit=1000");
    for (const auto& c : listed["cases"]) numbers.insert(c["number"].get<std::string>());
    std::size_t named = 0;
    for (const auto& m : all) {
        std::smatch found;
        if (!std::regex_search(m.reply, found, number_re)) continue;
        ++named;
        INFO(m.msg_id << " was answered with case " << found[0]);
        CHECK(numbers.count(found[0]) == 1);
    }
    CHECK(named > 0);
    // Sent again, each is a duplicate answered with its first reply; nothing new is opened.
    wechat_peer wx(account, second.port());
    for (const auto& m : all) {
        const auto ts = now_s();
        auto r = wx.post(wx.codec.text({wx.account, m.user, m.text, ts, m.msg_id}, ts));
        INFO(m.msg_id);
        CHECK(r.status == 200);
        CHECK(r.reply.text == m.reply);
    }
    const auto m = metrics_text(second.port());
    CHECK(metric(m, "minsheng_messages_duplicate_total{channel=\"wechat_oa\"}") ==
          static_cast<double>(all.size()));
    CHECK(metric(m, "minsheng_messages_received_total{channel=\"wechat_oa\"}") == 0);
    CHECK(operator_get(second.port(), account, "/api/v1/cases?limit=1000")["cases"].size() ==
          numbers.size());
    CHECK(second.stop(SIGTERM, std::chrono::seconds(20)) == 0);
}

// [slow]: run in the release suite only. Under the sanitizers the runtime itself needs descriptors
// (UBSan's vptr check reads the process maps), so with none left it reports a false
// "invalid vptr" on Boost's static error categories and aborts the gateway.
TEST_CASE("out of file descriptors, the gateway backs off instead of spinning, then serves again",
          "[gateway][e2e][slow]") {
    // 256 descriptors, a connection cap far above them, and idle connections kept long enough.
    gateway_process p(temp_db_path("emfile"),
                      "[limits]\nmax_connections = 4000\nheader_timeout_ms = 60000\n"
                      "body_timeout_ms = 60000\n",
                      {}, 256);
    std::vector<tcp_conn> idle;
    idle.reserve(300);
    for (int i = 0; i < 300; ++i) idle.emplace_back(p.port());  // the kernel's backlog takes them
    // The program accepts until it has no descriptor left.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (open_fds(p.pid()) < 250 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(ms(20));
    INFO("open descriptors: " << open_fds(p.pid()));
    REQUIRE(open_fds(p.pid()) >= 250);

    // Two seconds out of descriptors with connections still waiting: it must not spin.
    const auto cpu0 = cpu_time_of(p.pid());
    const auto wall0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(2));  // the measurement window
    const auto cpu = cpu_time_of(p.pid()) - cpu0;
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall0;
    INFO("CPU " << cpu.count() << " s in " << wall.count() << " s");
    CHECK(cpu.count() < 0.3 * wall.count());

    // Descriptors back: it serves again, and it said what happened.
    idle.clear();
    CHECK(healthy_within(p.port(), std::chrono::seconds(15)));
    const auto m = metrics_text(p.port());
    CHECK(metric(m, "minsheng_requests_rejected_total{reason=\"accept_failed\"}") > 0);
    CHECK(p.stop(SIGTERM, std::chrono::seconds(20)) == 0);
}
