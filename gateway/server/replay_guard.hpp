#pragma once
// The signatures this gateway has let in while they could still be sent again: a request whose
// signature is here is a replay. A signature signed at time t stays until t + window has passed
// (after that the timestamp check refuses it anyway), so an entry is never forgotten while it
// could still get in. Memory is bounded: when `capacity` signatures are inside the window, new
// ones are refused (full) rather than any remembered one dropped. Only verified signatures are
// admitted, so only a holder of a secret can fill it. One process only: several gateways need a
// shared store (docs/hotline.md). Thread-safe: one mutex, held for the bookkeeping only.

#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace minsheng::gateway {

class replay_guard {
public:
    enum class outcome { fresh, replayed, full };
    struct decision {
        outcome result = outcome::fresh;
        std::int64_t retry_after_seconds = 0;  // when full: until the oldest entry leaves (>= 1)
    };

    // Throws std::invalid_argument unless capacity >= 1 and window >= 1 (seconds).
    replay_guard(std::size_t capacity, std::int64_t window);

    // Remembers `key` (the system and the signature's MAC) signed at `timestamp`, unless it was
    // seen before (replayed) or the guard is full; entries whose window has passed at `now` are
    // dropped first.
    decision admit(std::string_view key, std::int64_t timestamp, std::int64_t now);

    std::size_t size() const;

private:
    // (the last second it can get in, the key in seen_: set nodes never move, so the pointer
    // stays good until the key is erased)
    using entry = std::pair<std::int64_t, const std::string*>;
    void expire(std::int64_t now);  // mu_ held

    const std::size_t capacity_;
    const std::int64_t window_;
    mutable std::mutex mu_;
    std::unordered_set<std::string> seen_;                                      // guarded by mu_
    std::priority_queue<entry, std::vector<entry>, std::greater<>> by_expiry_;  // guarded by mu_
};

}  // namespace minsheng::gateway
