#pragma once
// Private to adapters/db: gathering every household's 主动发现 signals on a given connection (a
// reader's, or the writer's inside a unit: the monthly list). Throws sql::error.

#include <cstdint>
#include <vector>

#include "adapters/db/discovery.hpp"
#include "dialog/discovery/scoring.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

// As gather_discovery (discovery.hpp), on `c`.
std::vector<dialog::discovery::household> gather_discovery(statement_cache& c,
                                                           const discovery_keys& keys,
                                                           std::int64_t since,
                                                           int repeated_wishes_from);

}  // namespace minsheng::adapters::db::detail
