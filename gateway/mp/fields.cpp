#include "gateway/mp/fields.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "dialog/utf8.hpp"

namespace minsheng::gateway::mp {

std::optional<json> object_body(std::string_view body) {
    if (trimmed(body).empty()) return json::object();
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

void body_fields::text(const char* k, std::string& out, std::size_t min, std::size_t max,
                       bool required, refusal bad) {
    if (!ok()) return;
    if (!has(k)) {
        if (required) fail(bad);
        return;
    }
    if (!j_[k].is_string()) return fail(bad);
    std::string v = trimmed(j_[k].get_ref<const std::string&>());
    const auto n = dialog::count_code_points(v);
    if (!dialog::is_valid_utf8(v) || n < min || n > max) return fail(bad);
    out = std::move(v);
}

void body_fields::one_of(const char* k, std::string& out,
                         const std::vector<std::string_view>& allowed, refusal bad) {
    std::string v;
    text(k, v, 1, 64, false, bad);
    if (!ok() || v.empty()) return;
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) return fail(bad);
    out = std::move(v);
}

void body_fields::integer(const char* k, int& out, int min, int max, bool required, refusal bad) {
    if (!ok()) return;
    if (!has(k)) {
        if (required) fail(bad);
        return;
    }
    if (!j_[k].is_number_integer()) return fail(bad);
    const auto v = j_[k].get<std::int64_t>();
    if (v < min || v > max) return fail(bad);
    out = static_cast<int>(v);
}

void body_fields::flag(const char* k, bool& out, refusal bad) {
    if (!ok() || !has(k)) return;
    if (!j_[k].is_boolean()) return fail(bad);
    out = j_[k].get<bool>();
}

void body_fields::location(const char* k, std::optional<dialog::geo_point>& out, refusal bad) {
    if (!ok() || !has(k)) return;
    const auto& l = j_[k];
    if (!l.is_object() || !l.contains("lat") || !l.contains("lng") || !l["lat"].is_number() ||
        !l["lng"].is_number())
        return fail(bad);
    dialog::geo_point p{l["lat"].get<double>(), l["lng"].get<double>()};
    if (!std::isfinite(p.lat) || !std::isfinite(p.lng) || p.lat < -90 || p.lat > 90 ||
        p.lng < -180 || p.lng > 180)
        return fail(bad);
    out = p;
}

void body_fields::ids(const char* k, std::vector<std::string>& out, std::size_t max_items,
                      refusal bad) {
    if (!ok() || !has(k)) return;
    const auto& a = j_[k];
    if (!a.is_array() || a.size() > max_items) return fail(bad);
    for (const auto& v : a) {
        if (!v.is_string()) return fail(bad);
        const auto& s = v.get_ref<const std::string&>();
        if (s.empty() || s.size() > 128 || !ascii_printable(s)) return fail(bad);
        out.push_back(s);
    }
}

void body_fields::community(const config& cfg, std::string& out) {
    text("community", out, 1, 30, true, refusal::bad_community);
    if (!ok() || out.empty() || cfg.communities.empty()) return;
    for (const auto& c : cfg.communities)
        if (c.name == out) return;
    fail(refusal::unknown_community);
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

bool ascii_printable(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; });
}

bool mainland_mobile(std::string_view p) {
    if (p.size() != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9') return false;
    return std::all_of(p.begin(), p.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool plausible_number(std::string_view n) {
    if (n.empty() || n.size() > 32) return false;
    return std::all_of(n.begin(), n.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-';
    });
}

std::optional<dialog::geo_point> parse_near(std::string_view s) {
    auto comma = s.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    auto number = [](std::string_view t) -> std::optional<double> {
        if (t.empty() || t.size() > 32) return std::nullopt;
        std::string copy(t);
        char* end = nullptr;
        double v = std::strtod(copy.c_str(), &end);
        if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
        return v;
    };
    auto lat = number(s.substr(0, comma)), lng = number(s.substr(comma + 1));
    if (!lat || !lng || *lat < -90 || *lat > 90 || *lng < -180 || *lng > 180) return std::nullopt;
    return dialog::geo_point{*lat, *lng};
}

const std::vector<std::string_view>& categories() {
    static const std::vector<std::string_view> c = {
        "城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "卫生计生", "环境保护", "交通运输"};
    return c;
}

}  // namespace minsheng::gateway::mp
