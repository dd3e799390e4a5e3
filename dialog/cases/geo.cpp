#include "dialog/cases/geo.hpp"

#include <algorithm>
#include <cmath>

#include "dialog/values/geo.hpp"

namespace minsheng::dialog::cases {

namespace {

// Twice the signed area of the triangle a, b, c in the (lng, lat) plane.
double cross(geo_point a, geo_point b, geo_point c) {
    return (b.lng - a.lng) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lng - a.lng);
}

int sign(double v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); }

// Whether q, collinear with segment a-b, lies on it.
bool on_segment(geo_point a, geo_point b, geo_point q) {
    return std::min(a.lng, b.lng) <= q.lng && q.lng <= std::max(a.lng, b.lng) &&
           std::min(a.lat, b.lat) <= q.lat && q.lat <= std::max(a.lat, b.lat);
}

// Whether segments a-b and c-d have any point in common.
bool segments_meet(geo_point a, geo_point b, geo_point c, geo_point d) {
    const int d1 = sign(cross(c, d, a)), d2 = sign(cross(c, d, b));
    const int d3 = sign(cross(a, b, c)), d4 = sign(cross(a, b, d));
    if (d1 * d2 < 0 && d3 * d4 < 0) return true;
    return (d1 == 0 && on_segment(c, d, a)) || (d2 == 0 && on_segment(c, d, b)) ||
           (d3 == 0 && on_segment(a, b, c)) || (d4 == 0 && on_segment(a, b, d));
}

}  // namespace

std::string_view describe(ring_problem p) {
    switch (p) {
        case ring_problem::none:
            return "fine";
        case ring_problem::bad_point:
            return "a point is outside lat -90..90 / lng -180..180 or not a number";
        case ring_problem::too_few:
            return "needs at least 3 different points";
        case ring_problem::no_area:
            return "its points lie on one line, it encloses nothing";
        case ring_problem::self_crossing:
            return "its edges cross each other";
    }
    return "unknown problem";
}

ring_problem normalise_ring(ring& r) {
    for (const auto& p : r)
        if (!valid_point(p)) return ring_problem::bad_point;
    // Repeated neighbours (and the closing repeat of the first point) add nothing.
    r.erase(std::unique(r.begin(), r.end()), r.end());
    while (r.size() > 1 && r.back() == r.front()) r.pop_back();
    if (r.size() < 3) return ring_problem::too_few;
    const std::size_t n = r.size();
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            // Neighbouring edges share a point by construction.
            if (j == i + 1 || (i == 0 && j == n - 1)) continue;
            if (segments_meet(r[i], r[(i + 1) % n], r[j], r[(j + 1) % n]))
                return ring_problem::self_crossing;
        }
    }
    // Enclosed area (shoelace), against the square of the ring's extent: points on one line
    // leave only rounding error.
    double twice_area = 0, lat_lo = r[0].lat, lat_hi = r[0].lat, lng_lo = r[0].lng,
           lng_hi = r[0].lng;
    for (std::size_t i = 0; i < r.size(); ++i) {
        twice_area += cross(r[0], r[i], r[(i + 1) % r.size()]);
        lat_lo = std::min(lat_lo, r[i].lat);
        lat_hi = std::max(lat_hi, r[i].lat);
        lng_lo = std::min(lng_lo, r[i].lng);
        lng_hi = std::max(lng_hi, r[i].lng);
    }
    const double extent = std::max(lat_hi - lat_lo, lng_hi - lng_lo);
    if (std::abs(twice_area) <= 1e-9 * extent * extent) return ring_problem::no_area;
    return ring_problem::none;
}

boundary_problem normalise_boundary(boundary& b) {
    for (std::size_t p = 0; p < b.parts.size(); ++p) {
        auto& poly = b.parts[p];
        if (auto why = normalise_ring(poly.outer); why != ring_problem::none) return {why, p, 0};
        for (std::size_t h = 0; h < poly.holes.size(); ++h)
            if (auto why = normalise_ring(poly.holes[h]); why != ring_problem::none)
                return {why, p, h + 1};
    }
    return {};
}

bool inside(const ring& r, geo_point p) {
    bool in = false;
    const std::size_t n = r.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        const geo_point a = r[i], b = r[j];
        // The edge straddles the horizontal line through p (half-open, so a vertex on the line
        // counts once), and crosses it to the east of p.
        if ((a.lat > p.lat) != (b.lat > p.lat)) {
            const double lng_at = a.lng + (p.lat - a.lat) * (b.lng - a.lng) / (b.lat - a.lat);
            if (p.lng < lng_at) in = !in;
        }
    }
    return in;
}

bool inside(const polygon& poly, geo_point p) {
    if (!inside(poly.outer, p)) return false;
    return std::none_of(poly.holes.begin(), poly.holes.end(),
                        [&](const ring& h) { return inside(h, p); });
}

bool inside(const boundary& b, geo_point p) {
    return std::any_of(b.parts.begin(), b.parts.end(),
                       [&](const polygon& poly) { return inside(poly, p); });
}

const grid_area* area_at(const std::vector<grid_area>& areas, geo_point p,
                         std::string_view community) {
    if (!valid_point(p)) return nullptr;
    for (const auto& a : areas)
        if ((community.empty() || a.community == community) && inside(a.shape, p)) return &a;
    return nullptr;
}

}  // namespace minsheng::dialog::cases
