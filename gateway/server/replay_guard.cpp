#include "gateway/server/replay_guard.hpp"

#include <algorithm>
#include <stdexcept>

namespace minsheng::gateway {

replay_guard::replay_guard(std::size_t capacity, std::int64_t window)
    : capacity_(capacity), window_(window) {
    if (capacity < 1) throw std::invalid_argument("replay_guard: capacity must be at least 1");
    if (window < 1) throw std::invalid_argument("replay_guard: window must be at least 1 second");
}

void replay_guard::expire(std::int64_t now) {
    while (!by_expiry_.empty() && by_expiry_.top().first < now) {
        seen_.erase(*by_expiry_.top().second);
        by_expiry_.pop();
    }
}

replay_guard::decision replay_guard::admit(std::string_view key, std::int64_t timestamp,
                                           std::int64_t now) {
    std::lock_guard lock(mu_);
    expire(now);
    std::string k(key);
    if (seen_.contains(k)) return {outcome::replayed, 0};
    if (seen_.size() >= capacity_)
        return {outcome::full, std::max<std::int64_t>(1, by_expiry_.top().first - now + 1)};
    const auto it = seen_.insert(std::move(k)).first;
    by_expiry_.emplace(timestamp + window_, &*it);
    return {};
}

std::size_t replay_guard::size() const {
    std::lock_guard lock(mu_);
    return seen_.size();
}

}  // namespace minsheng::gateway
