#include "dialog/cases/geo.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;

namespace {

// A "C" open to the east: the square 23.00..23.03 x 113.70..113.73 minus its middle-east bite
// 23.01..23.02 x 113.71..113.73. Concave.
ring c_shape() {
    return {{23.00, 113.70}, {23.00, 113.73}, {23.01, 113.73}, {23.01, 113.71},
            {23.02, 113.71}, {23.02, 113.73}, {23.03, 113.73}, {23.03, 113.70}};
}

ring square(double lat0, double lng0, double side) {
    return {{lat0, lng0}, {lat0, lng0 + side}, {lat0 + side, lng0 + side}, {lat0 + side, lng0}};
}

}  // namespace

TEST_CASE("a point in the bite of a concave grid is outside it, around it inside", "[dialog]") {
    auto r = c_shape();
    REQUIRE(normalise_ring(r) == ring_problem::none);
    CHECK(inside(r, {23.005, 113.72}));        // lower arm
    CHECK(inside(r, {23.025, 113.72}));        // upper arm
    CHECK(inside(r, {23.015, 113.705}));       // the back of the C
    CHECK_FALSE(inside(r, {23.015, 113.72}));  // in the bite
    CHECK_FALSE(inside(r, {23.015, 113.74}));  // east of everything
    CHECK_FALSE(inside(r, {22.99, 113.72}));   // south
    // A horizontal ray through a vertex (lat 23.01) counts it once.
    CHECK(inside(r, {23.01, 113.705}));
}

TEST_CASE("a hole takes its points out of the polygon", "[dialog]") {
    polygon p{square(23.0, 113.7, 0.04), {square(23.01, 113.71, 0.01)}};
    boundary b{{p}};
    REQUIRE(normalise_boundary(b).what == ring_problem::none);
    CHECK(inside(b, {23.005, 113.705}));
    CHECK_FALSE(inside(b, {23.015, 113.715}));  // in the hole
    CHECK(inside(b, {23.03, 113.73}));
    // A multi-part boundary: inside any part.
    b.parts.push_back({square(24.0, 114.0, 0.01), {}});
    CHECK(inside(b, {24.005, 114.005}));
    CHECK_FALSE(inside(boundary{}, {23.005, 113.705}));
}

TEST_CASE("a ring given closed is stored open; bad rings are named", "[dialog]") {
    auto closed = square(23.0, 113.7, 0.01);
    closed.push_back(closed.front());
    CHECK(normalise_ring(closed) == ring_problem::none);
    CHECK(closed.size() == 4);

    ring two{{23.0, 113.7}, {23.01, 113.7}, {23.0, 113.7}};
    CHECK(normalise_ring(two) == ring_problem::too_few);
    ring line{{23.0, 113.7}, {23.01, 113.71}, {23.02, 113.72}};
    CHECK(normalise_ring(line) == ring_problem::no_area);
    // A figure eight (bow tie): its two long edges cross.
    ring bow{{23.0, 113.7}, {23.01, 113.71}, {23.0, 113.71}, {23.01, 113.7}};
    CHECK(normalise_ring(bow) == ring_problem::self_crossing);
    ring far{{23.0, 113.7}, {91.0, 113.7}, {23.0, 113.71}};
    CHECK(normalise_ring(far) == ring_problem::bad_point);
    ring nan{{23.0, 113.7}, {std::numeric_limits<double>::quiet_NaN(), 113.7}, {23.0, 113.71}};
    CHECK(normalise_ring(nan) == ring_problem::bad_point);
    CHECK_FALSE(describe(ring_problem::self_crossing).empty());

    boundary b{{{square(23.0, 113.7, 0.04), {bow}}}};
    const auto why = normalise_boundary(b);
    CHECK(why.what == ring_problem::self_crossing);
    CHECK(why.polygon == 0);
    CHECK(why.ring == 1);
}

TEST_CASE("a located point falls in the first grid of the community that contains it", "[dialog]") {
    std::vector<grid_area> areas{
        {"东城社区", "一网格", boundary{{{square(23.00, 113.70, 0.01), {}}}}},
        {"东城社区", "二网格", boundary{{{square(23.00, 113.71, 0.01), {}}}}},
        {"西城社区", "一网格", boundary{{{square(23.00, 113.71, 0.01), {}}}}},  // overlaps
    };
    const auto* a = area_at(areas, {23.005, 113.715}, "东城社区");
    REQUIRE(a);
    CHECK(a->grid == "二网格");
    a = area_at(areas, {23.005, 113.715}, "西城社区");
    REQUIRE(a);
    CHECK(a->community == "西城社区");
    a = area_at(areas, {23.005, 113.705}, "");
    REQUIRE(a);
    CHECK(a->grid == "一网格");
    CHECK_FALSE(area_at(areas, {23.005, 113.705}, "西城社区"));
    CHECK_FALSE(area_at(areas, {25.0, 113.705}, ""));
    CHECK_FALSE(area_at(areas, {std::nan(""), 113.705}, ""));
}
