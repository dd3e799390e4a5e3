#include "gateway/grid_page/grid_links.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace minsheng::gateway::grid_page {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// The derived key's label: the keying secret signs nothing else under this name.
constexpr std::string_view key_label = "minsheng grid page link v1";
// Longest person key a token may carry ("wechat_oa:" + an openid is about 40).
constexpr std::size_t max_person_key = 128;

std::string hmac(std::string_view key, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), md.data(),
              &len))
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(md.data()), len);
}

// base64url without padding.
std::string encode(std::string_view bytes) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(acc >> bits) & 0x3f];
        }
    }
    if (bits > 0) out += alphabet[(acc << (6 - bits)) & 0x3f];
    return out;
}

std::optional<std::string> decode(std::string_view text) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const auto at = alphabet.find(c);
        if (at == std::string_view::npos) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(at);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

}  // namespace

grid_links::grid_links(std::string_view secret, std::string public_url, std::int64_t ttl_seconds)
    : public_url_(std::move(public_url)), ttl_(ttl_seconds) {
    if (secret.size() < 16)
        throw std::invalid_argument("the secret that keys grid page links is too short");
    if (ttl_seconds < 60)
        throw std::invalid_argument("grid page links must live a minute at least");
    key_ = hmac(secret, key_label);
    while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
}

std::string grid_links::mac(std::string_view payload) const { return hmac(key_, payload); }

std::string grid_links::token_for(std::string_view person_key, std::int64_t now) const {
    const std::string payload = encode(person_key) + "." + std::to_string(now + ttl_);
    return payload + "." + encode(mac(payload));
}

std::optional<std::string> grid_links::person_of(std::string_view token, std::int64_t now) const {
    if (token.size() > 512) return std::nullopt;
    const auto first = token.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = token.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    const auto payload = token.substr(0, second);
    // Compared as text: one encoding per signature (a last character differing only in unused
    // bits would otherwise pass), in constant time.
    const auto given = token.substr(second + 1);
    const auto expected = encode(mac(payload));
    if (given.size() != expected.size() ||
        CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0)
        return std::nullopt;
    const auto exp_text = token.substr(first + 1, second - first - 1);
    std::int64_t exp = 0;
    const auto [end, ec] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
    if (ec != std::errc() || end != exp_text.data() + exp_text.size() || exp <= now)
        return std::nullopt;
    auto person = decode(token.substr(0, first));
    if (!person || person->empty() || person->size() > max_person_key) return std::nullopt;
    return person;
}

std::string grid_links::link_for(std::string_view person_key, std::string_view number,
                                 std::int64_t now) const {
    if (public_url_.empty()) return {};
    return public_url_ + "/grid/#/order/" + std::string(number) +
           "?t=" + token_for(person_key, now);
}

}  // namespace minsheng::gateway::grid_page
