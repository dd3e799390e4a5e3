#pragma once
// The signed links that open a grid worker's orders on the mobile page (/grid/, docs/grid-page.md):
// a token carries the worker's person key (their WeChat identity, `wechat_oa:<openid>`) and an
// expiry, signed with HMAC-SHA256 under a key derived from the deployment's keying secret. It is
// bound to the person, not to one order: it opens *their* orders, whichever they are when used,
// and every use checks again that the person is still a bound, active grid worker.
//
// Immutable after construction: share freely.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::gateway::grid_page {

class grid_links {
public:
    // `secret`: the deployment's keying secret (at least 16 bytes; std::invalid_argument
    // otherwise); `public_url`: where residents' and workers' browsers reach the gateway
    // ("https://host[/prefix]", "" when unknown: no links are made); `ttl_seconds` >= 60.
    grid_links(std::string_view secret, std::string public_url, std::int64_t ttl_seconds);

    // A token for `person_key`, valid until now + ttl.
    std::string token_for(std::string_view person_key, std::int64_t now) const;
    // The person key a token was made for, when its signature is right and it has not expired;
    // nullopt for anything else (malformed, tampered, signed under another secret, expired).
    std::optional<std::string> person_of(std::string_view token, std::int64_t now) const;
    // "<public_url>/grid/#/order/<number>?t=<token>"; "" when no public URL is configured.
    std::string link_for(std::string_view person_key, std::string_view number,
                         std::int64_t now) const;
    bool enabled() const { return !public_url_.empty(); }
    std::int64_t ttl_seconds() const { return ttl_; }

private:
    std::string mac(std::string_view payload) const;

    std::string key_;  // HMAC key derived from the keying secret, for these links only
    std::string public_url_;
    std::int64_t ttl_;
};

}  // namespace minsheng::gateway::grid_page
