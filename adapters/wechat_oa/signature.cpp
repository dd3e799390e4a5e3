#include "adapters/wechat_oa/signature.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

namespace minsheng::adapters::wechat_oa {

std::string sha1_signature(std::span<const std::string_view> parts) {
    std::vector<std::string_view> sorted(parts.begin(), parts.end());
    // std::string_view compares with char_traits<char>, which orders bytes as unsigned char.
    std::sort(sorted.begin(), sorted.end());

    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("sha1 digest unavailable");
    for (std::string_view p : sorted) {
        if (EVP_DigestUpdate(ctx.get(), p.data(), p.size()) != 1)
            throw std::runtime_error("sha1 digest failed");
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), md, &md_len) != 1)
        throw std::runtime_error("sha1 digest failed");

    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(md_len * 2);
    for (unsigned int i = 0; i < md_len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 0x0f];
    }
    return out;
}

std::string sha1_signature(std::initializer_list<std::string_view> parts) {
    return sha1_signature(std::span<const std::string_view>(parts.begin(), parts.size()));
}

std::string plain_signature(std::string_view token, std::string_view timestamp,
                            std::string_view nonce) {
    return sha1_signature({token, timestamp, nonce});
}

std::string msg_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce, std::string_view encrypt) {
    return sha1_signature({token, timestamp, nonce, encrypt});
}

bool signature_matches(std::string_view expected, std::string_view received) {
    if (expected.size() != received.size() || expected.empty()) return false;
    unsigned diff = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        auto c = static_cast<unsigned char>(received[i]);
        // ASCII lowercase without a data-dependent branch: set bit 0x20 for 'A'..'Z' only.
        unsigned is_upper = (static_cast<unsigned>(c) - 65u) < 26u ? 1u : 0u;
        c = static_cast<unsigned char>(c | (is_upper << 5));
        diff |= static_cast<unsigned>(c ^ static_cast<unsigned char>(expected[i]));
    }
    return diff == 0;
}

}  // namespace minsheng::adapters::wechat_oa
