#pragma once
// Office hours on working days, in China time: when reminders and escalations may be sent.
// Standard: 08:30–12:00 and 14:00–17:30. Immutable after construction: share freely.

#include <cstdint>
#include <string_view>
#include <vector>

#include "dialog/cases/calendar.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::dialog::cases {

class working_hours {
public:
    // Seconds since midnight, China time: [start, end), so 08:30:00 is in and 12:00:00 is out.
    struct interval {
        std::int64_t start = 0;
        std::int64_t end = 0;
        friend bool operator==(const interval&, const interval&) = default;
    };

    // 08:30–12:00 and 14:00–17:30.
    static working_hours standard();
    // "08:30-12:00,14:00-17:30" (spaces around the comma allowed; "24:00" may end the day).
    // Throws std::invalid_argument naming the part that is wrong, as the constructor does.
    static working_hours parse(std::string_view spec);
    // Throws std::invalid_argument if there is no interval, or one is empty, ends before it
    // starts, lies outside 00:00–24:00, or overlaps or precedes the one before it.
    explicit working_hours(std::vector<interval> intervals);

    // Whether instant unix is inside an interval on a working day of cal.
    bool in_working_hours(const working_calendar& cal, std::int64_t unix) const;
    // unix itself if it is in working hours, otherwise the start of the next interval on a
    // working day of cal.
    std::int64_t next_working_time(const working_calendar& cal, std::int64_t unix) const;
    // The start of the first interval of day d (whether or not d is a working day).
    std::int64_t opening(civil_date d) const;

    const std::vector<interval>& intervals() const { return intervals_; }

private:
    std::vector<interval> intervals_;  // sorted, disjoint, non-empty
};

}  // namespace minsheng::dialog::cases
