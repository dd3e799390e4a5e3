#include "gateway/server/auth_throttle.hpp"

#include <utility>

namespace minsheng::gateway {

auth_throttle::auth_throttle(int failures_per_minute, std::function<std::int64_t()> now)
    : failures_(failures_per_minute, failures_per_minute, std::move(now)) {}

rate_limiter::decision auth_throttle::admit(std::string_view peer) { return failures_.peek(peer); }

void auth_throttle::failed(std::string_view peer) { failures_.take(peer); }

}  // namespace minsheng::gateway
