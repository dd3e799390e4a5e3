#pragma once
// Test support for the abuse and shutdown tests: raw TCP to the gateway (any bytes, from any
// loopback address, reading whatever comes back and noticing a reset), the Prometheus text read
// back as numbers, and the real minsheng-gateway program started as a child with its own
// resource limits. POSIX only; 127.0.0.1 (and other loopback addresses) only; test-only.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tests/gateway/e2e_support.hpp"
#include "tests/support/child_process.hpp"

namespace minsheng::test {

using ms = std::chrono::milliseconds;

// What came back on a raw connection.
struct raw_answer {
    int status = 0;                              // 0: no status line was read
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string raw;           // every byte read
    bool complete = false;     // a whole response (headers and Content-Length body) was read
    bool reset = false;        // the connection was reset (ECONNRESET or EPIPE) at some point
    bool closed = false;       // the server closed the connection (EOF)
    bool timed_out = false;    // the deadline passed first
    bool send_failed = false;  // not every byte could be sent
};

namespace detail {

inline std::string lower(std::string s) {
    for (char& ch : s)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return s;
}

// Parses `a.raw` into status, headers and body; sets complete when the body is all there.
inline void parse_answer(raw_answer& a) {
    const auto end = a.raw.find("\r\n\r\n");
    if (a.raw.rfind("HTTP/", 0) != 0 || a.raw.size() < 12) return;
    a.status = std::atoi(a.raw.substr(9, 3).c_str());
    if (end == std::string::npos) return;
    a.headers.clear();
    std::size_t at = a.raw.find("\r\n") + 2;
    while (at < end) {
        const auto eol = a.raw.find("\r\n", at);
        const std::string line = a.raw.substr(at, eol - at);
        if (const auto colon = line.find(':'); colon != std::string::npos) {
            std::size_t v = colon + 1;
            while (v < line.size() && line[v] == ' ') ++v;
            a.headers[lower(line.substr(0, colon))] = line.substr(v);
        }
        at = eol + 2;
    }
    a.body = a.raw.substr(end + 4);
    if (auto it = a.headers.find("content-length"); it != a.headers.end()) {
        const auto want = static_cast<std::size_t>(std::strtoull(it->second.c_str(), nullptr, 10));
        if (a.body.size() >= want) {
            a.body.resize(want);
            a.complete = true;
        }
    } else {
        a.complete = a.closed;
    }
}

inline int poll_left(std::chrono::steady_clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<ms>(deadline - std::chrono::steady_clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

}  // namespace detail

// A TCP connection to 127.0.0.1:port, optionally from another loopback address ("127.0.0.2"),
// so a test can look like several clients. Blocking socket, every wait bounded by poll.
class tcp_conn {
public:
    explicit tcp_conn(unsigned short port, const std::string& from = "") {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("socket() failed");
        if (!from.empty()) {
            sockaddr_in src{};
            src.sin_family = AF_INET;
            ::inet_pton(AF_INET, from.c_str(), &src.sin_addr);
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
                ::close(fd_);
                throw std::runtime_error("cannot bind to " + from);
            }
        }
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
            const int e = errno;
            ::close(fd_);
            throw std::runtime_error("cannot connect to port " + std::to_string(port) + ": " +
                                     std::to_string(e));
        }
    }
    ~tcp_conn() { close(); }
    tcp_conn(const tcp_conn&) = delete;
    tcp_conn& operator=(const tcp_conn&) = delete;
    tcp_conn(tcp_conn&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

    int fd() const { return fd_; }

    // Sends every byte within the timeout. False when the peer closed or reset the connection
    // or the time ran out; `reset` tells which.
    bool send_all(std::string_view data, ms timeout, bool* reset = nullptr) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!data.empty()) {
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, detail::poll_left(deadline)) <= 0) return false;
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                if (reset && (errno == ECONNRESET || errno == EPIPE)) *reset = true;
                return false;
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    // No more bytes from us (the server reads end of stream).
    void shutdown_send() { ::shutdown(fd_, SHUT_WR); }

    // Reads until one whole response is in, the server closes, or the timeout.
    raw_answer read_answer(ms timeout, bool until_close = false) {
        raw_answer a;
        read_into(a, timeout, until_close);
        return a;
    }

