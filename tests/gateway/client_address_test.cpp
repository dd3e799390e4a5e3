// Whose request it is behind a trusted proxy (gateway/server/client_address.hpp).

#include "gateway/server/client_address.hpp"

#include <catch2/catch.hpp>

using namespace minsheng::gateway;

namespace {

std::vector<ip_network> nets(std::initializer_list<const char*> texts) {
    std::vector<ip_network> out;
    for (const char* t : texts) {
        auto n = parse_network(t);
        REQUIRE(n);
        out.push_back(*n);
    }
    return out;
}

}  // namespace

TEST_CASE("networks parse as addresses with prefixes, IPv4 and IPv6", "[gateway]") {
    const auto ten = *parse_network("10.0.0.0/8");
    CHECK(ten.contains(*parse_address("10.200.3.4")));
    CHECK_FALSE(ten.contains(*parse_address("11.0.0.1")));
    CHECK(ten.contains(*parse_address("::ffff:10.1.1.1")));  // the same address, mapped
    const auto one = *parse_network("192.0.2.7");
    CHECK(one.contains(*parse_address("192.0.2.7")));
    CHECK_FALSE(one.contains(*parse_address("192.0.2.8")));
    const auto v6 = *parse_network("fd00::/8");
    CHECK(v6.contains(*parse_address("fd12:3456::1")));
    CHECK_FALSE(v6.contains(*parse_address("fe80::1")));
    CHECK(parse_network("0.0.0.0/0")->contains(*parse_address("203.0.113.9")));
    for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0",
                            "example.org", "10.0.0.0/8/8", "10.0.0.0/-1"})
        CHECK_FALSE(parse_network(bad));
}

TEST_CASE("behind trusted proxies the client is the rightmost address they did not write",
          "[gateway]") {
    const auto trusted = nets({"10.0.0.0/8", "::1"});
    // No trusted proxies, or a peer that is none of them: the peer, whatever the header says.
    CHECK(client_address("10.0.0.5", "198.51.100.7", {}) == "10.0.0.5");
    CHECK(client_address("203.0.113.9", "198.51.100.7", trusted) == "203.0.113.9");
    // From a trusted proxy: the hop it appended.
    CHECK(client_address("10.0.0.5", "198.51.100.7", trusted) == "198.51.100.7");
    CHECK(client_address("::1", "198.51.100.7", trusted) == "198.51.100.7");
    // What the client wrote itself, to the left, counts for nothing.
    CHECK(client_address("10.0.0.5", "1.2.3.4, 198.51.100.7", trusted) == "198.51.100.7");
    CHECK(client_address("10.0.0.5", "1.2.3.4,198.51.100.7", trusted) == "198.51.100.7");
    // Two proxies in a row: past the trusted hop to the client.
    CHECK(client_address("10.0.0.5", "198.51.100.7, 10.0.0.9", trusted) == "198.51.100.7");
    // A hop that is no address: the nearest trusted proxy, never the junk.
    CHECK(client_address("10.0.0.5", "198.51.100.7, unknown", trusted) == "10.0.0.5");
    CHECK(client_address("10.0.0.5", "198.51.100.7, 10.0.0.9, x", trusted) == "10.0.0.5");
    CHECK(client_address("10.0.0.5", "garbage, 10.0.0.9", trusted) == "10.0.0.9");
    // No header, or only trusted hops: the proxy nearest the client.
    CHECK(client_address("10.0.0.5", "", trusted) == "10.0.0.5");
    CHECK(client_address("10.0.0.5", "10.0.0.8, 10.0.0.9", trusted) == "10.0.0.8");
    // IPv6 as proxies write it; an IPv4 client mapped into IPv6 is the IPv4 one.
    CHECK(client_address("10.0.0.5", "[2001:db8::7]", trusted) == "2001:db8::7");
    CHECK(client_address("10.0.0.5", "::ffff:198.51.100.7", trusted) == "198.51.100.7");
    CHECK(client_address("::ffff:10.0.0.5", "198.51.100.7", trusted) == "198.51.100.7");
    // Empty entries are skipped.
    CHECK(client_address("10.0.0.5", "198.51.100.7, ,", trusted) == "198.51.100.7");
}
