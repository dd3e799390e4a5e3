#include "gateway/operator/stats_render.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "dialog/utf8.hpp"

namespace minsheng::gateway::stats_render {

namespace {

using json = nlohmann::json;
using adapters::db::statistics;

// Local font names only: the picture loads nothing from outside.
constexpr std::string_view font_family =
    "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC',sans-serif";
constexpr int pad = 16;
constexpr int font_px = 13;
constexpr std::size_t max_label_chars = 16;  // longer names are cut with "…"

json keyed(const std::vector<adapters::db::keyed_count>& rows) {
    json out = json::array();
    for (const auto& r : rows) out.push_back({{"key", r.key}, {"count", r.count}});
    return out;
}

// Rates and means to four decimals: enough for a percentage with two decimals.
json rounded_or_null(const std::optional<double>& v) {
    if (!v) return nullptr;
    return std::round(*v * 10000.0) / 10000.0;
}

// The label with at most max_label_chars characters.
std::string clipped(std::string_view text) {
    if (dialog::count_code_points(text) <= max_label_chars) return std::string(text);
    std::string out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size() && n < max_label_chars - 1; ++n) {
        const auto d = dialog::decode_utf8(text, i);
        dialog::append_utf8(out, d.cp);
        i += d.len;
    }
    return out + "…";
}

// Roughly how wide `text` is drawn at `px`: CJK and other wide characters one em, the rest
// about six tenths of one. Enough to size the columns so that labels do not overlap.
int text_width(std::string_view text, int px) {
    double em = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto d = dialog::decode_utf8(text, i);
        em += d.cp >= 0x2E80 ? 1.0 : 0.6;
        i += d.len;
    }
    return static_cast<int>(std::ceil(em * px));
}

std::string num(std::int64_t n) { return std::to_string(n); }

// The shared head of both pictures: size, accessible name and description, the visible title.
std::string svg_head(int width, int height, const std::string& title, const std::string& desc) {
    const std::string w = num(width), h = num(height);
    std::string s;
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + w + "\" height=\"" +
         h + "\" viewBox=\"0 0 " + w + " " + h +
         "\" aria-labelledby=\"stats-title stats-desc\" font-family=\"" + std::string(font_family) +
         "\" font-size=\"" + num(font_px) + "\">\n";
    s += "<title id=\"stats-title\">" + xml_escape(title) + "</title>\n";
    s += "<desc id=\"stats-desc\">" + xml_escape(desc) + "</desc>\n";
    s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    s += "<text x=\"" + num(pad) +
         "\" y=\"28\" font-size=\"17\" font-weight=\"bold\" fill=\"#1a1a1a\">" + xml_escape(title) +
         "</text>\n";
    return s;
}

std::string text_at(int x, int y, const std::string& text, std::string_view attrs = {}) {
    std::string s = "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"";
    if (!attrs.empty()) s += " " + std::string(attrs);
    return s + ">" + xml_escape(text) + "</text>\n";
}

std::string rect(int x, int y, int w, int h, std::string_view fill, std::string_view attrs = {}) {
    std::string s = "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) +
                    "\" height=\"" + num(h) + "\" fill=\"" + std::string(fill) + "\"";
    if (!attrs.empty()) s += " " + std::string(attrs);
    return s + "/>\n";
}

// The picture with nothing in it: title, period and "暂无数据".
std::string empty_svg(const std::string& title, const std::string& desc, const std::string& period,
                      const dialog::template_set& texts) {
    const int width = std::max(480, text_width(title, 17) + 2 * pad);
    std::string s = svg_head(width, 150, title, desc);
    s += text_at(pad, 50, period, "font-size=\"12\" fill=\"#666666\"");
    s += text_at(width / 2, 105, texts.render("stats/no_data"),
                 "font-size=\"16\" text-anchor=\"middle\" fill=\"#888888\"");
    return s + "</svg>\n";
}

std::string scope_text(const window& w, const dialog::template_set& texts) {
    if (!w.communities || w.communities->empty()) return texts.render("stats/scope_all");
    std::string out;
    const std::string sep = texts.render("stats/scope_separator");
    for (const auto& c : *w.communities) {
        if (!out.empty()) out += sep;
        out += c;
    }
    return out;
}

std::string period_text(const window& w, const dialog::template_set& texts) {
    return texts.render("stats/period", {{"since", w.since}, {"until", w.until}});
}