    // Like read_answer, adding to `a` (which may already hold what a failed send left).
    void read_into(raw_answer& a, ms timeout, bool until_close = false) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        char buf[16384];
        for (;;) {
            pollfd p{fd_, POLLIN, 0};
            const int r = ::poll(&p, 1, detail::poll_left(deadline));
            if (r <= 0) {
                a.timed_out = true;
                break;
            }
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                if (errno == ECONNRESET) a.reset = true;
                break;
            }
            if (n == 0) {
                a.closed = true;
                break;
            }
            a.raw.append(buf, static_cast<std::size_t>(n));
            detail::parse_answer(a);
            if (a.complete && !until_close) break;
        }
        detail::parse_answer(a);
    }

    // True when the server has closed the connection (or reset it) within the timeout.
    bool closed_within(ms timeout) {
        raw_answer a = read_answer(timeout, true);
        return a.closed || a.reset;
    }

    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

// An HTTP/1.1 request as bytes, with Host, Content-Length (when there is a body or the method
// sends one) and Connection: close.
inline std::string request_text(const std::string& method, const std::string& target,
                                const std::string& body = "",
                                const std::map<std::string, std::string>& headers = {}) {
    std::string s = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : headers) s += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT")
        s += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    s += "Connection: close\r\n\r\n";
    return s + body;
}

// Sends `bytes` on a new connection (from `from`), half-closes when asked, and reads the answer.
inline raw_answer raw_exchange(unsigned short port, std::string_view bytes, ms timeout,
                               const std::string& from = "", bool half_close = false) {
    tcp_conn c(port, from);
    raw_answer a;
    bool reset = false;
    if (!c.send_all(bytes, timeout, &reset)) {
        a.send_failed = true;
        a.reset = reset;
    }
    if (half_close) c.shutdown_send();
    c.read_into(a, timeout);
    return a;
}

// One request from another loopback address (a different client to the gateway).
inline raw_answer request_from(const std::string& from, unsigned short port,
                               const std::string& method, const std::string& target,
                               const std::string& body = "",
                               const std::map<std::string, std::string>& headers = {}) {
    return raw_exchange(port, request_text(method, target, body, headers), ms(10000), from);
}

// The value of one series in Prometheus text ("name{label=\"x\"}" or "name"); 0 when absent.
inline double metric(const std::string& text, const std::string& series) {
    std::size_t at = 0;
    while ((at = text.find(series, at)) != std::string::npos) {
        const bool line_start = at == 0 || text[at - 1] == '\n';
        const std::size_t after = at + series.size();
        if (line_start && after < text.size() && text[after] == ' ')
            return std::strtod(text.c_str() + after + 1, nullptr);
        at = after;
    }
    return 0;
}

// The sum of every series of a family (all its label values).
inline double metric_sum(const std::string& text, const std::string& family) {
    double sum = 0;
    std::size_t at = 0;
    while ((at = text.find(family, at)) != std::string::npos) {
        const bool line_start = at == 0 || text[at - 1] == '\n';
        std::size_t after = at + family.size();
        if (line_start && after < text.size() && (text[after] == '{' || text[after] == ' ')) {
            const auto space = text.find(' ', after);
            if (space != std::string::npos) sum += std::strtod(text.c_str() + space + 1, nullptr);
        }
        at = after;
    }
    return sum;
}

// GET /metrics on a new connection.
inline std::string metrics_text(unsigned short port) {
    gateway::http_client http("127.0.0.1", port);
    auto res = http.request("GET", "/metrics");
    if (res.status != 200)
        throw std::runtime_error("metrics answered " + std::to_string(res.status));
    return res.body;
}

// /healthz answers 200 before the deadline (each try on a new connection, with a short timeout).
inline bool healthy_within(unsigned short port, ms timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            gateway::http_client http("127.0.0.1", port, ms(1000));
            if (http.request("GET", "/healthz").status == 200) return true;
        } catch (const std::exception&) {
        }
        std::this_thread::sleep_for(ms(50));
    }
    return false;
}

// Polls /healthz on its own thread (a new connection each time) until finish(): how many tries
// there were and how many did not answer 200.
class health_watch {
public:
    explicit health_watch(unsigned short port)
        : result_(std::async(std::launch::async, [this, port] {
              std::pair<int, int> n{0, 0};
              while (!done_.load() || n.first == 0) {
                  ++n.first;
                  try {
                      gateway::http_client http("127.0.0.1", port, ms(2000));
                      if (http.request("GET", "/healthz").status != 200) ++n.second;
                  } catch (const std::exception&) {
                      ++n.second;
                  }
                  std::this_thread::sleep_for(ms(5));  // pacing, not synchronisation
              }
              return n;
          })) {}
    ~health_watch() {
        done_ = true;
        if (result_.valid()) result_.wait();
    }
    health_watch(const health_watch&) = delete;
    health_watch& operator=(const health_watch&) = delete;

