#include "dialog/values/geo.hpp"

#include <algorithm>
#include <cmath>

namespace minsheng::dialog {

double distance_km(geo_point a, geo_point b) {
    constexpr double earth_km = 6371.0088;
    constexpr double rad = 3.14159265358979323846 / 180.0;
    const double dlat = (b.lat - a.lat) * rad, dlng = (b.lng - a.lng) * rad;
    const double h =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(a.lat * rad) * std::cos(b.lat * rad) * std::sin(dlng / 2) * std::sin(dlng / 2);
    return 2 * earth_km * std::asin(std::min(1.0, std::sqrt(h)));
}

bool valid_point(geo_point p) {
    return std::isfinite(p.lat) && std::isfinite(p.lng) && p.lat >= -90 && p.lat <= 90 &&
           p.lng >= -180 && p.lng <= 180;
}

}  // namespace minsheng::dialog
