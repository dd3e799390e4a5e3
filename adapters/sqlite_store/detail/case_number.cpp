#include "adapters/sqlite_store/detail/case_number.hpp"

#include <cstdio>
#include <stdexcept>

#include "dialog/cases/civil_time.hpp"

namespace minsheng::adapters::sqlite_store::detail {

std::string china_day(std::int64_t unix_seconds) {
    if (unix_seconds < earliest_case_time || unix_seconds > latest_case_time)
        throw std::out_of_range("case creation time outside 1970..9999");
    const auto ymd = dialog::cases::china_date(unix_seconds);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string case_number(std::string_view day, std::int64_t sequence) {
    char seq[24];
    std::snprintf(seq, sizeof seq, "%04lld", static_cast<long long>(sequence));
    std::string out;
    out.reserve(case_number_prefix.size() + day.size() + 1 + 8);
    out += case_number_prefix;
    out += day;
    out += '-';
    out += seq;
    return out;
}

}  // namespace minsheng::adapters::sqlite_store::detail
