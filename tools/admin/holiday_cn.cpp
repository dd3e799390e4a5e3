#include "tools/admin/holiday_cn.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>

#include "dialog/utf8.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::admin {

namespace {

using dialog::civil_date;

[[noreturn]] void fail(std::string_view source, std::size_t line, const std::string& what) {
    throw std::runtime_error(std::string(source) + ":" + std::to_string(line) + ": " + what);
}

// A JSON value with the line it starts on: the calendar errors name the line of the day they
// are about, which a general-purpose JSON library does not keep.
struct value {
    enum class type { null, boolean, number, string, array, object } kind = type::null;
    std::size_t line = 0;
    bool flag = false;
    std::string text;  // a string's value, or a number as written
    std::vector<value> items;
    std::vector<std::pair<std::string, value>> members;

    const value* find(std::string_view key) const {
        for (const auto& [k, v] : members)
            if (k == key) return &v;
        return nullptr;
    }
};

// A strict JSON (RFC 8259) reader that counts lines. Throws through fail().
class reader {
public:
    reader(std::string_view text, std::string_view source) : s_(text), source_(source) {
        if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte order mark
    }

    value document() {
        auto v = parse_value(0);
        skip_space();
        if (pos_ != s_.size()) error("unexpected text after the JSON value");
        return v;
    }

private:
    static constexpr int max_depth = 64;

    [[noreturn]] void error(const std::string& what) const {
        fail(source_, line_, "JSON: " + what);
    }

    void skip_space() {
        while (pos_ < s_.size()) {
            const char c = s_[pos_];
            if (c == '\n') {
                ++line_;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                return;
            }
            ++pos_;
        }
    }

    bool take(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    value parse_value(int depth) {
        if (depth > max_depth) error("nested too deeply");
        skip_space();
        value v;
        v.line = line_;
        if (pos_ >= s_.size()) error("unexpected end of file");
        const char c = s_[pos_];
        if (c == '{') {
            v.kind = value::type::object;
            ++pos_;
            skip_space();
            if (pos_ < s_.size() && s_[pos_] == '}') {
                ++pos_;
                return v;
            }
            for (;;) {
                skip_space();
                if (pos_ >= s_.size() || s_[pos_] != '"') error("expected a member name");
                auto key = parse_string();
                skip_space();
                if (pos_ >= s_.size() || s_[pos_] != ':') error("expected ':' after a name");
                ++pos_;
                for (const auto& [k, unused] : v.members)
                    if (k == key) error("member \"" + key + "\" appears twice");
                v.members.emplace_back(std::move(key), parse_value(depth + 1));
                skip_space();
                if (pos_ < s_.size() && s_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                if (pos_ < s_.size() && s_[pos_] == '}') {
                    ++pos_;
                    return v;
                }
                error("expected ',' or '}'");
            }
        }
        if (c == '[') {
            v.kind = value::type::array;
            ++pos_;
            skip_space();
            if (pos_ < s_.size() && s_[pos_] == ']') {
                ++pos_;
                return v;
            }
            for (;;) {
                v.items.push_back(parse_value(depth + 1));
                skip_space();
                if (pos_ < s_.size() && s_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                if (pos_ < s_.size() && s_[pos_] == ']') {
                    ++pos_;
                    return v;
                }
                error("expected ',' or ']'");
            }
        }
        if (c == '"') {
            v.kind = value::type::string;
            v.text = parse_string();
            return v;
        }
        if (take("true")) {
            v.kind = value::type::boolean;
            v.flag = true;
            return v;
        }
        if (take("false")) {
            v.kind = value::type::boolean;
            return v;
        }
        if (take("null")) return v;
        if (c == '-' || (c >= '0' && c <= '9')) {
            v.kind = value::type::number;
            v.text = parse_number();
            return v;
        }
        error("unexpected character '" + std::string(1, c) + "'");
    }

    std::string parse_number() {
        const auto start = pos_;
        auto digits = [&] {
            const auto from = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            return pos_ - from;
        };
        if (s_[pos_] == '-') ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '0') {
            ++pos_;
        } else if (digits() == 0) {
            error("malformed number");
        }
        if (pos_ < s_.size() && s_[pos_] == '.') {
            ++pos_;
            if (digits() == 0) error("malformed number");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            if (digits() == 0) error("malformed number");
        }
        return std::string(s_.substr(start, pos_ - start));
    }

    unsigned hex4() {
        if (pos_ + 4 > s_.size()) error("unfinished \\u escape");
        unsigned u = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = s_[pos_++];
            u <<= 4;
            if (h >= '0' && h <= '9') {
                u |= static_cast<unsigned>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
                u |= static_cast<unsigned>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
                u |= static_cast<unsigned>(h - 'A' + 10);
            } else {
                error("bad \\u escape");
            }
        }
        return u;
    }

    static void append_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::string parse_string() {
        ++pos_;  // the opening quote
        std::string out;
        for (;;) {
            if (pos_ >= s_.size()) error("unfinished string");
            const char c = s_[pos_++];
            if (c == '"') break;
            if (static_cast<unsigned char>(c) < 0x20) error("control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) error("unfinished string");
            const char e = s_[pos_++];
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out += e;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (!take("\\u")) error("lone surrogate in a \\u escape");
                        const unsigned low = hex4();
                        if (low < 0xDC00 || low > 0xDFFF) error("lone surrogate in a \\u escape");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        error("lone surrogate in a \\u escape");
                    }
                    append_utf8(out, cp);
                    break;
                }
                default:
                    error("bad escape \\" + std::string(1, e));
            }
        }
        if (!dialog::is_valid_utf8(out)) error("a string is not UTF-8");
        return out;
    }

