#include "dialog/values/civil_time.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace minsheng::dialog {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

// 0001-01-01 and 9999-12-31 as day numbers (days since 1970-01-01).
constexpr std::int64_t first_supported_day = -719162;
constexpr std::int64_t last_supported_day = 2932896;

// Floor division for a positive divisor.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0 && a < 0) ? 1 : 0);
}

bool digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

unsigned to_unsigned(std::string_view s) {
    unsigned v = 0;
    for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
    return v;
}

}  // namespace

std::int64_t day_number(civil_date d) { return sys_days{d}.time_since_epoch().count(); }

civil_date date_of_day_number(std::int64_t n) {
    return civil_date{sys_days{days{static_cast<days::rep>(n)}}};
}

std::optional<civil_date> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    const auto y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
    if (!digits(y) || !digits(m) || !digits(d)) return std::nullopt;
    const civil_date date{std::chrono::year{static_cast<int>(to_unsigned(y))},
                          std::chrono::month{to_unsigned(m)}, std::chrono::day{to_unsigned(d)}};
    if (!date.ok() || date.year() < std::chrono::year{1}) return std::nullopt;
    return date;
}

std::string format_date(civil_date d) {
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return buf.data();
}

std::string_view weekday_name(civil_date d) {
    static constexpr std::array<std::string_view, 7> names = {"Sun", "Mon", "Tue", "Wed",
                                                              "Thu", "Fri", "Sat"};
    return names[std::chrono::weekday{sys_days{d}}.c_encoding()];
}

bool is_weekend(civil_date d) {
    const std::chrono::weekday w{sys_days{d}};
    return w == std::chrono::Saturday || w == std::chrono::Sunday;
}

bool supports(std::int64_t unix) {
    // Compare before adding the offset so that no value can overflow.
    constexpr std::int64_t low = first_supported_day * seconds_per_day - china_offset_seconds;
    constexpr std::int64_t high =
        (last_supported_day + 1) * seconds_per_day - china_offset_seconds - 1;
    return unix >= low && unix <= high;
}

civil_date china_date(std::int64_t unix) {
    return date_of_day_number(floor_div(unix + china_offset_seconds, seconds_per_day));
}

std::int64_t china_unix(civil_date d, std::int64_t second_of_day) {
    return day_number(d) * seconds_per_day + second_of_day - china_offset_seconds;
}

std::int64_t china_second_of_day(std::int64_t unix) {
    const auto local = unix + china_offset_seconds;
    return local - floor_div(local, seconds_per_day) * seconds_per_day;
}

std::pair<std::int64_t, std::int64_t> china_month(std::int64_t unix) {
    using namespace std::chrono;
    const civil_date today = china_date(unix);
    const civil_date first{today.year(), today.month(), day{1}};
    const civil_date next = first + months{1};
    return {china_unix(first, 0), china_unix(next, 0)};
}

civil_date add_months_clamped(civil_date d, int months) {
    const auto ym = std::chrono::year_month{d.year(), d.month()} + std::chrono::months{months};
    const auto last =
        std::chrono::year_month_day_last{ym.year(), std::chrono::month_day_last{ym.month()}}.day();
    return civil_date{ym.year(), ym.month(), std::min(d.day(), last)};
}

}  // namespace minsheng::dialog
