#include "dialog/nlu/detail/chinese_number.hpp"

#include "dialog/utf8.hpp"

namespace minsheng::dialog::nlu::detail {
namespace {

constexpr std::int64_t limit = 1'000'000'000'000'000;  // 10^15

int digit_of(char32_t c) {
    switch (c) {
        case U'零':
        case U'〇':
            return 0;
        case U'一':
        case U'壹':
        case U'幺':
            return 1;
        case U'二':
        case U'贰':
        case U'两':
        case U'俩':
            return 2;
        case U'三':
        case U'叁':
            return 3;
        case U'四':
        case U'肆':
            return 4;
        case U'五':
        case U'伍':
            return 5;
        case U'六':
        case U'陆':
            return 6;
        case U'七':
        case U'柒':
            return 7;
        case U'八':
        case U'捌':
            return 8;
        case U'九':
        case U'玖':
            return 9;
        default:
            return c >= U'0' && c <= U'9' ? static_cast<int>(c - U'0') : -1;
    }
}

std::int64_t unit_of(char32_t c) {
    switch (c) {
        case U'十':
        case U'拾':
            return 10;
        case U'百':
        case U'佰':
            return 100;
        case U'千':
        case U'仟':
            return 1000;
        case U'万':
            return 10'000;
        case U'亿':
            return 100'000'000;
        default:
            return 0;
    }
}

}  // namespace

std::optional<std::int64_t> parse_integer(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;    // completed 万/亿 groups
    std::int64_t section = 0;  // below 万
    std::int64_t number = 0;   // digits not yet given a unit
    std::int64_t last_unit = 1;
    bool have_number = false;
    bool after_unit = false;  // the previous character was a unit (for 一万五 = 15000)
    bool abbreviable = false;
    bool any_unit = false;
    for (std::size_t i = 0; i < text.size();) {
        decoded d = decode_utf8(text, i);
        i += d.len;
        if (!d.valid) return std::nullopt;
        if (int v = digit_of(d.cp); v >= 0) {
            if (d.cp >= U'0' && d.cp <= U'9' && any_unit) return std::nullopt;
            number = have_number ? number * 10 + v : v;
            if (number >= limit) return std::nullopt;
            abbreviable = after_unit && v != 0;
            if (v == 0) abbreviable = false;
            have_number = true;
            after_unit = false;
            continue;
        }
        std::int64_t u = unit_of(d.cp);
        if (u == 0) return std::nullopt;
        any_unit = true;
        if (!have_number) {
            if (u == 10 && section == 0 && total == 0)
                number = 1;  // 十一 = 11
            else if (u < 10'000 || (section == 0 && total == 0))
                return std::nullopt;
        }
        if (u < 10'000) {
            section += number * u;
        } else if (u == 10'000) {
            section = (section + number) * u;
            total += section;
            section = 0;
        } else {
            total = (total + section + number) * u;
            section = 0;
        }
        if (total >= limit || section >= limit) return std::nullopt;
        number = 0;
        have_number = false;
        last_unit = u;
        after_unit = true;
        abbreviable = false;
    }
    if (abbreviable && last_unit >= 10) number *= last_unit / 10;
    std::int64_t value = total + section + number;
    if (value >= limit) return std::nullopt;
    return value;
}

std::optional<decimal> parse_decimal(std::string_view text) {
    if (text.empty()) return std::nullopt;
    bool ascii = true;
    for (char c : text)
        if (!((c >= '0' && c <= '9') || c == ',' || c == '.')) ascii = false;
    if (!ascii) {
        auto v = parse_integer(text);
        if (!v) return std::nullopt;
        return decimal{*v, 0};
    }
    decimal d;
    bool point = false;
    bool digits = false;
    for (char c : text) {
        if (c == ',') {
            if (point) return std::nullopt;
            continue;
        }
        if (c == '.') {
            if (point) return std::nullopt;
            point = true;
            continue;
        }
        d.units = d.units * 10 + (c - '0');
        digits = true;
        if (point) ++d.scale;
        if (d.units >= limit || d.scale > 6) return std::nullopt;
    }
    if (!digits) return std::nullopt;
    return d;
}

std::optional<std::string> format_decimal(decimal d, int power) {
    std::int64_t units = d.units;
    int scale = d.scale - power;
    while (scale < 0) {
        if (units >= limit) return std::nullopt;
        units *= 10;
        ++scale;
    }
    while (scale > 0 && units % 10 == 0) {
        units /= 10;
        --scale;
    }
    std::string s = std::to_string(units);
    if (scale > 0) {
        if (s.size() <= static_cast<std::size_t>(scale))
            s.insert(0, static_cast<std::size_t>(scale) + 1 - s.size(), '0');
        s.insert(s.size() - static_cast<std::size_t>(scale), 1, '.');
    }
    return s;
}

}  // namespace minsheng::dialog::nlu::detail
