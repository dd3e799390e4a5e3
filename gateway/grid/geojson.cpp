#include "gateway/grid/geojson.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace minsheng::gateway::grid {

namespace {

using json = nlohmann::json;
namespace cases = dialog::cases;

cases::ring read_ring(const json& j) {
    if (!j.is_array()) throw geojson_error("a ring must be an array of positions");
    cases::ring r;
    for (const auto& pos : j) {
        if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number())
            throw geojson_error("a position must be [longitude, latitude]");
        r.push_back({pos[1].get<double>(), pos[0].get<double>()});
    }
    return r;
}

cases::polygon read_polygon(const json& j) {
    if (!j.is_array() || j.empty())
        throw geojson_error("a Polygon's coordinates must be a non-empty array of rings");
    cases::polygon p;
    p.outer = read_ring(j[0]);
    for (std::size_t i = 1; i < j.size(); ++i) p.holes.push_back(read_ring(j[i]));
    return p;
}

void add_geometry(const json& g, cases::boundary& b) {
    if (!g.is_object() || !g.contains("type") || !g["type"].is_string())
        throw geojson_error("a geometry needs a \"type\"");
    const auto type = g["type"].get<std::string>();
    if (type == "GeometryCollection") {
        if (!g.contains("geometries") || !g["geometries"].is_array())
            throw geojson_error("a GeometryCollection needs \"geometries\"");
        for (const auto& each : g["geometries"]) add_geometry(each, b);
        return;
    }
    if (type != "Polygon" && type != "MultiPolygon")
        throw geojson_error("a grid boundary is a Polygon or MultiPolygon, not a " + type);
    if (!g.contains("coordinates")) throw geojson_error("a " + type + " needs \"coordinates\"");
    const auto& c = g["coordinates"];
    if (type == "Polygon") {
        b.parts.push_back(read_polygon(c));
        return;
    }
    if (!c.is_array()) throw geojson_error("a MultiPolygon's coordinates must be an array");
    for (const auto& poly : c) b.parts.push_back(read_polygon(poly));
}

void add_object(const json& j, cases::boundary& b) {
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw geojson_error("not a GeoJSON object (no \"type\")");
    const auto type = j["type"].get<std::string>();
    if (type == "FeatureCollection") {
        if (!j.contains("features") || !j["features"].is_array())
            throw geojson_error("a FeatureCollection needs \"features\"");
        for (const auto& f : j["features"]) add_object(f, b);
    } else if (type == "Feature") {
        if (!j.contains("geometry") || j["geometry"].is_null())
            throw geojson_error("a Feature without a geometry");
        add_geometry(j["geometry"], b);
    } else {
        add_geometry(j, b);
    }
}

}  // namespace

cases::boundary parse_geojson_boundary(std::string_view text) {
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) throw geojson_error("not valid JSON");
    cases::boundary b;
    add_object(j, b);
    if (b.empty()) throw geojson_error("holds no polygon");
    if (auto why = cases::normalise_boundary(b); why.what != cases::ring_problem::none)
        throw geojson_error(
            "polygon " + std::to_string(why.polygon + 1) + ", " +
            (why.ring == 0 ? std::string("outer ring") : "hole " + std::to_string(why.ring)) +
            ": " + std::string(cases::describe(why.what)));
    return b;
}

cases::boundary read_geojson_boundary(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw geojson_error("cannot open " + path);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    try {
        return parse_geojson_boundary(bytes.str());
    } catch (const geojson_error& e) {
        throw geojson_error(path + ": " + e.what());
    }
}

}  // namespace minsheng::gateway::grid
