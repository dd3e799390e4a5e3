#include "dialog/cases/working_hours.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "dialog/values/iso8601.hpp"

using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;

namespace {

const working_calendar& shipped() {
    static const auto cal = working_calendar::load(MINSHENG_SOURCE_DIR "/calendar");
    return cal;
}

std::int64_t at(const char* iso) {
    const auto t = parse_iso8601(iso);
    REQUIRE(t);
    return *t;
}

bool in(const char* iso) { return working_hours::standard().in_working_hours(shipped(), at(iso)); }

std::string next(const char* iso) {
    return format_iso8601(working_hours::standard().next_working_time(shipped(), at(iso)));
}

}  // namespace

TEST_CASE("standard working hours include each opening and exclude each closing second",
          "[dialog]") {
    // Tue 24 Feb 2026, an ordinary working day.
    CHECK_FALSE(in("2026-02-24T08:29:59+08:00"));
    CHECK(in("2026-02-24T08:30:00+08:00"));
    CHECK(in("2026-02-24T11:59:59+08:00"));
    CHECK_FALSE(in("2026-02-24T12:00:00+08:00"));
    CHECK_FALSE(in("2026-02-24T13:59:59+08:00"));
    CHECK(in("2026-02-24T14:00:00+08:00"));
    CHECK(in("2026-02-24T17:29:59+08:00"));
    CHECK_FALSE(in("2026-02-24T17:30:00+08:00"));
    CHECK_FALSE(in("2026-02-24T00:00:00+08:00"));
    CHECK_FALSE(in("2026-02-24T23:59:59+08:00"));
    // The same instants written in UTC: 00:30Z is 08:30 China time.
    CHECK(in("2026-02-24T00:30:00Z"));
    CHECK_FALSE(in("2026-02-24T00:29:59Z"));
    CHECK_FALSE(in("2026-02-24T09:30:00Z"));  // 17:30 China time
}

TEST_CASE("working hours follow the calendar: make-up days yes, holidays and weekends no",
          "[dialog]") {
    CHECK(in("2026-02-14T09:00:00+08:00"));        // Sat, make-up day
    CHECK_FALSE(in("2026-02-16T09:00:00+08:00"));  // Mon, Spring Festival
    CHECK_FALSE(in("2026-03-01T09:00:00+08:00"));  // Sun
    CHECK(in("2026-10-10T15:00:00+08:00"));        // Sat, make-up day
    CHECK_FALSE(in("2026-10-11T15:00:00+08:00"));  // Sun
}

TEST_CASE("the next working time is the instant itself or the next opening", "[dialog]") {
    // Inside: unchanged.
    CHECK(next("2026-02-24T10:15:30+08:00") == "2026-02-24T10:15:30+08:00");
    CHECK(next("2026-02-24T08:30:00+08:00") == "2026-02-24T08:30:00+08:00");
    // Before the morning, at lunch, after closing.
    CHECK(next("2026-02-24T07:00:00+08:00") == "2026-02-24T08:30:00+08:00");
    CHECK(next("2026-02-24T12:00:00+08:00") == "2026-02-24T14:00:00+08:00");
    CHECK(next("2026-02-24T17:30:00+08:00") == "2026-02-25T08:30:00+08:00");
    // Fri 13 Feb after closing → Sat 14 (make-up); Sat 14 after closing → Tue 24 (15–23 off).
    CHECK(next("2026-02-13T17:30:00+08:00") == "2026-02-14T08:30:00+08:00");
    CHECK(next("2026-02-14T17:30:00+08:00") == "2026-02-24T08:30:00+08:00");
    // During National Day → Thu 8 Oct.
    CHECK(next("2026-10-03T11:00:00+08:00") == "2026-10-08T08:30:00+08:00");
    // Input in UTC: 2026-09-30T09:30:00Z is 17:30 China time on Wed 30 Sep → Thu 8 Oct.
    CHECK(next("2026-09-30T09:30:00Z") == "2026-10-08T08:30:00+08:00");
}

TEST_CASE("working hours are configurable and validated", "[dialog]") {
    const auto hours = working_hours::parse("09:00-12:00, 13:30-18:00");
    REQUIRE(hours.intervals().size() == 2);
    CHECK(hours.intervals()[0] == working_hours::interval{9 * 3600, 12 * 3600});
    CHECK(hours.intervals()[1] == working_hours::interval{13 * 3600 + 1800, 18 * 3600});
    CHECK(working_hours::parse("08:30-12:00,14:00-17:30").intervals() ==
          working_hours::standard().intervals());
    const auto all_day = working_hours::parse("00:00-24:00");
    CHECK(all_day.in_working_hours(shipped(), at("2026-02-24T23:59:59+08:00")));
    CHECK(format_iso8601(all_day.next_working_time(shipped(), at("2026-02-15T12:00:00+08:00"))) ==
          "2026-02-24T00:00:00+08:00");
    CHECK(format_iso8601(hours.next_working_time(shipped(), at("2026-02-24T12:30:00+08:00"))) ==
          "2026-02-24T13:30:00+08:00");

    for (const char* bad : {"", "08:30", "08:30-", "8:30-12:00", "08:30-12:00,", "12:00-08:30",
                            "08:30-08:30", "08:30-24:01", "08:60-09:00", "25:00-26:00",
                            "14:00-17:30,08:30-12:00", "08:30-12:00,11:00-13:00", "ab:cd-12:00"}) {
        INFO(bad);
        CHECK_THROWS_AS(working_hours::parse(bad), std::invalid_argument);
    }
    CHECK_THROWS_AS(working_hours({}), std::invalid_argument);
}
