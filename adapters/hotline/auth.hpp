#pragma once
// Authentication of hotline systems (docs/hotline.md). Every request carries
//   X-Minsheng-Timestamp: <unix seconds>
//   X-Minsheng-Signature: v2=<lowercase hex HMAC-SHA256(secret, canonical_v2(...))>
// where the canonical string is the method, the path, the canonical query, the Content-Type as
// sent, the timestamp and the body, joined by "\n". The legacy form
//   X-Minsheng-Signature: sha256=<lowercase hex HMAC-SHA256(secret, timestamp + "\n" + body)>
// covers neither the query nor the content type; it is accepted only where the caller says a
// system may still use it. A request is refused when the signature is wrong or the timestamp is
// outside the window. Each hotline system has its own secret. Pure functions; thread-safe.
// (Refusing a signature seen before is the gateway's job: it needs memory, this file has none.)

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/http/query_string.hpp"

namespace minsheng::adapters::hotline {

// What a v2 signature covers besides the timestamp, as the gateway received it.
struct request_parts {
    std::string_view method;        // "POST"
    std::string_view path;          // the target before '?', as sent: "/hotline/transcripts"
    http::query_params query;       // the decoded query (http::decode_query)
    std::string_view content_type;  // the Content-Type header as sent; "" when absent
    std::string_view body;
};

// method "\n" path "\n" query "\n" content type "\n" timestamp "\n" body, where query is
// http::encode_query(r.query): keys in byte order, every byte but A-Z a-z 0-9 - . _ ~
// percent-encoded with upper-case hex, pairs joined by '&' ("" when there is none).
std::string canonical_v2(const request_parts& r, std::string_view timestamp);

// "v2=<hex>" for the request. Throws std::runtime_error only if OpenSSL fails.
std::string sign_v2(std::string_view secret, const request_parts& r, std::string_view timestamp);

// The same for a client holding the target as it sends it ("/hotline/transcripts?call_id=T-1"):
// the query is decoded as the gateway decodes it. Throws std::invalid_argument when it cannot be
// (a bad escape or a repeated key: the gateway refuses such a request anyway).
std::string sign_v2(std::string_view secret, std::string_view method, std::string_view target,
                    std::string_view content_type, std::string_view timestamp,
                    std::string_view body);

// "sha256=<hex>": the legacy form over timestamp and body only. Throws std::runtime_error only
// if OpenSSL fails.
std::string sign_legacy(std::string_view secret, std::string_view timestamp, std::string_view body);

// Which form a signature header uses, by its prefix.
enum class signature_form { unknown, legacy, v2 };

enum class auth_failure { none, missing, bad_timestamp, stale, bad_signature, legacy_refused };
// "missing_signature", "stale_timestamp", "legacy_signature", ... (the 401's code).
std::string_view to_string(auth_failure f);

struct verdict {
    auth_failure failure = auth_failure::missing;
    signature_form form = signature_form::unknown;
    std::int64_t timestamp = 0;  // the header's value once it parsed as a whole number
    // When failure == none: the signature's MAC in lowercase hex, the same however the client
    // spelled it (what a replay check remembers); "" otherwise.
    std::string mac;
};

// Checks both headers: the timestamp must be a whole number within max_skew seconds of now; the
// signature must be "v2=<hex>" over `r`, or, only when legacy_allowed, "sha256=<hex>" over the
// timestamp and r.body (a legacy signature otherwise is legacy_refused, its MAC not computed).
// Compared in constant time; upper-case hex accepted. An empty secret lets nobody in.
verdict verify(std::string_view secret, std::string_view timestamp_header,
               std::string_view signature_header, const request_parts& r, std::int64_t now,
               std::int64_t max_skew, bool legacy_allowed);

}  // namespace minsheng::adapters::hotline
