#pragma once
// The PRC working-day calendar: Monday to Friday, minus the public holidays and plus the make-up
// working days (调休) that the State Council publishes each year, read from data files that an
// operator extends yearly. Immutable after load: share freely across threads.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/values/civil_time.hpp"

namespace minsheng::dialog::cases {

class working_calendar {
public:
    // What a data file says about a day.
    enum class listed { no, holiday, workday };

    // Reads every *.txt file directly in dir, in name order (one file per year by convention:
    // "cn-2026.txt"). UTF-8 lines; '#' starts a comment; blank lines are ignored:
    //     holiday 2026-02-15..2026-02-23 春节     (a range, both ends included)
    //     holiday 2026-04-06 清明节               (one day)
    //     workday 2026-02-14 春节调休             (a make-up working day)
    // The name after the date is optional. Throws std::runtime_error naming the file and line for
    // an unknown keyword, a malformed or impossible date, a range that ends before it starts or
    // is longer than 31 days, a workday that is not a Saturday or Sunday, or a day listed twice
    // (in one file or across files, e.g. both holiday and workday). Also throws if dir is missing
    // or holds no *.txt file.
    static working_calendar load(const std::string& dir);
    // The same format from a string (tests, embedded data); `source` names it in errors.
    // Throws like load().
    static working_calendar from_text(std::string_view text, std::string_view source = "text");

    // The plain Monday–Friday calendar (no listed days).
    working_calendar() = default;

    // Every civil_date argument must be a real date (ok()) in years 1–9999.

    // Monday–Friday unless listed as a holiday; Saturday or Sunday only if listed as a workday.
    // Days in years that no file covers follow the plain Monday–Friday rule.
    bool is_working_day(civil_date d) const;
    // The first working day strictly after d.
    civil_date next_working_day(civil_date d) const;
    // The last working day strictly before d.
    civil_date previous_working_day(civil_date d) const;
    // The n-th working day after d, d itself never counting (n = 1 is next_working_day(d)).
    // n must be >= 1.
    civil_date nth_working_day_after(civil_date d, int n) const;

    listed listing(civil_date d) const;
    // The name on d's line ("春节", "春节调休"); empty if d is not listed or has no name.
    std::string_view name_of(civil_date d) const;
    // Years in which the files list at least one day, ascending ({2026} for the shipped data).
    const std::vector<int>& years() const { return years_; }
    bool covers(int year) const;

private:
    struct entry {
        listed kind = listed::no;
        std::string name;
    };
    struct source {
        std::string name;  // file path or from_text's `source`
        std::string text;
    };

    static working_calendar build(const std::vector<source>& sources);

    std::map<std::int64_t, entry> days_;  // by day_number()
    std::vector<int> years_;
};

}  // namespace minsheng::dialog::cases
