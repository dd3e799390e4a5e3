#pragma once
// URL query strings for the callback: encoding for clients, strict decoding for servers.
// Pure functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "adapters/wechat_oa/oa_endpoint.hpp"

namespace minsheng::adapters::wechat_oa {

// "k1=v1&k2=v2" in key order, percent-encoding everything but RFC 3986 unreserved characters.
std::string encode_query(const query_params& q);

// Decodes the part after '?'. '+' means a space; "%xx" a byte. Returns nullopt on a bad
// escape or a repeated key (a repeated `signature` must not be resolved by guessing).
std::optional<query_params> decode_query(std::string_view query);

}  // namespace minsheng::adapters::wechat_oa
