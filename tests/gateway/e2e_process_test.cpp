// The real minsheng-gateway program: environment configuration, the "listening on" line,
// serving, and a clean exit on SIGTERM; a port it cannot bind makes it exit non-zero.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "adapters/db/store.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/support/child_process.hpp"
#include "tools/fake_wechat/fake_server.hpp"

namespace {

using minsheng::test::child;
using minsheng::test::read_line;
using minsheng::test::wait_exit;

// The gateway program with `args`, in this environment less its MINSHENG_* variables plus
// `env_extra`; stderr discarded.
child spawn_gateway_with(const std::vector<std::string>& args,
                         const std::vector<std::string>& env_extra) {
    std::vector<std::string> argv{MINSHENG_BIN_DIR "/minsheng-gateway"};
    argv.insert(argv.end(), args.begin(), args.end());
    minsheng::test::spawn_options o;
    o.clean_minsheng_env = true;
    o.env_extra = env_extra;
    return minsheng::test::spawn(std::move(argv), o);
}

// A real account's key and appid (safe mode): without a key the program refuses to start unless
// plain mode is chosen.
const std::string process_key =
    "MINSHENG_WECHAT_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const std::string process_appid = "MINSHENG_WECHAT_APPID=wxprocess0000001";

child spawn_gateway(const std::vector<std::string>& env_extra) {
    return spawn_gateway_with({}, env_extra);
}

}  // namespace

TEST_CASE("the gateway program prints its real port, serves, and exits cleanly on SIGTERM",
          "[e2e]") {
    std::string db = minsheng::test::temp_db_path("process");
    auto c = spawn_gateway({"MINSHENG_LISTEN=127.0.0.1:0", "MINSHENG_DB=" + db,
                            "MINSHENG_WECHAT_TOKEN=process-token", process_key, process_appid,
                            "MINSHENG_DATA_DIR=" MINSHENG_SOURCE_DIR});
    std::string line = read_line(c.out, std::chrono::seconds(20));
    std::smatch m;
    REQUIRE(std::regex_match(line, m, std::regex(R"(listening on 127\.0\.0\.1:(\d+))")));
    auto port = static_cast<unsigned short>(std::stoi(m[1]));
    CHECK(port != 0);

    minsheng::gateway::http_client http("127.0.0.1", port);
    CHECK(http.request("GET", "/healthz").status == 200);

    kill(c.pid, SIGTERM);
    CHECK(wait_exit(c.pid, std::chrono::seconds(10)) == 0);
    close(c.out);
    for (const char* suffix : {"", "-wal", "-shm", ".secret"}) std::filesystem::remove(db + suffix);
}

TEST_CASE("the gateway program exits non-zero when it cannot bind its port", "[e2e]") {
    // Hold a port, then ask the program for the same one.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor holder(
        ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    auto port = holder.local_endpoint().port();
    std::string db = minsheng::test::temp_db_path("bind");
    auto c = spawn_gateway({"MINSHENG_LISTEN=127.0.0.1:" + std::to_string(port),
                            "MINSHENG_DB=" + db, "MINSHENG_WECHAT_TOKEN=process-token", process_key,
                            process_appid, "MINSHENG_DATA_DIR=" MINSHENG_SOURCE_DIR});
    CHECK(wait_exit(c.pid, std::chrono::seconds(20)) == 1);
    close(c.out);
    for (const char* suffix : {"", "-wal", "-shm", ".secret"}) std::filesystem::remove(db + suffix);
}

TEST_CASE("the gateway killed with notifications in flight: after a restart each is delivered",
          "[e2e][outbox]") {
    namespace fw = minsheng::tools::fake_wechat;
    fw::fake_wechat_server fake{fw::fake_config{}};
    const std::string db = minsheng::test::temp_db_path("killed");
    constexpr int n = 20;
    {
        minsheng::adapters::db::store s(db);
        s.run([&](minsheng::dialog::unit_of_work& uow) {
            for (int i = 0; i < n; ++i) {
                minsheng::dialog::notification note;
                note.audience = "resident";
                note.to = minsheng::dialog::person_ref{minsheng::dialog::channel::wechat_oa,
                                                       "o_killed_" + std::to_string(i)};
                note.template_key = "notify/case_accepted";
                note.text = "您反映的问题已受理。";
                note.idempotency_key = "killed:" + std::to_string(i);
                uow.enqueue(note);
            }
        });
    }
    // Every send hangs for a long time: the program claims rows and is killed mid-send.
    fw::injection slow;
    slow.path = "/cgi-bin/message/template/send";
    slow.delay = std::chrono::seconds(30);
    slow.times = -1;
    fake.inject(slow);

    const std::string config = db + ".toml";
    {
        std::ofstream f(config);
        f << "[wechat]\ntoken = \"t\"\nappid = \"wxkilled0000001\"\n"
          << "aes_key = \"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\"\n"
          << "[wechat_api]\nbase_url = \"" << fake.base_url() << "\"\nappid = \""
          << fake.config().appid << "\"\nsecret = \"" << fake.config().secret << "\"\n"
          << "default_template = \"TPL\"\npoll_interval_ms = 20\nrequest_timeout_ms = 60000\n";
    }
    child c = spawn_gateway_with({"--config", config},
                                 {"MINSHENG_LISTEN=127.0.0.1:0", "MINSHENG_DB=" + db,
                                  "MINSHENG_DATA_DIR=" MINSHENG_SOURCE_DIR});
    REQUIRE(read_line(c.out, std::chrono::seconds(20)).rfind("listening on", 0) == 0);
    REQUIRE(fake.wait_for("/cgi-bin/message/template/send", 1, std::chrono::seconds(20)));
    kill(c.pid, SIGKILL);  // no drain, no goodbye
    int status = 0;
    waitpid(c.pid, &status, 0);
    close(c.out);
    const std::size_t sent_before = fake.count("/cgi-bin/message/template/send");
    fake.clear_injections();

    {
        // Restarted later than the claims' in-flight time: the rows claimed by the dead process
        // are due again.
        auto cfg =
            minsheng::gateway::load_config(config, {{"MINSHENG_DB", db},
                                                    {"MINSHENG_LISTEN", "127.0.0.1:0"},
                                                    {"MINSHENG_DATA_DIR", MINSHENG_SOURCE_DIR}});
        cfg.log_level = "off";
        minsheng::gateway::app again(cfg, [] { return minsheng::test::now_s() + 600; });
        again.start();
        minsheng::adapters::db::reader r(db);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (r.count_outbox("delivered") < n && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        CHECK(r.count_outbox("delivered") == n);
        CHECK(r.count_outbox("pending") == 0);
        again.stop();
        again.wait();
    }
    // Each row was sent once by the new process; the dead process's in-flight sends carried the
    // same client_msg_id, so the platform can drop those repeats.
    std::map<std::string, int> by_key;
    for (const auto& req : fake.received("/cgi-bin/message/template/send"))
        ++by_key[req.json.value("client_msg_id", "")];
    CHECK(by_key.size() == n);
    for (const auto& [key, count] : by_key) {
        INFO(key);
        CHECK(key.rfind("killed:", 0) == 0);
        CHECK(count >= 1);
        CHECK(count <= 2);
    }
    CHECK(fake.count("/cgi-bin/message/template/send") == n + sent_before);
    for (const char* suffix : {"", "-wal", "-shm", ".secret", ".toml"})
        std::filesystem::remove(db + suffix);
}
