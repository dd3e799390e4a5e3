#include "adapters/db/detail/case_number.hpp"

#include <cstdio>
#include <stdexcept>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::adapters::db::detail {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string china_day(std::int64_t unix_seconds) {
    if (unix_seconds < earliest_case_time || unix_seconds > latest_case_time)
        throw std::out_of_range("case creation time outside 1970..9999");
    const auto ymd = dialog::china_date(unix_seconds);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string case_number(std::string_view prefix, std::string_view day, std::int64_t sequence) {
    char seq[24];
    std::snprintf(seq, sizeof seq, "%04lld", static_cast<long long>(sequence));
    std::string out;
    out.reserve(prefix.size() + day.size() + 1 + 8);
    out += prefix;
    out += day;
    out += '-';
    out += seq;
    return out;
}

std::optional<std::string> canonical_number(std::string_view typed) {
    while (!typed.empty() && is_space(typed.front())) typed.remove_prefix(1);
    while (!typed.empty() && is_space(typed.back())) typed.remove_suffix(1);
    constexpr std::size_t letters = 2, day = 8, min_sequence = 4, max_sequence = 19;
    if (typed.size() < letters + day + min_sequence) return std::nullopt;
    std::string out;
    out.reserve(typed.size() + 1);
    for (std::size_t i = 0; i < letters; ++i) {
        char c = typed[i];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c < 'A' || c > 'Z') return std::nullopt;
        out += c;
    }
    for (std::size_t i = letters; i < letters + day; ++i) {
        if (!is_digit(typed[i])) return std::nullopt;
        out += typed[i];
    }
    std::string_view rest = typed.substr(letters + day);
    if (rest.front() == '-') rest.remove_prefix(1);
    if (rest.size() < min_sequence || rest.size() > max_sequence) return std::nullopt;
    out += '-';
    for (char c : rest) {
        if (!is_digit(c)) return std::nullopt;
        out += c;
    }
    return out;
}

std::string allocate_number(statement_cache& sql, std::string_view prefix, std::int64_t at) {
    const std::string day = china_day(at);
    statement_use s(sql.get(
        "INSERT INTO case_numbers (prefix, day, seq) VALUES (?1, ?2, 1) "
        "ON CONFLICT (prefix, day) DO UPDATE SET seq = case_numbers.seq + 1 RETURNING seq"));
    s->bind(1, std::string(prefix));
    s->bind(2, day);
    if (!s->executeStep()) throw store_error("store: no number was allocated");
    return case_number(prefix, day, s->getColumn(0).getInt64());
}

}  // namespace minsheng::adapters::db::detail
