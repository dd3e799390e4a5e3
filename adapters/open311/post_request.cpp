#include "adapters/open311/post_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "adapters/http/query_string.hpp"
#include "adapters/open311/records.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::adapters::open311 {

using json = nlohmann::json;

namespace {

bool is_control(char32_t c, bool multiline) {
    if (multiline && (c == '\n' || c == '\r' || c == '\t')) return false;
    return c < 0x20 || c == 0x7F;
}

std::optional<problem> check_text(std::string_view name, std::string_view value,
                                  std::size_t max_bytes, bool multiline = false) {
    if (!dialog::is_valid_utf8(value)) return problem{400, std::string(name) + " must be UTF-8"};
    for (std::size_t i = 0; i < value.size();) {
        auto d = dialog::decode_utf8(value, i);
        if (is_control(d.cp, multiline))
            return problem{400, std::string(name) + " must not contain control characters"};
        i += d.len;
    }
    if (value.size() > max_bytes)
        return problem{
            400, std::string(name) + " is longer than " + std::to_string(max_bytes) + " bytes"};
    return std::nullopt;
}

std::optional<double> parse_degrees(std::string_view text, double limit) {
    double v = 0.0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || p != text.data() + text.size() || !std::isfinite(v) ||
        v < -limit || v > limit)
        return std::nullopt;
    return v;
}

// "+86 138-0013-8000" → "13800138000"; nullopt for anything that is not a phone number.
std::optional<std::string> phone_digits(std::string_view text) {
    std::string digits;
    for (char c : text) {
        if (c >= '0' && c <= '9')
            digits.push_back(c);
        else if (c != ' ' && c != '-' && c != '+' && c != '(' && c != ')')
            return std::nullopt;
    }
    if (digits.size() == 13 && digits.starts_with("861")) digits.erase(0, 2);
    if (digits.size() < 5 || digits.size() > 15) return std::nullopt;
    return digits;
}

bool looks_like_email(std::string_view s) {
    auto at = s.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
           s.find('@', at + 1) == std::string_view::npos && s.find(' ') == std::string_view::npos;
}

// The body's fields by name, from a form or a JSON object.
std::variant<http::query_params, problem> decode_body(std::string_view content_type,
                                                      std::string_view body) {
    std::string type(content_type.substr(0, content_type.find(';')));
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
    if (type.empty() || type == "application/x-www-form-urlencoded") {
        auto q = http::decode_query(body);
        if (!q) return problem{400, "the form has a bad escape or a repeated field"};
        return std::move(*q);
    }
    if (type == "application/json") {
        json j = json::parse(body, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return problem{400, "the JSON body must be an object"};
        http::query_params p;
        for (const auto& [k, v] : j.items()) {
            if (v.is_string())
                p[k] = v.get<std::string>();
            else if (v.is_number())
                p[k] = v.dump();
            else if (!v.is_null())
                return problem{400, k + " must be a string or a number"};
        }
        return p;
    }
    return problem{400, "the body must be application/x-www-form-urlencoded"};
}

}  // namespace

std::variant<post_request, problem> parse_post(std::string_view content_type,
                                               std::string_view body) {
    auto decoded = decode_body(content_type, body);
    if (auto* p = std::get_if<problem>(&decoded)) return std::move(*p);
    const auto& in = std::get<http::query_params>(decoded);
    auto get = [&](std::string_view k) {
        auto it = in.find(k);
        return it == in.end() ? std::string() : it->second;
    };

    post_request r;
    struct text_field {
        std::string_view name;
        std::string* out;
        std::size_t max_bytes;
    };
    const text_field fields[] = {
        {"api_key", &r.api_key, max_field_bytes},
        {"jurisdiction_id", &r.jurisdiction_id, max_field_bytes},
        {"service_code", &r.service_code, max_field_bytes},
        {"address_string", &r.address_string, max_field_bytes},
        {"address_id", &r.address_id, max_field_bytes},
        {"email", &r.email, max_field_bytes},
        {"first_name", &r.first_name, max_field_bytes},
        {"last_name", &r.last_name, max_field_bytes},
        {"device_id", &r.device_id, max_field_bytes},
        {"account_id", &r.account_id, max_field_bytes},
        {"media_url", &r.media_url, max_url_bytes},
    };
    for (const auto& f : fields) {
        *f.out = get(f.name);
        if (auto p = check_text(f.name, *f.out, f.max_bytes)) return std::move(*p);
    }
    r.description = get("description");
    // Four bytes per code point at most: the byte check only guards the scan below.
    if (auto p = check_text("description", r.description, 4 * max_description_chars, true))
        return std::move(*p);
    if (dialog::count_code_points(r.description) > max_description_chars)
        return problem{400, "description is longer than 4000 characters"};

    if (r.service_code.empty()) return problem{400, "service_code is required"};

    const std::string lat = get("lat");
    const std::string lng = get("long");
    if (!lat.empty() || !lng.empty()) {
        auto la = parse_degrees(lat, 90.0);
        auto lo = parse_degrees(lng, 180.0);
        if (!la || !lo)
            return problem{400,
                           "lat and long must both be decimal degrees (lat -90..90, long "
                           "-180..180)"};
        r.location = dialog::geo_point{*la, *lo};
    }
    if (!r.location && r.address_string.empty() && r.address_id.empty())
        return problem{400, "a location is required: lat and long, address_string or address_id"};

    bool has_words = false;
    for (unsigned char c : r.description) has_words = has_words || !std::isspace(c);
    if (!has_words) return problem{400, "description is required"};

    if (auto phone = get("phone"); !phone.empty()) {
        if (auto p = check_text("phone", phone, max_field_bytes)) return std::move(*p);
        auto digits = phone_digits(phone);
        if (!digits) return problem{400, "phone must be a phone number"};
        r.phone = std::move(*digits);
    }
    if (!r.email.empty() && !looks_like_email(r.email))
        return problem{400, "email must be an e-mail address"};
    if (!r.media_url.empty() &&
        ((!r.media_url.starts_with("http://") && !r.media_url.starts_with("https://")) ||
         r.media_url.find(' ') != std::string::npos))
        return problem{400, "media_url must be an http or https URL"};
    return r;
}

std::string source_ref_of(std::string_view token) { return "open311:" + std::string(token); }

dialog::intake::report report_of(const post_request& in, const service& svc,
                                 std::string_view client, std::string_view token) {
    dialog::intake::report r;
    r.from = dialog::channel::open311;
    const std::string_view who = !in.account_id.empty()  ? std::string_view(in.account_id)
                                 : !in.device_id.empty() ? std::string_view(in.device_id)
                                 : !in.email.empty()     ? std::string_view(in.email)
                                                         : token;
    r.reporter_id = !in.phone.empty() ? in.phone : std::string(client) + ":" + std::string(who);
    r.description = in.description;
    r.kind = std::string(svc.kind);
    r.category = std::string(svc.category);
    r.classify_category = svc.kind != "consultation";
    r.address = !in.address_string.empty() ? in.address_string : in.address_id;
    r.phone = in.phone;
    r.location = in.location;
    r.source_key = source_ref_of(token);
    r.source_ref = source_ref_of(token);
    if (!in.media_url.empty()) r.attachments.push_back(media_line(in.media_url));
    return r;
}

}  // namespace minsheng::adapters::open311
