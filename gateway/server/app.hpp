#pragma once
// The gateway application: builds every part from the config (templates, NLU models, store,
// writer, official-account endpoint, metrics), serves HTTP and shuts down cleanly.
// start()/stop()/wait() may be called from any thread; the rest is internal.

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/server/config.hpp"

namespace minsheng::gateway {

struct metrics;

class app {
public:
    // Loads templates and models and opens the database (running migrations). Throws
    // std::runtime_error (or a subclass) naming what failed, so start-up fails loudly.
    // `now` overrides the clock (tests); by default the system clock.
    explicit app(config c, std::function<std::int64_t()> now = {});
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    // Binds the listening socket and starts the I/O threads. Throws boost::system::system_error
    // when the address cannot be bound.
    void start();
    // The bound endpoint (after start()), with the real port when port 0 was asked for.
    boost::asio::ip::tcp::endpoint endpoint() const;
    // Stops accepting, lets in-flight requests and queued writes finish (up to `drain_ms`), then
    // stops the threads. Idempotent.
    void stop(int drain_ms = 5000);
    // Blocks until stop() has completed.
    void wait();

    const metrics& stats() const;
    const config& settings() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::gateway
