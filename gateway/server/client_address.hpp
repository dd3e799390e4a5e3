#pragma once
// Whose request it is, as the per-address limits and throttles count it. Behind a reverse proxy
// or a load balancer every connection comes from the proxy: with `[limits] trusted_proxies` the
// gateway reads X-Forwarded-For, but only as far as the hops it trusts appended it (the
// rightmost address that is not a trusted proxy is the client; what the client itself wrote to
// the left of it counts for nothing). Pure functions; thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::gateway {

// An IPv4 or IPv6 network: "10.0.0.0/8", "fd00::/8", or one address ("192.0.2.7", "::1").
struct ip_network {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d)
    unsigned prefix = 128;                 // in bits of the 16 bytes
    bool contains(const std::array<std::uint8_t, 16>& address) const;
};

// nullopt when `text` is not an address or network (a prefix beyond 32 for IPv4, 128 for IPv6,
// host bits set are allowed and ignored).
std::optional<ip_network> parse_network(std::string_view text);

// The address of an IPv4 or IPv6 address text as 16 bytes (IPv4-mapped); nullopt if it is none.
std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view text);

// The client's address: `peer` when no network in `trusted` contains it; else the rightmost
// entry of `forwarded_for` (X-Forwarded-For, every such header joined by ",") outside `trusted`,
// walking left over trusted hops; the nearest trusted hop when an entry is not an address; the
// leftmost when every entry is trusted.
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<ip_network>& trusted);

}  // namespace minsheng::gateway
