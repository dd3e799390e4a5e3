#pragma once
// The outbound WeChat API client (official account and mini program): access_token handling,
// customer-service, template and subscribe messages, code2session, and the channel choice
// with its fallback. Synchronous: every call blocks for up to connect + request timeout (twice
// when a stale token forces one retry), so call it from a worker thread, never from an I/O
// thread. Thread-safe: share one client per appid.
//
// Tokens come from POST /cgi-bin/stable_token (default; normal mode, never force_refresh) or
// GET /cgi-bin/token, are cached and refreshed early by one caller at a time (token_cache.hpp).
// A send answered 40001/40014/42001 expires the token it used only if it is still the cached
// one (compare-and-expire; in the shared row too when there is one), obtains a token again and
// is retried once; nothing else is retried
// here: `retryable` tells the caller. Requests whose data break the platform's rules are
// refused before sending (message_fields.hpp). Failures are values (api_result); the client
// throws only for a bad configuration. It logs nothing; results carry no secret or token.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "adapters/wechat_api/api_result.hpp"
#include "adapters/wechat_api/channel.hpp"
#include "adapters/wechat_api/message_fields.hpp"
#include "adapters/wechat_api/shared_token.hpp"
#include "adapters/wechat_api/token_cache.hpp"

namespace minsheng::adapters::wechat_api {

enum class token_source {
    stable_token,       // POST /cgi-bin/stable_token: 10,000/min, same token until near expiry
    client_credential,  // GET /cgi-bin/token: 2,000/day, each call replaces the last token
};

struct api_config {
    std::string base_url = "https://api.weixin.qq.com";  // or "http://127.0.0.1:PORT" (tests)
    std::string appid;
    std::string secret;
    token_source tokens = token_source::stable_token;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds request_timeout{10000};
    std::string ca_file;  // PEM trust anchors instead of the system store (https only)
    std::string ca_pem;   // the same, in memory
    std::size_t max_idle_connections = 4;
    wechat_api::token_policy token_policy = {};
    // Gateways sharing one database share the token through it (shared_token.hpp); null: this
    // process's token_cache fetches on its own. share_policy.min_remaining is taken from
    // token_policy.max_safety_margin.
    std::shared_ptr<token_share> shared_token;
    wechat_api::share_policy share_policy = {};
};

struct miniprogram_link {
    std::string appid;
    std::string pagepath;
};

// POST /cgi-bin/message/template/send (official account).
struct template_message {
    std::string touser;  // openid
    std::string template_id;
    message_data data;                            // key -> value
    std::string url;                              // optional page opened on tap
    std::optional<miniprogram_link> miniprogram;  // optional; wins over url
    std::string client_msg_id;  // optional anti-reentry id: resend with the same id
};

// POST /cgi-bin/message/subscribe/send (mini program).
struct subscribe_message {
    std::string touser;  // openid
    std::string template_id;
    std::string page;  // optional page opened on tap
    message_data data;
    std::string miniprogram_state = "formal";  // "developer" | "trial" | "formal"
    std::string lang = "zh_CN";
};

// GET /sns/jscode2session. session_key stays on the server: never send it to the client.
struct session_info {
    api_result result;
    std::string openid;
    std::string session_key;
    std::string unionid;  // empty unless the app is bound to an open-platform account
};

// POST /wxa/business/getuserphonenumber: the number WeChat verified for the user who tapped the
// mini program's getPhoneNumber button (its one-time code).
struct phone_number_info {
    api_result result;
    std::string phone;         // purePhoneNumber: without the country code
    std::string country_code;  // "86" for the mainland
};

// One notification, ready for every channel that might carry it. The fallbacks' touser is
// replaced by `openid`.
struct notice {
    std::string openid;
    std::string text;                                     // customer-service text
    std::optional<template_message> template_fallback;    // official account
    std::optional<subscribe_message> subscribe_fallback;  // mini program
};

struct delivery {
    channel used = channel::customer_service;  // the channel of the last attempt
    bool fell_back = false;  // a customer-service send hit 45015/45047 and was re-routed
    api_result result;       // of the last attempt
};

class api_client {
public:
    // Throws std::invalid_argument for a bad base_url, empty appid/secret or zero timeouts;
    // std::runtime_error when the configured CA anchors cannot be loaded.
    explicit api_client(api_config config);
    ~api_client();
    api_client(const api_client&) = delete;
    api_client& operator=(const api_client&) = delete;

    // POST /cgi-bin/message/custom/send, msgtype text. Refused locally: empty openid or text,
    // or text that is not valid UTF-8.
    api_result send_custom_text(const std::string& openid, const std::string& text);
    // Refused locally: empty touser/template_id, or data failing check_template_data.
    api_result send_template(const template_message& m);
    // Refused locally: empty touser/template_id, or data failing check_subscribe_data.
    api_result send_subscribe(const subscribe_message& m);
    // No access_token involved (appid + secret). Refused locally: empty js_code.
    session_info code2session(const std::string& js_code);
    // With the access_token. The watermark's appid must be this client's. Refused locally: an
    // empty code.
    phone_number_info phone_number(const std::string& code);

    // Sends `what` on choose_channel(who, now); a customer-service send answered 45015/45047
    // is sent again as the template (official account) or subscribe (mini program) message.
    // A needed fallback that `what` lacks is an invalid_request result.
    delivery notify(const recipient_state& who, const notice& what,
                    std::chrono::system_clock::time_point now);

    // The token layer, for other API callers and for tests: a usable token (fetched if needed)
    // and compare-and-expire of a token a call was refused with.
    token_lookup access_token();
    bool report_invalid_token(const std::string& token);

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::adapters::wechat_api
