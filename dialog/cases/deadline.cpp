#include "dialog/cases/deadline.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace minsheng::dialog::cases {

namespace {

int max_count(deadline_rule::unit in) {
    return in == deadline_rule::unit::months ? max_deadline_months : max_deadline_working_days;
}

}  // namespace

std::optional<deadline_rule> parse_deadline_rule(std::string_view text) {
    std::size_t n = 0;
    int count = 0;
    while (n < text.size() && text[n] >= '0' && text[n] <= '9' && n < 6) {
        count = count * 10 + (text[n] - '0');
        ++n;
    }
    if (n == 0 || n >= text.size() || text[n] != ' ') return std::nullopt;
    const auto unit_text = text.substr(n + 1);
    deadline_rule rule;
    rule.count = count;
    if (unit_text == (count == 1 ? "working day" : "working days")) {
        rule.in = deadline_rule::unit::working_days;
    } else if (unit_text == (count == 1 ? "month" : "months")) {
        rule.in = deadline_rule::unit::months;
    } else {
        return std::nullopt;
    }
    if (count < 1 || count > max_count(rule.in)) return std::nullopt;
    return rule;
}

std::string describe(const deadline_rule& rule) {
    const bool one = rule.count == 1;
    return std::to_string(rule.count) + (rule.in == deadline_rule::unit::months
                                             ? (one ? " month" : " months")
                                             : (one ? " working day" : " working days"));
}

deadline_policy deadline_policy::defaults() {
    using unit = deadline_rule::unit;
    deadline_policy p;
    p.set("wish", {unit::working_days, 5});
    p.set("project", {unit::months, 6});
    p.set("complaint", {unit::working_days, 15});
    p.set("consultation", {unit::working_days, 5});
    return p;
}

void deadline_policy::set(std::string kind, deadline_rule rule) {
    if (kind.empty()) throw std::invalid_argument("deadline policy: empty kind");
    if (rule.count < 1 || rule.count > max_count(rule.in))
        throw std::invalid_argument("deadline policy: " + kind + ": " + describe(rule) +
                                    " is outside 1.." + std::to_string(max_count(rule.in)));
    rules_.insert_or_assign(std::move(kind), rule);
}

const deadline_rule* deadline_policy::find(std::string_view kind) const {
    const auto it = rules_.find(kind);
    return it == rules_.end() ? nullptr : &it->second;
}

civil_date deadline_day(const working_calendar& cal, const deadline_rule& rule,
                        civil_date filing_day) {
    if (rule.in == deadline_rule::unit::months) return add_months_clamped(filing_day, rule.count);
    return cal.nth_working_day_after(filing_day, rule.count);
}

std::optional<std::int64_t> deadline(const working_calendar& cal, const deadline_policy& policy,
                                     std::string_view kind, std::int64_t filed_unix) {
    const auto* rule = policy.find(kind);
    if (rule == nullptr || !supports(filed_unix)) return std::nullopt;
    const auto due =
        china_unix(deadline_day(cal, *rule, china_date(filed_unix)), seconds_per_day - 1);
    if (!supports(due)) return std::nullopt;
    return due;
}

std::int64_t reminder_time(const working_calendar& cal, const working_hours& hours,
                           std::int64_t filed_unix, std::int64_t deadline_unix) {
    auto last = china_date(deadline_unix);
    if (!cal.is_working_day(last)) last = cal.previous_working_day(last);
    const auto remind = hours.opening(cal.previous_working_day(last));
    return std::max(remind, hours.next_working_time(cal, filed_unix));
}

}  // namespace minsheng::dialog::cases
