#pragma once
// The other side of the callback: what WeChat's servers do. Builds signed (and, in compat/safe
// mode, encrypted) requests carrying a user's message or event, and checks, decrypts and
// parses the passive reply. Used by the terminal chat client, end-to-end tests and
// benchmarks; it speaks exactly the protocol that oa_endpoint accepts.
// oa_client_codec is immutable after construction: share freely across threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/wechat_oa/msg_crypto.hpp"
#include "adapters/wechat_oa/oa_endpoint.hpp"
#include "adapters/wechat_oa/reply_xml.hpp"

namespace minsheng::adapters::wechat_oa {

// A user's text message as WeChat pushes it.
struct user_text_message {
    std::string to_user;    // our account id (gh_...)
    std::string from_user;  // the user's openid
    std::string content;
    std::int64_t create_time = 0;
    std::string msg_id;  // digits; empty: a random 19-digit id
};

// A user's event (subscribe, CLICK, SCAN, ...) as WeChat pushes it.
struct user_event {
    std::string to_user;
    std::string from_user;
    std::string event;      // raw name: "subscribe", "CLICK", ...
    std::string event_key;  // omitted from the XML when empty
    std::int64_t create_time = 0;
};

// A user's location message as WeChat pushes it.
struct user_location_message {
    std::string to_user;
    std::string from_user;
    std::string latitude;  // as the platform writes it, e.g. "23.134521"
    std::string longitude;
    std::string label;  // the place's name
    std::int64_t create_time = 0;
    std::string msg_id;  // digits; empty: a random 19-digit id
};

// Plain push XML in the platform's layout (parse_xml_message reads it back).
std::string render_text_push(const user_text_message& m);
std::string render_location_push(const user_location_message& m);
std::string render_event_push(const user_event& e);

// One HTTP request for the callback URL.
struct client_request {
    query_params query;
    std::string query_string;  // encode_query(query), without '?'
    std::string body;          // empty for the GET URL verification
    // path + "?" + query_string, e.g. target("/wechat/oa").
    std::string target(std::string_view path) const;
};

// A passive reply as the client understood it.
struct client_reply {
    dialog::reply reply;   // none for "success"/empty; text; news (first article)
    std::string msg_type;  // raw MsgType; empty for "success"/empty
    reply_header header;   // to_user = the user's openid, from_user = our account
    std::size_t article_count = 0;
    bool encrypted = false;  // arrived in the encrypted envelope
};

class oa_client_codec {
public:
    // Same configuration and validation as oa_endpoint (throws std::invalid_argument).
    explicit oa_client_codec(oa_config config);

    // GET URL verification: signature, timestamp, nonce, echostr. An empty nonce or echostr
    // is replaced by random digits.
    client_request url_verification(std::int64_t timestamp, std::string_view echostr = {},
                                    std::string_view nonce = {}) const;

    // POST carrying `xml` (a plain push) from `openid` to the account `to_user`:
    //   plain:  query signature, timestamp, nonce, openid; body = xml
    //   compat: + encrypt_type=aes, msg_signature; body = xml's fields + <Encrypt>
    //   safe:   + encrypt_type=aes, msg_signature; body = <ToUserName> + <Encrypt>
    // An empty nonce is replaced by random digits, an empty random16 by random16().
    // Throws std::invalid_argument if random16 is given but not 16 bytes.
    client_request push(std::string_view xml, std::string_view to_user, std::string_view openid,
                        std::int64_t timestamp, std::string_view nonce = {},
                        std::string_view random16 = {}) const;
    client_request text(const user_text_message& m, std::int64_t timestamp,
                        std::string_view nonce = {}, std::string_view random16 = {}) const;
    client_request event(const user_event& e, std::int64_t timestamp, std::string_view nonce = {},
                         std::string_view random16 = {}) const;

    // Checks and parses a reply body. "success" or empty -> reply::none. An encrypted envelope
    // must verify (MsgSignature over token, TimeStamp, Nonce, Encrypt: bad_signature), carry
    // `expected_nonce` when one is given (bad_signature), decrypt (bad_ciphertext) for our
    // appid (wrong_appid). A plain-mode client refuses an envelope and a safe-mode client a
    // plain XML reply (mode_mismatch); compat accepts both. Unparseable XML: malformed_xml.
    std::variant<client_reply, rejection> decode_reply(std::string_view body,
                                                       std::string_view expected_nonce = {}) const;

    const oa_config& config() const { return config_; }

private:
    oa_config config_;
    std::optional<msg_cipher> cipher_;
};

}  // namespace minsheng::adapters::wechat_oa