    std::string_view s_;
    std::string_view source_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
};

constexpr std::string_view makeup_suffix = "调休";
// The loader's longest holiday range (dialog/cases/calendar.cpp).
constexpr std::int64_t max_run_days = 31;

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// A name as it may stand on a calendar line: no '#' (it starts a comment there), no control
// character (a line break would end the line).
bool line_safe(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f || c == '#') return false;
    return true;
}

struct day_entry {
    std::int64_t day = 0;
    bool off = false;
    std::string name;
    std::size_t line = 0;
};

// JSON string escaping for export (names come from calendar files: UTF-8 without control
// characters, but '"' and '\\' are possible).
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

imported_calendar import_holiday_cn(std::string_view json, std::string_view source) {
    reader r(json, source);
    const auto doc = r.document();
    if (doc.kind != value::type::object) fail(source, doc.line, "expected a JSON object");

    const auto* year_v = doc.find("year");
    if (!year_v) fail(source, doc.line, "missing \"year\"");
    if (year_v->kind != value::type::number || year_v->text.size() != 4 ||
        year_v->text.find_first_not_of("0123456789") != std::string::npos || year_v->text < "1900")
        fail(source, year_v->line, "\"year\" must be a year from 1900 to 9999, e.g. 2027");
    imported_calendar out;
    out.year = std::stoi(year_v->text);

    std::vector<std::string> papers;
    if (const auto* p = doc.find("papers")) {
        if (p->kind != value::type::array)
            fail(source, p->line, "\"papers\" must be a list of addresses");
        for (const auto& item : p->items) {
            if (item.kind != value::type::string || !line_safe(item.text))
                fail(source, item.line,
                     "each of \"papers\" must be text without control characters or '#'");
            papers.push_back(item.text);
        }
    }

    const auto* days = doc.find("days");
    if (!days) fail(source, doc.line, "missing \"days\"");
    if (days->kind != value::type::array)
        fail(source, days->line, "\"days\" must be a list of days");

    if (days->items.empty())
        fail(source, days->line, "\"days\" lists no day (every year has public holidays)");
    std::map<std::int64_t, day_entry> by_day;
    for (const auto& d : days->items) {
        if (d.kind != value::type::object)
            fail(source, d.line, "each of \"days\" must be an object with name, date, isOffDay");
        const auto* name = d.find("name");
        const auto* date = d.find("date");
        const auto* off = d.find("isOffDay");
        if (!name || name->kind != value::type::string)
            fail(source, d.line, "a day needs a text \"name\"");
        if (!date || date->kind != value::type::string)
            fail(source, d.line, "a day needs a text \"date\" (YYYY-MM-DD)");
        if (!off || off->kind != value::type::boolean)
            fail(source, d.line, "a day needs \"isOffDay\": true or false");
        if (!line_safe(name->text))
            fail(source, name->line,
                 "name \"" + name->text + "\" must not hold '#' or control characters");
        const auto parsed = dialog::parse_date(date->text);
        if (!parsed) fail(source, date->line, "\"" + date->text + "\" is not a date (YYYY-MM-DD)");
        day_entry e{dialog::day_number(*parsed), off->flag, name->text, date->line};
        if (static_cast<int>(parsed->year()) != out.year) {
            // holiday-cn lists a holiday that starts in December in the next year's file; a
            // Saturday or Sunday off there changes no working day and is left out.
            if (e.off && dialog::is_weekend(*parsed)) {
                out.notes.push_back(std::string(source) + ":" + std::to_string(e.line) + ": " +
                                    date->text + " (" + name->text + ") is outside " +
                                    std::to_string(out.year) + " and already a day off; left out");
                continue;
            }
            fail(source, date->line,
                 date->text + " is outside " + std::to_string(out.year) +
                     " (one file per year; put it in that year's file)");
        }
        if (!e.off && !dialog::is_weekend(*parsed))
            fail(source, date->line,
                 "make-up working day " + date->text +
                     " is a Monday–Friday, already a working day (make-up days are Saturdays or "
                     "Sundays)");
        const auto [it, inserted] = by_day.emplace(e.day, e);
        if (!inserted)
            fail(source, date->line,
                 date->text + " is already listed at line " + std::to_string(it->second.line));
    }

    // Holidays as ranges of consecutive days with one name; make-up days one a line.
    std::string& text = out.text;
    text = "# PRC public holidays and make-up working days (调休) for " + std::to_string(out.year) +
           ", imported from a holiday-cn file\n"
           "# (minsheng-admin calendar import). Format: see cn-2026.txt.\n";
    for (const auto& p : papers) text += "# Source: " + p + "\n";
    text += "\n";
    for (auto it = by_day.begin(); it != by_day.end();) {
        const auto& first = it->second;
        auto last = it;
        auto next = std::next(it);
        if (first.off) {
            while (next != by_day.end() && next->second.off && next->first == last->first + 1 &&
                   next->second.name == first.name) {
                last = next;
                ++next;
            }
            if (last->first - first.day + 1 > max_run_days)
                fail(source, first.line,
                     "holiday " + first.name + " runs longer than " + std::to_string(max_run_days) +
                         " days");
            text += "holiday " + dialog::format_date(dialog::date_of_day_number(first.day));
            if (last->first != first.day)
                text += ".." + dialog::format_date(dialog::date_of_day_number(last->first));
            if (!first.name.empty()) text += " " + first.name;
        } else {
            text += "workday " + dialog::format_date(dialog::date_of_day_number(first.day));
            if (!first.name.empty())
                text += " " + (ends_with(first.name, makeup_suffix)
                                   ? first.name
                                   : first.name + std::string(makeup_suffix));
        }
        text += "\n";
        it = next;
    }
    // The loader's own checks, on exactly what will be written.
    (void)dialog::cases::working_calendar::from_text(text, source);
    return out;
}

