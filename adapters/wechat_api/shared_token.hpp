#pragma once
// The access token shared by several processes (gateways on one PostgreSQL database), under
// each process's token_cache as its fetch function, so that N gateways fetch one token instead
// of replacing each other's (GET /cgi-bin/token invalidates the previous token; a gateway still
// sending with it gets 40001, fetches again and invalidates the other's: a 40001 storm).
//
// shared_fetch(), called by token_cache for a (re)fetch:
//   - the shared value has at least `refresh_below` left: it is the answer, WeChat is not asked;
//   - it is still usable (at least `min_remaining` left) but due for a refresh: the process that
//     gets the fetch lease refreshes it (a failed refresh hands out the old value); the others
//     hand out the old value;
//   - there is none usable: the process that gets the lease fetches and publishes; the others
//     poll the row every `poll` for up to `wait` (taking the lease over if the fetcher gave up or
//     its lease ended), then fetch on their own.
// A token WeChat refused is expired in the shared row too, compare-and-expire (expire_if), so a
// late 40001 for an old token never discards the newer one another gateway published.
// A failure of the shared store itself (an exception from token_share) falls back to fetching
// from WeChat directly: delivery goes on, with today's per-process behaviour.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "adapters/wechat_api/token_cache.hpp"

namespace minsheng::adapters::wechat_api {

// The shared row of one appid's token (implemented over the database by the gateway).
// Times are unix seconds. May throw for a failure of the store.
class token_share {
public:
    struct value {
        std::string token;
        std::int64_t expires_at = 0;
    };
    virtual ~token_share() = default;
    virtual std::optional<value> current(std::int64_t now) = 0;
    // The lease, unless another holds it or the value is valid until fresh_until already.
    virtual bool try_begin_fetch(std::int64_t now, std::int64_t lease_seconds,
                                 std::int64_t fresh_until) = 0;
    virtual void abandon_fetch() = 0;
    virtual void publish(const std::string& token, std::int64_t expires_at) = 0;
    virtual bool expire_if(const std::string& token) = 0;
};

struct share_policy {
    std::chrono::seconds min_remaining{30};   // token_policy's max_safety_margin
    std::chrono::seconds refresh_below{300};  // one process refreshes a value with less left
    std::chrono::seconds lease{15};           // how long a fetcher holds the lease (>= a fetch)
    std::chrono::milliseconds poll{100};
    std::chrono::milliseconds wait{5000};
    std::function<std::int64_t()> now;  // unix seconds; null: the system clock
};

// A fetch for token_cache: the shared value, or `platform`'s grant (published) as above.
token_grant shared_fetch(token_share& share, const std::function<token_grant()>& platform,
                         const share_policy& policy);

}  // namespace minsheng::adapters::wechat_api
