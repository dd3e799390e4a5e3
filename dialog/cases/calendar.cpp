#include "dialog/cases/calendar.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace minsheng::dialog::cases {

namespace {

// The longest holiday range a line may give; a longer one is almost surely a typo in a year.
constexpr std::int64_t max_range_days = 31;

// One meaningful line of a calendar file.
struct line_entry {
    working_calendar::listed kind = working_calendar::listed::no;
    std::int64_t first = 0;  // day numbers, both included
    std::int64_t last = 0;
    std::string name;
    std::size_t line = 0;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Splits off the first whitespace-separated word of s (s is trimmed).
std::string_view take_word(std::string_view& s) {
    std::size_t n = 0;
    while (n < s.size() && !is_space(s[n])) ++n;
    const auto word = s.substr(0, n);
    s = trim(s.substr(n));
    return word;
}

[[noreturn]] void fail(std::string_view source, std::size_t line, const std::string& what) {
    throw std::runtime_error(std::string(source) + ":" + std::to_string(line) + ": " + what);
}

std::int64_t parse_day(std::string_view word, std::string_view source, std::size_t line) {
    const auto d = parse_date(word);
    if (!d) fail(source, line, "\"" + std::string(word) + "\" is not a date (YYYY-MM-DD)");
    return day_number(*d);
}

std::vector<line_entry> parse_lines(std::string_view text, std::string_view source) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
    std::vector<line_entry> out;
    std::size_t number = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto raw = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        ++number;
        auto rest = trim(raw.substr(0, raw.find('#')));
        if (rest.empty()) continue;

        line_entry e;
        e.line = number;
        const auto keyword = take_word(rest);
        if (keyword == "holiday") {
            e.kind = working_calendar::listed::holiday;
        } else if (keyword == "workday") {
            e.kind = working_calendar::listed::workday;
        } else {
            fail(source, number,
                 "unknown keyword \"" + std::string(keyword) + "\" (expected holiday or workday)");
        }
        const auto when = take_word(rest);
        if (when.empty()) fail(source, number, "missing date after " + std::string(keyword));
        const auto dots = when.find("..");
        if (dots == std::string_view::npos) {
            e.first = e.last = parse_day(when, source, number);
        } else {
            e.first = parse_day(when.substr(0, dots), source, number);
            e.last = parse_day(when.substr(dots + 2), source, number);
            if (e.last < e.first)
                fail(source, number, "range " + std::string(when) + " ends before it starts");
            if (e.last - e.first + 1 > max_range_days)
                fail(source, number,
                     "range " + std::string(when) + " is longer than " +
                         std::to_string(max_range_days) + " days");
        }
        if (e.kind == working_calendar::listed::workday) {
            for (auto d = e.first; d <= e.last; ++d) {
                if (!is_weekend(date_of_day_number(d)))
                    fail(source, number,
                         "workday " + format_date(date_of_day_number(d)) +
                             " is a Monday–Friday, already a working day (make-up days are "
                             "Saturdays or Sundays)");
            }
        }
        e.name = std::string(rest);
        out.push_back(std::move(e));
    }
    return out;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read calendar file " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw std::runtime_error("cannot read calendar file " + path.string());
    return std::move(text).str();
}

}  // namespace

working_calendar working_calendar::load(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw std::runtime_error("calendar directory " + dir + " does not exist");
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".txt" && it->is_regular_file(ec))
            files.push_back(it->path());
    }
    if (ec) throw std::runtime_error("cannot list calendar directory " + dir + ": " + ec.message());
    if (files.empty()) throw std::runtime_error("calendar directory " + dir + " has no *.txt file");
    std::sort(files.begin(), files.end());
    std::vector<source> sources;
    for (const auto& f : files) sources.push_back({f.string(), read_file(f)});
    return build(sources);
}

working_calendar working_calendar::from_text(std::string_view text, std::string_view source) {
    return build({{std::string(source), std::string(text)}});
}

working_calendar working_calendar::build(const std::vector<source>& sources) {
    working_calendar cal;
    std::map<std::int64_t, std::string> where;  // day → "file:line" that listed it
    for (const auto& src : sources) {
        for (auto& e : parse_lines(src.text, src.name)) {
            const auto here = src.name + ":" + std::to_string(e.line);
            for (auto d = e.first; d <= e.last; ++d) {
                const auto [it, inserted] = where.emplace(d, here);
                if (!inserted)
                    fail(
                        src.name, e.line,
                        format_date(date_of_day_number(d)) + " is already listed at " + it->second);
                cal.days_.emplace(d, entry{e.kind, e.name});
            }
        }
    }
    for (const auto& [d, e] : cal.days_) {
        const int year = static_cast<int>(date_of_day_number(d).year());
        if (cal.years_.empty() || cal.years_.back() != year) cal.years_.push_back(year);
    }
    return cal;
}

bool working_calendar::is_working_day(civil_date d) const {
    switch (listing(d)) {
        case listed::holiday:
            return false;
        case listed::workday:
            return true;
        case listed::no:
            break;
    }
    return !is_weekend(d);
}

civil_date working_calendar::next_working_day(civil_date d) const {
    auto n = day_number(d) + 1;
    while (!is_working_day(date_of_day_number(n))) ++n;
    return date_of_day_number(n);
}

civil_date working_calendar::previous_working_day(civil_date d) const {
    auto n = day_number(d) - 1;
    while (!is_working_day(date_of_day_number(n))) --n;
    return date_of_day_number(n);
}

civil_date working_calendar::nth_working_day_after(civil_date d, int n) const {
    for (int i = 0; i < n; ++i) d = next_working_day(d);
    return d;
}

working_calendar::listed working_calendar::listing(civil_date d) const {
    const auto it = days_.find(day_number(d));
    return it == days_.end() ? listed::no : it->second.kind;
}

std::string_view working_calendar::name_of(civil_date d) const {
    const auto it = days_.find(day_number(d));
    return it == days_.end() ? std::string_view{} : std::string_view{it->second.name};
}

bool working_calendar::covers(int year) const {
    return std::binary_search(years_.begin(), years_.end(), year);
}

}  // namespace minsheng::dialog::cases