std::string community_label(const std::string& c, const dialog::template_set& texts) {
    return clipped(c.empty() ? texts.render("stats/unknown_community") : c);
}

std::string category_label(const std::string& c, const dialog::template_set& texts) {
    return clipped(c.empty() ? texts.render("stats/unknown_category") : c);
}

// A heat-map shade: from a pale to a deep blue as `t` goes from 0 to 1.
std::string shade(double t) {
    constexpr int lo[] = {0xde, 0xeb, 0xf7};
    constexpr int hi[] = {0x08, 0x51, 0x9c};
    char buf[8];
    int c[3];
    for (int i = 0; i < 3; ++i)
        c[i] = static_cast<int>(std::lround(lo[i] + (hi[i] - lo[i]) * std::clamp(t, 0.0, 1.0)));
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
    return buf;
}

}  // namespace

const std::vector<std::string>& template_keys() {
    static const std::vector<std::string> keys{
        "stats/demand_title",      "stats/demand_desc",
        "stats/resources_title",   "stats/resources_desc",
        "stats/legend_volunteers", "stats/legend_stations",
        "stats/legend_shade",      "stats/axis_community",
        "stats/axis_category",     "stats/total",
        "stats/no_data",           "stats/unknown_community",
        "stats/unknown_category",  "stats/scope_all",
        "stats/scope_separator",   "stats/period",
        "stats/bad_date",          "stats/bad_range",
        "stats/forbidden",         "stats/method_not_allowed",
        "stats/not_found",         "stats/unavailable",
    };
    return keys;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto d = dialog::decode_utf8(text, i);
        i += d.len;
        const char32_t cp = d.cp;
        switch (cp) {
            case '&':
                out += "&amp;";
                continue;
            case '<':
                out += "&lt;";
                continue;
            case '>':
                out += "&gt;";
                continue;
            case '"':
                out += "&quot;";
                continue;
            case '\'':
                out += "&apos;";
                continue;
            default:
                break;
        }
        // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
        const bool allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                             (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
        if (allowed) dialog::append_utf8(out, cp);
    }
    return out;
}

json to_json(const statistics& s, const window& w) {
    json communities = nullptr;
    if (w.communities) communities = *w.communities;
    const auto& d = s.deadlines;
    const auto& v = s.volunteers;
    json distribution = json::object();
    for (std::size_t i = 0; i < s.ratings.distribution.size(); ++i)
        distribution[std::to_string(i + 1)] = s.ratings.distribution[i];
    json demand = json::array();
    for (const auto& c : s.demand)
        demand.push_back(
            {{"community", c.community}, {"category", c.category}, {"count", c.count}});
    json resources = json::array();
    for (const auto& r : s.resources)
        resources.push_back(
            {{"community", r.community}, {"volunteers", r.volunteers}, {"stations", r.stations}});
    json certificates = json::array();
    for (const auto& c : s.certificates)
        certificates.push_back({{"month", c.month},
                                {"item", c.item},
                                {"answered", c.answered},
                                {"escalated", c.escalated},
                                {"deflected", c.deflected()}});
    return {
        {"since", w.since},
        {"until", w.until},
        {"communities", std::move(communities)},
        {"totals",
         {{"cases", s.totals.cases},
          {"open", s.totals.open},
          {"closed", s.totals.closed},
          {"overdue", s.totals.overdue}}},
        {"by_category", keyed(s.by_category)},
        {"by_kind", keyed(s.by_kind)},
        {"by_channel", keyed(s.by_channel)},
        {"by_community", keyed(s.by_community)},
        {"by_status", keyed(s.by_status)},
        {"deadlines",
         {{"with_deadline", d.with_deadline},
          {"closed_on_time", d.closed_on_time},
          {"closed_late", d.closed_late},
          {"open_overdue", d.open_overdue},
          {"open_on_time", d.open_on_time},
          {"compliance_rate", rounded_or_null(d.compliance_rate)}}},
        {"ratings",
         {{"count", s.ratings.count},
          {"mean", rounded_or_null(s.ratings.mean)},
          {"distribution", std::move(distribution)}}},
        {"volunteers",
         {{"registered", v.registered},
          {"active", v.active},
          {"claims", v.claims},
          {"wishes_confirmed", v.wishes_confirmed},
          {"visits", v.visits},
          {"service_minutes", v.service_minutes},
          {"points_credited", v.points_credited}}},
        {"demand", std::move(demand)},
        {"resources", std::move(resources)},
        {"certificates", std::move(certificates)},
    };
}

