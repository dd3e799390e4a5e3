#pragma once
// Authentication of hotline systems: every request carries
//   X-Minsheng-Timestamp: <unix seconds>
//   X-Minsheng-Signature: sha256=<lowercase hex HMAC-SHA256(secret, timestamp + "\n" + body)>
// and is refused when the signature is wrong or the timestamp is outside the replay window.
// Each hotline system has its own secret. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

namespace minsheng::adapters::hotline {

// "sha256=<hex>" for the given secret, timestamp header value and body (what a hotline system
// sends; tests and tools use it too). Throws std::runtime_error only if OpenSSL fails.
std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body);

enum class auth_failure { none, missing, bad_timestamp, stale, bad_signature };
std::string_view to_string(auth_failure f);  // "missing_signature", "stale_timestamp", ...

// Checks both headers: the timestamp must be a whole number within max_skew seconds of now, and
// the signature must match (compared in constant time; upper-case hex accepted).
auth_failure verify(std::string_view secret, std::string_view timestamp_header,
                    std::string_view signature_header, std::string_view body, std::int64_t now,
                    std::int64_t max_skew);

}  // namespace minsheng::adapters::hotline
