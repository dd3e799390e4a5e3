#pragma once
// The Beast HTTP/1.1 server: an acceptor and one session per connection, each on its own
// strand. Limits that hold under abuse:
//   - a header timeout (also the keep-alive idle time) shorter than the body timeout;
//   - the body limit chosen per request from its target, before any body byte is read; a body
//     over it is answered 413 and the connection closed lingeringly (the rest of the body is read
//     and discarded for a while first, as nginx does), so a client still sending reads the 413
//     instead of a reset;
//   - at most max_connections open connections: above that a connection is answered 503 with
//     Retry-After and closed;
//   - accept errors (EMFILE, ENFILE, ENOBUFS, ENOMEM) back off on a timer instead of re-arming
//     at once.
// The application handler may answer from any thread; the session moves the write back onto its
// strand.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace minsheng::gateway {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

// Called once per request on the session's strand, with the client's address as the connection
// shows it ("127.0.0.1", "::1"). `respond` must be called exactly once, from any thread.
using http_handler = std::function<void(http_request&& req, const std::string& peer,
                                        std::function<void(http_response&&)> respond)>;

// Called for what the server refuses itself, with a reason for metrics and logs: a request that
// could not be read ("body_too_large", "bad_http"), a connection over the cap
// ("too_many_connections"), an accept that failed ("accept_failed"). Any thread; must not throw.
using read_error_handler = std::function<void(const std::string& reason)>;

struct server_limits {
    std::size_t body_limit = 64 * 1024;  // when body_limit_for is empty
    // The body limit of a request, from its target (path and query). Must not throw.
    std::function<std::size_t(std::string_view target)> body_limit_for;
    int header_timeout_ms = 10000;  // the request line and headers, and keep-alive idle
    int body_timeout_ms = 30000;    // the body, once the headers are in
    std::size_t max_connections = 4096;
    int linger_ms = 3000;                // after an early 413: read and discard for this long
    std::size_t linger_bytes = 8 << 20;  // ... or this many bytes, whichever comes first
};

class http_server : public std::enable_shared_from_this<http_server> {
public:
    // Binds and listens. Throws boost::system::system_error if the port cannot be bound.
    http_server(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& at,
                server_limits limits, http_handler handler, read_error_handler on_read_error);

    void start();
    // Stops accepting; sessions finish their current request and close.
    void stop();
    boost::asio::ip::tcp::endpoint local_endpoint() const;

    // Requests read but not yet answered (for draining on shutdown).
    std::int64_t in_flight() const { return in_flight_->load(); }
    // Connections open now.
    std::int64_t connections() const { return connections_->load(); }
    std::shared_ptr<const std::atomic<std::int64_t>> connections_counter() const {
        return connections_;
    }
    bool stopping() const { return stopping_->load(); }

private:
    void do_accept();
    void on_accept_error(const boost::system::error_code& ec);

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer accept_backoff_;  // on the acceptor's strand
    int backoff_ms_ = 0;
    std::shared_ptr<const server_limits> limits_;
    std::shared_ptr<const http_handler> handler_;
    std::shared_ptr<const read_error_handler> on_read_error_;
    std::shared_ptr<std::atomic<std::int64_t>> in_flight_;
    std::shared_ptr<std::atomic<std::int64_t>> connections_;
    std::shared_ptr<std::atomic<bool>> stopping_;
};

}  // namespace minsheng::gateway
