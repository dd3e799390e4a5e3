#pragma once
// What every WeChat API call returns: a value, never an exception, for platform errors
// (errcode), HTTP errors, network failures and requests refused locally before sending.
// Carries no secret and no access_token, so it can be logged as it is.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::adapters::wechat_api {

enum class failure {
    none,             // ok
    platform,         // HTTP 200 with errcode != 0
    http_status,      // a non-200 status (the body's errcode is kept when it had one)
    transport,        // connect / I/O / TLS failure: see transport_error
    timeout,          // no (complete) answer within the timeouts; a send may have been delivered
    bad_response,     // HTTP 200 but not the JSON the API documents
    invalid_request,  // refused locally (field too long, empty openid, ...): nothing was sent
};

struct api_result {
    bool ok = false;
    failure kind = failure::none;
    int errcode = 0;              // WeChat's errcode; 0 when ok or when no JSON came back
    std::string errmsg;           // WeChat's errmsg, or why the request was refused locally
    int http_status = 0;          // 0 when no response was read
    std::string transport_error;  // what failed on the network; empty otherwise
    // Trying again later may succeed: 5xx/429, timeouts, network failures, errcode -1 (busy).
    // Not 45009 (quota), 4xxxx argument errors, or TLS verification failures. A retryable send
    // that timed out may still have been delivered: resend templates with the same
    // client_msg_id.
    bool retryable = false;
    std::optional<std::int64_t> msgid;  // template and subscribe sends
    bool token_failure = false;         // no access_token could be obtained; nothing was sent
};

// 40001 / 40014 / 42001: the access_token used is invalid or expired.
bool is_token_error(int errcode);
// 45015 / 45047: the customer-service window is closed or its message count is used up.
bool is_window_closed(int errcode);

std::string_view to_string(failure f);  // "none", "platform", ...
// One line for logs: "ok msgid=..." or "platform errcode=45015 errmsg=... retryable=no".
std::string describe(const api_result& r);

}  // namespace minsheng::adapters::wechat_api
