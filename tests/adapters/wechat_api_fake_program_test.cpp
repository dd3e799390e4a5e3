// The minsheng-fake-wechat program: the "listening on" line, serving the API to api_client,
// and a clean exit on SIGTERM; a bad --listen makes it exit non-zero.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "adapters/wechat_api/api_client.hpp"

extern char** environ;

namespace {

struct child {
    pid_t pid = -1;
    int out = -1;
};

child spawn_fake(std::vector<std::string> args) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    const int devnull = open("/dev/null", O_WRONLY);
    posix_spawn_file_actions_adddup2(&actions, devnull, STDERR_FILENO);
    std::string path = MINSHENG_BIN_DIR "/minsheng-fake-wechat";
    args.insert(args.begin(), path);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    child c;
    const int rc = posix_spawn(&c.pid, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    close(devnull);
    REQUIRE(rc == 0);
    c.out = fds[0];
    return c;
}

std::string read_line(int fd, std::chrono::milliseconds timeout) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (poll(&p, 1, std::max(static_cast<int>(left.count()), 1)) <= 0) break;
        char ch;
        if (read(fd, &ch, 1) != 1) break;
        if (ch == '\n') return line;
        line += ch;
    }
    return line;
}

int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
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

TEST_CASE("minsheng-fake-wechat prints where it listens, serves, and exits on SIGTERM",
          "[adapters][wechat_api][e2e]") {
    auto c = spawn_fake(
        {"--listen", "127.0.0.1:0", "--appid", "wxprog0000000001", "--secret", "prog-secret"});
    const auto line = read_line(c.out, std::chrono::seconds(10));
    std::smatch m;
    const bool matched =
        std::regex_match(line, m, std::regex(R"(listening on 127\.0\.0\.1:(\d+))"));
    if (!matched) kill(c.pid, SIGKILL);
    REQUIRE(matched);

    minsheng::adapters::wechat_api::api_config cfg;
    cfg.base_url = "http://127.0.0.1:" + m[1].str();
    cfg.appid = "wxprog0000000001";
    cfg.secret = "prog-secret";
    minsheng::adapters::wechat_api::api_client client(cfg);
    const auto r = client.send_custom_text("oResident0001", "来自进程外的消息");
    CHECK(r.ok);

    kill(c.pid, SIGTERM);
    CHECK(wait_exit(c.pid, std::chrono::seconds(10)) == 0);
    close(c.out);
}

TEST_CASE("minsheng-fake-wechat exits non-zero on a bad --listen", "[adapters][wechat_api][e2e]") {
    auto c = spawn_fake({"--listen", "no-port-here"});
    CHECK(wait_exit(c.pid, std::chrono::seconds(10)) == 1);
    close(c.out);
}
