#include "dialog/cases/deadline.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "dialog/values/iso8601.hpp"

using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;

// Every expected deadline below was worked out by hand from the 2026 schedule (holidays 1–3 Jan,
// 15–23 Feb, 4–6 Apr, 1–5 May, 19–21 Jun, 25–27 Sep, 1–7 Oct; make-up working days Sun 4 Jan,
// Sat 14 Feb, Sat 28 Feb, Sat 9 May, Sun 20 Sep, Sat 10 Oct), listing the counted days in the
// comment. The filing day never counts.

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

// The deadline under the default policy, as ISO-8601 +08:00 ("none" if there is none).
std::string due(std::string_view kind, const char* filed) {
    const auto d = deadline(shipped(), deadline_policy::defaults(), kind, at(filed));
    return d ? format_iso8601(*d) : "none";
}

}  // namespace

TEST_CASE("a wish filed before the Spring Festival counts the make-up Saturday", "[dialog]") {
    // Fri 13 Feb: Sat 14 (make-up) 1, 15–23 off, Tue 24 2, Wed 25 3, Thu 26 4, Fri 27 5.
    CHECK(due("wish", "2026-02-13T10:00:00+08:00") == "2026-02-27T23:59:59+08:00");
    CHECK(due("wish", "2026-02-13T00:00:00+08:00") == "2026-02-27T23:59:59+08:00");
    CHECK(due("wish", "2026-02-13T23:59:59+08:00") == "2026-02-27T23:59:59+08:00");
    // The same filing day written in other offsets: 16:00Z on the 12th is midnight of the 13th.
    CHECK(due("wish", "2026-02-12T16:00:00Z") == "2026-02-27T23:59:59+08:00");
    CHECK(due("wish", "2026-02-12T11:00:00-05:00") == "2026-02-27T23:59:59+08:00");
    // One second earlier is still Thu 12 Feb in China: Fri 13 1, Sat 14 2, Tue 24 3, Wed 25 4,
    // Thu 26 5.
    CHECK(due("wish", "2026-02-12T15:59:59Z") == "2026-02-26T23:59:59+08:00");
}

TEST_CASE("a wish filed on a make-up Saturday does not count the filing day", "[dialog]") {
    // 2026-02-13T16:00:00Z is Sat 14 Feb 00:00 in China, a working day that still does not count:
    // Tue 24 1, 25 2, 26 3, Fri 27 4, Sat 28 (make-up) 5.
    CHECK(due("wish", "2026-02-13T16:00:00Z") == "2026-02-28T23:59:59+08:00");
    CHECK(due("wish", "2026-02-14T09:00:00+08:00") == "2026-02-28T23:59:59+08:00");
}

TEST_CASE("a wish filed during the Spring Festival starts counting on 24 February", "[dialog]") {
    // Mon 16 Feb (holiday): Tue 24 1, 25 2, 26 3, Fri 27 4, Sat 28 (make-up) 5.
    CHECK(due("wish", "2026-02-16T09:00:00+08:00") == "2026-02-28T23:59:59+08:00");
    // Thu 26 Feb: Fri 27 1, Sat 28 (make-up) 2, Sun 1 Mar off, Mon 2 3, Tue 3 4, Wed 4 5.
    CHECK(due("wish", "2026-02-26T09:00:00+08:00") == "2026-03-04T23:59:59+08:00");
}

TEST_CASE("a wish filed on the make-up Sunday 4 January counts from Monday", "[dialog]") {
    // Sun 4 Jan is a working day but the filing day: Mon 5 1, 6 2, 7 3, 8 4, Fri 9 5.
    CHECK(due("wish", "2026-01-04T15:00:00+08:00") == "2026-01-09T23:59:59+08:00");
    // Wed 31 Dec 2025: 1–3 Jan off, Sun 4 (make-up) 1, Mon 5 2, 6 3, 7 4, Thu 8 5.
    CHECK(due("wish", "2025-12-31T15:00:00+08:00") == "2026-01-08T23:59:59+08:00");
}

TEST_CASE("a wish filed before National Day counts the make-up Saturday after it", "[dialog]") {
    // Wed 30 Sep: 1–7 Oct off, Thu 8 1, Fri 9 2, Sat 10 (make-up) 3, Sun 11 off, Mon 12 4,
    // Tue 13 5.
    CHECK(due("wish", "2026-09-30T10:00:00+08:00") == "2026-10-13T23:59:59+08:00");
    // Thu 24 Sep: 25–27 off, Mon 28 1, Tue 29 2, Wed 30 3, 1–7 Oct off, Thu 8 4, Fri 9 5.
    CHECK(due("wish", "2026-09-24T10:00:00+08:00") == "2026-10-09T23:59:59+08:00");
    // Fri 18 Sep: Sat 19 off, Sun 20 (make-up) 1, Mon 21 2, Tue 22 3, Wed 23 4, Thu 24 5.
    CHECK(due("wish", "2026-09-18T10:00:00+08:00") == "2026-09-24T23:59:59+08:00");
}

