#pragma once
// Checks the data of template and subscribe messages before they are sent, with the platform's
// field rules (CONSTRAINTS.md §5): a key's type is its letters ("thing1" -> thing) and decides
// what its value may hold. Lengths count Unicode characters. Pure functions, thread-safe.
//
//   thing            1..20 characters
//   number           1..32 digits, at most one '.'
//   letter           1..32 ASCII letters
//   symbol           1..5 characters, no letters or digits
//   character_string 1..32 printable ASCII characters, no spaces
//   phone_number     1..17 of digits, spaces and + - ( )
//   car_number       1..8: letters and digits, the first and last may be CJK
//   name             1..10 characters if any is not ASCII, else 1..20 ASCII letters/symbols
//   phrase           1..5 CJK characters
//   time, date       1..64 of digits, spaces, - : / . ~ 年 月 日 时 分 秒 (ranges with ~)
//   amount           an optional currency sign, 1..10 digits with at most one '.', optional 元
//   other types      any non-empty text (enum, const, ... are the template's business)
// Every value must be valid UTF-8 without control characters.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::adapters::wechat_api {

// data.<key>.value for each key.
using message_data = std::map<std::string, std::string, std::less<>>;

// The type part of a key: its leading letters and underscores ("character_string2" ->
// "character_string"); empty for a key that is not letters followed by digits.
std::string_view field_type(std::string_view key);

// nullopt when the value fits its key's type, else why not, in the platform's words:
// "data.thing1.value invalid: more than 20 characters".
std::optional<std::string> check_field(std::string_view key, std::string_view value);

// Subscribe messages: at least one field, every key well formed, every value valid.
std::optional<std::string> check_subscribe_data(const message_data& data);

// Template messages (official account): keys of letters, digits and '_'; keys of a type above
// (thing3, time5, amount1, ...: the platform's typed keywords since 2023) are checked like
// subscribe fields; other keys (the legacy first, keyword1, remark) only need valid UTF-8.
std::optional<std::string> check_template_data(const message_data& data);

}  // namespace minsheng::adapters::wechat_api
