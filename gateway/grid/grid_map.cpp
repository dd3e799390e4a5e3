#include "gateway/grid/grid_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dialog/cases/lifecycle.hpp"
#include "gateway/operator/stats_render.hpp"

namespace minsheng::gateway::grid {
namespace {

namespace cases = dialog::cases;
using stats_render::xml_escape;

constexpr int map_width = 640;
constexpr int pad = 16;
constexpr int top = 48;       // below the title and the period line
constexpr int legend_h = 56;  // under the map
constexpr const char* font_family =
    "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC',sans-serif";

bool in_hand(const dialog::case_record& c) {
    using namespace cases::status;
    return c.status == received || c.status == accepted || c.status == assigned ||
           c.status == claimed || c.status == in_progress;
}

std::string fixed(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// Pale to deep blue by share of the busiest grid; grey for none.
std::string shade(std::int64_t n, std::int64_t most) {
    if (n <= 0 || most <= 0) return "#eeeeee";
    const double f = static_cast<double>(n) / static_cast<double>(most);
    const auto mix = [f](int pale, int deep) {
        return static_cast<int>(std::lround(pale + (deep - pale) * f));
    };
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", mix(0xdd, 0x1f), mix(0xeb, 0x5f),
                  mix(0xf7, 0xa8));
    return buf;
}

// Plane coordinates of the whole map: lng scaled by cos(mid latitude), lat upwards.
struct projection {
    double lat_lo = 0, lat_hi = 0, lng_lo = 0, lng_hi = 0, k = 1, scale = 1;
    int height = 0;
    double x(double lng) const { return pad + (lng - lng_lo) * k * scale; }
    double y(double lat) const { return top + (lat_hi - lat) * scale; }
};

projection project(const std::vector<cases::grid_area>& areas) {
    projection p;
    bool first = true;
    for (const auto& a : areas)
        for (const auto& poly : a.shape.parts)
            for (const auto& pt : poly.outer) {
                if (first) {
                    p.lat_lo = p.lat_hi = pt.lat;
                    p.lng_lo = p.lng_hi = pt.lng;
                    first = false;
                }
                p.lat_lo = std::min(p.lat_lo, pt.lat);
                p.lat_hi = std::max(p.lat_hi, pt.lat);
                p.lng_lo = std::min(p.lng_lo, pt.lng);
                p.lng_hi = std::max(p.lng_hi, pt.lng);
            }
    p.k = std::cos((p.lat_lo + p.lat_hi) / 2 * 3.14159265358979323846 / 180.0);
    const double w = std::max((p.lng_hi - p.lng_lo) * p.k, 1e-9);
    const double h = std::max(p.lat_hi - p.lat_lo, 1e-9);
    p.scale = (map_width - 2 * pad) / w;
    // A tall shape is fitted to at most 900 px of height.
    if (h * p.scale > 900) p.scale = 900 / h;
    p.height = static_cast<int>(std::ceil(h * p.scale));
    return p;
}

std::string path_of(const cases::ring& r, const projection& p) {
    std::string d;
    for (std::size_t i = 0; i < r.size(); ++i)
        d += (i ? " L" : "M") + fixed(p.x(r[i].lng)) + "," + fixed(p.y(r[i].lat));
    return d + " Z";
}

}  // namespace

std::vector<grid_count> count_by_grid(const std::vector<cases::grid_area>& areas,
                                      const cases::assignment& rule,
                                      const std::vector<dialog::case_record>& all,
                                      std::int64_t now) {
    std::vector<grid_count> out;
    for (const auto& a : areas) out.push_back({a.community, a.grid, 0, 0});
    for (const auto& c : all) {
        if (!in_hand(c)) continue;
        const auto grid = rule.grid_of(c);
        if (grid.empty()) continue;
        for (auto& g : out)
            if (g.community == c.community && g.grid == grid) {
                ++g.open;
                if (c.deadline_at > 0 && c.deadline_at < now) ++g.overdue;
                break;
            }
    }
    return out;
}

const std::vector<std::string>& grid_map_template_keys() {
    static const std::vector<std::string> keys{
        "stats/grids_title",  "stats/grids_desc",  "stats/grids_label", "stats/grids_counts",
        "stats/grids_legend", "stats/grids_as_of", "stats/no_data"};
    return keys;
}

std::string grid_map_svg(const std::vector<cases::grid_area>& areas,
                         const std::vector<grid_count>& counts, const std::string& until,
                         const std::string& scope, const dialog::template_set& texts) {
    std::int64_t open = 0, overdue = 0, most = 0;
    for (const auto& g : counts) {
        open += g.open;
        overdue += g.overdue;
        most = std::max(most, g.open);
    }
    const std::string title = texts.render("stats/grids_title");
    const std::string desc =
        texts.render("stats/grids_desc", {{"until", until},
                                          {"scope", scope},
                                          {"grids", std::to_string(areas.size())},
                                          {"open", std::to_string(open)},
                                          {"overdue", std::to_string(overdue)}});
    const projection p = areas.empty() ? projection{} : project(areas);
    const int height = top + (areas.empty() ? 60 : p.height) + legend_h;
    const std::string w = std::to_string(map_width), h = std::to_string(height);
    std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + w + "\" height=\"" +
         h + "\" viewBox=\"0 0 " + w + " " + h +
         "\" aria-labelledby=\"stats-title stats-desc\" font-family=\"" + font_family +
         "\" font-size=\"12\">\n";
    s += "<title id=\"stats-title\">" + xml_escape(title) + "</title>\n";
    s += "<desc id=\"stats-desc\">" + xml_escape(desc) + "</desc>\n";
    s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    s += "<text x=\"16\" y=\"24\" font-size=\"17\" font-weight=\"bold\" fill=\"#1a1a1a\">" +
         xml_escape(title) + "</text>\n";
    s += "<text x=\"16\" y=\"40\" fill=\"#666666\">" +
         xml_escape(texts.render("stats/grids_as_of", {{"until", until}, {"scope", scope}})) +
         "</text>\n";
    if (areas.empty()) {
        s += "<text x=\"16\" y=\"" + std::to_string(top + 30) + "\" fill=\"#888888\">" +
             xml_escape(texts.render("stats/no_data")) + "</text>\n";
        return s + "</svg>\n";
    }
    for (std::size_t i = 0; i < areas.size(); ++i) {
        const auto& a = areas[i];
        const grid_count g = i < counts.size() ? counts[i] : grid_count{};
        std::string d;
        double cx = 0, cy = 0;
        std::size_t n = 0;
        for (const auto& poly : a.shape.parts) {
            d += path_of(poly.outer, p) + " ";
            for (const auto& hole : poly.holes) d += path_of(hole, p) + " ";
            for (const auto& pt : poly.outer) {
                cx += p.x(pt.lng);
                cy += p.y(pt.lat);
                ++n;
            }
        }
        if (!d.empty()) d.pop_back();
        const bool late = g.overdue > 0;
        s += "<g class=\"grid\" data-community=\"" + xml_escape(a.community) + "\" data-grid=\"" +
             xml_escape(a.grid) + "\" data-open=\"" + std::to_string(g.open) +
             "\" data-overdue=\"" + std::to_string(g.overdue) + "\">\n";
        s += "<path d=\"" + d + "\" fill=\"" + shade(g.open, most) + "\" fill-rule=\"evenodd\"" +
             " stroke=\"" + (late ? "#d62728" : "#555555") + "\" stroke-width=\"" +
             (late ? "3" : "1") + "\"/>\n";
        if (n > 0) {
            cx /= static_cast<double>(n);
            cy /= static_cast<double>(n);
            const bool dark = most > 0 && g.open * 2 > most;
            const std::string fill = dark ? "#ffffff" : "#1a1a1a";
            s += "<text x=\"" + fixed(cx) + "\" y=\"" + fixed(cy - 2) +
                 "\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"" + fill + "\">" +
                 xml_escape(texts.render("stats/grids_label",
                                         {{"community", a.community}, {"grid", a.grid}})) +
                 "</text>\n";
            s += "<text x=\"" + fixed(cx) + "\" y=\"" + fixed(cy + 14) +
                 "\" text-anchor=\"middle\" fill=\"" + fill + "\">" +
                 xml_escape(texts.render(
                     "stats/grids_counts",
                     {{"open", std::to_string(g.open)}, {"overdue", std::to_string(g.overdue)}})) +
                 "</text>\n";
        }
        s += "</g>\n";
    }
    const int ly = top + p.height + 24;
    s += "<rect x=\"16\" y=\"" + std::to_string(ly - 11) +
         "\" width=\"14\" height=\"14\" fill=\"#1f5fa8\"/>\n";
    s += "<rect x=\"36\" y=\"" + std::to_string(ly - 11) +
         "\" width=\"14\" height=\"14\" fill=\"#ffffff\" stroke=\"#d62728\" stroke-width=\"3\"/>\n";
    s += "<text x=\"58\" y=\"" + std::to_string(ly) + "\" fill=\"#333333\">" +
         xml_escape(texts.render("stats/grids_legend")) + "</text>\n";
    return s + "</svg>\n";
}

}  // namespace minsheng::gateway::grid
