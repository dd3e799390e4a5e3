#pragma once
// The official-account callback protocol, transport-free: URL verification, signature and
// timestamp checks, AES safe/compatible mode, XML parsing into dialog::inbound_message, and
// passive-reply rendering. Immutable after construction: share freely across threads.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "dialog/message.hpp"

namespace minsheng::adapters::wechat_oa {

enum class security_mode { plain, compat, safe };

struct oa_config {
    std::string token;             // the Token set in the admin console
    std::string encoding_aes_key;  // 43 chars; required for compat and safe
    std::string appid;             // receive id checked after decryption
    security_mode mode = security_mode::plain;
    std::int64_t max_clock_skew = 300;  // seconds; older or newer timestamps are replays
};

// Why a request was refused. Each maps to one HTTP status and one metrics reason.
enum class reject_reason {
    bad_signature,      // signature or msg_signature does not verify
    missing_parameter,  // a required query parameter is absent
    stale_timestamp,    // outside max_clock_skew
    malformed_xml,      // not well-formed, truncated, or missing a required element
    bad_ciphertext,     // base64, block size, padding or length field wrong
    wrong_appid,        // decrypted receive id differs from the configured appid
    mode_mismatch,      // e.g. no Encrypt element in safe mode
};

std::string_view to_string(reject_reason r);  // "bad_signature", ...
int http_status(reject_reason r);              // 401 for signatures, 400 otherwise

struct rejection {
    reject_reason reason;
    std::string detail;  // safe to show the caller: never echoes secrets or ciphertext
};

using query_params = std::map<std::string, std::string, std::less<>>;

// A decoded push: the engine's message plus what is needed to address and encrypt the reply.
struct decoded_push {
    dialog::inbound_message message;
    std::string to_user;    // ToUserName (our account id)
    std::string from_user;  // FromUserName (the resident's openid)
    std::string nonce;      // echoed in an encrypted reply
    bool encrypted = false;  // whether the reply must be encrypted
};

class oa_endpoint {
public:
    // Throws std::invalid_argument when compat/safe mode lacks a valid 43-char key or appid.
    explicit oa_endpoint(oa_config config);

    // GET URL verification: returns the echostr to answer byte for byte, or a rejection.
    std::variant<std::string, rejection> verify_url(const query_params& query,
                                                    std::int64_t now) const;

    // POST: checks signature(s) and timestamp, decrypts when the mode says so, parses the XML.
    std::variant<decoded_push, rejection> decode(const query_params& query, std::string_view body,
                                                 std::int64_t now) const;

    // Renders the passive reply for a decoded push: "success" for reply::none, else reply XML,
    // fitted to the platform's 2048-byte text limit and encrypted in compat/safe mode.
    // `random16` and `now` are parameters so tests are deterministic.
    std::string encode(const decoded_push& push, const dialog::reply& r, std::int64_t now,
                       std::string_view random16) const;

    const oa_config& config() const { return config_; }

private:
    oa_config config_;
};

}  // namespace minsheng::adapters::wechat_oa
