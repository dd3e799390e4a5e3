#pragma once
// One-time codes kept as keyed hashes (dialog::code_book): six random digits from OpenSSL, and
// HMAC-SHA256 under the server's secret, so that a copy of the database alone cannot be searched
// for a code (a million candidates are nothing to a plain hash). The secret is the operator's
// ([security] secret, MINSHENG_SECRET) or, when none is configured, one the gateway makes on its
// first start and keeps beside the database (server_secret).
//
// Immutable after construction; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "dialog/ports.hpp"

namespace minsheng::adapters::db {

class keyed_code_book final : public dialog::code_book {
public:
    // Throws std::invalid_argument for a secret shorter than 16 bytes.
    explicit keyed_code_book(std::string secret);
    // Throws std::runtime_error when OpenSSL's generator fails (never hand out a weak code).
    std::string new_code() const override;
    std::string hash(std::string_view phone, std::string_view code) const override;

private:
    std::string secret_;
};

// The scene of a 驿站's parametric QR code: "st:<code>:<tag>", the tag the first
// station_tag_chars hex digits (64 bits) of HMAC-SHA256 under `secret` of "station:<code>".
// Whoever holds the secret can print a station's code; nobody can make one up without it, and
// the same secret always gives the same scene (a code posted at a station keeps working). Throws
// std::invalid_argument for a secret shorter than 16 bytes.
inline constexpr std::size_t station_tag_chars = 16;
std::string station_scene(std::string_view secret, std::string_view code);

// The secret kept in `<db_path>.secret`: read when the file exists (it must hold at least 32
// characters), else 32 random bytes written there as hex, mode 0600, before anything uses it.
// For ":memory:" a random secret that lives as long as the process. Throws std::runtime_error
// when the file cannot be read or written, or holds too short a secret.
std::string server_secret(const std::string& db_path);

}  // namespace minsheng::adapters::db
