// The server's HTTP reading, fed a request split at every byte (including inside a UTF-8
// character of the body): every split must give the same answer as the whole request.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "tests/gateway/e2e_support.hpp"

using namespace minsheng;
using namespace minsheng::test;
namespace net = boost::asio;

namespace {

// Sends `raw` in two writes split at `at` and returns the whole response (the request asks the
// server to close the connection after answering).
std::string exchange(unsigned short port, const std::string& raw, std::size_t at) {
    net::io_context ioc;
    net::ip::tcp::socket sock(ioc);
    sock.connect({net::ip::make_address("127.0.0.1"), port});
    sock.set_option(net::ip::tcp::no_delay(true));
    net::write(sock, net::buffer(raw.data(), at));
    net::write(sock, net::buffer(raw.data() + at, raw.size() - at));
    std::string out;
    boost::system::error_code ec;
    char buf[4096];
    for (;;) {
        std::size_t n = sock.read_some(net::buffer(buf), ec);
        out.append(buf, n);
        if (ec) break;
    }
    return out;
}

}  // namespace

TEST_CASE("a push split at every byte is read and answered the same way", "[e2e]") {
    running_gateway g(
        test_config(adapters::wechat_oa::security_mode::plain, temp_db_path("split")));
    adapters::wechat_oa::oa_client_codec codec(g.cfg.wechat);
    auto t = now_s();
    auto req =
        codec.text({"gh_e2e", "o_split", "你好，请问能帮我做什么", t, "7100000000000000001"}, t);
    std::string raw = "POST " + req.target("/wechat/oa") +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: " +
                      std::to_string(req.body.size()) + "\r\n\r\n" + req.body;
    std::size_t answered = 0;
    for (std::size_t at = 0; at <= raw.size(); ++at) {
        std::string res = exchange(g.port, raw, at);
        INFO("split at byte " << at);
        REQUIRE(res.rfind("HTTP/1.1 200", 0) == 0);
        REQUIRE(res.find("<Content><![CDATA[") != std::string::npos);
        ++answered;
    }
    CHECK(answered == raw.size() + 1);
    // One message, however it was split: the rest were retries.
    CHECK(g.app.stats().messages_received.value("wechat_oa") == 1);
    CHECK(g.app.stats().messages_duplicate.value("wechat_oa") == raw.size());
}
