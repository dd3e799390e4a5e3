#include "adapters/hotline/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

namespace minsheng::adapters::hotline {

namespace {

constexpr std::string_view prefix = "sha256=";

std::string hex(const unsigned char* p, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0x0f];
    }
    return out;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
    std::string message;
    message.reserve(timestamp.size() + 1 + body.size());
    message.append(timestamp).append("\n").append(body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len))
        throw std::runtime_error("hotline: HMAC-SHA256 failed");
    return std::string(prefix) + hex(mac, len);
}

std::string_view to_string(auth_failure f) {
    switch (f) {
        case auth_failure::none:
            return "none";
        case auth_failure::missing:
            return "missing_signature";
        case auth_failure::bad_timestamp:
            return "bad_timestamp";
        case auth_failure::stale:
            return "stale_timestamp";
        case auth_failure::bad_signature:
            return "bad_signature";
    }
    return "bad_signature";
}

auth_failure verify(std::string_view secret, std::string_view timestamp_header,
                    std::string_view signature_header, std::string_view body, std::int64_t now,
                    std::int64_t max_skew) {
    if (timestamp_header.empty() || signature_header.empty()) return auth_failure::missing;
    std::int64_t t = 0;
    auto [p, ec] = std::from_chars(timestamp_header.data(),
                                   timestamp_header.data() + timestamp_header.size(), t);
    if (ec != std::errc{} || p != timestamp_header.data() + timestamp_header.size())
        return auth_failure::bad_timestamp;
    if (t > now + max_skew || t < now - max_skew) return auth_failure::stale;
    if (secret.empty()) return auth_failure::bad_signature;  // no secret configured: nobody gets in
    std::string expected = sign(secret, timestamp_header, body);
    if (signature_header.size() != expected.size()) return auth_failure::bad_signature;
    std::string received(signature_header);
    for (std::size_t i = prefix.size(); i < received.size(); ++i) received[i] = lower(received[i]);
    return CRYPTO_memcmp(expected.data(), received.data(), expected.size()) == 0
               ? auth_failure::none
               : auth_failure::bad_signature;
}

}  // namespace minsheng::adapters::hotline
