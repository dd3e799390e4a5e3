// The holiday-cn import and export (tools/admin/holiday_cn.hpp): the shipped 2026 calendar goes
// through the holiday-cn format and back with the same answer for every day of the year;
// malformed files are refused with the file and line of what is wrong.

#include "tools/admin/holiday_cn.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

#include "dialog/cases/calendar.hpp"
#include "dialog/values/civil_time.hpp"

using namespace minsheng;
using dialog::cases::working_calendar;

namespace {

const std::string shipped_dir = MINSHENG_SOURCE_DIR "/calendar";

// The reason import gives for `json`, or "" when it takes it.
std::string refusal(const std::string& json) {
    try {
        (void)admin::import_holiday_cn(json, "2027.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

// A holiday-cn file of 2027 whose days are `days` (the inside of the list), one a line from
// line 4 on.
std::string file_2027(const std::string& days) {
    return "{\n  \"year\": 2027,\n  \"papers\": [],\n  \"days\": [\n" + days + "\n  ]\n}\n";
}

}  // namespace

TEST_CASE("the shipped 2026 calendar round-trips through holiday-cn with every day the same",
          "[admin][calendar]") {
    const auto shipped = working_calendar::load(shipped_dir);
    REQUIRE(shipped.covers(2026));
    const auto json = admin::export_holiday_cn(shipped, 2026);
    // The holiday-cn shape: one entry per day, make-up days named as the holiday they serve.
    CHECK(json.find("\"year\": 2026") != std::string::npos);
    CHECK(json.find(R"({"name": "春节", "date": "2026-02-14", "isOffDay": false})") !=
          std::string::npos);
    CHECK(json.find(R"({"name": "国庆节", "date": "2026-10-07", "isOffDay": true})") !=
          std::string::npos);

    const auto imported = admin::import_holiday_cn(json, "2026.json");
    CHECK(imported.year == 2026);
    CHECK(imported.notes.empty());
    const auto back = working_calendar::from_text(imported.text, "cn-2026.txt");
    CHECK(back.years() == std::vector<int>{2026});

    const auto first = dialog::day_number(
        dialog::civil_date{std::chrono::year{2026}, std::chrono::January, std::chrono::day{1}});
    int days = 0, working = 0;
    for (auto n = first; n < first + 365; ++n) {
        const auto d = dialog::date_of_day_number(n);
        INFO(dialog::format_date(d));
        CHECK(back.is_working_day(d) == shipped.is_working_day(d));
        CHECK(back.listing(d) == shipped.listing(d));
        CHECK(back.name_of(d) == shipped.name_of(d));
        ++days;
        working += shipped.is_working_day(d) ? 1 : 0;
    }
    CHECK(days == 365);
    // 2026 as published: 261 weekdays less 19 holidays on them, plus 6 make-up Saturdays and
    // Sundays. The count guards against comparing two plain Monday–Friday calendars.
    CHECK(working == 248);
    // The ranges come back as ranges.
    CHECK(imported.text.find("holiday 2026-02-15..2026-02-23 春节\n") != std::string::npos);
    CHECK(imported.text.find("workday 2026-02-14 春节调休\n") != std::string::npos);
    // And a second export is the same file: nothing drifts on repeated round trips.
    CHECK(admin::export_holiday_cn(back, 2026) == json);
}

TEST_CASE("import keeps the papers as sources and names make-up days as the loader's files do",
          "[admin][calendar]") {
    const auto imported = admin::import_holiday_cn(
        R"({"year":2027,"papers":["https://example.org/notice"],"days":[
            {"name":"元旦","date":"2027-01-01","isOffDay":true},
            {"name":"元旦","date":"2027-01-02","isOffDay":true},
            {"name":"元旦","date":"2027-01-03","isOffDay":true},
            {"name":"劳动节调休","date":"2027-04-25","isOffDay":false},
            {"name":"春节","date":"2027-02-20","isOffDay":false}]})",
        "t.json");
    CHECK(imported.year == 2027);
    CHECK(imported.text.find("# Source: https://example.org/notice\n") != std::string::npos);
    CHECK(imported.text.find("holiday 2027-01-01..2027-01-03 元旦\n") != std::string::npos);
    CHECK(imported.text.find("workday 2027-02-20 春节调休\n") != std::string::npos);
    CHECK(imported.text.find("workday 2027-04-25 劳动节调休\n") != std::string::npos);
    const auto cal = working_calendar::from_text(imported.text);
    CHECK_FALSE(cal.is_working_day(
        dialog::civil_date{std::chrono::year{2027}, std::chrono::January, std::chrono::day{1}}));
    CHECK(cal.is_working_day(dialog::civil_date{std::chrono::year{2027}, std::chrono::February,
                                                std::chrono::day{20}}));  // a Saturday
}

