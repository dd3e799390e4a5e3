#include "adapters/wechat_api/shared_token.hpp"

#include <thread>

namespace minsheng::adapters::wechat_api {
namespace {

std::int64_t unix_now(const share_policy& p) {
    if (p.now) return p.now();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

token_grant granted(const token_share::value& v, std::int64_t now) {
    token_grant g;
    g.result.ok = true;
    g.token = v.token;
    g.expires_in = std::chrono::seconds(v.expires_at - now);
    return g;
}

bool is_good(const token_grant& g) {
    return g.result.ok && !g.token.empty() && g.expires_in.count() > 0;
}

// Publishes a good grant, gives the lease up otherwise. A failure of the store here costs the
// other processes one fetch of their own; the grant is good all the same.
void publish_or_abandon(token_share& share, const token_grant& grant, std::int64_t started) {
    try {
        if (is_good(grant)) {
            share.publish(grant.token, started + grant.expires_in.count());
        } else {
            share.abandon_fetch();
        }
    } catch (const std::exception&) {
        // See above.
    }
}

// `platform` is called at most once; `asked` says whether it was.
token_grant shared_or_throw(token_share& share, const std::function<token_grant()>& platform_fn,
                            const share_policy& p, bool& asked) {
    const auto platform = [&] {
        asked = true;
        return platform_fn();
    };
    const auto fetch_and_publish = [&](std::int64_t started) {
        auto grant = platform();
        publish_or_abandon(share, grant, started);
        return grant;
    };
    const auto now = unix_now(p);
    const auto min_left = p.min_remaining.count();
    const auto refresh_below = p.refresh_below.count();
    const auto lease = p.lease.count();
    if (auto v = share.current(now); v && v->expires_at - now >= min_left) {
        if (v->expires_at - now >= refresh_below) return granted(*v, now);
        // Usable but due: one process refreshes; a failed refresh keeps the old value.
        if (share.try_begin_fetch(now, lease, now + refresh_below)) {
            auto grant = fetch_and_publish(now);
            if (is_good(grant)) return grant;
        } else if (auto w = share.current(now); w && w->expires_at > v->expires_at) {
            return granted(*w, now);  // refreshed by another process meanwhile
        }
        return granted(*v, now);
    }
    // None usable: one process fetches, the others wait for its value (and take the lease over
    // if the fetcher gives up or its lease ends). A value published between our read and our
    // try is not fetched again: the lease is only for a value that is not valid.
    const auto until = std::chrono::steady_clock::now() + p.wait;
    for (;;) {
        const auto t = unix_now(p);
        if (share.try_begin_fetch(t, lease, t + min_left)) return fetch_and_publish(t);
        if (auto v = share.current(t); v && v->expires_at - t >= min_left) return granted(*v, t);
        if (std::chrono::steady_clock::now() >= until) break;
        std::this_thread::sleep_for(p.poll);
    }
    // The fetcher is stuck (or WeChat slow): fetch on our own rather than fail the sends.
    const auto t = unix_now(p);
    auto grant = platform();
    if (is_good(grant)) publish_or_abandon(share, grant, t);
    return grant;
}

}  // namespace

token_grant shared_fetch(token_share& share, const std::function<token_grant()>& platform,
                         const share_policy& policy) {
    bool asked = false;
    try {
        return shared_or_throw(share, platform, policy, asked);
    } catch (const std::exception&) {
        if (asked) throw;  // the platform's own exception
        // The shared store failed; the platform is still there.
        return platform();
    }
}

}  // namespace minsheng::adapters::wechat_api
