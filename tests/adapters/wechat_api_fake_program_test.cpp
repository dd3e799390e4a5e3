// The minsheng-fake-wechat program: the "listening on" line, serving the API to api_client,
// and a clean exit on SIGTERM; a bad --listen makes it exit non-zero.

#include <catch2/catch.hpp>
#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "adapters/wechat_api/api_client.hpp"
#include "tests/support/child_process.hpp"

namespace {

using minsheng::test::child;
using minsheng::test::read_line;
using minsheng::test::wait_exit;

child spawn_fake(std::vector<std::string> args) {
    args.insert(args.begin(), MINSHENG_BIN_DIR "/minsheng-fake-wechat");
    return minsheng::test::spawn(std::move(args));
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
