#include "dialog/cases/working_hours.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace minsheng::dialog::cases {

namespace {

std::string clock(std::int64_t second_of_day) {
    const auto h = second_of_day / 3600, m = second_of_day / 60 % 60;
    return (h < 10 ? "0" : "") + std::to_string(h) + (m < 10 ? ":0" : ":") + std::to_string(m);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "hh:mm" → seconds since midnight, 00:00–24:00.
std::int64_t parse_clock(std::string_view s, std::string_view part) {
    const auto bad = [&] {
        return std::invalid_argument("working hours: \"" + std::string(part) +
                                     "\" is not hh:mm-hh:mm");
    };
    if (s.size() != 5 || s[2] != ':') throw bad();
    for (std::size_t i : {0u, 1u, 3u, 4u}) {
        if (s[i] < '0' || s[i] > '9') throw bad();
    }
    const int h = (s[0] - '0') * 10 + (s[1] - '0');
    const int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) throw bad();
    return std::int64_t{h} * 3600 + m * 60;
}

}  // namespace

working_hours working_hours::standard() {
    return working_hours({{8 * 3600 + 30 * 60, 12 * 3600}, {14 * 3600, 17 * 3600 + 30 * 60}});
}

working_hours working_hours::parse(std::string_view spec) {
    std::vector<interval> intervals;
    while (true) {
        const auto comma = spec.find(',');
        const auto part = trim(spec.substr(0, comma));
        const auto dash = part.find('-');
        if (dash == std::string_view::npos)
            throw std::invalid_argument("working hours: \"" + std::string(part) +
                                        "\" is not hh:mm-hh:mm");
        intervals.push_back({parse_clock(trim(part.substr(0, dash)), part),
                             parse_clock(trim(part.substr(dash + 1)), part)});
        if (comma == std::string_view::npos) break;
        spec.remove_prefix(comma + 1);
    }
    return working_hours(std::move(intervals));
}

working_hours::working_hours(std::vector<interval> intervals) : intervals_(std::move(intervals)) {
    if (intervals_.empty()) throw std::invalid_argument("working hours: no interval");
    std::int64_t previous_end = 0;
    for (const auto& i : intervals_) {
        const auto name = clock(i.start) + "-" + clock(i.end);
        if (i.start < 0 || i.end > seconds_per_day)
            throw std::invalid_argument("working hours: " + name + " is outside the day");
        if (i.end <= i.start)
            throw std::invalid_argument("working hours: " + name + " is empty or reversed");
        if (i.start < previous_end)
            throw std::invalid_argument("working hours: " + name +
                                        " overlaps or precedes the interval before it");
        previous_end = i.end;
    }
}

bool working_hours::in_working_hours(const working_calendar& cal, std::int64_t unix) const {
    if (!cal.is_working_day(china_date(unix))) return false;
    const auto s = china_second_of_day(unix);
    for (const auto& i : intervals_) {
        if (s >= i.start && s < i.end) return true;
    }
    return false;
}

std::int64_t working_hours::next_working_time(const working_calendar& cal,
                                              std::int64_t unix) const {
    const auto day = china_date(unix);
    if (cal.is_working_day(day)) {
        const auto s = china_second_of_day(unix);
        for (const auto& i : intervals_) {
            if (s < i.start) return china_unix(day, i.start);
            if (s < i.end) return unix;
        }
    }
    return opening(cal.next_working_day(day));
}

std::int64_t working_hours::opening(civil_date d) const {
    return china_unix(d, intervals_.front().start);
}

}  // namespace minsheng::dialog::cases
