#include "adapters/wechat_oa/msg_crypto.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <limits>
#include <memory>
#include <stdexcept>

#include "adapters/wechat_oa/detail/base64.hpp"

namespace minsheng::adapters::wechat_oa {

namespace {

constexpr std::size_t pad_block = 32;  // WXBizMsgCrypt pads to 32, not to the AES block
constexpr std::size_t aes_block = 16;
constexpr std::size_t prefix_len = 16 + 4;

using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// Runs AES-256-CBC over whole blocks without library padding. Returns false on failure.
bool run_cipher(const std::array<std::uint8_t, 32>& key, bool encrypt, std::string_view in,
                std::string& out) {
    if (in.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) - aes_block)
        return false;
    ctx_ptr ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!ctx) return false;
    const unsigned char* k = key.data();
    if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, k, k, encrypt ? 1 : 0) != 1)
        return false;
    if (EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) return false;
    out.resize(in.size() + aes_block);
    int n1 = 0;
    int n2 = 0;
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    if (EVP_CipherUpdate(ctx.get(), o, &n1, reinterpret_cast<const unsigned char*>(in.data()),
                         static_cast<int>(in.size())) != 1)
        return false;
    if (EVP_CipherFinal_ex(ctx.get(), o + n1, &n2) != 1) return false;
    out.resize(static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2));
    return out.size() == in.size();
}

}  // namespace

std::optional<std::array<std::uint8_t, 32>> decode_encoding_aes_key(std::string_view key) {
    if (key.size() != 43) return std::nullopt;
    std::string padded(key);
    padded += '=';
    auto bytes = detail::base64_decode(padded);
    if (!bytes || bytes->size() != 32) return std::nullopt;
    std::array<std::uint8_t, 32> out{};
    for (std::size_t i = 0; i < 32; ++i) out[i] = static_cast<std::uint8_t>((*bytes)[i]);
    return out;
}

std::string_view to_string(crypto_error e) {
    switch (e) {
        case crypto_error::bad_base64:
            return "bad_base64";
        case crypto_error::bad_block_size:
            return "bad_block_size";
        case crypto_error::bad_padding:
            return "bad_padding";
        case crypto_error::bad_length:
            return "bad_length";
        case crypto_error::wrong_receive_id:
            return "wrong_receive_id";
        case crypto_error::cipher_failure:
            return "cipher_failure";
    }
    return "unknown";
}

msg_cipher::msg_cipher(std::string_view encoding_aes_key) {
    auto key = decode_encoding_aes_key(encoding_aes_key);
    if (!key) throw std::invalid_argument("EncodingAESKey must be 43 base64 characters");
    key_ = *key;
}

std::string msg_cipher::encrypt(std::string_view message, std::string_view receive_id,
                                std::string_view random16) const {
    if (random16.size() != 16) throw std::invalid_argument("random16 must be 16 bytes");
    if (message.size() > 0xffffffffu) throw std::invalid_argument("message too long");

    std::string full;
    const std::size_t unpadded = prefix_len + message.size() + receive_id.size();
    const std::size_t pad = pad_block - unpadded % pad_block;  // 1..32, never 0
    full.reserve(unpadded + pad);
    full.append(random16);
    const auto len = static_cast<std::uint32_t>(message.size());
    full += static_cast<char>((len >> 24) & 0xff);
    full += static_cast<char>((len >> 16) & 0xff);
    full += static_cast<char>((len >> 8) & 0xff);
    full += static_cast<char>(len & 0xff);
    full.append(message);
    full.append(receive_id);
    full.append(pad, static_cast<char>(pad));

    std::string cipher;
    if (!run_cipher(key_, true, full, cipher)) throw std::runtime_error("AES encryption failed");
    return detail::base64_encode(cipher);
}

std::variant<decrypted_message, crypto_error> msg_cipher::decrypt(
    std::string_view base64_ciphertext, std::optional<std::string_view> expected_receive_id) const {
    auto cipher = detail::base64_decode(base64_ciphertext);
    if (!cipher) return crypto_error::bad_base64;
    if (cipher->empty() || cipher->size() % aes_block != 0) return crypto_error::bad_block_size;

    std::string plain;
    if (!run_cipher(key_, false, *cipher, plain)) return crypto_error::cipher_failure;

    const auto pad = static_cast<unsigned char>(plain.back());
    if (pad < 1 || pad > pad_block || pad > plain.size()) return crypto_error::bad_padding;
    for (std::size_t i = plain.size() - pad; i < plain.size(); ++i) {
        if (static_cast<unsigned char>(plain[i]) != pad) return crypto_error::bad_padding;
    }
    const std::size_t content = plain.size() - pad;
    if (content < prefix_len) return crypto_error::bad_length;

    auto b = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(plain[i]));
    };
    const std::uint32_t len = b(16) << 24 | b(17) << 16 | b(18) << 8 | b(19);
    if (len > content - prefix_len) return crypto_error::bad_length;

    decrypted_message out;
    out.random = plain.substr(0, 16);
    out.message = plain.substr(prefix_len, len);
    out.receive_id = plain.substr(prefix_len + len, content - prefix_len - len);
    if (expected_receive_id && out.receive_id != *expected_receive_id)
        return crypto_error::wrong_receive_id;
    return out;
}

std::string random16() {
    static constexpr char alphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string out;
    out.reserve(16);
    while (out.size() < 16) {
        unsigned char buf[32];
        if (RAND_bytes(buf, sizeof buf) != 1) throw std::runtime_error("RAND_bytes failed");
        for (unsigned char c : buf) {
            // Rejection sampling keeps the 62 symbols uniform.
            if (c < 248 && out.size() < 16) out += alphabet[c % 62];
        }
    }
    return out;
}

}  // namespace minsheng::adapters::wechat_oa
