#include "dialog/values/iso8601.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "dialog/values/civil_time.hpp"

using namespace minsheng::dialog;

namespace {

// 2026-02-13T02:00:00Z, worked out by hand: 2026-01-01 is day 20454 since 1970, 13 February is
// 43 days later (31 + 12), so day 20497; 20497 × 86400 + 2 × 3600 = 1770948000.
constexpr std::int64_t feb13_10am_china = 1770948000;

}  // namespace

TEST_CASE("ISO-8601 times with an offset parse to the same instant", "[dialog]") {
    for (const char* text :
         {"2026-02-13T10:00:00+08:00", "2026-02-13T02:00:00Z", "2026-02-13T02:00:00+00:00",
          "2026-02-13T02:00:00-00:00", "2026-02-12T21:00:00-05:00", "2026-02-13T02:00:00.000Z",
          "2026-02-13T10:00:00.999999+08:00", "2026-02-13t02:00:00z", "2026-02-13 10:00:00+08:00",
          "2026-02-13T07:30:00+05:30"}) {
        INFO(text);
        const auto t = parse_iso8601(text);
        REQUIRE(t);
        CHECK(*t == feb13_10am_china);
    }
    CHECK(parse_iso8601("2026-02-13T02:00:00.5Z") == feb13_10am_china);    // fraction dropped
    CHECK(parse_iso8601("2026-02-13T01:59:60Z") == feb13_10am_china - 1);  // leap second → :59
    CHECK(parse_iso8601("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_iso8601("1970-01-01T07:59:59+08:00") == -1);
}

TEST_CASE("anything but a full ISO-8601 time with an offset is rejected", "[dialog]") {
    for (const char* bad : {"",
                            "2026-02-13",
                            "2026-02-13T10:00:00",
                            "2026-02-13T10:00+08:00",
                            "2026-02-13T10:00:00+0800",
                            "2026-02-13T10:00:00+08",
                            "2026-02-13T24:00:00Z",
                            "2026-02-13T10:60:00Z",
                            "2026-02-13T10:00:61Z",
                            "2026-02-30T10:00:00Z",
                            "2026-02-13T10:00:00.Z",
                            "2026-02-13T10:00:00+24:00",
                            "2026-02-13T10:00:00+08:60",
                            "2026-02-13T10:00:00Z ",
                            " 2026-02-13T10:00:00Z",
                            "2026-02-13X10:00:00Z",
                            "2026-02-13T10:00:00ZZ",
                            "2026-02-13T1a:00:00Z",
                            "2026-02-13T10:00:00UTC",
                            "2026-02-13T10:00:00+8:00",
                            "yesterday"}) {
        INFO(bad);
        CHECK_FALSE(parse_iso8601(bad));
    }
}

TEST_CASE("no prefix of a timestamp parses except the whole", "[dialog]") {
    // Split at every byte: the parser must neither read past the end nor accept a cut text.
    const std::string full = "2026-02-13T10:00:00.125+08:00";
    for (std::size_t n = 0; n < full.size(); ++n) {
        INFO(n);
        CHECK_FALSE(parse_iso8601(full.substr(0, n)));
    }
    CHECK(parse_iso8601(full) == feb13_10am_china);
}

TEST_CASE("instants format in China time by default, or in any offset", "[dialog]") {
    CHECK(format_iso8601(feb13_10am_china) == "2026-02-13T10:00:00+08:00");
    CHECK(format_iso8601(feb13_10am_china, 0) == "2026-02-13T02:00:00Z");
    CHECK(format_iso8601(feb13_10am_china, -5 * 60) == "2026-02-12T21:00:00-05:00");
    CHECK(format_iso8601(feb13_10am_china, 5 * 60 + 30) == "2026-02-13T07:30:00+05:30");
    CHECK(format_iso8601(0, 0) == "1970-01-01T00:00:00Z");
    CHECK(format_iso8601(-1, 0) == "1969-12-31T23:59:59Z");
    CHECK(format_iso8601(-1) == "1970-01-01T07:59:59+08:00");
    // Round trip through both directions.
    const auto t = parse_iso8601("2026-10-13T23:59:59+08:00");
    REQUIRE(t);
    CHECK(format_iso8601(*t) == "2026-10-13T23:59:59+08:00");
    CHECK(format_iso8601(*t, 0) == "2026-10-13T15:59:59Z");
}
