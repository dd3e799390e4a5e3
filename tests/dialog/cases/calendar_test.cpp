#include "dialog/cases/calendar.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;

namespace {

const std::string calendar_dir = MINSHENG_SOURCE_DIR "/calendar";

const working_calendar& shipped() {
    static const auto cal = working_calendar::load(calendar_dir);
    return cal;
}

civil_date date(const char* text) {
    const auto d = parse_date(text);
    REQUIRE(d);
    return *d;
}

std::string add_days(const char* text, int n) {
    return format_date(date_of_day_number(day_number(date(text)) + n));
}

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class temp_dir {
public:
    temp_dir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("minsheng_calendar_test_" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    void write(const std::string& name, const std::string& text) const {
        std::ofstream out(path_ / name, std::ios::binary);
        out << text;
    }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// The 2026 schedule as the issue gives it, written out day by day.
const std::vector<std::string> holidays_2026 = {
    "2026-01-01", "2026-01-02", "2026-01-03",                                            // 元旦
    "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",  // 春节
    "2026-02-21", "2026-02-22", "2026-02-23",                                            //
    "2026-04-04", "2026-04-05", "2026-04-06",                              // 清明节
    "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",  // 劳动节
    "2026-06-19", "2026-06-20", "2026-06-21",                              // 端午节
    "2026-09-25", "2026-09-26", "2026-09-27",                              // 中秋节
    "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06",
    "2026-10-07",  // 国庆节
};
const std::vector<std::string> workdays_2026 = {"2026-01-04", "2026-02-14", "2026-02-28",
                                                "2026-05-09", "2026-09-20", "2026-10-10"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("every 2026 holiday is a day off and every make-up day a working day", "[dialog]") {
    const auto& cal = shipped();
    for (const auto& d : holidays_2026) {
        INFO(d);
        CHECK_FALSE(cal.is_working_day(date(d.c_str())));
        CHECK(cal.listing(date(d.c_str())) == working_calendar::listed::holiday);
    }
    for (const auto& d : workdays_2026) {
        INFO(d);
        CHECK(cal.is_working_day(date(d.c_str())));
        CHECK(cal.listing(date(d.c_str())) == working_calendar::listed::workday);
    }
}

TEST_CASE("every other day of 2026 follows the Monday-Friday rule", "[dialog]") {
    const auto& cal = shipped();
    int working = 0;
    for (int i = 0; i < 365; ++i) {
        const auto d = add_days("2026-01-01", i);
        if (contains(holidays_2026, d) || contains(workdays_2026, d)) continue;
        INFO(d);
        CHECK(cal.is_working_day(date(d.c_str())) == !is_weekend(date(d.c_str())));
        CHECK(cal.listing(date(d.c_str())) == working_calendar::listed::no);
        working += cal.is_working_day(date(d.c_str())) ? 1 : 0;
    }
    // Counted by hand: 2026 has 261 weekdays (52 weeks + Thursday 1 January). Holidays on
    // weekdays: 元旦 Thu 1, Fri 2 = 2; 春节 Mon 16–Fri 20 and Mon 23 = 6; 清明 Mon 6 = 1;
    // 劳动 Fri 1, Mon 4, Tue 5 = 3; 端午 Fri 19 = 1; 中秋 Fri 25 = 1; 国庆 Thu 1, Fri 2,
    // Mon 5–Wed 7 = 5; 19 in all, leaving 261 − 19 = 242 unlisted working days.
    CHECK(working == 242);
}

TEST_CASE("the shipped calendar names its days and covers 2026 only", "[dialog]") {
    const auto& cal = shipped();
    CHECK(cal.name_of(date("2026-02-16")) == "春节");
    CHECK(cal.name_of(date("2026-02-14")) == "春节调休");
    CHECK(cal.name_of(date("2026-10-10")) == "国庆节调休");
    CHECK(cal.name_of(date("2026-03-02")).empty());
    CHECK(cal.years() == std::vector<int>{2026});
    CHECK(cal.covers(2026));
    CHECK_FALSE(cal.covers(2027));
}

TEST_CASE("outside the covered years the plain Monday-Friday rule applies", "[dialog]") {
    const auto& cal = shipped();
    // 2027-01-01 is a Friday (2026 has 365 days: Thursday + 1). No 2027 file, so it is working.
    CHECK(cal.is_working_day(date("2027-01-01")));
    CHECK_FALSE(cal.is_working_day(date("2027-01-02")));  // Saturday
    CHECK(cal.is_working_day(date("2025-10-01")));        // Wednesday; 2025 is not listed
    const working_calendar plain;
    CHECK_FALSE(plain.is_working_day(date("2026-02-14")));  // Saturday, no make-up day known
    CHECK(plain.is_working_day(date("2026-02-16")));        // Monday, no holiday known
    CHECK(plain.years().empty());
}

TEST_CASE("next and previous working days step over holidays onto make-up days", "[dialog]") {
    const auto& cal = shipped();
    // Fri 13 Feb → Sat 14 (make-up); Sat 14 → Tue 24 (15–23 off).
    CHECK(format_date(cal.next_working_day(date("2026-02-13"))) == "2026-02-14");
    CHECK(format_date(cal.next_working_day(date("2026-02-14"))) == "2026-02-24");
    CHECK(format_date(cal.previous_working_day(date("2026-02-24"))) == "2026-02-14");
    // Wed 31 Dec 2025 → Thu 1 to Sat 3 off → Sun 4 Jan (make-up).
    CHECK(format_date(cal.next_working_day(date("2025-12-31"))) == "2026-01-04");
    // Fri 18 Sep → Sun 20 (make-up); Thu 24 Sep → Fri 25–Sun 27 off → Mon 28.
    CHECK(format_date(cal.next_working_day(date("2026-09-18"))) == "2026-09-20");
    CHECK(format_date(cal.next_working_day(date("2026-09-24"))) == "2026-09-28");
    // Wed 30 Sep → 1–7 Oct off → Thu 8.
    CHECK(format_date(cal.next_working_day(date("2026-09-30"))) == "2026-10-08");
    CHECK(format_date(cal.previous_working_day(date("2026-10-08"))) == "2026-09-30");
    // Fri 9 Oct → Sat 10 (make-up) → Mon 12.
    CHECK(format_date(cal.nth_working_day_after(date("2026-10-09"), 1)) == "2026-10-10");
    CHECK(format_date(cal.nth_working_day_after(date("2026-10-09"), 2)) == "2026-10-12");
    // Thu 30 Apr → 1–5 May off → Wed 6, Thu 7, Fri 8, Sat 9 (make-up).
    CHECK(format_date(cal.nth_working_day_after(date("2026-04-30"), 4)) == "2026-05-09");
}

TEST_CASE("a calendar from text reads ranges, single days, names and comments", "[dialog]") {
    const auto cal = working_calendar::from_text(
        "\xEF\xBB\xBF# a test year\r\n"
        "\n"
        "holiday 2030-01-01 元旦  # Tuesday\r\n"
        "   holiday\t2030-02-04..2030-02-06\n"
        "workday 2030-02-09 春节调休\n");
    CHECK_FALSE(cal.is_working_day(date("2030-01-01")));
    CHECK(cal.name_of(date("2030-01-01")) == "元旦");
    CHECK_FALSE(cal.is_working_day(date("2030-02-05")));
    CHECK(cal.name_of(date("2030-02-05")).empty());
    CHECK(cal.is_working_day(date("2030-02-09")));  // a Saturday
    CHECK(cal.years() == std::vector<int>{2030});
}

TEST_CASE("a bad calendar line fails loading, naming the source and line", "[dialog]") {
    struct bad_case {
        const char* text;
        const char* message;
    };
    for (const auto& c : std::vector<bad_case>{
             {"holiday 2026-02-30 春节", "cal:1: \"2026-02-30\" is not a date"},
             {"# ok\nholiday 2026-13-01", "cal:2: \"2026-13-01\" is not a date"},
             {"holiday 2026-1-1", "cal:1: \"2026-1-1\" is not a date"},
             {"holliday 2026-01-01", "cal:1: unknown keyword \"holliday\""},
             {"2026-01-01 holiday", "cal:1: unknown keyword \"2026-01-01\""},
             {"\n\nholiday", "cal:3: missing date after holiday"},
             {"holiday 2026-01-03..2026-01-01", "cal:1: range 2026-01-03..2026-01-01 ends before"},
             {"holiday 2026-01-01..2027-01-03", "cal:1: range 2026-01-01..2027-01-03 is longer"},
             {"holiday 2026-01-01..", "cal:1: \"\" is not a date"},
             // Monday 5 January is a working day already: a make-up day must be a weekend day.
             {"workday 2026-01-05", "cal:1: workday 2026-01-05 is a Monday"},
             // Saturday 3 January both off and working.
             {"holiday 2026-01-01..2026-01-03\nworkday 2026-01-03",
              "cal:2: 2026-01-03 is already listed at cal:1"},
             {"holiday 2026-01-01\nholiday 2025-12-31..2026-01-01",
              "cal:2: 2026-01-01 is already listed at cal:1"},
         }) {
        INFO(c.text);
        CHECK_THROWS_AS(working_calendar::from_text(c.text, "cal"), std::runtime_error);
        CHECK_THROWS_WITH(working_calendar::from_text(c.text, "cal"), Catch::StartsWith(c.message));
    }
}

TEST_CASE("every prefix of the shipped file loads or fails with runtime_error", "[dialog]") {
    // Split at every byte, including inside the UTF-8 names.
    std::ifstream in(calendar_dir + "/cn-2026.txt", std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    REQUIRE(text.size() > 100);
    for (std::size_t n = 0; n <= text.size(); ++n) {
        try {
            (void)working_calendar::from_text(text.substr(0, n));
        } catch (const std::runtime_error&) {
            // A cut date is a bad line; that is what the loader is for.
        }
    }
    const auto whole = working_calendar::from_text(text);
    CHECK_FALSE(whole.is_working_day(date("2026-10-07")));
}

TEST_CASE("the loader reads every *.txt in the directory, so a new year is a new file",
          "[dialog]") {
    temp_dir dir;
    dir.write("cn-2026.txt", "holiday 2026-01-01..2026-01-03 元旦\nworkday 2026-01-04\n");
    dir.write("cn-2027.txt", "holiday 2027-01-01 元旦\n");
    dir.write("README.md", "holiday not-a-date\n");  // not *.txt: ignored
    const auto cal = working_calendar::load(dir.path());
    CHECK(cal.years() == std::vector<int>{2026, 2027});
    CHECK(cal.is_working_day(date("2026-01-04")));
    CHECK_FALSE(cal.is_working_day(date("2027-01-01")));
}

TEST_CASE("a conflict across files names the later file and the earlier line", "[dialog]") {
    temp_dir dir;
    dir.write("a.txt", "# first\nholiday 2026-01-03\n");
    dir.write("b.txt", "workday 2026-01-03\n");
    const auto a = (std::filesystem::path(dir.path()) / "a.txt").string();
    const auto b = (std::filesystem::path(dir.path()) / "b.txt").string();
    CHECK_THROWS_WITH(working_calendar::load(dir.path()),
                      b + ":1: 2026-01-03 is already listed at " + a + ":2");
}

TEST_CASE("a missing or empty calendar directory fails loudly", "[dialog]") {
    CHECK_THROWS_WITH(working_calendar::load("/nonexistent/calendar"),
                      Catch::Contains("/nonexistent/calendar"));
    temp_dir dir;
    dir.write("notes.md", "nothing here");
    CHECK_THROWS_WITH(working_calendar::load(dir.path()), Catch::Contains("no *.txt file"));
}
