// The WXBizMsgCrypt cipher of compat/safe mode (adapters/wechat_oa/msg_crypto.hpp) and the
// strict base64 under it, with the development EncodingAESKey.
//
// Input: one control byte, then:
//   control % 3 == 0: base64 text as it comes in an <Encrypt> element: decrypt() it.
//   control % 3 == 1: the PLAINTEXT blocks themselves (cut to a whole number of AES blocks):
//       the harness encrypts them with raw AES-256-CBC, so the fuzzer steers the padding and
//       the length field that decrypt() checks, and compares decrypt() with a reference.
//   control % 3 == 2: 16 random bytes, the receive id up to '\n', then the message:
//       encrypt() then decrypt() must give them back.
// Contracts: nothing throws; decrypt() agrees with the reference reading of WXBizMsgCrypt
// (pad 1..32 all equal, 4-byte big-endian length, the rest is the receive id); a receive id
// other than the expected one is wrong_receive_id; encrypt/decrypt round-trip; base64 decoding
// is strict (length a multiple of 4) and inverts encoding; an AES key is 43 characters.

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "adapters/wechat_oa/detail/base64.hpp"
#include "adapters/wechat_oa/msg_crypto.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace minsheng::adapters::wechat_oa;

namespace {

constexpr std::string_view aes_key = "MinshengDevelopmentKeyDoNotUseInProduction0";
constexpr std::string_view appid = "wxminshengdev0001";

const msg_cipher& cipher() {
    static const msg_cipher c{aes_key};
    return c;
}

// AES-256-CBC without padding, IV = key[0:16], as WXBizMsgCrypt.
std::string raw_encrypt(std::string_view plain) {
    const auto key = decode_encoding_aes_key(aes_key);
    FUZZ_CHECK(key.has_value());
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                        &EVP_CIPHER_CTX_free);
    FUZZ_CHECK(ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key->data(),
                                         key->data()) == 1);
    FUZZ_CHECK(EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1);
    std::string out(plain.size() + 16, '\0');
    int n1 = 0, n2 = 0;
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    FUZZ_CHECK(EVP_EncryptUpdate(ctx.get(), o, &n1,
                                 reinterpret_cast<const unsigned char*>(plain.data()),
                                 static_cast<int>(plain.size())) == 1);
    FUZZ_CHECK(EVP_EncryptFinal_ex(ctx.get(), o + n1, &n2) == 1);
    out.resize(static_cast<std::size_t>(n1 + n2));
    return out;
}

// The reference reading of a decrypted WXBizMsgCrypt plaintext.
std::variant<decrypted_message, crypto_error> reference(std::string_view plain) {
    const auto pad = static_cast<unsigned char>(plain.back());
    if (pad < 1 || pad > 32 || pad > plain.size()) return crypto_error::bad_padding;
    for (std::size_t i = plain.size() - pad; i < plain.size(); ++i)
        if (static_cast<unsigned char>(plain[i]) != pad) return crypto_error::bad_padding;
    const std::string_view content = plain.substr(0, plain.size() - pad);
    if (content.size() < 20) return crypto_error::bad_length;
    std::uint64_t len = 0;
    for (std::size_t i = 16; i < 20; ++i) len = len << 8 | static_cast<unsigned char>(content[i]);
    if (len > content.size() - 20) return crypto_error::bad_length;
    return decrypted_message{std::string(content.substr(0, 16)),
                             std::string(content.substr(20, static_cast<std::size_t>(len))),
                             std::string(content.substr(20 + static_cast<std::size_t>(len)))};
}

bool same(const decrypted_message& a, const decrypted_message& b) {
    return a.random == b.random && a.message == b.message && a.receive_id == b.receive_id;
}

void check_base64(std::string_view text) {
    FUZZ_CHECK(detail::base64_decode(detail::base64_encode(text)) == std::string(text));
    if (const auto bytes = detail::base64_decode(text)) {
        FUZZ_CHECK(text.size() % 4 == 0);
        const std::string again = detail::base64_encode(*bytes);
        FUZZ_CHECK(again.size() == text.size());
        FUZZ_CHECK(detail::base64_decode(again) == bytes);
    }
    if (const auto key = decode_encoding_aes_key(text)) FUZZ_CHECK(text.size() == 43);
}

void decrypt_text(std::string_view text) {
    check_base64(text);
    const auto any = cipher().decrypt(text);
    const auto mine = cipher().decrypt(text, appid);
    if (const auto* m = std::get_if<decrypted_message>(&any)) {
        FUZZ_CHECK(m->random.size() == 16);
        if (m->receive_id == appid) {
            FUZZ_CHECK(std::holds_alternative<decrypted_message>(mine));
            FUZZ_CHECK(same(std::get<decrypted_message>(mine), *m));
        } else {
            FUZZ_CHECK(std::get<crypto_error>(mine) == crypto_error::wrong_receive_id);
        }
    } else {
        FUZZ_CHECK(std::holds_alternative<crypto_error>(mine));
        FUZZ_CHECK(std::get<crypto_error>(mine) == std::get<crypto_error>(any));
        FUZZ_CHECK(!to_string(std::get<crypto_error>(any)).empty());
    }
}

void decrypt_blocks(std::string_view plain) {
    plain = plain.substr(0, plain.size() - plain.size() % 16);
    if (plain.empty()) return;
    const std::string text = detail::base64_encode(raw_encrypt(plain));
    const auto got = cipher().decrypt(text);
    const auto want = reference(plain);
    FUZZ_CHECK(got.index() == want.index());
    if (const auto* w = std::get_if<decrypted_message>(&want))
        FUZZ_CHECK(same(std::get<decrypted_message>(got), *w));
    else
        FUZZ_CHECK(std::get<crypto_error>(got) == std::get<crypto_error>(want));
}

void round_trip(std::string_view in) {
    if (in.size() < 16) return;
    const std::string_view random = in.substr(0, 16);
    in.remove_prefix(16);
    const std::string_view receive_id = minsheng::fuzz::take_line(in);
    const std::string_view message = in;
    const std::string text = cipher().encrypt(message, receive_id, random);
    FUZZ_CHECK(text.size() % 4 == 0);
    const auto back = cipher().decrypt(text, receive_id);
    FUZZ_CHECK(std::holds_alternative<decrypted_message>(back));
    const auto& m = std::get<decrypted_message>(back);
    FUZZ_CHECK(m.random == random && m.message == message && m.receive_id == receive_id);
    // The whole padded plaintext is a multiple of 32 bytes.
    const auto bytes = detail::base64_decode(text);
    FUZZ_CHECK(bytes && bytes->size() % 32 == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view in = minsheng::fuzz::as_view(data + 1, size - 1);
    switch (data[0] % 3) {
        case 0:
            decrypt_text(in);
            break;
        case 1:
            decrypt_blocks(in);
            break;
        default:
            round_trip(in);
            break;
    }
    return 0;
}
