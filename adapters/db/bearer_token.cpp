#include "adapters/db/bearer_token.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace minsheng::adapters::db {

namespace {

std::string base64url(const unsigned char* p, std::size_t n) {
    static constexpr char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((n * 4 + 2) / 3);
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += abc[(acc >> bits) & 0x3f];
        }
    }
    if (bits > 0) out += abc[(acc << (6 - bits)) & 0x3f];
    return out;
}

}  // namespace

std::optional<std::string> new_bearer_token() {
    std::array<unsigned char, 32> raw{};
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) return std::nullopt;
    return base64url(raw.data(), raw.size());
}

std::optional<std::string> new_numeric_code(std::size_t digits) {
    std::string out;
    out.reserve(digits);
    while (out.size() < digits) {
        unsigned char b = 0;
        if (RAND_bytes(&b, 1) != 1) return std::nullopt;
        if (b >= 250) continue;  // 250 = 25 × 10: keep the digits uniform
        out += static_cast<char>('0' + b % 10);
    }
    return out;
}

std::optional<std::string> new_hex_code(std::size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
        return std::nullopt;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char b : raw) {
        out += hex[b >> 4];
        out += hex[b & 0xf];
    }
    return out;
}

std::string token_hash(std::string_view token) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(token.data(), token.size(), md.data(), &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 0xf];
    }
    return out;
}

}  // namespace minsheng::adapters::db
