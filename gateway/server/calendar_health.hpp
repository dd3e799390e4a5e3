#pragma once
// Whether the working-day calendar already holds next year: the State Council publishes the
// schedule in the autumn, and deadlines past 31 December fall back to plain Monday–Friday until
// an operator imports it (minsheng-admin calendar import). From 1 November (China time) its
// absence is a warning on /healthz and in the console. Pure function: safe from any thread.

#include <cstdint>

#include "dialog/cases/calendar.hpp"

namespace minsheng::gateway {

struct calendar_health {
    int next_year = 0;              // the China-time year after `now`'s
    bool next_year_loaded = false;  // the calendar lists at least one day of it
    bool warn = false;              // not loaded, and it is November or December
};

calendar_health check_calendar(const dialog::cases::working_calendar& cal, std::int64_t now);

// The warning code /healthz lists and the console shows to supervisors.
inline constexpr const char* calendar_warning = "calendar_next_year_missing";

}  // namespace minsheng::gateway
