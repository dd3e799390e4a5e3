#pragma once
// A stand-in for the WeChat API speaking real HTTP (or HTTPS) on 127.0.0.1, for tests and
// demos. It implements
//   GET  /cgi-bin/token                  grant_type=client_credential, appid, secret
//   POST /cgi-bin/stable_token           {grant_type, appid, secret, force_refresh}
//   POST /cgi-bin/message/custom/send    ?access_token=  {touser, msgtype:text, text:{content}}
//   POST /cgi-bin/message/template/send  ?access_token=  {touser, template_id, data, ...}
//   POST /cgi-bin/message/subscribe/send ?access_token=  {touser, template_id, data, ...}
//   GET  /sns/jscode2session             appid, secret, js_code, grant_type
// checking appid/secret (40013/40125) and the access_token (41001 missing, 40001 unknown or
// revoked, 42001 expired), issuing tokens with expires_in (stable_token returns the same token
// until 5 minutes before its end, /cgi-bin/token a new one each time, the old one living 5 more
// minutes), and recording every API request it receives.
//
// Error injection, from C++ (inject()) or over HTTP:
//   POST /fake/inject {"path":"/cgi-bin/message/custom/send","errcode":45015,"times":1}
//                     {"path":"*","http_status":503} {"path":...,"delay_ms":300}
//                     {"path":...,"hang":true} {"path":...,"close":true} {"expire_tokens":true}
//   POST /fake/reset  clears injections and the record;  GET /fake/received[?path=...]
// Injections apply in the order given to the next matching requests; an injected
// 40001/40014/42001 also revokes the token that request carried, as the platform would have.
// Everything is deterministic given the injections: tokens, msgids and session keys are
// derived from counters and inputs. /fake/* requests are not recorded.
//
// Thread-safe: serves on its own thread; every method may be called from any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/fake_wechat/self_signed.hpp"

namespace minsheng::tools::fake_wechat {

struct fake_config {
    std::string host = "127.0.0.1";
    unsigned short port = 0;  // 0: pick a free port
    std::string appid = "wxfake0000000001";
    std::string secret = "fake-secret-0000000000000000001";
    std::chrono::seconds expires_in{7200};
    std::optional<tls_identity> tls;  // set: serve https
};

struct received_request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> query;  // decoded
    std::string body;
    nlohmann::json json;  // the body parsed; null when empty or not JSON
    std::chrono::system_clock::time_point at;
    std::string tls_server_name;  // SNI the client sent (https only)
    int answered_status = 0;      // 0: not answered (hang / close)
    int answered_errcode = 0;     // errcode of the JSON answer, 0 for success
};

struct injection {
    std::string path = "*";              // exact API path, or "*" for every API path
    std::optional<int> errcode;          // answer HTTP 200 {"errcode":..,"errmsg":..} instead
    std::string errmsg;                  // default: the platform's text for errcode
    std::optional<int> http_status;      // answer this status (e.g. 503) with a text body instead
    std::chrono::milliseconds delay{0};  // wait before answering (alone: a slow normal answer)
    bool hang = false;   // never answer; the connection is held until the client gives up
    bool close = false;  // close the connection without answering
    int times = 1;       // matching requests it applies to; negative: until cleared
};

// Parses the body of POST /fake/inject (without "expire_tokens"). Throws std::invalid_argument.
injection injection_from_json(const nlohmann::json& j);

class fake_wechat_server {
public:
    // Binds and starts serving. Throws std::runtime_error when the address cannot be bound or
    // the TLS identity is unusable.
    explicit fake_wechat_server(fake_config config);
    ~fake_wechat_server();  // stops; held (hanging) requests are dropped
    fake_wechat_server(const fake_wechat_server&) = delete;
    fake_wechat_server& operator=(const fake_wechat_server&) = delete;

    unsigned short port() const;
    std::string host() const;
    std::string base_url() const;  // "http://127.0.0.1:PORT" or "https://..."
    const fake_config& config() const;

    void inject(injection i);
    void clear_injections();
    // Every token issued so far is expired from now on (42001); the next fetch gets a new one.
    void expire_tokens();

    std::vector<received_request> received() const;
    std::vector<received_request> received(std::string_view path) const;
    std::size_t count(std::string_view path) const;
    void clear_received();
    // Blocks until at least `n` requests to `path` were received or `timeout` passed.
    bool wait_for(std::string_view path, std::size_t n, std::chrono::milliseconds timeout) const;

    // What jscode2session answers for a code.
    static std::string openid_for_code(std::string_view js_code);
    static std::string unionid_for_code(std::string_view js_code);
    static std::string session_key_for_code(std::string_view js_code);
    // What getuserphonenumber answers for a getPhoneNumber code: "phone-13912345678" is that
    // number, verified; any other code is invalid (40029). Each code works once.
    static std::string phone_for_code(std::string_view code);

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::tools::fake_wechat