TEST_CASE("wishes around Qingming, Labour Day and Dragon Boat skip those holidays", "[dialog]") {
    // Fri 3 Apr: 4–6 off, Tue 7 1, Wed 8 2, Thu 9 3, Fri 10 4, Mon 13 5.
    CHECK(due("wish", "2026-04-03T10:00:00+08:00") == "2026-04-13T23:59:59+08:00");
    // Thu 30 Apr: 1–5 May off, Wed 6 1, Thu 7 2, Fri 8 3, Sat 9 (make-up) 4, Mon 11 5.
    CHECK(due("wish", "2026-04-30T10:00:00+08:00") == "2026-05-11T23:59:59+08:00");
    // Thu 18 Jun: 19–21 off, Mon 22 1, 23 2, 24 3, 25 4, Fri 26 5.
    CHECK(due("wish", "2026-06-18T10:00:00+08:00") == "2026-06-26T23:59:59+08:00");
}

TEST_CASE("the filing day is the China date even when the input is in UTC", "[dialog]") {
    // 2026-12-31T20:00:00Z = Fri 1 Jan 2027 04:00 China time. 2027 is not in the calendar, so
    // Monday–Friday: Mon 4 1, 5 2, 6 3, 7 4, Fri 8 5.
    CHECK(due("wish", "2026-12-31T20:00:00Z") == "2027-01-08T23:59:59+08:00");
    // 2026-12-31T15:59:59Z = Thu 31 Dec 23:59:59 China time: Fri 1 Jan 1, Mon 4 2, 5 3, 6 4,
    // Thu 7 5.
    CHECK(due("wish", "2026-12-31T15:59:59Z") == "2027-01-07T23:59:59+08:00");
}

TEST_CASE("complaints and consultations use their own working-day counts", "[dialog]") {
    // complaint, 15 working days from Fri 13 Feb: Sat 14 1, Tue 24 2, 25 3, 26 4, Fri 27 5,
    // Sat 28 (make-up) 6, Mon 2 Mar 7, 3 8, 4 9, 5 10, Fri 6 11, Mon 9 12, 10 13, 11 14,
    // Thu 12 15.
    CHECK(due("complaint", "2026-02-13T10:00:00+08:00") == "2026-03-12T23:59:59+08:00");
    // consultation, 5 working days: the same days as a wish.
    CHECK(due("consultation", "2026-09-30T10:00:00+08:00") == "2026-10-13T23:59:59+08:00");
}

TEST_CASE("project deadlines fall on the same day six months later", "[dialog]") {
    // 31 Aug + 6 months → 31 Feb 2027 does not exist → 28 Feb (2027 is not a leap year).
    CHECK(due("project", "2026-08-31T10:00:00+08:00") == "2027-02-28T23:59:59+08:00");
    // 31 May + 6 → 31 Nov does not exist → 30 Nov.
    CHECK(due("project", "2026-05-31T10:00:00+08:00") == "2026-11-30T23:59:59+08:00");
    // 31 Aug 2027 + 6 → 29 Feb 2028 (a leap year).
    CHECK(due("project", "2027-08-31T10:00:00+08:00") == "2028-02-29T23:59:59+08:00");
    CHECK(due("project", "2026-02-13T10:00:00+08:00") == "2026-08-13T23:59:59+08:00");
    // A month deadline ignores holidays: 1 Apr + 6 → 1 Oct, National Day.
    CHECK(due("project", "2026-04-01T10:00:00+08:00") == "2026-10-01T23:59:59+08:00");
    // 2026-08-31T16:00:00Z is 1 Sep 00:00 in China → 1 Mar 2027.
    CHECK(due("project", "2026-08-31T16:00:00Z") == "2027-03-01T23:59:59+08:00");
}

TEST_CASE("an unknown kind or an unsupported time has no deadline", "[dialog]") {
    const auto policy = deadline_policy::defaults();
    CHECK_FALSE(deadline(shipped(), policy, "appeal", at("2026-02-13T10:00:00+08:00")));
    CHECK_FALSE(deadline(shipped(), policy, "", at("2026-02-13T10:00:00+08:00")));
    CHECK_FALSE(deadline(shipped(), policy, "Wish", at("2026-02-13T10:00:00+08:00")));
    CHECK_FALSE(deadline(shipped(), policy, "wish", INT64_MAX));
    CHECK_FALSE(deadline(shipped(), policy, "wish", INT64_MIN));
    // The last supported day, but its deadline would be in year 10000.
    CHECK_FALSE(deadline(shipped(), policy, "project", at("9999-12-31T10:00:00+08:00")));
    CHECK(deadline(shipped(), policy, "project", at("9999-06-30T10:00:00+08:00")));
    CHECK_FALSE(deadline(shipped(), deadline_policy{}, "wish", at("2026-02-13T10:00:00+08:00")));
}

