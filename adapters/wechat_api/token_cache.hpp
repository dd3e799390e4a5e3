#pragma once
// The access_token cache: one cached token, refreshed early, fetched by one caller at a time.
// Thread-safe; share one per appid.
//
//   - A token is used until `usable_until` = start of the fetch + expires_in - a safety margin
//     (min(30 s, expires_in / 10)).
//   - From `refresh_at` = start + expires_in - max(20 % of expires_in, min(5 min,
//     expires_in / 2)) (80 % of 7200 s) the next caller refreshes it while the others keep
//     using the still-valid token; a failed early refresh keeps the old token.
//   - Single flight: callers that find no usable token while a fetch is running wait for that
//     fetch and share its outcome, success or failure; they never start fetches of their own.
//   - After a failed fetch (with no usable token), callers get the same failure without a new
//     fetch until `retry_backoff` has passed.
//   - expire_if(token) is compare-and-expire: it drops the cached token only if it is still the
//     one a call failed with, so a late failure of an old token never discards a fresh one.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "adapters/wechat_api/api_result.hpp"

namespace minsheng::adapters::wechat_api {

// What one fetch from the platform returned.
struct token_grant {
    api_result result;  // result.ok: token and expires_in are set
    std::string token;
    std::chrono::seconds expires_in{0};
};

// What get() hands out: the token, or why there is none.
struct token_lookup {
    api_result result;  // result.ok: token is set
    std::string token;
    bool ok() const { return result.ok; }
};

struct token_policy {
    double refresh_fraction = 0.8;                  // refresh at 80 % of the lifetime...
    std::chrono::seconds refresh_before_end{300};   // ...or 5 minutes before the end
    std::chrono::milliseconds retry_backoff{1000};  // after a failed fetch
    std::chrono::seconds max_safety_margin{30};     // usable_until ends this much early
};

class token_cache {
public:
    using clock = std::chrono::steady_clock;
    using fetch_fn = std::function<token_grant()>;  // must not throw for platform errors
    using now_fn = std::function<clock::time_point()>;

    explicit token_cache(fetch_fn fetch, token_policy p = {}, now_fn now = clock::now);

    // A usable token; may block for one fetch (its own or the one in flight).
    token_lookup get();
    // Drops the cached token if it is `token`; returns whether it did.
    bool expire_if(std::string_view token);
    // Fetches attempted so far (successful or not).
    std::uint64_t fetches() const;

private:
    bool usable(clock::time_point now) const;  // requires mu_

    fetch_fn fetch_;
    token_policy policy_;
    now_fn now_;

    mutable std::mutex mu_;
    std::condition_variable fetched_;
    std::string token_;               // guarded by mu_; empty: none
    clock::time_point usable_until_;  // guarded by mu_
    clock::time_point refresh_at_;    // guarded by mu_
    bool fetching_ = false;           // guarded by mu_
    std::uint64_t fetch_seq_ = 0;     // guarded by mu_: completed fetches
    api_result last_failure_;         // guarded by mu_
    bool last_failed_ = false;        // guarded by mu_
    clock::time_point failed_at_;     // guarded by mu_
};

}  // namespace minsheng::adapters::wechat_api
