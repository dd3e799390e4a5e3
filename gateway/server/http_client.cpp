#include "gateway/server/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/system/system_error.hpp>
#include <stdexcept>

namespace minsheng::gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

struct http_client::impl {
    std::string host;
    unsigned short port;
    std::chrono::milliseconds timeout;
    net::io_context ioc;
    std::unique_ptr<beast::tcp_stream> stream;
    beast::flat_buffer buffer;

    void connect() {
        stream = std::make_unique<beast::tcp_stream>(ioc);
        net::ip::tcp::resolver resolver(ioc);
        auto results = resolver.resolve(host, std::to_string(port));
        stream->expires_after(timeout);
        beast::error_code ec;
        stream->async_connect(results, [&](beast::error_code e, auto) { ec = e; });
        ioc.restart();
        ioc.run();
        if (ec)
            throw std::runtime_error("cannot connect to " + host + ":" + std::to_string(port) +
                                     ": " + ec.message());
        buffer.clear();
    }

    client_response once(const http::request<http::string_body>& req) {
        beast::error_code ec;
        http::response<http::string_body> res;
        stream->expires_after(timeout);
        http::async_write(*stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
        ioc.restart();
        ioc.run();
        if (ec) throw boost::system::system_error(ec);
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        http::async_read(*stream, buffer, parser,
                         [&](beast::error_code e, std::size_t) { ec = e; });
        ioc.restart();
        ioc.run();
        if (ec) throw boost::system::system_error(ec);
        res = parser.release();
        client_response out;
        out.status = static_cast<int>(res.result_int());
        out.body = std::move(res.body());
        for (const auto& f : res) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            out.headers[name] = std::string(f.value());
        }
        if (!res.keep_alive()) stream.reset();
        return out;
    }
};

http_client::http_client(std::string host, unsigned short port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
    impl_->host = std::move(host);
    impl_->port = port;
    impl_->timeout = timeout;
    impl_->connect();
}

http_client::~http_client() = default;

client_response http_client::request(const std::string& method, const std::string& target,
                                     const std::string& body,
                                     const std::map<std::string, std::string>& headers) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, impl_->host);
    req.set(http::field::user_agent, "minsheng-client");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST") req.prepare_payload();
    req.keep_alive(true);
    for (int attempt = 0;; ++attempt) {
        try {
            if (!impl_->stream) impl_->connect();
            return impl_->once(req);
        } catch (const boost::system::system_error& e) {
            impl_->stream.reset();
            // A kept-alive connection the server closed meanwhile: reconnect once.
            if (attempt == 0 && e.code() != beast::error::timeout) continue;
            throw std::runtime_error(std::string("HTTP request failed: ") + e.what());
        }
    }
}

}  // namespace minsheng::gateway