TEST_CASE("the default policy is documented and rules can be replaced per kind", "[dialog]") {
    using unit = deadline_rule::unit;
    auto policy = deadline_policy::defaults();
    REQUIRE(policy.rules().size() == 4);
    CHECK(*policy.find("wish") == deadline_rule{unit::working_days, 5});
    CHECK(*policy.find("project") == deadline_rule{unit::months, 6});
    CHECK(*policy.find("complaint") == deadline_rule{unit::working_days, 15});
    CHECK(*policy.find("consultation") == deadline_rule{unit::working_days, 5});
    CHECK(policy.find("appeal") == nullptr);

    policy.set("wish", {unit::working_days, 3});
    // Fri 13 Feb: Sat 14 1, Tue 24 2, Wed 25 3.
    CHECK(format_iso8601(*deadline(shipped(), policy, "wish", at("2026-02-13T10:00:00+08:00"))) ==
          "2026-02-25T23:59:59+08:00");
    policy.set("wish", {unit::months, 1});
    // 31 Jan + 1 month → 28 Feb.
    CHECK(format_iso8601(*deadline(shipped(), policy, "wish", at("2026-01-31T10:00:00+08:00"))) ==
          "2026-02-28T23:59:59+08:00");

    CHECK_THROWS_AS(policy.set("wish", {unit::working_days, 0}), std::invalid_argument);
    CHECK_THROWS_AS(policy.set("wish", {unit::months, max_deadline_months + 1}),
                    std::invalid_argument);
    CHECK_THROWS_AS(policy.set("wish", {unit::working_days, max_deadline_working_days + 1}),
                    std::invalid_argument);
    CHECK_THROWS_AS(policy.set("", {unit::working_days, 5}), std::invalid_argument);
}

TEST_CASE("rules read and write as '5 working days' and '6 months'", "[dialog]") {
    using unit = deadline_rule::unit;
    CHECK(parse_deadline_rule("5 working days") == deadline_rule{unit::working_days, 5});
    CHECK(parse_deadline_rule("1 working day") == deadline_rule{unit::working_days, 1});
    CHECK(parse_deadline_rule("6 months") == deadline_rule{unit::months, 6});
    CHECK(parse_deadline_rule("1 month") == deadline_rule{unit::months, 1});
    for (const char* bad :
         {"", "5", "5 days", "0 months", "1 months", "2 month", "-1 months", " 5 working days",
          "5  working days", "49 months", "1001 working days", "99999999999 months", "6 months "}) {
        INFO(bad);
        CHECK_FALSE(parse_deadline_rule(bad));
    }
    CHECK(describe({unit::working_days, 15}) == "15 working days");
    CHECK(describe({unit::months, 1}) == "1 month");
}

TEST_CASE("the reminder is at 08:30 on the working day before the last working day", "[dialog]") {
    const auto& cal = shipped();
    const auto hours = working_hours::standard();
    const auto remind = [&](const char* filed, std::string_view kind,
                            const deadline_policy& policy = deadline_policy::defaults()) {
        const auto d = deadline(cal, policy, kind, at(filed));
        REQUIRE(d);
        return format_iso8601(reminder_time(cal, hours, at(filed), *d));
    };
    // Deadline Fri 27 Feb → the working day before is Thu 26.
    CHECK(remind("2026-02-13T10:00:00+08:00", "wish") == "2026-02-26T08:30:00+08:00");
    // Deadline Tue 13 Oct → Mon 12 Oct.
    CHECK(remind("2026-09-30T10:00:00+08:00", "wish") == "2026-10-12T08:30:00+08:00");
    // Filed Mon 16 Feb (holiday): deadline Sat 28 Feb (make-up) → the working day before is Fri 27.
    CHECK(remind("2026-02-16T09:00:00+08:00", "wish") == "2026-02-27T08:30:00+08:00");
    // Deadline Mon 11 May (filed Thu 30 Apr) → the working day before is Sat 9 May (make-up).
    CHECK(remind("2026-04-30T10:00:00+08:00", "wish") == "2026-05-09T08:30:00+08:00");
    // Project deadline Thu 1 Oct, a holiday: last working day Wed 30 Sep → remind Tue 29 Sep.
    CHECK(remind("2026-04-01T10:00:00+08:00", "project") == "2026-09-29T08:30:00+08:00");
    // One working day: filed Fri 13 Feb 10:00, deadline Sat 14; the day before is the filing day
    // itself, 08:30 is already past, so the reminder is the filing time (in working hours).
    deadline_policy one;
    one.set("wish", {deadline_rule::unit::working_days, 1});
    CHECK(remind("2026-02-13T10:00:00+08:00", "wish", one) == "2026-02-13T10:00:00+08:00");
    // The same filed at 18:00: the next working time is Sat 14 08:30.
    CHECK(remind("2026-02-13T18:00:00+08:00", "wish", one) == "2026-02-14T08:30:00+08:00");
}
