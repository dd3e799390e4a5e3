#pragma once
// The opaque bearer tokens the store keeps only as hashes: staff tokens (staff.hpp) and mini
// program sessions (sessions.hpp). A token is 32 random bytes from OpenSSL in base64url without
// padding (43 characters); the stored key is the lower-case hex SHA-256 of the token.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::adapters::db {

inline constexpr std::size_t bearer_token_chars = 43;

// A fresh token; nullopt when OpenSSL's generator fails (never hand out a weak token).
std::optional<std::string> new_bearer_token();

// A fresh code of `digits` decimal digits, uniform (rejection sampling); nullopt when OpenSSL's
// generator fails.
std::optional<std::string> new_numeric_code(std::size_t digits);

// A fresh code of 2 × `bytes` lower-case hex digits (a case's public code: 4 bytes); nullopt
// when OpenSSL's generator fails.
std::optional<std::string> new_hex_code(std::size_t bytes);

// Lower-case hex SHA-256 of the token (64 characters). Throws std::runtime_error if OpenSSL's
// digest fails.
std::string token_hash(std::string_view token);

}  // namespace minsheng::adapters::db
