#include "gateway/server/http_server.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <limits>
#include <optional>
#include <vector>

namespace minsheng::gateway {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// The end of a connection the client closed or let time out: nothing to answer.
bool gone(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == beast::error::timeout ||
           ec == net::error::operation_aborted || ec == net::error::connection_reset ||
           ec == net::error::eof || ec == net::error::broken_pipe;
}

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket&& socket, std::shared_ptr<const server_limits> limits,
            std::shared_ptr<const http_handler> handler,
            std::shared_ptr<const read_error_handler> on_read_error,
            std::shared_ptr<std::atomic<std::int64_t>> in_flight,
            std::shared_ptr<std::atomic<std::int64_t>> connections,
            std::shared_ptr<std::atomic<bool>> stopping)
        : stream_(std::move(socket)),
          limits_(std::move(limits)),
          handler_(std::move(handler)),
          on_read_error_(std::move(on_read_error)),
          in_flight_(std::move(in_flight)),
          connections_(std::move(connections)),
          stopping_(std::move(stopping)) {
        beast::error_code ec;
        auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) peer_ = ep.address().to_string();
    }
    ~session() { connections_->fetch_sub(1); }
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    void run() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&session::do_read, shared_from_this()));
    }

private:
    void do_read() {
        parser_.emplace();
        parser_->header_limit(16 * 1024);
        // The header stage checks nothing against the body limit: the route's own limit is set
        // in on_header, before any body byte is read (an announced length is compared there).
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        stream_.expires_after(std::chrono::milliseconds(limits_->header_timeout_ms));
        http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t) {
        if (gone(ec)) return do_close();
        if (ec)
            return fail_request(http::status::bad_request, "bad_http", "malformed HTTP request\n",
                                false);
        const std::size_t limit = limits_->body_limit_for
                                      ? limits_->body_limit_for(parser_->get().target())
                                      : limits_->body_limit;
        if (auto length = parser_->content_length(); length && *length > limit) return too_large();
        parser_->body_limit(limit);
        stream_.expires_after(std::chrono::milliseconds(limits_->body_timeout_ms));
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::body_limit) return too_large();
        if (gone(ec)) return do_close();
        if (ec)
            return fail_request(http::status::bad_request, "bad_http", "malformed HTTP request\n",
                                false);

        in_flight_->fetch_add(1);
        keep_alive_ = parser_->keep_alive();
        auto self = shared_from_this();
        (*handler_)(parser_->release(), peer_, [self](http_response&& res) {
            auto shared = std::make_shared<http_response>(std::move(res));
            net::post(self->stream_.get_executor(), [self, shared] { self->do_write(shared); });
        });
    }

    // A body over the limit: answered 413 whatever the client is still sending.
    void too_large() {
        fail_request(http::status::payload_too_large, "body_too_large",
                     "request body exceeds the limit\n", true);
    }

    void fail_request(http::status status, const std::string& reason, std::string body,
                      bool linger) {
        if (*on_read_error_) (*on_read_error_)(reason);
        auto res = std::make_shared<http_response>(status, 11);
        res->set(http::field::server, "minsheng");
        res->set(http::field::content_type, "text/plain; charset=utf-8");
        res->body() = std::move(body);
        res->keep_alive(false);
        res->prepare_payload();
        in_flight_->fetch_add(1);
        keep_alive_ = false;
        linger_ = linger;
        do_write(res);
    }

    void do_write(std::shared_ptr<http_response> res) {
        if (stopping_->load() || !keep_alive_) res->keep_alive(false);
        res->prepare_payload();
        stream_.expires_after(std::chrono::milliseconds(limits_->body_timeout_ms));
        http::async_write(stream_, *res,
                          [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                              self->on_write(ec, res->need_eof());
                          });
    }

    void on_write(beast::error_code ec, bool close) {
        in_flight_->fetch_sub(1);
        if (ec) return do_close();
        if (linger_) return do_linger();
        if (close || stopping_->load()) return do_close();
        do_read();
    }

    // Lingering close: stop sending, then read and drop what the client still sends (up to
    // linger_bytes, for at most linger_ms) before closing, so that closing with unread data does
    // not reset the connection before the client has read our answer.
    void do_linger() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) return do_close();
        discard_.resize(16 * 1024);
        stream_.expires_after(std::chrono::milliseconds(limits_->linger_ms));
        drain();
    }

    void drain() {
        stream_.async_read_some(net::buffer(discard_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->lingered_ += n;
                                    if (ec || self->lingered_ >= self->limits_->linger_bytes)
                                        return self->do_close();
                                    self->drain();
                                });
    }

    void do_close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<const server_limits> limits_;
    std::shared_ptr<const http_handler> handler_;
    std::shared_ptr<const read_error_handler> on_read_error_;
    std::shared_ptr<std::atomic<std::int64_t>> in_flight_;
    std::shared_ptr<std::atomic<std::int64_t>> connections_;
    std::shared_ptr<std::atomic<bool>> stopping_;
    std::string peer_;
    bool keep_alive_ = true;
    bool linger_ = false;
    std::vector<char> discard_;
    std::size_t lingered_ = 0;
};