std::string export_holiday_cn(const dialog::cases::working_calendar& cal, int year) {
    using listed = dialog::cases::working_calendar::listed;
    const auto first = dialog::day_number(
        civil_date{std::chrono::year{year}, std::chrono::January, std::chrono::day{1}});
    const auto end = dialog::day_number(
        civil_date{std::chrono::year{year + 1}, std::chrono::January, std::chrono::day{1}});
    std::string out = "{\n  \"year\": " + std::to_string(year) + ",\n  \"papers\": [],\n";
    out += "  \"days\": [";
    bool any = false;
    for (auto n = first; n < end; ++n) {
        const auto d = dialog::date_of_day_number(n);
        const auto kind = cal.listing(d);
        if (kind == listed::no) continue;
        std::string_view name = cal.name_of(d);
        if (kind == listed::workday && ends_with(name, makeup_suffix))
            name.remove_suffix(makeup_suffix.size());
        out += any ? ",\n" : "\n";
        any = true;
        out += "    {\"name\": " + quoted(name) + ", \"date\": \"" + dialog::format_date(d) +
               "\", \"isOffDay\": " + (kind == listed::holiday ? "true" : "false") + "}";
    }
    out += any ? "\n  ]\n}\n" : "]\n}\n";
    return out;
}

}  // namespace minsheng::admin
