#pragma once
// The monthly 主动发现 list (docs/discovery.md, schema step 19): once a month the sweep ranks every
// household and keeps that month's list, so supervisors see this month's list and how a household
// moved since the last. Once per month across every gateway: the month is the list's key, taken
// first in the transaction (a second gateway waits on it, then finds it taken and writes nothing).
// Writes take the store (writer thread), reads a reader. Storage failures throw store_error.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/db/discovery.hpp"
#include "adapters/db/store.hpp"
#include "dialog/discovery/scoring.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db {

// One household of a month's list.
struct discovery_month_entry {
    std::string household;      // the opaque key
    std::int64_t position = 0;  // 1: first in the city's list that month
    std::string community;
    std::int64_t overlap = 0;
    double weight = 0.0;
    friend bool operator==(const discovery_month_entry&, const discovery_month_entry&) = default;
};

struct discovery_month {
    std::string month;  // "2026-12"
    std::int64_t computed_at = 0;
    std::vector<discovery_month_entry> entries;  // by position
};

// In one transaction: when `month` ("YYYY-MM") has no list yet, gathers the signals since
// now − policy.window_seconds, ranks them (dialog::discovery::rank), keeps the ranking as the
// month's list and enqueues the notifications `notices` makes of it. Returns the list, or nullopt
// (nothing written) when the month had its list already.
std::optional<std::vector<dialog::discovery::ranked>> keep_monthly_discovery(
    store& s, const discovery_keys& keys, const std::string& month,
    const dialog::discovery::policy& policy, std::int64_t now,
    const std::function<
        std::vector<dialog::notification>(const std::vector<dialog::discovery::ranked>&)>& notices);

// The list kept for `month`; nullopt when none was.
std::optional<discovery_month> monthly_discovery(reader& r, const std::string& month);

}  // namespace minsheng::adapters::db
