#include "dialog/values/geo.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace minsheng::dialog;
using minsheng::dialog::distance_km;
using minsheng::dialog::valid_point;

namespace {

const geo_point dongguan{23.0430, 113.7633};
const geo_point guangzhou{23.1291, 113.2644};

}  // namespace

TEST_CASE("Dongguan to Guangzhou is about 51.9 km, either way round", "[dialog]") {
    CHECK(distance_km(dongguan, guangzhou) == Approx(51.9).margin(0.5));
    CHECK(distance_km(guangzhou, dongguan) == Approx(distance_km(dongguan, guangzhou)));
}

TEST_CASE("distances are zero at the same point and at most half the Earth round", "[dialog]") {
    CHECK(distance_km(dongguan, dongguan) == 0.0);
    // 0.0027 degrees of latitude is about 300 m.
    CHECK(distance_km(dongguan, {23.0457, 113.7633}) == Approx(0.300).margin(0.002));
    // Beijing to Shanghai, a well-known 1,067 km.
    CHECK(distance_km({39.9042, 116.4074}, {31.2304, 121.4737}) == Approx(1067).margin(5));
    // Antipodes: half the circumference of the mean sphere, never NaN.
    const double half = distance_km({0, 0}, {0, 180});
    CHECK(half == Approx(20015.1).margin(1));
    CHECK(distance_km({90, 0}, {-90, 0}) == Approx(half));
}

TEST_CASE("a point is valid only when finite and within the degree ranges", "[dialog]") {
    CHECK(valid_point(dongguan));
    CHECK(valid_point({-90, -180}));
    CHECK(valid_point({90, 180}));
    CHECK_FALSE(valid_point({90.0001, 0}));
    CHECK_FALSE(valid_point({0, -180.0001}));
    CHECK_FALSE(valid_point({std::numeric_limits<double>::quiet_NaN(), 0}));
    CHECK_FALSE(valid_point({0, std::numeric_limits<double>::infinity()}));
}
