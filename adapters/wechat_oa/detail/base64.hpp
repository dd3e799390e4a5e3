#pragma once
// Standard base64 (RFC 4648 alphabet, '=' padding) for the Encrypt payload and the
// EncodingAESKey. Private to the adapter. Pure functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace minsheng::adapters::wechat_oa::detail {

std::string base64_encode(std::string_view bytes);

// Strict decode: the length must be a multiple of 4, only the standard alphabet, '=' only as
// the last one or two characters; no whitespace. Unused low bits of the last character are
// ignored (real EncodingAESKeys have them set). Returns nullopt on any violation.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace minsheng::adapters::wechat_oa::detail
