#pragma once
// The official-account callback protocol, transport-free: URL verification, signature and
// timestamp checks, AES safe/compatible mode, XML parsing into dialog::inbound_message, and
// passive-reply rendering. Immutable after construction: share freely across threads.
//
// The pieces are usable on their own: signature.hpp, msg_crypto.hpp, xml_message.hpp,
// reply_xml.hpp, envelope.hpp, query_string.hpp; client_codec.hpp is the other side of the
// wire (a simulated WeChat server for the terminal client, end-to-end tests and benchmarks).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/http/query_string.hpp"
#include "adapters/wechat_oa/msg_crypto.hpp"
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
int http_status(reject_reason r);             // 401 for signatures, 400 otherwise

struct rejection {
    reject_reason reason;
    std::string detail;  // safe to show the caller: never echoes secrets or ciphertext
};

using query_params = http::query_params;

// A decoded push: the engine's message plus what is needed to address and encrypt the reply.
struct decoded_push {
    dialog::inbound_message message;
    std::string to_user;     // ToUserName (our account id)
    std::string from_user;   // FromUserName (the resident's openid)
    std::string nonce;       // echoed in an encrypted reply
    bool encrypted = false;  // whether the reply must be encrypted
};

class oa_endpoint {
public:
    // Throws std::invalid_argument when the token is empty (anyone could sign), or when
    // compat/safe mode lacks a valid 43-char EncodingAESKey or an appid.
    explicit oa_endpoint(oa_config config);

    // GET URL verification, the same in every mode: requires signature, timestamp, nonce and
    // echostr; checks the signature over (token, timestamp, nonce), then the timestamp window.
    // Returns the echostr to answer byte for byte, or a rejection.
    std::variant<std::string, rejection> verify_url(const query_params& query,
                                                    std::int64_t now) const;

    // POST; the mode comes from the configuration only.
    //   plain: signature, timestamp, nonce -> verify signature -> timestamp window -> parse.
    //     An encrypted body (Encrypt, no MsgType) is mode_mismatch.
    //   compat/safe: msg_signature, timestamp, nonce, encrypt_type=aes (other values:
    //     mode_mismatch) -> verify `signature` when present -> <Encrypt> from the body (absent:
    //     mode_mismatch; the plaintext fields of a compat body are ignored) -> verify
    //     msg_signature over (token, timestamp, nonce, Encrypt) -> timestamp window -> decrypt
    //     (bad_ciphertext) -> receive id == appid (wrong_appid) -> parse the decrypted XML.
    // Signatures are checked before anything is decrypted. `now` is unix seconds.
    std::variant<decoded_push, rejection> decode(const query_params& query, std::string_view body,
                                                 std::int64_t now) const;

    // Renders the passive reply for a decoded push: "success" for reply::none (never
    // encrypted), and also for a text that is empty after fitting (the platform shows an error
    // for an empty Content). Text is fitted to max_text_reply_bytes at a character boundary;
    // news carries exactly one article. ToUserName = push.from_user, FromUserName =
    // push.to_user, CreateTime = now. When push.encrypted, the XML is encrypted with
    // `random16` (16 bytes) and wrapped in the envelope signed over (token, now, push.nonce,
    // Encrypt). `random16` and `now` are parameters so tests are deterministic.
    // Throws std::invalid_argument if random16 is not 16 bytes when encryption is needed, or
    // if push.encrypted on a plain-mode endpoint (a push this endpoint did not decode).
    std::string encode(const decoded_push& push, const dialog::reply& r, std::int64_t now,
                       std::string_view random16) const;
    // The same with a fresh random prefix from OpenSSL's CSPRNG.
    std::string encode(const decoded_push& push, const dialog::reply& r, std::int64_t now) const;

    const oa_config& config() const { return config_; }

private:
    std::variant<decoded_push, rejection> decode_plain(const query_params& query,
                                                       std::string_view body,
                                                       std::int64_t now) const;
    std::variant<decoded_push, rejection> decode_encrypted(const query_params& query,
                                                           std::string_view body,
                                                           std::int64_t now) const;

    oa_config config_;
    std::optional<msg_cipher> cipher_;  // compat and safe mode only
};

}  // namespace minsheng::adapters::wechat_oa