TEST_CASE("a day of the year before that is already a weekend is left out with a note",
          "[admin][calendar]") {
    // holiday-cn puts a New Year holiday that starts on Saturday 31 December in the next file.
    const auto imported = admin::import_holiday_cn(
        file_2027(R"(    {"name":"元旦","date":"2026-12-26","isOffDay":true},
    {"name":"元旦","date":"2027-01-01","isOffDay":true})"),
        "2027.json");
    REQUIRE(imported.notes.size() == 1);
    CHECK(imported.notes[0].find("2027.json:5: 2026-12-26") == 0);
    CHECK(imported.text.find("2026-12-26") == std::string::npos);
    // A weekday of another year would change a working day: refused.
    CHECK(refusal(file_2027(R"(    {"name":"元旦","date":"2026-12-31","isOffDay":true})")) ==
          "2027.json:5: 2026-12-31 is outside 2027 (one file per year; put it in that year's "
          "file)");
}

TEST_CASE("malformed holiday-cn files are refused with the file and line of the fault",
          "[admin][calendar]") {
    const std::string ok_day = R"(    {"name":"元旦","date":"2027-01-01","isOffDay":true})";
    REQUIRE(refusal(file_2027(ok_day)).empty());

    // JSON syntax: the line where the reader stopped.
    CHECK(refusal(file_2027(ok_day + ",")) == "2027.json:6: JSON: unexpected character ']'");
    CHECK(refusal("{\"year\": 2027,\n\"days\": [\n{\"name\": \"元旦\n\"}]}") ==
          "2027.json:3: JSON: control character in a string");
    CHECK(refusal("{\"year\": 2027, \"year\": 2028, \"days\": []}") ==
          "2027.json:1: JSON: member \"year\" appears twice");
    CHECK(refusal(file_2027(ok_day) + "x") ==
          "2027.json:8: JSON: unexpected text after the "
          "JSON value");
    CHECK(refusal("") == "2027.json:1: JSON: unexpected end of file");
    CHECK(refusal("[1,\n2,\n\"\\x\"]") == "2027.json:3: JSON: bad escape \\x");
    CHECK(refusal("[\"\\ud800\"]") == "2027.json:1: JSON: lone surrogate in a \\u escape");
    CHECK(refusal("[\"\xff\"]") == "2027.json:1: JSON: a string is not UTF-8");
    CHECK(refusal(std::string(100, '[')) == "2027.json:1: JSON: nested too deeply");

    // The shape.
    CHECK(refusal("[]") == "2027.json:1: expected a JSON object");
    CHECK(refusal("{\"days\": []}") == "2027.json:1: missing \"year\"");
    CHECK(refusal("{\n\"year\": \"2027\", \"days\": []}") ==
          "2027.json:2: \"year\" must be a year from 1900 to 9999, e.g. 2027");
    CHECK(refusal("{\"year\": 27, \"days\": []}").find("must be a year") != std::string::npos);
    CHECK(refusal("{\"year\": 2027.5, \"days\": []}").find("must be a year") != std::string::npos);
    CHECK(refusal("{\"year\": 2027}") == "2027.json:1: missing \"days\"");
    CHECK(refusal("{\"year\": 2027, \"days\": {}}") ==
          "2027.json:1: \"days\" must be a list of days");
    CHECK(refusal("{\"year\": 2027, \"papers\": \"x\", \"days\": []}") ==
          "2027.json:1: \"papers\" must be a list of addresses");
    CHECK(refusal(file_2027("    [1]")) ==
          "2027.json:5: each of \"days\" must be an object with name, date, isOffDay");
    CHECK(refusal(file_2027(R"(    {"date":"2027-01-01","isOffDay":true})")) ==
          "2027.json:5: a day needs a text \"name\"");
    CHECK(refusal(file_2027(R"(    {"name":"元旦","date":20270101,"isOffDay":true})")) ==
          "2027.json:5: a day needs a text \"date\" (YYYY-MM-DD)");
    CHECK(refusal(file_2027(R"(    {"name":"元旦","date":"2027-01-01","isOffDay":"yes"})")) ==
          "2027.json:5: a day needs \"isOffDay\": true or false");

    // The days: the line of the offending day, not of the file's start.
    CHECK(refusal(file_2027(ok_day + ",\n" +
                            R"(    {"name":"春节","date":"2027-02-30","isOffDay":true})")) ==
          "2027.json:6: \"2027-02-30\" is not a date (YYYY-MM-DD)");
    CHECK(refusal(file_2027(ok_day + ",\n" +
                            R"(    {"name":"元旦","date":"2027-1-2","isOffDay":true})")) ==
          "2027.json:6: \"2027-1-2\" is not a date (YYYY-MM-DD)");
    CHECK(refusal(file_2027(ok_day + ",\n" + ok_day)) ==
          "2027.json:6: 2027-01-01 is already listed at line 5");
    CHECK(refusal(file_2027(R"(    {"name":"元旦","date":"2028-01-03","isOffDay":true})")) ==
          "2027.json:5: 2028-01-03 is outside 2027 (one file per year; put it in that year's "
          "file)");
    // 2027-01-04 is a Monday: a make-up working day must be a Saturday or Sunday.
    CHECK(refusal(file_2027(R"(    {"name":"元旦","date":"2027-01-04","isOffDay":false})"))
              .find("2027.json:5: make-up working day 2027-01-04 is a Monday–Friday") == 0);
    CHECK(refusal(file_2027(R"(    {"name":"元旦#2","date":"2027-01-01","isOffDay":true})")) ==
          "2027.json:5: name \"元旦#2\" must not hold '#' or control characters");
    CHECK(refusal(file_2027(R"(    {"name":"元\n旦","date":"2027-01-01","isOffDay":true})"))
              .find("2027.json:5: name") == 0);
    // 32 days off in a row under one name: longer than the loader takes.
    std::string month;
    for (int i = 0; i < 32; ++i) {
        const auto d = dialog::date_of_day_number(
            dialog::day_number(dialog::civil_date{std::chrono::year{2027}, std::chrono::July,
                                                  std::chrono::day{1}}) +
            i);
        month += std::string(i ? ",\n" : "") + R"(    {"name":"假期","date":")" +
                 dialog::format_date(d) + R"(","isOffDay":true})";
    }
    CHECK(refusal(file_2027(month)) == "2027.json:5: holiday 假期 runs longer than 31 days");
}

TEST_CASE("every cut of a holiday-cn file is refused cleanly, never half read",
          "[admin][calendar]") {
    const auto json = admin::export_holiday_cn(working_calendar::load(shipped_dir), 2026);
    REQUIRE_NOTHROW(admin::import_holiday_cn(json, "2026.json"));
    // Every prefix short of the closing brace (what a truncated download leaves) is refused with
    // a reason that names the file and a line; none crashes or cuts a character in half.
    const auto end = json.rfind('}');
    for (std::size_t n = 0; n < end; ++n) {
        INFO("cut at byte " << n);
        std::string why;
        try {
            (void)admin::import_holiday_cn(json.substr(0, n), "2026.json");
        } catch (const std::runtime_error& e) {
            why = e.what();
        }
        REQUIRE(why.rfind("2026.json:", 0) == 0);
    }
}
