#pragma once
// The WXBizMsgCrypt message cipher of compat/safe mode (also WeCom and the mini program):
//   key  = base64decode(EncodingAESKey + "="), 32 bytes; IV = key[0:16]
//   full = random(16) | uint32_be(len(msg)) | msg | receive_id, PKCS#7-padded to a multiple
//          of 32 (pad 1..32), AES-256-CBC without library padding, base64.
// msg_cipher is immutable after construction: share freely across threads.
//
// There is no MAC inside the ciphertext: callers must verify msg_signature (which covers the
// base64 ciphertext) before decrypting, so that nobody can probe the padding check.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace minsheng::adapters::wechat_oa {

// Returns the 32-byte AES key, or nullopt unless the key is exactly 43 base64 characters.
std::optional<std::array<std::uint8_t, 32>> decode_encoding_aes_key(std::string_view key);

enum class crypto_error {
    bad_base64,        // not standard padded base64
    bad_block_size,    // empty, or not a whole number of AES blocks
    bad_padding,       // PKCS#7 pad byte outside 1..32 or pad bytes differ
    bad_length,        // the 4-byte length field points past the plaintext
    wrong_receive_id,  // the trailing receive id differs from the expected one
    cipher_failure,    // OpenSSL refused the operation
};

std::string_view to_string(crypto_error e);  // "bad_base64", ...

struct decrypted_message {
    std::string random;      // the 16-byte prefix (feed it back to encrypt() to re-encrypt)
    std::string message;     // the XML/JSON/echostr payload
    std::string receive_id;  // appid (OA, mini program) or corpid (WeCom)
};

class msg_cipher {
public:
    // Throws std::invalid_argument unless `encoding_aes_key` is a 43-character base64 key.
    explicit msg_cipher(std::string_view encoding_aes_key);

    // Returns base64(AES-256-CBC(random16 | len | message | receive_id | pad)).
    // Throws std::invalid_argument unless random16 is 16 bytes; std::runtime_error if
    // OpenSSL fails (it does not for valid input).
    std::string encrypt(std::string_view message, std::string_view receive_id,
                        std::string_view random16) const;

    // Decrypts and checks base64, block size, padding and the length field; when
    // `expected_receive_id` is given, also the receive id (else it is only returned).
    std::variant<decrypted_message, crypto_error> decrypt(
        std::string_view base64_ciphertext,
        std::optional<std::string_view> expected_receive_id = std::nullopt) const;

private:
    std::array<std::uint8_t, 32> key_;
};

// 16 random alphanumeric bytes from OpenSSL's CSPRNG, for encrypt()'s random16.
// Throws std::runtime_error if the generator fails.
std::string random16();

}  // namespace minsheng::adapters::wechat_oa
