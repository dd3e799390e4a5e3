#include "gateway/server/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace minsheng::gateway {

rate_limiter::rate_limiter(int per_minute, int burst, std::function<std::int64_t()> now,
                           std::size_t max_keys)
    : per_second_(per_minute / 60.0),
      burst_(burst),
      now_(std::move(now)),
      max_keys_(std::max<std::size_t>(max_keys, 1)) {
    if (per_minute < 1 || burst < 1 || !now_)
        throw std::invalid_argument("rate_limiter: per_minute and burst must be >= 1");
}

double rate_limiter::refilled(const bucket& b, std::int64_t now) const {
    // A clock moved backwards refills nothing rather than draining the bucket.
    const auto elapsed = static_cast<double>(std::max<std::int64_t>(0, now - b.at));
    return std::min(burst_, b.tokens + elapsed * per_second_);
}

rate_limiter::decision rate_limiter::refusal(double tokens) const {
    const double wait = (1.0 - tokens) / per_second_;
    return {false, std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)))};
}

void rate_limiter::prune(std::int64_t now) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
        it = refilled(it->second, now) >= burst_ ? buckets_.erase(it) : std::next(it);
}

rate_limiter::decision rate_limiter::peek(std::string_view key) {
    const std::int64_t now = now_();
    std::lock_guard lock(mu_);
    auto it = buckets_.find(std::string(key));
    if (it == buckets_.end()) return {};
    const double tokens = refilled(it->second, now);
    return tokens >= 1.0 ? decision{} : refusal(tokens);
}

rate_limiter::decision rate_limiter::take(std::string_view key) {
    const std::int64_t now = now_();
    std::lock_guard lock(mu_);
    auto it = buckets_.find(std::string(key));
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_keys_) prune(now);
        it = buckets_.emplace(std::string(key), bucket{burst_, now}).first;
    }
    bucket& b = it->second;
    b.tokens = refilled(b, now);
    b.at = std::max(b.at, now);
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return {};
    }
    return refusal(b.tokens);
}

}  // namespace minsheng::gateway