    // {tries, failures}; REQUIREs the watcher to stop within 10 s.
    std::pair<int, int> finish() {
        done_ = true;
        REQUIRE(result_.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        return result_.get();
    }

private:
    std::atomic<bool> done_{false};
    std::future<std::pair<int, int>> result_;
};

// The CPU time (user + system) a process has used so far, from /proc/<pid>/stat.
inline std::chrono::duration<double> cpu_time_of(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) throw std::runtime_error("cannot read /proc stat");
    // After "pid (comm)": field 3 is the state; utime and stime are fields 14 and 15.
    std::istringstream in(stat.substr(close_paren + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return std::chrono::duration<double>(static_cast<double>(utime + stime) /
                                         static_cast<double>(::sysconf(_SC_CLK_TCK)));
}

// The real minsheng-gateway program as a child: a TOML config written next to its database,
// the MINSHENG_* environment cleared (plus `env`), an optional open-files limit set in the child
// before exec, and the port read from its "listening on" line. Stopped with SIGKILL and its
// files removed on destruction unless stopped before.
class gateway_process {
public:
    gateway_process(std::string db, const std::string& toml, std::vector<std::string> env = {},
                    rlim_t open_files = 0)
        : db_(std::move(db)), config_(db_ + ".toml") {
        {
            std::ofstream f(config_);
            f << "db = \"" << db_ << "\"\nlisten = \"127.0.0.1:0\"\ndata_dir = \""
              << MINSHENG_SOURCE_DIR << "\"\nlog_level = \"off\"\n"
              << toml;
        }
        start(std::move(env), open_files);
    }
    ~gateway_process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
        if (out_ >= 0) ::close(out_);
        if (!keep_files_)
            for (const char* suffix : {"", "-wal", "-shm", ".secret", ".toml"})
                std::filesystem::remove(db_ + suffix);
    }
    gateway_process(const gateway_process&) = delete;
    gateway_process& operator=(const gateway_process&) = delete;

    pid_t pid() const { return pid_; }
    unsigned short port() const { return port_; }
    const std::string& db() const { return db_; }
    // The database and config stay when this object goes (another process takes them over).
    void keep_files() { keep_files_ = true; }

    // Sends `sig` and waits for the exit: its code (128 + signal when killed), -1 on timeout
    // (it is then killed).
    int stop(int sig, ms timeout) {
        ::kill(pid_, sig);
        const int code = wait_exit(pid_, timeout);
        pid_ = -1;
        return code;
    }

private:
    void start(std::vector<std::string> env, rlim_t open_files) {
        // Everything the child needs is built before fork: it only calls async-signal-safe
        // functions between fork and exec.
        std::vector<std::string> argv{MINSHENG_BIN_DIR "/minsheng-gateway", "--config", config_};
        std::vector<std::string> envs;
        for (char** e = environ; e && *e; ++e)
            if (std::string_view(*e).rfind("MINSHENG_", 0) != 0) envs.emplace_back(*e);
        envs.insert(envs.end(), env.begin(), env.end());
        std::vector<char*> args, envp;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        for (auto& e : envs) envp.push_back(e.data());
        envp.push_back(nullptr);
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        const rlimit limit{open_files, open_files};
        const pid_t forked = ::fork();
        REQUIRE(forked >= 0);
        if (forked == 0) {
            ::dup2(fds[1], STDOUT_FILENO);
            const int null = ::open("/dev/null", O_WRONLY);
            if (null >= 0) ::dup2(null, STDERR_FILENO);
            // Nothing of the test process's (sockets, databases) leaks into the child.
            for (int fd = 3; fd < 4096; ++fd) ::close(fd);
            if (open_files > 0 && ::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(126);
            ::execve(args[0], args.data(), envp.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        pid_ = forked;
        out_ = fds[0];
        const std::string line = read_line(out_, std::chrono::seconds(30));
        std::smatch m;
        INFO("the gateway printed: " << line);
        REQUIRE(std::regex_match(line, m, std::regex(R"(listening on 127\.0\.0\.1:(\d+))")));
        port_ = static_cast<unsigned short>(std::stoi(m[1]));
    }

    std::string db_, config_;
    pid_t pid_ = -1;
    int out_ = -1;
    unsigned short port_ = 0;
    bool keep_files_ = false;
};

// The [wechat] section for a gateway that `wechat_peer` can talk to (test_config's account).
inline std::string wechat_toml(const gateway::config& c) {
    return "operator_token = \"" + c.operator_token + "\"\n[wechat]\ntoken = \"" + c.wechat.token +
           "\"\nappid = \"" + c.wechat.appid + "\"\naes_key = \"" + c.wechat.encoding_aes_key +
           "\"\nmode = \"safe\"\n";
}

}  // namespace minsheng::test
