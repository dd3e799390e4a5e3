#include "adapters/wechat_api/http_transport.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "adapters/wechat_api/detail/url.hpp"

namespace minsheng::adapters::wechat_api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

// One connection with its own io_context: every operation is started and then run to
// completion on the calling thread, so a connection is used by one thread at a time.
struct connection {
    net::io_context ioc;  // first: destroyed after the streams that use it
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    steady::time_point idle_since;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
    void run() {
        ioc.restart();
        ioc.run();
    }
};

// The server closed an idle kept-alive connection (or sent something unexpected on it).
bool looks_closed(connection& c) {
    const int fd = c.lowest().socket().native_handle();
    char byte;
    const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    return true;  // 0: orderly close; > 0: bytes nobody asked for
}

bool is_closed_error(const beast::error_code& ec) {
    return ec == net::error::eof || ec == http::error::end_of_stream ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == ssl::error::stream_truncated;
}

bool is_tls_error(const beast::error_code& ec) {
    return ec.category() == net::error::get_ssl_category() ||
           ec.category() == ssl::error::get_stream_category();
}

transport_response failure(transport_error kind, std::string message) {
    transport_response r;
    r.error = kind;
    r.error_message = std::move(message);
    return r;
}

struct exchange_outcome {
    transport_response response;
    bool reusable = false;
    bool wrote = false;         // the whole request was written
    bool got_response = false;  // some response bytes arrived
    beast::error_code ec;
};

}  // namespace

struct http_transport::impl {
    transport_config cfg;
    detail::base_url url;
    std::string host_header;
    bool send_sni = false;
    std::optional<ssl::context> ctx;
    std::atomic<std::size_t> opened{0};

    std::mutex mu;
    std::vector<std::unique_ptr<connection>> idle;  // guarded by mu

    std::unique_ptr<connection> take_idle() {
        std::vector<std::unique_ptr<connection>> dropped;  // closed outside the lock
        std::unique_ptr<connection> found;
        {
            std::lock_guard lock(mu);
            while (!idle.empty()) {
                auto c = std::move(idle.back());
                idle.pop_back();
                if (steady::now() - c->idle_since > cfg.max_idle_time || looks_closed(*c)) {
                    dropped.push_back(std::move(c));
                    continue;
                }
                found = std::move(c);
                break;
            }
        }
        return found;
    }

    void give_back(std::unique_ptr<connection> c) {
        c->idle_since = steady::now();
        std::lock_guard lock(mu);
        if (idle.size() < cfg.max_idle_connections) idle.push_back(std::move(c));
    }

    // Resolves, connects and (for https) handshakes within connect_timeout.
    std::unique_ptr<connection> open(transport_response& error) {
        const auto deadline = steady::now() + cfg.connect_timeout;
        auto c = std::make_unique<connection>();

        tcp::resolver resolver(c->ioc);
        net::steady_timer timer(c->ioc);
        tcp::resolver::results_type endpoints;
        beast::error_code ec;
        bool resolved = false;
        bool timed_out = false;
        resolver.async_resolve(url.host, url.port,
                               [&](beast::error_code e, tcp::resolver::results_type r) {
                                   resolved = true;
                                   ec = e;
                                   endpoints = std::move(r);
                                   timer.cancel();
                               });
        timer.expires_at(deadline);
        timer.async_wait([&](beast::error_code e) {
            if (!e && !resolved) {
                timed_out = true;
                resolver.cancel();
            }
        });
        c->run();
        if (timed_out) {
            error = failure(transport_error::timeout, "resolve: timed out");
            return nullptr;
        }
        if (ec) {
            error = failure(transport_error::connect, "resolve: " + ec.message());
            return nullptr;
        }

        if (ctx)
            c->secure.emplace(c->ioc, *ctx);
        else
            c->plain.emplace(c->ioc);
        c->lowest().expires_at(deadline);
        c->lowest().async_connect(endpoints,
                                  [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
        c->run();
        if (ec) {
            error = failure(
                ec == beast::error::timeout ? transport_error::timeout : transport_error::connect,
                "connect: " + ec.message());
            return nullptr;
        }
        opened.fetch_add(1);
        beast::error_code ignored;
        c->lowest().socket().set_option(tcp::no_delay(true), ignored);
        if (!c->secure) return c;

        SSL* ssl_handle = c->secure->native_handle();
        if (send_sni) {
            // SNI, and the name the certificate must carry.
            if (!SSL_set_tlsext_host_name(ssl_handle, url.host.c_str()) ||
                !SSL_set1_host(ssl_handle, url.host.c_str())) {
                error = failure(transport_error::tls, "tls: cannot set the server name");
                return nullptr;
            }
        } else if (!X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), url.host.c_str())) {
            error = failure(transport_error::tls, "tls: cannot set the server address");
            return nullptr;
        }
        c->lowest().expires_at(deadline);
        c->secure->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
        c->run();
        if (ec) {
            if (ec == beast::error::timeout) {
                error = failure(transport_error::timeout, "tls handshake: timed out");
                return nullptr;
            }
            std::string message = "tls handshake: " + ec.message();
            const long verify = SSL_get_verify_result(ssl_handle);
            if (verify != X509_V_OK)
                message += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
            error = failure(is_tls_error(ec) ? transport_error::tls : transport_error::io,
                            std::move(message));
            return nullptr;
        }
        return c;
    }

