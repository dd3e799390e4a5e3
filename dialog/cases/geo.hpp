#pragma once
// Grid boundaries (网格边界) on the map: polygons of WGS-84 points, and which grid a located case
// falls in. Boundaries are small (a grid is a few streets), so lat/lng are treated as plane
// coordinates: exact enough at that scale, and the test is the classic even-odd ray crossing,
// which handles concave shapes and holes alike. Pure functions and plain values: immutable
// after construction, share freely across threads; nothing here throws.

#include <string>
#include <string_view>
#include <vector>

#include "dialog/ports.hpp"

namespace minsheng::dialog::cases {

// A closed line of at least 3 points; the last point joins the first (a ring given closed, its
// last point repeating the first, is stored without the repeat).
using ring = std::vector<geo_point>;

// One area: its outer ring, minus its holes.
struct polygon {
    ring outer;
    std::vector<ring> holes;
};

// A grid's boundary: one or more polygons (a GeoJSON Polygon or MultiPolygon). A point is inside
// when it is inside any of them.
struct boundary {
    std::vector<polygon> parts;
    bool empty() const { return parts.empty(); }
};

// Why a ring is refused as a boundary; none when it is fine.
enum class ring_problem {
    none,
    bad_point,      // a point is not finite, or lat outside -90..90, lng outside -180..180
    too_few,        // fewer than 3 distinct points
    no_area,        // all points on one line
    self_crossing,  // two edges that do not share a point cross (a figure eight)
};
// The problem's description for a configuration error (English, for whoever edits the file).
std::string_view describe(ring_problem p);

// Drops the closing point of r when it repeats the first; then checks it (see ring_problem).
ring_problem normalise_ring(ring& r);
// Normalises and checks every ring of b: the first problem found and where it is (polygon
// 0-based; ring 0 the outer, 1.. the holes); what == none when every ring is fine.
struct boundary_problem {
    ring_problem what = ring_problem::none;
    std::size_t polygon = 0;
    std::size_t ring = 0;
};
boundary_problem normalise_boundary(boundary& b);

// Whether p is inside r (even-odd rule; a point exactly on an edge may go either way).
bool inside(const ring& r, geo_point p);
// Whether p is inside the polygon's outer ring and in none of its holes.
bool inside(const polygon& poly, geo_point p);
// Whether p is inside any part of b; false for an empty boundary.
bool inside(const boundary& b, geo_point p);

// A grid with a boundary: the community it belongs to, its name, its shape.
struct grid_area {
    std::string community;
    std::string grid;
    boundary shape;
};

// The first of `areas` (in order) whose shape contains p, among those of `community` ("" : of
// any community); nullptr when none.
const grid_area* area_at(const std::vector<grid_area>& areas, geo_point p,
                         std::string_view community);

}  // namespace minsheng::dialog::cases
