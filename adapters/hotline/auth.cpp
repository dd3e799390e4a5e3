#include "adapters/hotline/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

namespace minsheng::adapters::hotline {

namespace {

constexpr std::string_view legacy_prefix = "sha256=";
constexpr std::string_view v2_prefix = "v2=";
constexpr std::size_t mac_hex_size = 64;  // SHA-256

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

// Lowercase hex HMAC-SHA256 of `message`.
std::string hmac_hex(std::string_view secret, std::string_view message) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len))
        throw std::runtime_error("hotline: HMAC-SHA256 failed");
    return hex(mac, len);
}

std::string legacy_message(std::string_view timestamp, std::string_view body) {
    std::string message;
    message.reserve(timestamp.size() + 1 + body.size());
    message.append(timestamp).append("\n").append(body);
    return message;
}

}  // namespace

std::string canonical_v2(const request_parts& r, std::string_view timestamp) {
    const std::string query = http::encode_query(r.query);
    std::string out;
    out.reserve(r.method.size() + r.path.size() + query.size() + r.content_type.size() +
                timestamp.size() + r.body.size() + 5);
    out.append(r.method).append("\n");
    out.append(r.path).append("\n");
    out.append(query).append("\n");
    out.append(r.content_type).append("\n");
    out.append(timestamp).append("\n");
    out.append(r.body);
    return out;
}

std::string sign_v2(std::string_view secret, const request_parts& r, std::string_view timestamp) {
    return std::string(v2_prefix) + hmac_hex(secret, canonical_v2(r, timestamp));
}

std::string sign_v2(std::string_view secret, std::string_view method, std::string_view target,
                    std::string_view content_type, std::string_view timestamp,
                    std::string_view body) {
    auto [path, query] = http::split_target(target);
    if (!query) throw std::invalid_argument("hotline: the target's query cannot be decoded");
    return sign_v2(secret, {method, path, std::move(*query), content_type, body}, timestamp);
}

std::string sign_legacy(std::string_view secret, std::string_view timestamp,
                        std::string_view body) {
    return std::string(legacy_prefix) + hmac_hex(secret, legacy_message(timestamp, body));
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
        case auth_failure::legacy_refused:
            return "legacy_signature";
    }
    return "bad_signature";
}

verdict verify(std::string_view secret, std::string_view timestamp_header,
               std::string_view signature_header, const request_parts& r, std::int64_t now,
               std::int64_t max_skew, bool legacy_allowed) {
    verdict v;
    if (timestamp_header.empty() || signature_header.empty()) return v;  // missing
    auto [p, ec] = std::from_chars(timestamp_header.data(),
                                   timestamp_header.data() + timestamp_header.size(), v.timestamp);
    if (ec != std::errc{} || p != timestamp_header.data() + timestamp_header.size()) {
        v.failure = auth_failure::bad_timestamp;
        return v;
    }
    if (v.timestamp > now + max_skew || v.timestamp < now - max_skew) {
        v.failure = auth_failure::stale;
        return v;
    }
    std::string_view received;
    if (signature_header.starts_with(v2_prefix)) {
        v.form = signature_form::v2;
        received = signature_header.substr(v2_prefix.size());
    } else if (signature_header.starts_with(legacy_prefix)) {
        v.form = signature_form::legacy;
        received = signature_header.substr(legacy_prefix.size());
    }
    v.failure = auth_failure::bad_signature;
    if (v.form == signature_form::unknown) return v;
    if (v.form == signature_form::legacy && !legacy_allowed) {
        v.failure = auth_failure::legacy_refused;
        return v;
    }
    if (secret.empty()) return v;  // no secret configured: nobody gets in
    if (received.size() != mac_hex_size) return v;
    const std::string expected = v.form == signature_form::v2
                                     ? hmac_hex(secret, canonical_v2(r, timestamp_header))
                                     : hmac_hex(secret, legacy_message(timestamp_header, r.body));
    std::string spelled(received);
    for (char& c : spelled) c = lower(c);
    if (expected.size() != spelled.size() ||
        CRYPTO_memcmp(expected.data(), spelled.data(), expected.size()) != 0)
        return v;
    v.failure = auth_failure::none;
    v.mac = std::move(spelled);
    return v;
}

}  // namespace minsheng::adapters::hotline
