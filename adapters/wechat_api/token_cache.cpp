#include "adapters/wechat_api/token_cache.hpp"

#include <algorithm>
#include <utility>

namespace minsheng::adapters::wechat_api {
namespace {

token_lookup found(const std::string& token) {
    token_lookup out;
    out.result.ok = true;
    out.token = token;
    return out;
}

}  // namespace

token_cache::token_cache(fetch_fn fetch, token_policy p, now_fn now)
    : fetch_(std::move(fetch)), policy_(p), now_(std::move(now)) {}

bool token_cache::usable(clock::time_point now) const {
    return !token_.empty() && now < usable_until_;
}

token_lookup token_cache::get() {
    std::unique_lock lock(mu_);
    for (;;) {
        const auto now = now_();
        const bool have = usable(now);
        const bool backing_off = last_failed_ && now - failed_at_ < policy_.retry_backoff;
        if (have && (now < refresh_at_ || fetching_ || backing_off)) return found(token_);
        if (!have && fetching_) {
            // Single flight: wait for the fetch in progress and share its outcome.
            const auto seq = fetch_seq_;
            fetched_.wait(lock, [&] { return fetch_seq_ != seq; });
            if (usable(now_())) return found(token_);
            if (last_failed_) return {last_failure_, {}};
            continue;  // expired again meanwhile
        }
        if (!have && backing_off) return {last_failure_, {}};

        // This caller fetches.
        fetching_ = true;
        const auto started = now;
        lock.unlock();
        token_grant grant;
        try {
            grant = fetch_();
        } catch (...) {
            lock.lock();
            fetching_ = false;
            ++fetch_seq_;
            fetched_.notify_all();
            throw;
        }
        lock.lock();
        fetching_ = false;
        ++fetch_seq_;
        if (grant.result.ok && !grant.token.empty() && grant.expires_in.count() > 0) {
            using std::chrono::duration_cast;
            const auto life = duration_cast<clock::duration>(grant.expires_in);
            const auto margin = std::min<clock::duration>(policy_.max_safety_margin, life / 10);
            const auto early = std::max<clock::duration>(
                duration_cast<clock::duration>(life * (1.0 - policy_.refresh_fraction)),
                std::min<clock::duration>(policy_.refresh_before_end, life / 2));
            token_ = std::move(grant.token);
            usable_until_ = started + life - margin;
            refresh_at_ = started + life - early;
            last_failed_ = false;
        } else {
            last_failure_ = grant.result;
            if (last_failure_.ok) {  // ok but no token: the fetcher's contract was broken
                last_failure_.ok = false;
                last_failure_.kind = failure::bad_response;
                last_failure_.errmsg = "no access_token in the answer";
            }
            last_failure_.token_failure = true;
            last_failed_ = true;
            failed_at_ = now_();
        }
        fetched_.notify_all();
        if (usable(now_())) return found(token_);
        return {last_failure_, {}};
    }
}

bool token_cache::expire_if(std::string_view token) {
    std::lock_guard lock(mu_);
    if (token.empty() || token_ != token) return false;
    token_.clear();
    return true;
}

std::uint64_t token_cache::fetches() const {
    std::lock_guard lock(mu_);
    return fetch_seq_;
}

}  // namespace minsheng::adapters::wechat_api
