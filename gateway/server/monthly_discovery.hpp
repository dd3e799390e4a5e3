#pragma once
// The monthly 主动发现 list (docs/discovery.md): on the first working day of each China-time month
// (or the first sweep after it) the sweep ranks every household once and keeps the month's list
// (adapters/db/discovery_months.hpp), telling each street's supervisors it is ready when their
// street has a household on it. Once per month even with several gateways: the month's key in
// the store decides. Runs on the writer, inside the sweep.

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/db/store.hpp"
#include "dialog/cases/calendar.hpp"

namespace minsheng::gateway {

struct app_state;

// "YYYY-MM" of `now` in China time when the month's list is due (`now` is on or after the month's
// first working day), else nullopt.
std::optional<std::string> discovery_month_due(const dialog::cases::working_calendar& cal,
                                               std::int64_t now);

// Keeps this month's list when it is due and not kept yet; the number of households on it, or
// nullopt when nothing was done. Throws store_error.
std::optional<std::size_t> keep_month_discovery(const app_state& app, adapters::db::store& s,
                                                std::int64_t now);

// The template of the supervisors' notification.
inline constexpr const char* discovery_ready_template = "notify/discovery_ready";

}  // namespace minsheng::gateway
