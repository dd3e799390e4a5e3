#include "gateway/server/calendar_health.hpp"

#include "dialog/values/civil_time.hpp"

namespace minsheng::gateway {

calendar_health check_calendar(const dialog::cases::working_calendar& cal, std::int64_t now) {
    const auto today = dialog::china_date(now);
    calendar_health h;
    h.next_year = static_cast<int>(today.year()) + 1;
    h.next_year_loaded = cal.covers(h.next_year);
    h.warn = !h.next_year_loaded && static_cast<unsigned>(today.month()) >= 11;
    return h;
}

}  // namespace minsheng::gateway
