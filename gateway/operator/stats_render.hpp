#pragma once
// The statistics (adapters/db/statistics.hpp) as the operator API shows them: the JSON
// of GET /api/v1/stats and two self-contained SVG pictures, the 需求图 (a heat map of cases by
// community × category) and the 资源图 (bars of volunteers and stations per community). Every
// text a person reads comes from templates/stats/. Pure functions: safe from any thread.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/db/statistics.hpp"
#include "dialog/templates.hpp"

namespace minsheng::gateway::stats_render {

// What the figures are about, as the caller asked for it.
struct window {
    std::string since;  // China-time date, "2026-11-01" (first day counted)
    std::string until;  // China-time date (last day counted)
    // The communities in scope; nullopt: all of them.
    std::optional<std::vector<std::string>> communities;
};

// The templates the pictures and the stats errors use; the gateway checks them at start-up or
// a test does (dialog::template_set::require).
const std::vector<std::string>& template_keys();

// The body of GET /api/v1/stats (docs/statistics.md, API contract).
nlohmann::json to_json(const adapters::db::statistics& s, const window& w);

// The 需求图: one row per community, one column per category, each cell shaded by its count and
// the count written in it, with row totals; "暂无数据" when there are no cases.
std::string demand_svg(const adapters::db::statistics& s, const window& w,
                       const dialog::template_set& texts);

// The 资源图: per community a bar of volunteers and a bar of stations with their counts, and a
// legend; "暂无数据" when there is no community to show.
std::string resources_svg(const adapters::db::statistics& s, const window& w,
                          const dialog::template_set& texts);

// Text for XML content and attribute values: & < > " ' escaped, characters XML 1.0 does not
// allow dropped, invalid UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace minsheng::gateway::stats_render
