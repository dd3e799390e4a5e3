#pragma once
// A small blocking HTTP/1.1 client over Beast for the command-line tools, tests and benchmarks.
// One connection, kept alive between requests; reconnects when the server closed it.
// Not thread-safe: one client per thread.

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace minsheng::gateway {

struct client_response {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
};

class http_client {
public:
    // Throws std::runtime_error when `port` cannot be reached within the timeout.
    http_client(std::string host, unsigned short port,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~http_client();

    // Throws std::runtime_error on a network failure or timeout.
    client_response request(const std::string& method, const std::string& target,
                            const std::string& body = "",
                            const std::map<std::string, std::string>& headers = {});

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::gateway
