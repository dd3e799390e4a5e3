#pragma once
// The Beast HTTP/1.1 server: an acceptor and one session per connection, each on its own
// strand. Every read has a timeout and a body limit. The application handler may answer from
// any thread; the session moves the write back onto its strand.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

namespace minsheng::gateway {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

// Called once per request on the session's strand. `respond` must be called exactly once, from
// any thread.
using http_handler =
    std::function<void(http_request&& req, std::function<void(http_response&&)> respond)>;

// Called when a request could not even be read (body over the limit, malformed HTTP).
// Returns the reason for metrics/logs; the server answers 413 or 400 itself.
using read_error_handler = std::function<void(const std::string& reason)>;

struct server_limits {
    std::size_t body_limit = 64 * 1024;
    int read_timeout_ms = 10000;
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
    bool stopping() const { return stopping_->load(); }

private:
    void do_accept();

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    server_limits limits_;
    std::shared_ptr<const http_handler> handler_;
    std::shared_ptr<const read_error_handler> on_read_error_;
    std::shared_ptr<std::atomic<std::int64_t>> in_flight_;
    std::shared_ptr<std::atomic<bool>> stopping_;
};

}  // namespace minsheng::gateway
