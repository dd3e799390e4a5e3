#pragma once
// Failed operator authentications per client address (docs/operator-api.md, docs/security.md):
// each failure spends one of the address's tries, of which it holds at most
// `failures_per_minute` and gets back `failures_per_minute` a minute. An address with no try
// left is refused before its token is looked up, whatever the token; a success spends nothing,
// so honest callers are never slowed. Keyed by the address alone: one client guessing tokens
// locks out only itself (and whoever shares its address). Thread-safe.

#include <cstdint>
#include <functional>
#include <string_view>

#include "gateway/server/rate_limiter.hpp"

namespace minsheng::gateway {

class auth_throttle {
public:
    // Throws std::invalid_argument unless failures_per_minute >= 1 and a clock is given.
    auth_throttle(int failures_per_minute, std::function<std::int64_t()> now);

    // Whether a request from `peer` may try to authenticate now; when not, how long to wait.
    // Spends nothing.
    rate_limiter::decision admit(std::string_view peer);
    // Records a failed authentication from `peer`.
    void failed(std::string_view peer);

private:
    rate_limiter failures_;  // one bucket per address
};

}  // namespace minsheng::gateway
