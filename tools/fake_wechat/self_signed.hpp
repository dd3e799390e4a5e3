#pragma once
// Throw-away TLS identities for the fake WeChat API over https: a fresh P-256 key and a
// self-signed certificate that a test trusts explicitly. Pure functions, thread-safe.

#include <string>
#include <vector>

namespace minsheng::tools::fake_wechat {

struct tls_identity {
    std::string certificate_pem;
    std::string private_key_pem;
};

// Valid from an hour ago for a day; subjectAltName lists `dns_names` and `ip_addresses`, the
// subject CN is the first DNS name (or "fake-wechat"). Throws std::runtime_error when OpenSSL
// fails or an IP address does not parse.
tls_identity make_self_signed(const std::vector<std::string>& dns_names = {"localhost"},
                              const std::vector<std::string>& ip_addresses = {"127.0.0.1"});

}  // namespace minsheng::tools::fake_wechat