// A connection over the cap: a fixed 503 answer, then close. It never reads the request.
void refuse_connection(tcp::socket&& socket) {
    static const std::string answer =
        "HTTP/1.1 503 Service Unavailable\r\nServer: minsheng\r\nRetry-After: 1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: 39\r\n"
        "\r\ntoo many connections; please try again\n";
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    net::async_write(*s, net::buffer(answer), [s](beast::error_code, std::size_t) {
        beast::error_code ec;
        s->shutdown(tcp::socket::shutdown_send, ec);
        s->close(ec);
    });
}

}  // namespace

http_server::http_server(net::io_context& ioc, const tcp::endpoint& at, server_limits limits,
                         http_handler handler, read_error_handler on_read_error)
    : ioc_(ioc),
      acceptor_(net::make_strand(ioc)),
      accept_backoff_(acceptor_.get_executor()),
      limits_(std::make_shared<const server_limits>(std::move(limits))),
      handler_(std::make_shared<const http_handler>(std::move(handler))),
      on_read_error_(std::make_shared<const read_error_handler>(std::move(on_read_error))),
      in_flight_(std::make_shared<std::atomic<std::int64_t>>(0)),
      connections_(std::make_shared<std::atomic<std::int64_t>>(0)),
      stopping_(std::make_shared<std::atomic<bool>>(false)) {
    acceptor_.open(at.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void http_server::start() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void http_server::stop() {
    stopping_->store(true);
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ec;
        self->acceptor_.close(ec);
        self->accept_backoff_.cancel();
    });
}

tcp::endpoint http_server::local_endpoint() const { return acceptor_.local_endpoint(); }

void http_server::do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec,
                                                                               tcp::socket socket) {
        if (ec == net::error::operation_aborted || !self->acceptor_.is_open() ||
            self->stopping_->load())
            return;
        if (ec) return self->on_accept_error(ec);
        self->backoff_ms_ = 0;
        if (self->connections_->load() >=
            static_cast<std::int64_t>(self->limits_->max_connections)) {
            if (*self->on_read_error_) (*self->on_read_error_)("too_many_connections");
            refuse_connection(std::move(socket));
        } else {
            socket.set_option(tcp::no_delay(true), ec);
            self->connections_->fetch_add(1);
            std::make_shared<session>(std::move(socket), self->limits_, self->handler_,
                                      self->on_read_error_, self->in_flight_, self->connections_,
                                      self->stopping_)
                ->run();
        }
        self->do_accept();
    });
}

// Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) or any other accept failure:
// the pending connection stays in the backlog, and trying again at once would spin. Wait, longer
// each time it fails again (10 ms doubling up to 1 s), then accept again.
void http_server::on_accept_error(const boost::system::error_code&) {
    if (*on_read_error_) (*on_read_error_)("accept_failed");
    backoff_ms_ = std::clamp(backoff_ms_ * 2, 10, 1000);
    accept_backoff_.expires_after(std::chrono::milliseconds(backoff_ms_));
    accept_backoff_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->stopping_->load()) return;
        self->do_accept();
    });
}

}  // namespace minsheng::gateway
