#pragma once
// Civil-date arithmetic for relative dates (proleptic Gregorian, days since 1970-01-01) and the
// ISO 8601 forms the extractor reports. China time is UTC+8 without daylight saving.
// Pure functions: thread-safe.

#include <cstdint>
#include <cstdio>
#include <string>

namespace minsheng::dialog::nlu::detail {

struct civil_date {
    std::int64_t year = 1970;
    unsigned month = 1;  // 1..12
    unsigned day = 1;    // 1..31
};

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

inline civil_date civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    civil_date c;
    c.day = doy - (153 * mp + 2) / 5 + 1;
    c.month = mp < 10 ? mp + 3 : mp - 9;
    c.year = static_cast<std::int64_t>(yoe) + era * 400 + (c.month <= 2);
    return c;
}

inline bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline unsigned days_in_month(std::int64_t y, unsigned m) {
    static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

inline bool valid_date(std::int64_t y, unsigned m, unsigned d) {
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

// Today in China (UTC+8), as days since 1970-01-01, for a unix time in seconds.
inline std::int64_t china_day(std::int64_t unix_seconds) {
    const std::int64_t t = unix_seconds + 8 * 3600;
    return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

// ISO weekday, Monday = 1 .. Sunday = 7.
inline unsigned iso_weekday(std::int64_t days) {
    const std::int64_t w = ((days % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday
    return static_cast<unsigned>(w) + 1;
}

inline std::string iso_date(std::int64_t days) {
    const civil_date c = civil_from_days(days);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month,
                  c.day);
    return buf;
}

inline std::string iso_month(std::int64_t year, unsigned month) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u", static_cast<long long>(year), month);
    return buf;
}

// ISO 8601 week of the given day, e.g. "2026-W10".
inline std::string iso_week(std::int64_t days) {
    const std::int64_t thursday = days - iso_weekday(days) + 4;
    const civil_date c = civil_from_days(thursday);
    const std::int64_t week = (thursday - days_from_civil(c.year, 1, 1)) / 7 + 1;
    std::string out = std::to_string(c.year);
    while (out.size() < 4) out.insert(out.begin(), '0');
    out += week < 10 ? "-W0" : "-W";
    out += std::to_string(week);
    return out;
}

}  // namespace minsheng::dialog::nlu::detail
