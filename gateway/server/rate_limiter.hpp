#pragma once
// Token buckets keyed by a string (an openid; "" for one global bucket): each key may spend
// `burst` requests at once and gets `per_minute` back per minute. Time comes from the injected
// clock (the app's, so tests can move it). Memory is bounded: when more than max_keys buckets
// exist, full ones (idle long enough to be refilled) are dropped, as they are no different from
// a new key. Thread-safe: one mutex, held only for the arithmetic.

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace minsheng::gateway {

class rate_limiter {
public:
    struct decision {
        bool allowed = true;
        std::int64_t retry_after_seconds = 0;  // when refused: until one token is back (>= 1)
    };

    // Throws std::invalid_argument unless per_minute >= 1 and burst >= 1, and a clock is given.
    rate_limiter(int per_minute, int burst, std::function<std::int64_t()> now,
                 std::size_t max_keys = 100000);

    // Spends one token of `key`'s bucket if it has one.
    decision take(std::string_view key);
    // What take(key) would decide now, spending nothing (and keeping no bucket for a new key).
    decision peek(std::string_view key);

private:
    struct bucket {
        double tokens = 0.0;
        std::int64_t at = 0;  // when `tokens` was computed
    };
    double refilled(const bucket& b, std::int64_t now) const;
    // A refusal for a bucket holding `tokens` (< 1): until one token is back.
    decision refusal(double tokens) const;
    void prune(std::int64_t now);

    const double per_second_;
    const double burst_;
    const std::function<std::int64_t()> now_;
    const std::size_t max_keys_;
    std::mutex mu_;
    std::unordered_map<std::string, bucket> buckets_;  // guarded by mu_
};

}  // namespace minsheng::gateway