std::string demand_svg(const statistics& s, const window& w, const dialog::template_set& texts) {
    const std::string title = texts.render("stats/demand_title");
    const std::string desc = texts.render("stats/demand_desc", {{"since", w.since},
                                                                {"until", w.until},
                                                                {"scope", scope_text(w, texts)},
                                                                {"total", num(s.totals.cases)}});
    const std::string period = period_text(w, texts);
    if (s.demand.empty()) return empty_svg(title, desc, period, texts);

    // Rows: communities, busiest first; columns: categories, most asked for first.
    std::vector<std::string> rows, cols;
    for (const auto& r : s.by_community) rows.push_back(r.key);
    for (const auto& c : s.by_category) cols.push_back(c.key);
    std::map<std::pair<std::string, std::string>, std::int64_t> count;
    std::int64_t max_count = 1;
    for (const auto& c : s.demand) {
        count[{c.community, c.category}] = c.count;
        max_count = std::max(max_count, c.count);
    }
    std::map<std::string, std::int64_t> row_total;
    for (const auto& r : s.by_community) row_total[r.key] = r.count;

    const std::string head_community = texts.render("stats/axis_community");
    const std::string head_total = texts.render("stats/total");
    int left = text_width(head_community, font_px);
    for (const auto& r : rows)
        left = std::max(left, text_width(community_label(r, texts), font_px));
    left += 20;
    std::vector<int> col_w;
    for (const auto& c : cols)
        col_w.push_back(std::max(56, text_width(category_label(c, texts), font_px) + 16));
    const int total_w = std::max(56, text_width(head_total, font_px) + 16);

    constexpr int caption_y = 66;
    constexpr int header_top = 74;
    constexpr int header_h = 28;
    constexpr int row_h = 30;
    const int grid_x = pad + left;
    const int grid_top = header_top + header_h;
    const int grid_bottom = grid_top + row_h * static_cast<int>(rows.size());
    int grid_w = total_w;
    for (int cw : col_w) grid_w += cw;
    const std::string legend = texts.render("stats/legend_shade");
    const int legend_w = text_width(legend, 12) + 12 + 5 * 22 + 60;
    const int width = std::max(
        {grid_x + grid_w + pad, text_width(title, 17) + 2 * pad, pad + legend_w + pad, 360});
    const int height = grid_bottom + 56;

    std::string out = svg_head(width, height, title, desc);
    out += text_at(pad, 50, period, "font-size=\"12\" fill=\"#666666\"");
    out += text_at(grid_x, caption_y, texts.render("stats/axis_category"),
                   "font-size=\"12\" fill=\"#666666\"");
    // Header row.
    out += rect(pad, header_top, left + grid_w, header_h, "#f0f0f0");
    out += text_at(pad + 4, header_top + 19, head_community, "font-weight=\"bold\"");
    int x = grid_x;
    for (std::size_t j = 0; j < cols.size(); ++j) {
        out += text_at(x + col_w[j] / 2, header_top + 19, category_label(cols[j], texts),
                       "text-anchor=\"middle\" font-weight=\"bold\"");
        x += col_w[j];
    }
    out += text_at(x + total_w / 2, header_top + 19, head_total,
                   "text-anchor=\"middle\" font-weight=\"bold\"");
    // One row per community: a shaded cell per category with its count, then the total.
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const int y = grid_top + row_h * static_cast<int>(i);
        out += "<g>\n";
        out += text_at(pad + 4, y + 20, community_label(rows[i], texts));
        x = grid_x;
        for (std::size_t j = 0; j < cols.size(); ++j) {
            const auto it = count.find({rows[i], cols[j]});
            const std::int64_t n = it == count.end() ? 0 : it->second;
            const double t = static_cast<double>(n) / static_cast<double>(max_count);
            out += rect(x, y, col_w[j], row_h, n == 0 ? "#f7f7f7" : shade(t),
                        "stroke=\"#ffffff\" stroke-width=\"2\"");
            out += text_at(x + col_w[j] / 2, y + 20, num(n),
                           n == 0    ? "text-anchor=\"middle\" fill=\"#999999\""
                           : t > 0.5 ? "text-anchor=\"middle\" fill=\"#ffffff\""
                                     : "text-anchor=\"middle\" fill=\"#1a1a1a\"");
            x += col_w[j];
        }
        out += rect(x, y, total_w, row_h, "#eeeeee", "stroke=\"#ffffff\" stroke-width=\"2\"");
        out += text_at(x + total_w / 2, y + 20, num(row_total[rows[i]]),
                       "text-anchor=\"middle\" font-weight=\"bold\"");
        out += "</g>\n";
    }
    // Legend: the shades from one case to the busiest cell.
    const int ly = grid_bottom + 24;
    out += text_at(pad, ly + 11, legend, "font-size=\"12\" fill=\"#666666\"");
    int lx = pad + text_width(legend, 12) + 12;
    out += text_at(lx, ly + 11, "1", "font-size=\"12\" fill=\"#666666\"");
    lx += 14;
    for (int k = 0; k < 5; ++k) out += rect(lx + 22 * k, ly, 22, 14, shade(k / 4.0));
    out += text_at(lx + 5 * 22 + 6, ly + 11, num(max_count), "font-size=\"12\" fill=\"#666666\"");
    return out + "</svg>\n";
}

