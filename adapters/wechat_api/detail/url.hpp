#pragma once
// The base URL of the API and query-string encoding. Pure functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng::adapters::wechat_api::detail {

struct base_url {
    bool tls = false;
    std::string host;    // without brackets for an IPv6 literal
    std::string port;    // always set: "443" / "80" when the URL has none
    std::string prefix;  // path prefix without a trailing '/', often empty
    bool default_port = true;
};

// "http(s)://host[:port][/prefix]"; nullopt for anything else (userinfo, query, fragment,
// other schemes, an empty host, a port outside 1..65535).
std::optional<base_url> parse_base_url(std::string_view url);

// The Host header value: host, or host:port for a non-default port; IPv6 literals bracketed.
std::string host_header(const base_url& u);

// True when host is an IPv4 or IPv6 literal (no SNI is sent for those; RFC 6066 §3).
bool is_ip_literal(std::string_view host);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);

// "k1=v1&k2=v2" in the order given, values percent-encoded.
std::string make_query(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace minsheng::adapters::wechat_api::detail
