#include "gateway/server/http_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <optional>

namespace minsheng::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket&& socket, server_limits limits, std::shared_ptr<const http_handler> handler,
            std::shared_ptr<const read_error_handler> on_read_error,
            std::shared_ptr<std::atomic<std::int64_t>> in_flight,
            std::shared_ptr<std::atomic<bool>> stopping)
        : stream_(std::move(socket)),
          limits_(limits),
          handler_(std::move(handler)),
          on_read_error_(std::move(on_read_error)),
          in_flight_(std::move(in_flight)),
          stopping_(std::move(stopping)) {}

    void run() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&session::do_read, shared_from_this()));
    }

private:
    void do_read() {
        parser_.emplace();
        parser_->body_limit(limits_.body_limit);
        parser_->header_limit(16 * 1024);
        stream_.expires_after(std::chrono::milliseconds(limits_.read_timeout_ms));
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == net::error::operation_aborted || ec == net::error::connection_reset ||
            ec == net::error::eof)
            return do_close();
        if (ec == http::error::body_limit)
            return fail_request(http::status::payload_too_large, "body_too_large",
                                "request body exceeds the limit\n");
        if (ec)
            return fail_request(http::status::bad_request, "bad_http", "malformed HTTP request\n");

        in_flight_->fetch_add(1);
        keep_alive_ = parser_->keep_alive();
        auto self = shared_from_this();
        (*handler_)(parser_->release(), [self](http_response&& res) {
            auto shared = std::make_shared<http_response>(std::move(res));
            net::post(self->stream_.get_executor(), [self, shared] { self->do_write(shared); });
        });
    }

    void fail_request(http::status status, const std::string& reason, std::string body) {
        if (*on_read_error_) (*on_read_error_)(reason);
        auto res = std::make_shared<http_response>(status, 11);
        res->set(http::field::content_type, "text/plain; charset=utf-8");
        res->body() = std::move(body);
        res->keep_alive(false);
        res->prepare_payload();
        in_flight_->fetch_add(1);
        keep_alive_ = false;
        do_write(res);
    }

    void do_write(std::shared_ptr<http_response> res) {
        if (stopping_->load())
            res->keep_alive(false);
        else if (!keep_alive_)
            res->keep_alive(false);
        res->prepare_payload();
        stream_.expires_after(std::chrono::milliseconds(limits_.read_timeout_ms));
        http::async_write(stream_, *res,
                          [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                              self->on_write(ec, res->need_eof());
                          });
    }

    void on_write(beast::error_code ec, bool close) {
        in_flight_->fetch_sub(1);
        if (ec) return do_close();
        if (close || stopping_->load()) return do_close();
        do_read();
    }

    void do_close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    server_limits limits_;
    std::shared_ptr<const http_handler> handler_;
    std::shared_ptr<const read_error_handler> on_read_error_;
    std::shared_ptr<std::atomic<std::int64_t>> in_flight_;
    std::shared_ptr<std::atomic<bool>> stopping_;
    bool keep_alive_ = true;
};

}  // namespace

http_server::http_server(net::io_context& ioc, const tcp::endpoint& at, server_limits limits,
                         http_handler handler, read_error_handler on_read_error)
    : ioc_(ioc),
      acceptor_(net::make_strand(ioc)),
      limits_(limits),
      handler_(std::make_shared<const http_handler>(std::move(handler))),
      on_read_error_(std::make_shared<const read_error_handler>(std::move(on_read_error))),
      in_flight_(std::make_shared<std::atomic<std::int64_t>>(0)),
      stopping_(std::make_shared<std::atomic<bool>>(false)) {
    acceptor_.open(at.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void http_server::start() { do_accept(); }

void http_server::stop() {
    stopping_->store(true);
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ec;
        self->acceptor_.close(ec);
    });
}

tcp::endpoint http_server::local_endpoint() const { return acceptor_.local_endpoint(); }

void http_server::do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec,
                                                                               tcp::socket socket) {
        if (ec) {
            if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
        } else {
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<session>(std::move(socket), self->limits_, self->handler_,
                                      self->on_read_error_, self->in_flight_, self->stopping_)
                ->run();
        }
        if (!self->stopping_->load()) self->do_accept();
    });
}

}  // namespace minsheng::gateway
