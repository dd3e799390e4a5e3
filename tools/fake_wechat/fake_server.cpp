#include "tools/fake_wechat/fake_server.hpp"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include "tools/fake_wechat/detail/fake_api.hpp"

namespace minsheng::tools::fake_wechat {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// One connection: (TLS handshake,) read a request, answer it (after a delay, or never), repeat.
// Runs on its own strand.
template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
public:
    template <class... Args>
    session(std::shared_ptr<detail::fake_api> api, Args&&... args)
        : stream_(std::forward<Args>(args)...),
          timer_(stream_.get_executor()),
          api_(std::move(api)) {}

    void start() {
        if constexpr (std::is_same_v<Stream, tls_stream>) {
            beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
            stream_.async_handshake(ssl::stream_base::server,
                                    [self = this->shared_from_this()](beast::error_code ec) {
                                        if (ec) return self->do_close();
                                        self->do_read();
                                    });
        } else {
            do_read();
        }
    }

private:
    void do_read() {
        parser_.emplace();
        parser_->body_limit(1024 * 1024);
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(60));
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_read(ec);
                         });
    }

    void on_read(beast::error_code ec) {
        if (ec) return do_close();
        auto req = parser_->release();
        detail::request_in in;
        in.method = std::string(req.method_string());
        in.target = std::string(req.target());
        in.body = std::move(req.body());
        if constexpr (std::is_same_v<Stream, tls_stream>) {
            if (const char* sni =
                    SSL_get_servername(stream_.native_handle(), TLSEXT_NAMETYPE_host_name))
                in.tls_server_name = sni;
        }
        keep_alive_ = req.keep_alive();
        auto a = api_->handle(in);
        beast::get_lowest_layer(stream_).expires_never();
        if (a.close) return do_close();
        if (a.hang) {
            // Held until the server stops (or an hour passes); the client times out first.
            timer_.expires_after(std::chrono::hours(1));
            timer_.async_wait(
                [self = this->shared_from_this()](beast::error_code) { self->do_close(); });
            return;
        }
        if (a.delay.count() > 0) {
            timer_.expires_after(a.delay);
            timer_.async_wait(
                [self = this->shared_from_this(), a = std::move(a)](beast::error_code e) mutable {
                    if (e) return self->do_close();
                    self->do_write(std::move(a));
                });
            return;
        }
        do_write(std::move(a));
    }

    void do_write(detail::answer a) {
        res_.emplace(static_cast<http::status>(a.status), 11);
        res_->set(http::field::server, "minsheng-fake-wechat");
        res_->set(http::field::content_type, a.content_type);
        res_->body() = std::move(a.body);
        res_->keep_alive(keep_alive_);
        res_->prepare_payload();
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
        http::async_write(stream_, *res_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec || !self->keep_alive_) return self->do_close();
                              self->do_read();
                          });
    }

    void do_close() {
        beast::error_code ec;
        auto& socket = beast::get_lowest_layer(stream_).socket();
        socket.shutdown(tcp::socket::shutdown_both, ec);
        socket.close(ec);
    }

    Stream stream_;
    net::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::response<http::string_body>> res_;
    std::shared_ptr<detail::fake_api> api_;
    bool keep_alive_ = true;
};

}  // namespace

struct fake_wechat_server::impl {
    fake_config cfg;
    std::shared_ptr<detail::fake_api> api;
    std::optional<ssl::context> tls;  // outlives the sessions that use it
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::thread thread;

    void do_accept() {
        acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec,
                                                            tcp::socket socket) {
            if (ec) {
                if (!acceptor.is_open()) return;
            } else {
                socket.set_option(tcp::no_delay(true), ec);
                if (tls)
                    std::make_shared<session<tls_stream>>(api, std::move(socket), *tls)->start();
                else
                    std::make_shared<session<beast::tcp_stream>>(api, std::move(socket))->start();
            }
            do_accept();
        });
    }
};

fake_wechat_server::fake_wechat_server(fake_config config) : impl_(std::make_unique<impl>()) {
    impl_->api = std::make_shared<detail::fake_api>(config);
    try {
        if (config.tls) {
            auto& ctx = impl_->tls.emplace(ssl::context::tls_server);
            ctx.use_certificate_chain(net::buffer(config.tls->certificate_pem.data(),
                                                  config.tls->certificate_pem.size()));
            ctx.use_private_key(
                net::buffer(config.tls->private_key_pem.data(), config.tls->private_key_pem.size()),
                ssl::context::pem);
        }
        const tcp::endpoint at(net::ip::make_address(config.host), config.port);
        impl_->acceptor.open(at.protocol());
        impl_->acceptor.set_option(net::socket_base::reuse_address(true));
        impl_->acceptor.bind(at);
        impl_->acceptor.listen(net::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(std::string("fake_wechat: cannot listen on ") + config.host + ":" +
                                 std::to_string(config.port) + ": " + e.what());
    }
    impl_->cfg = std::move(config);
    impl_->cfg.port = impl_->acceptor.local_endpoint().port();
    impl_->do_accept();
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

fake_wechat_server::~fake_wechat_server() {
    impl_->ioc.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

unsigned short fake_wechat_server::port() const { return impl_->cfg.port; }

std::string fake_wechat_server::host() const { return impl_->cfg.host; }

std::string fake_wechat_server::base_url() const {
    const auto& h = impl_->cfg.host;
    const std::string host = h.find(':') != std::string::npos ? "[" + h + "]" : h;
    return std::string(impl_->tls ? "https://" : "http://") + host + ":" +
           std::to_string(impl_->cfg.port);
}

const fake_config& fake_wechat_server::config() const { return impl_->cfg; }

void fake_wechat_server::inject(injection i) { impl_->api->inject(std::move(i)); }

void fake_wechat_server::clear_injections() { impl_->api->clear_injections(); }

void fake_wechat_server::expire_tokens() { impl_->api->expire_tokens(); }

std::vector<received_request> fake_wechat_server::received() const {
    return impl_->api->received("");
}

std::vector<received_request> fake_wechat_server::received(std::string_view path) const {
    return impl_->api->received(path);
}

std::size_t fake_wechat_server::count(std::string_view path) const {
    return impl_->api->received(path).size();
}

void fake_wechat_server::clear_received() { impl_->api->clear_received(); }

bool fake_wechat_server::wait_for(std::string_view path, std::size_t n,
                                  std::chrono::milliseconds timeout) const {
    return impl_->api->wait_for(path, n, timeout);
}

}  // namespace minsheng::tools::fake_wechat
