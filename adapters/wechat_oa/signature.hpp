#pragma once
// WeChat callback signatures: hex(sha1(concat(sort_bytewise(parts)))). The plain `signature`
// signs (token, timestamp, nonce); `msg_signature` adds the Encrypt value as a fourth part.
// Pure functions, thread-safe.

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace minsheng::adapters::wechat_oa {

// Sorts the parts bytewise, concatenates them and returns the lowercase hex SHA-1 (40 chars).
// Throws std::runtime_error only if OpenSSL cannot compute a digest.
std::string sha1_signature(std::span<const std::string_view> parts);
std::string sha1_signature(std::initializer_list<std::string_view> parts);

// The plain `signature` of URL verification and plain-mode pushes.
std::string plain_signature(std::string_view token, std::string_view timestamp,
                            std::string_view nonce);

// The `msg_signature` of compat/safe-mode pushes and of encrypted replies.
std::string msg_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce, std::string_view encrypt);

// Compares a computed lowercase hex signature with one received from the caller, in time that
// depends only on the lengths. Uppercase hex in `received` is accepted.
bool signature_matches(std::string_view expected, std::string_view received);

}  // namespace minsheng::adapters::wechat_oa
