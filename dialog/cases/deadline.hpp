#pragma once
// SLA deadlines of cases per kind (wish, project, complaint, consultation): a number of working
// days on the PRC calendar, or a number of calendar months, counted from the filing day in China
// time. Policies are values; their const methods and the free functions are safe from any thread.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "dialog/cases/calendar.hpp"
#include "dialog/cases/working_hours.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::dialog::cases {

struct deadline_rule {
    enum class unit { working_days, months };
    unit in = unit::working_days;
    int count = 0;

    friend bool operator==(const deadline_rule&, const deadline_rule&) = default;
};

// Largest counts a rule may have (about four years either way).
inline constexpr int max_deadline_working_days = 1000;
inline constexpr int max_deadline_months = 48;

// "5 working days", "1 working day", "6 months", "1 month": the form describe() writes.
// nullopt for anything else or a count outside 1..max.
std::optional<deadline_rule> parse_deadline_rule(std::string_view text);
std::string describe(const deadline_rule& rule);

// kind → rule.
class deadline_policy {
public:
    // wish 5 working days (urgent personal help), project 6 months (public projects),
    // complaint 15 working days, consultation 5 working days.
    static deadline_policy defaults();

    // No kinds at all.
    deadline_policy() = default;

    // Adds or replaces the rule of kind. Throws std::invalid_argument if kind is empty or
    // rule.count is outside 1..max_deadline_working_days / max_deadline_months (a configuration
    // error, found at start-up).
    void set(std::string kind, deadline_rule rule);
    // nullptr if the policy has no such kind.
    const deadline_rule* find(std::string_view kind) const;
    const std::map<std::string, deadline_rule, std::less<>>& rules() const { return rules_; }

private:
    std::map<std::string, deadline_rule, std::less<>> rules_;
};

// The last day to answer a case filed on filing_day (China date):
//   working days: the count-th working day after filing_day; the filing day itself never
//     counts, even when it is a working day;
//   months: the same day count months later, or that month's last day if it has no such day
//     (2026-08-31 + 6 → 2027-02-28). Working days play no part.
civil_date deadline_day(const working_calendar& cal, const deadline_rule& rule,
                        civil_date filing_day);

// The deadline of a case of `kind` filed at instant filed_unix: 23:59:59 China time (+08:00) of
// deadline_day(), with the filing day taken as the China date of filed_unix, whatever offset the
// filing time was written with. nullopt if the policy has no such kind, or the filing time or the
// deadline is outside years 1–9999. Example: wish filed 2026-02-13T10:00:00+08:00 →
// 2026-02-27T23:59:59+08:00.
std::optional<std::int64_t> deadline(const working_calendar& cal, const deadline_policy& policy,
                                     std::string_view kind, std::int64_t filed_unix);

// When to remind the handler: the start of working hours (08:30 by default) on the working day
// before the deadline's last working day (the deadline day itself, or the last working day before
// it when a month deadline falls on a day off), leaving the handler that day and the last one.
// Never earlier than hours.next_working_time(filed_unix). Both instants must satisfy supports().
std::int64_t reminder_time(const working_calendar& cal, const working_hours& hours,
                           std::int64_t filed_unix, std::int64_t deadline_unix);

}  // namespace minsheng::dialog::cases
