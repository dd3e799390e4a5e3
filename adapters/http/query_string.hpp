#pragma once
// URL query strings and application/x-www-form-urlencoded bodies: encoding for clients, strict
// decoding for servers. Every route decodes its query through here. Pure functions, thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace minsheng::adapters::http {

// Decoded parameters, by key (heterogeneous lookup with string_view).
using query_params = std::map<std::string, std::string, std::less<>>;

// "k1=v1&k2=v2" in key order, percent-encoding everything but RFC 3986 unreserved characters.
std::string encode_query(const query_params& q);

// Decodes the part after '?'. '+' means a space; "%xx" a byte. Returns nullopt on a bad
// escape or a repeated key (a repeated `signature` must not be resolved by guessing).
std::optional<query_params> decode_query(std::string_view query);

// Splits a request target "path?query" and decodes the query strictly; a nullopt query means a
// bad escape or a repeated key.
std::pair<std::string, std::optional<query_params>> split_target(std::string_view target);

// The whole of `text` as a decimal number in [lo, hi], or nullopt (signs, spaces, other
// characters and overflow are refused).
std::optional<std::int64_t> whole_number(std::string_view text, std::int64_t lo, std::int64_t hi);

}  // namespace minsheng::adapters::http
