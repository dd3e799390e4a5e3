#pragma once
// The holiday-cn JSON format (one file per year, widely used to publish the State Council's
// holiday schedule) to and from the repo's calendar files (calendar/cn-YYYY.txt, read by
// dialog/cases/calendar.hpp):
//     {"year": 2026, "papers": ["https://www.gov.cn/..."],
//      "days": [{"name": "元旦", "date": "2026-01-01", "isOffDay": true},
//               {"name": "元旦", "date": "2026-01-04", "isOffDay": false}, ...]}
// A day with isOffDay true is a holiday; isOffDay false is a make-up working day (调休).
// Pure functions of their arguments: safe from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "dialog/cases/calendar.hpp"

namespace minsheng::admin {

// A holiday-cn file turned into the repo's calendar format.
struct imported_calendar {
    int year = 0;
    std::string text;  // the calendar file, ready to write as cn-<year>.txt
    // Days the file lists outside its year that change nothing (a Saturday or Sunday off, as
    // holiday-cn files list the first day of a holiday that starts in December): left out, one
    // line each saying so.
    std::vector<std::string> notes;
};

// Reads a holiday-cn file and returns the calendar file that says the same. Throws
// std::runtime_error "<source>:<line>: <reason>" for malformed JSON (at the line of the error),
// a missing or wrong "year" (not 1900-9999), a "days" entry without a text "name", a
// "YYYY-MM-DD" "date" or a true/false "isOffDay", an empty "days", an impossible date, a date
// listed twice, a date outside the year that would change a working day, a make-up working day on a
// Monday to Friday, a name with a '#', a line break or other control character, or a holiday run
// longer than the loader takes. The text it returns loads with working_calendar::from_text (checked
// before returning).
imported_calendar import_holiday_cn(std::string_view json, std::string_view source);

// The days `cal` lists in `year` as a holiday-cn file (one day per line, "papers" empty, names
// without the "调休" suffix that make-up days carry in the calendar files). Importing the result
// gives back the same working days and names.
std::string export_holiday_cn(const dialog::cases::working_calendar& cal, int year);

}  // namespace minsheng::admin
