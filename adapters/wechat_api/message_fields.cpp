#include "adapters/wechat_api/message_fields.hpp"

#include <array>
#include <cstddef>
#include <vector>

#include "dialog/utf8.hpp"

namespace minsheng::adapters::wechat_api {
namespace {

bool is_ascii_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }

bool is_cjk(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F);
}

// Decodes valid UTF-8 without control characters; nullopt otherwise.
std::optional<std::vector<char32_t>> decode(std::string_view s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        auto d = dialog::decode_utf8(s, i);
        if (!d.valid || d.cp < 0x20 || (d.cp >= 0x7F && d.cp < 0xA0)) return std::nullopt;
        out.push_back(d.cp);
        i += d.len;
    }
    return out;
}

template <class Pred>
bool all_of(const std::vector<char32_t>& cps, Pred p) {
    for (char32_t c : cps)
        if (!p(c)) return false;
    return true;
}

std::optional<std::string> too_long(std::size_t max, const char* what = "characters") {
    return "more than " + std::to_string(max) + " " + what;
}

bool decimal(const std::vector<char32_t>& cps, std::size_t begin, std::size_t end,
             std::size_t max_digits) {
    std::size_t digits = 0;
    int dots = 0;
    for (std::size_t i = begin; i < end; ++i) {
        if (is_digit(cps[i])) {
            ++digits;
        } else if (cps[i] == '.') {
            if (++dots > 1 || i == begin || i + 1 == end) return false;
        } else {
            return false;
        }
    }
    return digits >= 1 && digits <= max_digits;
}

// Why `cps` does not fit `type`, or nullopt.
std::optional<std::string> check_typed(std::string_view type, const std::vector<char32_t>& cps) {
    const std::size_t n = cps.size();
    if (n == 0) return "empty";
    if (type == "thing") {
        if (n > 20) return too_long(20);
    } else if (type == "number") {
        if (!decimal(cps, 0, n, 32)) return std::string("not a number of at most 32 digits");
    } else if (type == "letter") {
        if (n > 32) return too_long(32, "letters");
        if (!all_of(cps, is_ascii_letter)) return std::string("not only letters");
    } else if (type == "symbol") {
        if (n > 5) return too_long(5);
        if (!all_of(cps,
                    [](char32_t c) { return !is_ascii_letter(c) && !is_digit(c) && !is_cjk(c); }))
            return std::string("not only symbols");
    } else if (type == "character_string") {
        if (n > 32) return too_long(32);
        if (!all_of(cps, [](char32_t c) { return c > 0x20 && c < 0x7F; }))
            return std::string("not only digits, letters and symbols");
    } else if (type == "phone_number") {
        if (n > 17) return too_long(17);
        if (!all_of(cps, [](char32_t c) {
                return is_digit(c) || c == ' ' || c == '+' || c == '-' || c == '(' || c == ')';
            }))
            return std::string("not a phone number");
    } else if (type == "car_number") {
        if (n > 8) return too_long(8);
        for (std::size_t i = 0; i < n; ++i) {
            const bool edge = i == 0 || i + 1 == n;
            if (!is_ascii_letter(cps[i]) && !is_digit(cps[i]) && !(edge && is_cjk(cps[i])))
                return std::string("not a car number");
        }
    } else if (type == "name") {
        const bool ascii = all_of(cps, [](char32_t c) { return c < 0x80; });
        if (ascii) {
            if (n > 20) return too_long(20, "letters");
            if (!all_of(cps, [](char32_t c) { return !is_digit(c); }))
                return std::string("digits in a name");
        } else if (n > 10) {
            return too_long(10);
        }
    } else if (type == "phrase") {
        if (n > 5) return too_long(5);
        if (!all_of(cps, is_cjk)) return std::string("not only Chinese characters");
    } else if (type == "time" || type == "date") {
        if (n > 64) return too_long(64);
        static constexpr std::array<char32_t, 13> allowed = {
            ' ', '-', ':', '/', '.', '~', U'年', U'月', U'日', U'时', U'分', U'秒', U'点'};
        bool digit = false;
        for (char32_t c : cps) {
            if (is_digit(c)) {
                digit = true;
                continue;
            }
            bool ok = false;
            for (char32_t a : allowed) ok = ok || a == c;
            if (!ok) return std::string("not a time or date");
        }
        if (!digit) return std::string("not a time or date");
    } else if (type == "amount") {
        std::size_t begin = 0;
        std::size_t end = n;
        if (end > 0 && cps[end - 1] == U'元') --end;
        if (begin < end && !is_digit(cps[begin]) && cps[begin] != '.') ++begin;  // the currency
        if (!decimal(cps, begin, end, 10)) return std::string("not an amount of at most 10 digits");
    }
    return std::nullopt;
}

std::optional<std::string> invalid(std::string_view key, const std::string& why) {
    return "data." + std::string(key) + ".value invalid: " + why;
}

}  // namespace

std::string_view field_type(std::string_view key) {
    std::size_t i = 0;
    while (i < key.size() && ((key[i] >= 'a' && key[i] <= 'z') || key[i] == '_')) ++i;
    if (i == 0 || key[i - 1] == '_') return {};
    for (std::size_t j = i; j < key.size(); ++j)
        if (key[j] < '0' || key[j] > '9') return {};
    return key.substr(0, i);
}

std::optional<std::string> check_field(std::string_view key, std::string_view value) {
    const auto type = field_type(key);
    if (type.empty()) return "data." + std::string(key) + " is not a valid key";
    const auto cps = decode(value);
    if (!cps) return invalid(key, "not valid UTF-8 text");
    if (auto why = check_typed(type, *cps)) return invalid(key, *why);
    return std::nullopt;
}

std::optional<std::string> check_subscribe_data(const message_data& data) {
    if (data.empty()) return std::string("data is empty");
    for (const auto& [key, value] : data)
        if (auto why = check_field(key, value)) return why;
    return std::nullopt;
}

std::optional<std::string> check_template_data(const message_data& data) {
    static constexpr std::array<std::string_view, 12> typed = {
        "thing",        "number",     "letter", "symbol", "character_string",
        "phone_number", "car_number", "name",   "phrase", "time",
        "date",         "amount"};
    if (data.empty()) return std::string("data is empty");
    for (const auto& [key, value] : data) {
        bool key_ok = !key.empty();
        for (char c : key)
            key_ok = key_ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '_');
        if (!key_ok) return "data." + key + " is not a valid key";
        const auto type = field_type(key);
        bool is_typed = false;
        for (auto t : typed) is_typed = is_typed || t == type;
        if (is_typed) {
            if (auto why = check_field(key, value)) return why;
        } else if (!decode(value)) {
            return invalid(key, "not valid UTF-8 text");
        }
    }
    return std::nullopt;
}

}  // namespace minsheng::adapters::wechat_api
