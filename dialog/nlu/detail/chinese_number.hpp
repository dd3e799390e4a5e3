#pragma once
// Numbers as people write them in Chinese: Arabic digits, Chinese numerals with units
// (十一, 二十三, 一百零五, 两千, 一万五千), colloquial abbreviations (一万五 = 15000,
// 三千五 = 3500), digit-by-digit forms (二〇二六) and the financial characters (壹贰叁...).
// Pure functions: thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::dialog::nlu::detail {

// The value of a whole number written in UTF-8 with Arabic digits or Chinese numerals (not
// mixed, except an Arabic number followed by Chinese units such as 3千 or 2万). nullopt when
// the text is not such a number or the value exceeds 10^15.
std::optional<std::int64_t> parse_integer(std::string_view text);

// The value of a decimal number as a fixed-point pair: units · 10^-scale. Accepts "1.5",
// "1,000", "200" and the forms parse_integer() accepts. nullopt when not a number or too large.
struct decimal {
    std::int64_t units = 0;
    int scale = 0;
};
std::optional<decimal> parse_decimal(std::string_view text);

// units · 10^(power - scale) as a plain decimal string without trailing zeros ("15000", "1.5",
// "0.5"). nullopt on overflow.
std::optional<std::string> format_decimal(decimal d, int power);

}  // namespace minsheng::dialog::nlu::detail