std::string resources_svg(const statistics& s, const window& w, const dialog::template_set& texts) {
    std::int64_t volunteers = 0, stations = 0, max_value = 1;
    for (const auto& r : s.resources) {
        volunteers += r.volunteers;
        stations += r.stations;
        max_value = std::max({max_value, r.volunteers, r.stations});
    }
    const std::string title = texts.render("stats/resources_title");
    const std::string desc = texts.render("stats/resources_desc", {{"until", w.until},
                                                                   {"scope", scope_text(w, texts)},
                                                                   {"volunteers", num(volunteers)},
                                                                   {"stations", num(stations)}});
    const std::string period = period_text(w, texts);
    if (s.resources.empty()) return empty_svg(title, desc, period, texts);

    const std::string legend_v = texts.render("stats/legend_volunteers");
    const std::string legend_s = texts.render("stats/legend_stations");
    constexpr std::string_view volunteer_fill = "#3a78c2";
    constexpr std::string_view station_fill = "#e8833a";
    constexpr int bar_max = 360;
    constexpr int bar_h = 14;
    constexpr int group_h = 2 * bar_h + 4 + 16;
    constexpr int legend_y = 62;
    constexpr int first_group = 84;

    int left = text_width(texts.render("stats/axis_community"), font_px);
    for (const auto& r : s.resources)
        left = std::max(left, text_width(community_label(r.community, texts), font_px));
    left += 20;
    const int bars_x = pad + left;
    const int width =
        std::max({bars_x + bar_max + 60 + pad, text_width(title, 17) + 2 * pad,
                  pad + 36 + text_width(legend_v, 12) + 40 + text_width(legend_s, 12)});
    const int height = first_group + group_h * static_cast<int>(s.resources.size()) + pad;

    std::string out = svg_head(width, height, title, desc);
    out += text_at(pad, 50, period, "font-size=\"12\" fill=\"#666666\"");
    // Legend.
    int lx = pad;
    out += rect(lx, legend_y - 10, 12, 12, volunteer_fill);
    out += text_at(lx + 18, legend_y, legend_v, "font-size=\"12\"");
    lx += 18 + text_width(legend_v, 12) + 24;
    out += rect(lx, legend_y - 10, 12, 12, station_fill);
    out += text_at(lx + 18, legend_y, legend_s, "font-size=\"12\"");

    const auto bar = [&](int y, std::int64_t value, std::string_view fill) {
        const int len = static_cast<int>(
            std::lround(static_cast<double>(value) * bar_max / static_cast<double>(max_value)));
        std::string b;
        if (len > 0) b += rect(bars_x, y, len, bar_h, fill);
        b += text_at(bars_x + len + 6, y + bar_h - 2, num(value), "font-size=\"12\"");
        return b;
    };
    for (std::size_t i = 0; i < s.resources.size(); ++i) {
        const auto& r = s.resources[i];
        const int y = first_group + group_h * static_cast<int>(i);
        out += "<g>\n";
        out += text_at(pad, y + bar_h + 6, community_label(r.community, texts));
        out += bar(y, r.volunteers, volunteer_fill);
        out += bar(y + bar_h + 4, r.stations, station_fill);
        out += "</g>\n";
    }
    // The baseline the bars start from.
    out += "<line x1=\"" + num(bars_x) + "\" y1=\"" + num(first_group - 6) + "\" x2=\"" +
           num(bars_x) + "\" y2=\"" + num(height - pad) + "\" stroke=\"#999999\"/>\n";
    return out + "</svg>\n";
}

}  // namespace minsheng::gateway::stats_render
