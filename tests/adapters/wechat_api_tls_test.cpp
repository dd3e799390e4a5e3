// api_client over https against the fake WeChat API serving a self-signed certificate made in
// the test and trusted explicitly: the chain and the host name are verified, SNI is sent.

#include "adapters/wechat_api/api_client.hpp"

#include <catch2/catch.hpp>

#include "adapters/wechat_api/http_transport.hpp"
#include "tools/fake_wechat/fake_server.hpp"
#include "tools/fake_wechat/self_signed.hpp"

using namespace minsheng::adapters::wechat_api;
namespace fw = minsheng::tools::fake_wechat;
using namespace std::chrono_literals;

namespace {

fw::fake_config tls_fake(fw::tls_identity id) {
    fw::fake_config c;
    c.appid = "wxtls00000000001";
    c.secret = "tls-secret";
    c.tls = std::move(id);
    return c;
}

api_config tls_client(const fw::fake_wechat_server& fake, const std::string& host,
                      const std::string& trusted_pem) {
    api_config c;
    c.base_url = "https://" + host + ":" + std::to_string(fake.port());
    c.appid = fake.config().appid;
    c.secret = fake.config().secret;
    c.ca_pem = trusted_pem;
    c.connect_timeout = 3s;
    c.request_timeout = 3s;
    return c;
}

}  // namespace

TEST_CASE("HTTPS works against a trusted certificate, by host name with SNI and by address",
          "[adapters][wechat_api]") {
    const auto id = fw::make_self_signed({"localhost"}, {"127.0.0.1"});
    fw::fake_wechat_server fake(tls_fake(id));
    REQUIRE(fake.base_url().starts_with("https://"));

    api_client by_name(tls_client(fake, "localhost", id.certificate_pem));
    auto r = by_name.send_custom_text("oResident0001", "加密通道");
    INFO(describe(r));
    REQUIRE(r.ok);
    const auto sends = fake.received("/cgi-bin/message/custom/send");
    REQUIRE(sends.size() == 1);
    CHECK(sends[0].tls_server_name == "localhost");
    CHECK(sends[0].json["text"]["content"] == "加密通道");

    api_client by_address(tls_client(fake, "127.0.0.1", id.certificate_pem));
    auto s = by_address.code2session("tls-code-1");
    INFO(describe(s.result));
    REQUIRE(s.result.ok);
    CHECK(s.openid == fw::fake_wechat_server::openid_for_code("tls-code-1"));
    CHECK(fake.received("/sns/jscode2session").at(0).tls_server_name.empty());  // no SNI for IPs
}

TEST_CASE("HTTPS refuses a certificate that is not trusted", "[adapters][wechat_api]") {
    const auto served = fw::make_self_signed({"localhost"}, {"127.0.0.1"});
    const auto other = fw::make_self_signed({"localhost"}, {"127.0.0.1"});
    fw::fake_wechat_server fake(tls_fake(served));
    api_client client(tls_client(fake, "localhost", other.certificate_pem));
    auto r = client.send_custom_text("oResident0001", "消息");
    CHECK_FALSE(r.ok);
    CHECK(r.kind == failure::transport);
    CHECK(r.token_failure);
    CHECK(r.transport_error.starts_with("tls"));
    CHECK_FALSE(r.retryable);
    CHECK(fake.received().empty());
}

TEST_CASE("HTTPS refuses a trusted certificate issued for another name", "[adapters][wechat_api]") {
    const auto id = fw::make_self_signed({"api.example.org"}, {});
    fw::fake_wechat_server fake(tls_fake(id));
    for (const std::string host : {"localhost", "127.0.0.1"}) {
        api_client client(tls_client(fake, host, id.certificate_pem));
        auto r = client.send_custom_text("oResident0001", "消息");
        INFO(host << ": " << describe(r));
        CHECK_FALSE(r.ok);
        CHECK(r.transport_error.starts_with("tls"));
    }
    CHECK(fake.received().empty());
}

TEST_CASE("HTTPS connections are kept alive and reused", "[adapters][wechat_api]") {
    const auto id = fw::make_self_signed({"localhost"}, {"127.0.0.1"});
    fw::fake_wechat_server fake(tls_fake(id));
    transport_config cfg;
    cfg.base_url = "https://localhost:" + std::to_string(fake.port());
    cfg.ca_pem = id.certificate_pem;
    http_transport http(cfg);
    for (int i = 0; i < 4; ++i) {
        auto r = http.get("/fake/received");
        INFO(r.error_message);
        REQUIRE(r.ok());
        CHECK(r.status == 200);
    }
    CHECK(http.connections_opened() == 1);
}
