#pragma once
// A grid's boundary from a GeoJSON text (RFC 7946): a Polygon or MultiPolygon geometry, a
// Feature holding one, or a FeatureCollection whose features' polygons together make the
// boundary. Positions are [longitude, latitude] as the standard says. Pure functions: safe from
// any thread.

#include <stdexcept>
#include <string>
#include <string_view>

#include "dialog/cases/geo.hpp"

namespace minsheng::gateway::grid {

// What is wrong with a GeoJSON text; the message says what and where, for a configuration error.
struct geojson_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The boundary in `text`, its rings normalised and checked (dialog::cases::normalise_boundary).
// Throws geojson_error when the text is not JSON, not one of the shapes above, holds no polygon,
// or a ring is refused.
dialog::cases::boundary parse_geojson_boundary(std::string_view text);

// The same, read from the file at `path`. Throws geojson_error also when it cannot be read.
dialog::cases::boundary read_geojson_boundary(const std::string& path);

}  // namespace minsheng::gateway::grid
