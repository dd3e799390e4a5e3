// The working-day calendar file (dialog/cases/calendar.hpp): working_calendar::from_text, the
// parser that load() runs on each calendar/*.txt file.
// Contracts: a bad file throws std::runtime_error and nothing else; a file that loads answers
// consistently for every day of the years it lists: a holiday is not a working day, a listed
// workday is a Saturday or Sunday and is one, any other day follows Monday-Friday; only listed
// days have names; next/previous/nth working day land on working days with none skipped.

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "dialog/cases/calendar.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace minsheng::dialog;
using cases::working_calendar;

namespace {

void check_day(const working_calendar& cal, civil_date d) {
    const auto listed = cal.listing(d);
    const bool working = cal.is_working_day(d);
    switch (listed) {
        case working_calendar::listed::holiday:
            FUZZ_CHECK(!working);
            break;
        case working_calendar::listed::workday:
            FUZZ_CHECK(working && is_weekend(d));
            break;
        case working_calendar::listed::no:
            FUZZ_CHECK(working == !is_weekend(d));
            FUZZ_CHECK(cal.name_of(d).empty());
            break;
    }
    const std::int64_t n = day_number(d);
    const int year = static_cast<int>(d.year());
    if (year >= 3 && year <= 9997) {
        const civil_date next = cal.next_working_day(d);
        const std::int64_t nn = day_number(next);
        FUZZ_CHECK(nn > n && cal.is_working_day(next));
        for (std::int64_t k = n + 1; k < nn && k < n + 100; ++k)
            FUZZ_CHECK(!cal.is_working_day(date_of_day_number(k)));
        FUZZ_CHECK(cal.nth_working_day_after(d, 1) == next);
        FUZZ_CHECK(cal.nth_working_day_after(d, 2) == cal.next_working_day(next));
        const civil_date prev = cal.previous_working_day(d);
        FUZZ_CHECK(day_number(prev) < n && cal.is_working_day(prev));
        FUZZ_CHECK(cal.next_working_day(prev) == (working ? d : next));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = minsheng::fuzz::as_view(data, size);
    working_calendar cal;
    try {
        cal = working_calendar::from_text(text, "fuzz.txt");
    } catch (const std::runtime_error& e) {
        FUZZ_CHECK(std::string_view(e.what()).starts_with("fuzz.txt:"));
        return 0;
    }
    int checked = 0;
    for (const int year : cal.years()) {
        FUZZ_CHECK(year >= 1 && year <= 9999);
        FUZZ_CHECK(cal.covers(year));
        if (++checked > 2) break;  // keep an input fast: two whole years at most
        const std::int64_t first = day_number(civil_date{std::chrono::year{year} / 1 / 1});
        const std::int64_t last = day_number(civil_date{std::chrono::year{year} / 12 / 31});
        for (std::int64_t n = first; n <= last; ++n) check_day(cal, date_of_day_number(n));
    }
    return 0;
}
