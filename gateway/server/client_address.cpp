#include "gateway/server/client_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace minsheng::gateway {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The address's text as the limits key it ("::ffff:10.0.0.1" and "10.0.0.1" are one client).
std::string key_of(const boost::asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).to_string();
    return a.to_string();
}

std::optional<boost::asio::ip::address> address_of(std::string_view text) {
    text = trim(text);
    // "[2001:db8::1]" as some proxies write IPv6.
    if (text.size() > 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() > 64) return std::nullopt;
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return a;
}

std::array<std::uint8_t, 16> bytes_of(const boost::asio::ip::address& a) {
    if (a.is_v4())
        return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4()).to_bytes();
    return a.to_v6().to_bytes();
}

}  // namespace

bool ip_network::contains(const std::array<std::uint8_t, 16>& address) const {
    unsigned left = prefix;
    for (std::size_t i = 0; i < 16 && left > 0; ++i) {
        const unsigned take = left >= 8 ? 8 : left;
        const auto mask = static_cast<std::uint8_t>(0xFF << (8 - take));
        if ((address[i] & mask) != (bytes[i] & mask)) return false;
        left -= take;
    }
    return true;
}

std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view text) {
    auto a = address_of(text);
    if (!a) return std::nullopt;
    return bytes_of(*a);
}

std::optional<ip_network> parse_network(std::string_view text) {
    text = trim(text);
    const auto slash = text.find('/');
    auto a = address_of(text.substr(0, slash));
    if (!a) return std::nullopt;
    ip_network n;
    n.bytes = bytes_of(*a);
    const unsigned max = a->is_v4() ? 32 : 128;
    unsigned bits = max;
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
        if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
            bits > max)
            return std::nullopt;
    }
    n.prefix = a->is_v4() ? 96 + bits : bits;
    return n;
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<ip_network>& trusted) {
    const auto is_trusted = [&](const boost::asio::ip::address& a) {
        const auto b = bytes_of(a);
        for (const auto& n : trusted)
            if (n.contains(b)) return true;
        return false;
    };
    const auto from = address_of(peer);
    if (trusted.empty() || !from || !is_trusted(*from)) return std::string(peer);
    std::string nearest = key_of(*from);
    while (!forwarded_for.empty()) {
        const auto comma = forwarded_for.rfind(',');
        const std::string_view entry =
            comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
        forwarded_for =
            comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
        if (trim(entry).empty()) continue;
        const auto hop = address_of(entry);
        if (!hop) return nearest;  // not written by a proxy we trust: stop at the one that did
        nearest = key_of(*hop);
        if (!is_trusted(*hop)) return nearest;
    }
    return nearest;
}

}  // namespace minsheng::gateway
