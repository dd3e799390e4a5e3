#pragma once
// The 网格图 of the statistics page (GET /api/v1/stats/grids.svg): every grid drawn with a
// boundary ([[community.grid]]), shaded by its cases still in hand and outlined in red when any
// of them is past its deadline, each labelled with its name and both counts. Self-contained SVG
// like the 需求图 and 资源图; every text from templates/stats/. Pure functions: safe from any
// thread.

#include <cstdint>
#include <string>
#include <vector>

#include "dialog/cases/assignment.hpp"
#include "dialog/cases/geo.hpp"
#include "dialog/templates.hpp"

namespace minsheng::gateway::grid {

// One grid's orders now.
struct grid_count {
    std::string community;
    std::string grid;
    std::int64_t open = 0;     // cases in hand: not yet reported done, closed, cancelled or merged
    std::int64_t overdue = 0;  // of those, past their deadline at `now`
};

// The counts of every area (in its order) from `cases` (any status; those not in hand are
// skipped), each case placed by rule.grid_of within its own community.
std::vector<grid_count> count_by_grid(const std::vector<dialog::cases::grid_area>& areas,
                                      const dialog::cases::assignment& rule,
                                      const std::vector<dialog::case_record>& cases,
                                      std::int64_t now);

// The picture. `until` is the China-time date the counts are of, `scope` the communities' label.
std::string grid_map_svg(const std::vector<dialog::cases::grid_area>& areas,
                         const std::vector<grid_count>& counts, const std::string& until,
                         const std::string& scope, const dialog::template_set& texts);

// The templates grid_map_svg uses (the gateway requires them at start-up).
const std::vector<std::string>& grid_map_template_keys();

}  // namespace minsheng::gateway::grid
