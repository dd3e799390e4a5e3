#include "dialog/values/civil_time.hpp"
#include "dialog/values/iso8601.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace minsheng::dialog;

namespace {

civil_date date(const char* text) {
    const auto d = parse_date(text);
    REQUIRE(d);
    return *d;
}

}  // namespace

TEST_CASE("dates parse only as YYYY-MM-DD of a real day", "[dialog]") {
    CHECK(format_date(date("2026-02-13")) == "2026-02-13");
    CHECK(format_date(date("2028-02-29")) == "2028-02-29");  // 2028 is a leap year
    CHECK(format_date(date("0001-01-01")) == "0001-01-01");
    CHECK(format_date(date("9999-12-31")) == "9999-12-31");
    for (const char* bad : {"2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00",
                            "2026-1-05", "2026/01/05", "20260105", "2026-01-05 ", " 2026-01-05",
                            "0000-01-01", "2026-01-0x", "", "2026-01-5x"}) {
        INFO(bad);
        CHECK_FALSE(parse_date(bad));
    }
}

TEST_CASE("day numbers count from 1970-01-01 both ways", "[dialog]") {
    CHECK(day_number(date("1970-01-01")) == 0);
    CHECK(day_number(date("1969-12-31")) == -1);
    // 2026-01-01: 56 years after 1970 with 14 leap days (1972..2024) → 56 × 365 + 14 = 20454.
    CHECK(day_number(date("2026-01-01")) == 20454);
    CHECK(format_date(date_of_day_number(20454)) == "2026-01-01");
    CHECK(format_date(date_of_day_number(-1)) == "1969-12-31");
}

TEST_CASE("weekdays of 2026 holiday edges are as the schedule says", "[dialog]") {
    // 2026-01-01 is a Thursday; the rest follow by counting days from it.
    CHECK(weekday_name(date("2026-01-01")) == "Thu");
    CHECK(weekday_name(date("2026-01-04")) == "Sun");
    CHECK(weekday_name(date("2026-02-14")) == "Sat");
    CHECK(weekday_name(date("2026-02-28")) == "Sat");
    CHECK(weekday_name(date("2026-05-09")) == "Sat");
    CHECK(weekday_name(date("2026-09-20")) == "Sun");
    CHECK(weekday_name(date("2026-10-10")) == "Sat");
    CHECK(weekday_name(date("2027-01-01")) == "Fri");
    CHECK(is_weekend(date("2026-02-14")));
    CHECK(is_weekend(date("2026-01-04")));
    CHECK_FALSE(is_weekend(date("2026-02-13")));
}

TEST_CASE("the China date of an instant is its date at UTC+08:00", "[dialog]") {
    // 2026-12-31T20:00:00Z = 2027-01-01T04:00:00+08:00.
    const std::int64_t unix = day_number(date("2026-12-31")) * 86400 + 20 * 3600;
    CHECK(format_date(china_date(unix)) == "2027-01-01");
    CHECK(china_second_of_day(unix) == 4 * 3600);
    // 2026-12-31T15:59:59Z = 23:59:59 China time, still 31 December.
    CHECK(format_date(china_date(unix - 4 * 3600 - 1)) == "2026-12-31");
    CHECK(china_second_of_day(unix - 4 * 3600 - 1) == 86399);
    CHECK(china_unix(date("2027-01-01"), 4 * 3600) == unix);
    // Before 1970 the division must round down: 1969-12-31T15:00:00Z = 23:00 China time.
    CHECK(format_date(china_date(-9 * 3600)) == "1969-12-31");
    CHECK(china_second_of_day(-9 * 3600) == 23 * 3600);
}

TEST_CASE("adding months keeps the day or falls back to the month's last day", "[dialog]") {
    CHECK(format_date(add_months_clamped(date("2026-08-31"), 6)) == "2027-02-28");
    CHECK(format_date(add_months_clamped(date("2027-08-31"), 6)) == "2028-02-29");
    CHECK(format_date(add_months_clamped(date("2026-05-31"), 6)) == "2026-11-30");
    CHECK(format_date(add_months_clamped(date("2026-01-15"), 6)) == "2026-07-15");
    CHECK(format_date(add_months_clamped(date("2026-07-31"), 6)) == "2027-01-31");
    CHECK(format_date(add_months_clamped(date("2026-12-31"), 2)) == "2027-02-28");
    CHECK(format_date(add_months_clamped(date("2026-03-30"), 11)) == "2027-02-28");
}

TEST_CASE("supported instants are those whose China date is in years 1 to 9999", "[dialog]") {
    const auto first = china_unix(date("0001-01-01"), 0);
    const auto last = china_unix(date("9999-12-31"), 86399);
    CHECK(supports(first));
    CHECK(supports(last));
    CHECK_FALSE(supports(first - 1));
    CHECK_FALSE(supports(last + 1));
    CHECK_FALSE(supports(INT64_MAX));
    CHECK_FALSE(supports(INT64_MIN));
}

TEST_CASE("china_month is the China-time calendar month around an instant", "[cases]") {
    // 2026-11-30T23:30:00+08:00 is still November in China (15:30 UTC).
    auto [since, until] = china_month(*parse_iso8601("2026-11-30T23:30:00+08:00"));
    CHECK(format_iso8601(since) == "2026-11-01T00:00:00+08:00");
    CHECK(format_iso8601(until) == "2026-12-01T00:00:00+08:00");
    // 2026-12-31T16:30:00Z is already January 2027 in China.
    auto [jan, feb] = china_month(*parse_iso8601("2026-12-31T16:30:00Z"));
    CHECK(format_iso8601(jan) == "2027-01-01T00:00:00+08:00");
    CHECK(format_iso8601(feb) == "2027-02-01T00:00:00+08:00");
}