    template <class Stream>
    exchange_outcome exchange_on(connection& c, Stream& stream,
                                 const http::request<http::string_body>& req) {
        exchange_outcome out;
        c.lowest().expires_after(cfg.request_timeout);
        http::async_write(stream, req, [&](beast::error_code e, std::size_t) { out.ec = e; });
        c.run();
        if (out.ec) return out;
        out.wrote = true;

        http::response_parser<http::string_body> parser;
        parser.body_limit(cfg.body_limit);
        parser.header_limit(16 * 1024);
        http::async_read(stream, c.buffer, parser,
                         [&](beast::error_code e, std::size_t) { out.ec = e; });
        c.run();
        out.got_response = parser.got_some();
        if (out.ec) return out;
        auto res = parser.release();
        out.response.status = static_cast<int>(res.result_int());
        out.response.body = std::move(res.body());
        out.reusable = res.keep_alive() && c.buffer.size() == 0;
        return out;
    }

    exchange_outcome exchange(connection& c, const http::request<http::string_body>& req) {
        auto out = c.secure ? exchange_on(c, *c.secure, req) : exchange_on(c, *c.plain, req);
        if (!out.ec) return out;
        const auto& ec = out.ec;
        const char* stage = out.wrote ? "read: " : "write: ";
        if (ec == beast::error::timeout)
            out.response = failure(transport_error::timeout, std::string(stage) + "timed out");
        else if (!is_closed_error(ec) &&
                 ec.category() == beast::error_code(http::error::bad_version).category())
            out.response = failure(transport_error::bad_http, std::string(stage) + ec.message());
        else
            out.response = failure(transport_error::io, std::string(stage) + ec.message());
        return out;
    }

    transport_response request(http::verb verb, const std::string& target,
                               const std::string* body) {
        http::request<http::string_body> req{verb, url.prefix + target, 11};
        req.set(http::field::host, host_header);
        req.set(http::field::user_agent, "minsheng-wechat-api");
        req.set(http::field::accept, "application/json");
        if (body) {
            req.set(http::field::content_type, "application/json; charset=utf-8");
            req.body() = *body;
            req.prepare_payload();
        }
        req.keep_alive(true);

        for (int attempt = 0; attempt < 2; ++attempt) {
            std::unique_ptr<connection> c = attempt == 0 ? take_idle() : nullptr;
            const bool reused = c != nullptr;
            if (!c) {
                transport_response error;
                c = open(error);
                if (!c) return error;
            }
            auto out = exchange(*c, req);
            if (!out.ec) {
                if (out.reusable) give_back(std::move(c));
                return std::move(out.response);
            }
            // A kept-alive connection the server closed just now: once more on a new one, but
            // only when the server cannot have acted on the request (the write failed, or GET).
            const bool retry = reused && !out.got_response && is_closed_error(out.ec) &&
                               (!out.wrote || verb == http::verb::get);
            if (!retry) return std::move(out.response);
        }
        return failure(transport_error::io, "connection closed by the server");
    }
};

http_transport::http_transport(transport_config config) : impl_(std::make_unique<impl>()) {
    auto url = detail::parse_base_url(config.base_url);
    if (!url) throw std::invalid_argument("wechat_api: bad base URL");
    if (config.connect_timeout.count() <= 0 || config.request_timeout.count() <= 0)
        throw std::invalid_argument("wechat_api: timeouts must be positive");
    impl_->url = *url;
    impl_->host_header = detail::host_header(*url);
    impl_->send_sni = !detail::is_ip_literal(url->host);
    if (url->tls) {
        try {
            auto& ctx = impl_->ctx.emplace(ssl::context::tls_client);
            SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
            ctx.set_verify_mode(ssl::verify_peer);
            if (config.ca_file.empty() && config.ca_pem.empty()) ctx.set_default_verify_paths();
            if (!config.ca_file.empty()) ctx.load_verify_file(config.ca_file);
            if (!config.ca_pem.empty())
                ctx.add_certificate_authority(
                    net::buffer(config.ca_pem.data(), config.ca_pem.size()));
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error(std::string("wechat_api: cannot load CA anchors: ") +
                                     e.what());
        }
    }
    impl_->cfg = std::move(config);
}

http_transport::~http_transport() = default;

transport_response http_transport::get(const std::string& target) {
    return impl_->request(http::verb::get, target, nullptr);
}

transport_response http_transport::post_json(const std::string& target, const std::string& body) {
    return impl_->request(http::verb::post, target, &body);
}

std::size_t http_transport::connections_opened() const { return impl_->opened.load(); }

std::string_view to_string(transport_error e) {
    switch (e) {
        case transport_error::none:
            return "none";
        case transport_error::connect:
            return "connect";
        case transport_error::timeout:
            return "timeout";
        case transport_error::tls:
            return "tls";
        case transport_error::io:
            return "io";
        case transport_error::bad_http:
            return "bad_http";
    }
    return "unknown";
}

}  // namespace minsheng::adapters::wechat_api
