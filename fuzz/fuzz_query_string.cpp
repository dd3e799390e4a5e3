// The query-string / form decoder every route shares (adapters/http/query_string.hpp): the
// input is used as a query, as a request target and as a number.
// Contracts: nothing throws; a decoded query encoded and decoded again is the same map;
// split_target cuts at the first '?' and decodes the rest like decode_query; whole_number
// accepts only [-]digits, in range, and gives their value.
// The input is also an X-Forwarded-For header (gateway/server/client_address.hpp): nothing
// throws; from an untrusted peer the answer is the peer; from a trusted one it is an address
// (the header's or the peer's), and "10.0.0.1" itself only when the header names it or names
// nothing usable; the input as a network either fails or contains its own address.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "adapters/http/query_string.hpp"
#include "fuzz/fuzz_support.hpp"
#include "gateway/server/client_address.hpp"

namespace http = minsheng::adapters::http;

namespace {

void check_number(std::string_view text, std::int64_t lo, std::int64_t hi) {
    const auto n = http::whole_number(text, lo, hi);
    if (!n) return;
    FUZZ_CHECK(*n >= lo && *n <= hi);
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
    FUZZ_CHECK(!digits.empty());
    for (char c : digits) FUZZ_CHECK(c >= '0' && c <= '9');
    // The same value, whatever leading zeros the text had ("-0" is 0).
    const std::string_view trimmed =
        digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
    const std::string expected =
        trimmed.empty() ? "0" : (text.front() == '-' ? "-" : "") + std::string(trimmed);
    FUZZ_CHECK(std::to_string(*n) == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in = minsheng::fuzz::as_view(data, size);

    const auto q = http::decode_query(in);
    if (q) {
        const std::string encoded = http::encode_query(*q);
        const auto again = http::decode_query(encoded);
        FUZZ_CHECK(again.has_value());
        FUZZ_CHECK(*again == *q);
        FUZZ_CHECK(http::encode_query(*again) == encoded);
        // Encoding leaves only unreserved characters, '%', '=' and '&'.
        for (char c : encoded)
            FUZZ_CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || c == '=' ||
                       c == '&');
    }

    const auto [path, query] = http::split_target(in);
    const auto qm = in.find('?');
    FUZZ_CHECK(path == in.substr(0, qm));
    if (qm == std::string_view::npos) {
        FUZZ_CHECK(query.has_value() && query->empty());
    } else {
        FUZZ_CHECK(query == http::decode_query(in.substr(qm + 1)));
    }

    check_number(in, std::numeric_limits<std::int64_t>::min(),
                 std::numeric_limits<std::int64_t>::max());
    check_number(in, 0, 65535);
    check_number(in, -300, 300);

    namespace gw = minsheng::gateway;
    static const std::vector<gw::ip_network> trusted = {*gw::parse_network("10.0.0.0/8"),
                                                        *gw::parse_network("fd00::/8")};
    FUZZ_CHECK(gw::client_address("192.0.2.1", in, trusted) == "192.0.2.1");
    const std::string client = gw::client_address("10.0.0.1", in, trusted);
    FUZZ_CHECK(gw::parse_address(client).has_value());
    if (const auto n = gw::parse_network(in)) {
        const auto slash = in.find('/');
        const auto own = gw::parse_address(in.substr(0, slash));
        FUZZ_CHECK(own.has_value() && n->contains(*own));
    }
    return 0;
}
