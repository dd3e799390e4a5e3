#pragma once
// Test support: starting the repository's programs (and ChromeDriver) as real child processes,
// reading what they print, and waiting for them to exit. POSIX only; test-only.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern char** environ;

namespace minsheng::test {

struct spawn_options {
    // Where stderr goes: nowhere (the default), or with stdout.
    bool stderr_to_stdout = false;
    // stdout (and stderr when joined) to this file instead of a pipe; "" : a pipe.
    std::string log_file;
    // The environment: this process's, less its MINSHENG_* variables when clean_minsheng_env,
    // plus `env_extra` ("NAME=value").
    bool clean_minsheng_env = false;
    std::vector<std::string> env_extra;
};

struct child {
    pid_t pid = -1;
    int out = -1;  // read end of the child's stdout; -1 when it goes to a file
};

// Starts argv[0] (a path) with `argv`. REQUIREs that it started.
inline child spawn(std::vector<std::string> argv, const spawn_options& o = {}) {
    REQUIRE(!argv.empty());
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    int fds[2] = {-1, -1};
    if (o.log_file.empty()) {
        REQUIRE(::pipe(fds) == 0);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
    } else {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, o.log_file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    if (o.stderr_to_stdout)
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    else
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);

    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e)
        if (!o.clean_minsheng_env || std::string_view(*e).rfind("MINSHENG_", 0) != 0)
            env.emplace_back(*e);
    env.insert(env.end(), o.env_extra.begin(), o.env_extra.end());
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);

    child c;
    const int rc =
        posix_spawn(&c.pid, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (fds[1] >= 0) ::close(fds[1]);
    c.out = fds[0];
    INFO("cannot start " << argv[0]);
    REQUIRE(rc == 0);
    return c;
}

// Reads the child's output until a newline or the timeout; what was read, without the newline.
inline std::string read_line(int fd, std::chrono::milliseconds timeout) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (::poll(&p, 1, std::max(static_cast<int>(left.count()), 1)) <= 0) break;
        char ch;
        if (::read(fd, &ch, 1) != 1) break;
        if (ch == '\n') return line;
        line += ch;
    }
    return line;
}

// The exit code (128 + signal when killed by one); -1 when it did not exit in time (it is then
// killed and reaped).
inline int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        ::usleep(10000);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
}

// Runs a program to its end: its exit code and what it printed on stdout (and stderr when
// joined).
inline std::pair<int, std::string> run(std::vector<std::string> argv, const spawn_options& o = {}) {
    auto c = spawn(std::move(argv), o);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(c.out, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    ::close(c.out);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace minsheng::test
