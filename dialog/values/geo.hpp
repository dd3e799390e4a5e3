#pragma once
// Distances on the map between two WGS-84 points, the one formula the wish wall (by chat and in
// the mini program) sorts by. Pure functions of their arguments: safe from any thread.

#include "dialog/ports.hpp"

namespace minsheng::dialog {

// The great-circle (haversine) distance in kilometres on a sphere of the Earth's mean radius
// (6371.0088 km); within about 0.5% of the ellipsoidal distance, plenty for "what is near me".
// Points are taken as given (lat -90..90, lng -180..180); the result is never negative.
double distance_km(geo_point a, geo_point b);

// Whether p is a finite point with lat in -90..90 and lng in -180..180.
bool valid_point(geo_point p);

}  // namespace minsheng::dialog
