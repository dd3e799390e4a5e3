// The real minsheng-gateway program: environment configuration, the "listening on" line,
// serving, and a clean exit on SIGTERM; a port it cannot bind makes it exit non-zero.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "adapters/sqlite_store/store.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tools/fake_wechat/fake_server.hpp"

extern char** environ;

namespace {

struct child {
    pid_t pid = -1;
    int out = -1;  // the child's stdout
};

child spawn_gateway_with(const std::vector<std::string>& args,
                         const std::vector<std::string>& env_extra) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    int devnull = open("/dev/null", O_WRONLY);
    posix_spawn_file_actions_adddup2(&actions, devnull, STDERR_FILENO);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e)
        if (std::string_view(*e).rfind("MINSHENG_", 0) != 0) env_strings.emplace_back(*e);
    for (const auto& e : env_extra) env_strings.push_back(e);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string path = MINSHENG_BIN_DIR "/minsheng-gateway";
    std::vector<std::string> arg_strings{path};
    arg_strings.insert(arg_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : arg_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    child c;
    int rc = posix_spawn(&c.pid, path.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    close(devnull);
    REQUIRE(rc == 0);
    c.out = fds[0];
    return c;
}

child spawn_gateway(const std::vector<std::string>& env_extra) {
    return spawn_gateway_with({}, env_extra);
}

// Reads the child's stdout until a newline or the timeout.
std::string read_line(int fd, std::chrono::milliseconds timeout) {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        deadline - std::chrono::steady_clock::now())
                                        .count());
        if (poll(&p, 1, std::max(left, 1)) <= 0) break;
        char ch;
        if (read(fd, &ch, 1) != 1) break;
        if (ch == '\n') return line;
        line += ch;
    }
    return line;
}

int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

}  // namespace

TEST_CASE("the gateway program prints its real port, serves, and exits cleanly on SIGTERM",
          "[e2e]") {
    std::string db = minsheng::test::temp_db_path("process");
    auto c = spawn_gateway({"MINSHENG_LISTEN=127.0.0.1:0", "MINSHENG_DB=" + db,
                            "MINSHENG_WECHAT_TOKEN=process-token",
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
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

TEST_CASE("the gateway program exits non-zero when it cannot bind its port", "[e2e]") {
    // Hold a port, then ask the program for the same one.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor holder(
        ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    auto port = holder.local_endpoint().port();
    std::string db = minsheng::test::temp_db_path("bind");
    auto c = spawn_gateway({"MINSHENG_LISTEN=127.0.0.1:" + std::to_string(port),
                            "MINSHENG_DB=" + db, "MINSHENG_WECHAT_TOKEN=process-token",
                            "MINSHENG_DATA_DIR=" MINSHENG_SOURCE_DIR});
    CHECK(wait_exit(c.pid, std::chrono::seconds(20)) == 1);
    close(c.out);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

TEST_CASE("the gateway killed with notifications in flight: after a restart each is delivered",
          "[e2e][outbox]") {
    namespace fw = minsheng::tools::fake_wechat;
    fw::fake_wechat_server fake{fw::fake_config{}};
    const std::string db = minsheng::test::temp_db_path("killed");
    constexpr int n = 20;
    {
        minsheng::adapters::sqlite_store::store s(db);
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
        minsheng::adapters::sqlite_store::reader r(db);
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
    for (const char* suffix : {"", "-wal", "-shm", ".toml"}) std::filesystem::remove(db + suffix);
}
