#include "gateway/grid/geojson.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "gateway/server/config.hpp"

using namespace minsheng::gateway;
using minsheng::dialog::cases::inside;

namespace {

// A fresh directory for one test's config and GeoJSON files.
struct temp_dir {
    std::filesystem::path path;
    explicit temp_dir(const std::string& name)
        : path(std::filesystem::temp_directory_path() / name) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~temp_dir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
};

const char* const east_geojson = R"({
  "type": "FeatureCollection",
  "features": [{
    "type": "Feature", "properties": {"name": "二网格"},
    "geometry": {"type": "Polygon", "coordinates": [
      [[113.71, 23.00], [113.72, 23.00], [113.72, 23.01], [113.71, 23.01], [113.71, 23.00]],
      [[113.714, 23.004], [113.716, 23.004], [113.716, 23.006], [113.714, 23.006]]
    ]}
  }]
})";

std::string config_with(const std::string& grid_tables) {
    return "[[community]]\nname = \"东城社区\"\ngrids = [\"一网格\"]\n" + grid_tables;
}

}  // namespace

TEST_CASE("grids carry boundaries inline or from a GeoJSON file next to the config", "[gateway]") {
    temp_dir dir("minsheng-grid-config-test");
    dir.write("east.geojson", east_geojson);
    auto file = dir.write("minsheng.toml", config_with(R"(
[[community.grid]]
name = "一网格"
boundary = [{lat = 23.00, lng = 113.70}, {lat = 23.00, lng = 113.71},
            {lat = 23.01, lng = 113.71}, {lat = 23.01, lng = 113.70}]
[[community.grid]]
name = "二网格"
boundary_file = "east.geojson"
)"));
    auto c = load_config(file, {});
    REQUIRE(c.communities.size() == 1);
    const auto& cc = c.communities[0];
    // A grid drawn only as a table joins the grid names once.
    CHECK(cc.grids == std::vector<std::string>{"一网格", "二网格"});
    REQUIRE(cc.areas.size() == 2);
    CHECK(cc.areas[1].community == "东城社区");
    CHECK(inside(cc.areas[0].shape, {23.005, 113.705}));
    CHECK(inside(cc.areas[1].shape, {23.002, 113.718}));
    CHECK_FALSE(inside(cc.areas[1].shape, {23.005, 113.715}));  // the file's hole
    // The case service places located cases by them.
    CHECK(c.program.settings.grid_areas.size() == 2);
}

TEST_CASE("a bad grid boundary stops the start with an error naming the grid", "[gateway]") {
    temp_dir dir("minsheng-grid-config-bad-test");
    const auto refused = [&](const std::string& tables, const std::string& says) {
        INFO(tables);
        auto file = dir.write("minsheng.toml", config_with(tables));
        CHECK_THROWS_WITH(load_config(file, {}), Catch::Contains(says));
    };
    refused("[[community.grid]]\nname = \"一网格\"\n", "give boundary or boundary_file");
    refused(
        "[[community.grid]]\nname = \"一网格\"\nboundary_file = \"x.geojson\"\n"
        "boundary = [{lat = 23.0, lng = 113.7}]\n",
        "give boundary or boundary_file");
    refused("[[community.grid]]\nboundary_file = \"x.geojson\"\n", "needs a name");
    refused(
        "[[community.grid]]\nname = \"一网格\"\nboundary = [{lat = 23.0, lng = 113.7}, "
        "{lat = 23.01, lng = 113.7}]\n",
        "at least 3 different points");
    refused(
        "[[community.grid]]\nname = \"一网格\"\nboundary = [{lat = 23.0, lng = 113.7}, "
        "{lat = 23.01, lng = 113.71}, {lat = 23.0, lng = 113.71}, {lat = 23.01, lng = 113.7}]\n",
        "cross");
    refused(
        "[[community.grid]]\nname = \"一网格\"\nboundary = [[23.0, 113.7], [23.0, 113.71], "
        "[23.01, 113.71]]\n",
        "{lat = .., lng = ..}");
    refused(
        "[[community.grid]]\nname = \"一网格\"\nboundary = [{lat = 123.0, lng = 113.7}, "
        "{lat = 23.01, lng = 113.71}, {lat = 23.0, lng = 113.71}]\n",
        "lat -90..90");
    refused("[[community.grid]]\nname = \"一网格\"\nboundary_file = \"missing.geojson\"\n",
            "cannot open");
    dir.write("line.geojson",
              R"({"type": "LineString", "coordinates": [[113.7, 23.0], [113.8, 23.1]]})");
    refused("[[community.grid]]\nname = \"一网格\"\nboundary_file = \"line.geojson\"\n",
            "Polygon or MultiPolygon");
    const std::string square =
        "boundary = [{lat = 23.0, lng = 113.7}, {lat = 23.0, lng = 113.71}, "
        "{lat = 23.01, lng = 113.71}]\n";
    refused("[[community.grid]]\nname = \"一网格\"\n" + square +
                "[[community.grid]]\nname = "
                "\"一网格\"\n" +
                square,
            "listed twice");
}

TEST_CASE("GeoJSON boundaries: polygons, multipolygons, features; positions are lng, lat",
          "[gateway]") {
    auto b = grid::parse_geojson_boundary(
        R"({"type": "MultiPolygon", "coordinates": [
             [[[113.70, 23.00], [113.71, 23.00], [113.71, 23.01]]],
             [[[114.00, 24.00], [114.01, 24.00], [114.01, 24.01], [114.00, 24.01]]]]})");
    REQUIRE(b.parts.size() == 2);
    CHECK(b.parts[0].outer[1].lng == Approx(113.71));
    CHECK(b.parts[0].outer[1].lat == Approx(23.00));
    CHECK(inside(b, {24.005, 114.005}));
    CHECK_FALSE(inside(b, {23.005, 114.005}));
    CHECK_THROWS_AS(grid::parse_geojson_boundary("{not json"), grid::geojson_error);
    CHECK_THROWS_WITH(
        grid::parse_geojson_boundary(R"({"type": "FeatureCollection", "features": []})"),
        Catch::Contains("no polygon"));
    CHECK_THROWS_WITH(
        grid::parse_geojson_boundary(R"({"type": "Polygon", "coordinates": [[[113.7]]]})"),
        Catch::Contains("[longitude, latitude]"));
    CHECK_THROWS_WITH(
        grid::parse_geojson_boundary(
            R"({"type": "Polygon", "coordinates": [[[113.7, 23.0], [113.71, 23.0], [113.71, 23.01]], [[113.7, 23.0], [113.7, 23.0]]]})"),
        Catch::Contains("hole 1"));
}
