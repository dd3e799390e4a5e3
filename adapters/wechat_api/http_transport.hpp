#pragma once
// Blocking HTTP/1.1 to one origin (the WeChat API, or a local stand-in) over TCP or TLS, for
// worker threads: it blocks for up to connect_timeout + request_timeout, so never call it from
// an I/O thread. Thread-safe: each request borrows a connection from a small keep-alive pool
// (or opens one) and returns it when the response was complete and reusable.
//
// https verifies the server's certificate chain against the system CA store, or only against
// the configured anchors when ca_file/ca_pem are set, and checks the host name (or IP address)
// against the certificate; SNI is sent for host names. TLS 1.2 is the minimum.
// Network failures are values (transport_response::error); only a bad configuration throws.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace minsheng::adapters::wechat_api {

struct transport_config {
    // "https://api.weixin.qq.com" or "http://127.0.0.1:8081"; a path prefix is kept.
    std::string base_url = "https://api.weixin.qq.com";
    std::chrono::milliseconds connect_timeout{5000};   // resolve + connect + TLS handshake
    std::chrono::milliseconds request_timeout{10000};  // write the request, read the response
    std::string ca_file;  // PEM trust anchors used instead of the system store
    std::string ca_pem;   // PEM trust anchors in memory (tests), also instead of the system store
    std::size_t max_idle_connections = 4;
    std::chrono::seconds max_idle_time{30};  // an idle connection older than this is closed
    std::size_t body_limit = 1024 * 1024;
};

enum class transport_error {
    none,
    connect,   // resolve or TCP connect failed
    timeout,   // connect_timeout or request_timeout passed
    tls,       // handshake failed: certificate not trusted, wrong host name, protocol
    io,        // the connection broke while writing or reading
    bad_http,  // the response was not HTTP or was larger than body_limit
};

struct transport_response {
    int status = 0;  // the HTTP status; 0 when no response was read
    std::string body;
    transport_error error = transport_error::none;
    std::string error_message;  // for logs; never contains the request target or body
    bool ok() const { return error == transport_error::none; }
};

class http_transport {
public:
    // Throws std::invalid_argument for a base_url that is not http(s)://host[:port][/prefix],
    // or a zero timeout; std::runtime_error when the CA anchors cannot be loaded.
    explicit http_transport(transport_config config);
    ~http_transport();
    http_transport(const http_transport&) = delete;
    http_transport& operator=(const http_transport&) = delete;

    // `target` is the path and query after the base URL's prefix, e.g. "/cgi-bin/token?...".
    transport_response get(const std::string& target);
    transport_response post_json(const std::string& target, const std::string& body);

    // Connections opened so far (for tests of keep-alive reuse).
    std::size_t connections_opened() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

std::string_view to_string(transport_error e);  // "none", "connect", "timeout", ...

}  // namespace minsheng::adapters::wechat_api
