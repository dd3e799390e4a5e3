#include "dialog/values/iso8601.hpp"

#include <array>
#include <cstdio>

#include "dialog/values/civil_time.hpp"

namespace minsheng::dialog {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The number in text[pos, pos+n) if all n characters are digits.
std::optional<int> number(std::string_view text, std::size_t pos, std::size_t n) {
    if (pos + n > text.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!is_digit(text[i])) return std::nullopt;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

bool at(std::string_view text, std::size_t pos, char c) {
    return pos < text.size() && text[pos] == c;
}

}  // namespace

std::optional<std::int64_t> parse_iso8601(std::string_view text) {
    // YYYY-MM-DD
    if (text.size() < 10) return std::nullopt;
    const auto date = parse_date(text.substr(0, 10));
    if (!date) return std::nullopt;
    // T hh:mm:ss
    if (!(at(text, 10, 'T') || at(text, 10, 't') || at(text, 10, ' '))) return std::nullopt;
    const auto hh = number(text, 11, 2), mm = number(text, 14, 2), ss = number(text, 17, 2);
    if (!hh || !mm || !ss || !at(text, 13, ':') || !at(text, 16, ':')) return std::nullopt;
    if (*hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
    std::size_t pos = 19;
    // .fraction
    if (at(text, pos, '.')) {
        const auto start = ++pos;
        while (pos < text.size() && is_digit(text[pos])) ++pos;
        if (pos == start) return std::nullopt;
    }
    // Z | ±hh:mm
    std::int64_t offset = 0;
    if (at(text, pos, 'Z') || at(text, pos, 'z')) {
        ++pos;
    } else if (at(text, pos, '+') || at(text, pos, '-')) {
        const auto oh = number(text, pos + 1, 2), om = number(text, pos + 4, 2);
        if (!oh || !om || !at(text, pos + 3, ':') || *oh > 23 || *om > 59) return std::nullopt;
        offset = (*oh * 60 + *om) * 60;
        if (text[pos] == '-') offset = -offset;
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    const int second = *ss == 60 ? 59 : *ss;
    return day_number(*date) * seconds_per_day + (*hh * 3600 + *mm * 60 + second) - offset;
}

std::string format_iso8601(std::int64_t unix, int offset_minutes) {
    const std::int64_t offset = std::int64_t{offset_minutes} * 60;
    const std::int64_t local = unix + offset;
    std::int64_t day = local / seconds_per_day;
    std::int64_t second = local % seconds_per_day;
    if (second < 0) {
        second += seconds_per_day;
        --day;
    }
    const auto date = format_date(date_of_day_number(day));
    std::array<char, 64> buf{};
    if (offset_minutes == 0) {
        std::snprintf(buf.data(), buf.size(), "%sT%02d:%02d:%02dZ", date.c_str(),
                      static_cast<int>(second / 3600), static_cast<int>(second / 60 % 60),
                      static_cast<int>(second % 60));
    } else {
        const int abs_offset = offset_minutes < 0 ? -offset_minutes : offset_minutes;
        std::snprintf(buf.data(), buf.size(), "%sT%02d:%02d:%02d%c%02d:%02d", date.c_str(),
                      static_cast<int>(second / 3600), static_cast<int>(second / 60 % 60),
                      static_cast<int>(second % 60), offset_minutes < 0 ? '-' : '+',
                      abs_offset / 60, abs_offset % 60);
    }
    return buf.data();
}

}  // namespace minsheng::dialog
