#include "gateway/open311_format.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <pugixml.hpp>

#include "adapters/wechat_oa/query_string.hpp"
#include "dialog/cases/civil_time.hpp"
#include "dialog/cases/handling.hpp"
#include "dialog/cases/iso8601.hpp"
#include "dialog/cases/lifecycle.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::gateway::open311 {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

namespace {

// ---- documents

// XML 1.0 cannot carry most control characters, even escaped.
bool xml_char(char32_t c) {
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

std::string xml_safe(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        auto d = dialog::decode_utf8(s, i);
        dialog::append_utf8(out, d.valid && xml_char(d.cp) ? d.cp : dialog::replacement_character);
        i += d.len;
    }
    return out;
}

std::string text_of(const json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return xml_safe(v.get_ref<const std::string&>());
    return v.dump();  // numbers and booleans as JSON writes them ("22.543", "false")
}

struct string_writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, std::size_t size) override {
        out.append(static_cast<const char*>(data), size);
    }
};

pugi::xml_document xml_with_declaration() {
    pugi::xml_document doc;
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "utf-8";
    return doc;
}

std::string xml_text(const pugi::xml_document& doc) {
    string_writer w;
    doc.save(w, "  ", pugi::format_default, pugi::encoding_utf8);
    return w.out;
}

void add_field(pugi::xml_node parent, const field& f) {
    auto node = parent.append_child(f.name.c_str());
    if (auto text = text_of(f.value); !text.empty()) node.text().set(text.c_str());
}

std::string json_text(const ordered_json& j) {
    // Stored texts are valid UTF-8; should one not be, it is replaced rather than thrown on.
    return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

// ---- texts

std::string service_key(const service& s, std::string_view what) {
    return "open311/service/" + std::string(s.code) + "/" + std::string(what);
}

json text_or_null(std::string s) { return s.empty() ? json(nullptr) : json(std::move(s)); }

// ---- body fields

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

using params = adapters::wechat_oa::query_params;

std::variant<params, problem> decode_body(std::string_view content_type, std::string_view body) {
    std::string type(content_type.substr(0, content_type.find(';')));
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
    if (type.empty() || type == "application/x-www-form-urlencoded") {
        auto q = adapters::wechat_oa::decode_query(body);
        if (!q) return problem{400, "the form has a bad escape or a repeated field"};
        return std::move(*q);
    }
    if (type == "application/json") {
        json j = json::parse(body, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            return problem{400, "the JSON body must be an object"};
        params p;
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

// ---- formats

std::optional<format> format_from_extension(std::string_view ext) {
    if (ext == "xml") return format::xml;
    if (ext == "json") return format::json;
    return std::nullopt;
}

std::string_view content_type(format f) {
    return f == format::xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
}

// ---- services

const std::vector<service>& catalogue() {
    // The categories are the category model's labels (dialog/nlu/recipes.cpp); the gateway checks
    // at start-up that every one of them has its service here.
    static const std::vector<service> all = {
        {"construction", "complaint", "城乡建设", "appeal"},
        {"labour", "complaint", "劳动和社会保障", "appeal"},
        {"education", "complaint", "教育文体", "appeal"},
        {"commerce", "complaint", "商贸旅游", "appeal"},
        {"health", "complaint", "卫生计生", "appeal"},
        {"environment", "complaint", "环境保护", "appeal"},
        {"transport", "complaint", "交通运输", "appeal"},
        {"complaint", "complaint", "", "appeal"},
        {"consultation", "consultation", "", "consultation"},
        {"wish", "wish", "", "wish"},
    };
    return all;
}

const service* find_service(std::string_view code) {
    for (const auto& s : catalogue())
        if (s.code == code) return &s;
    return nullptr;
}

const service* service_of(const dialog::case_record& c) {
    if (c.kind == "project") return nullptr;
    if (c.kind == "wish") return find_service("wish");
    if (c.kind == "consultation") return find_service("consultation");
    if (!c.category.empty())
        for (const auto& s : catalogue())
            if (s.category == c.category) return &s;
    return find_service("complaint");
}

std::string_view status_of(const dialog::case_record& c) {
    return dialog::cases::is_terminal(c.status) ? "closed" : "open";
}

std::vector<std::string> required_templates() {
    std::vector<std::string> keys = {"open311/service_notice",
                                     "open311/service_notice_no_deadline"};
    for (const auto& s : catalogue()) {
        for (auto what : {"name", "description", "keywords"}) keys.push_back(service_key(s, what));
        keys.push_back("open311/group/" + std::string(s.group));
    }
    return keys;
}

// ---- documents

std::string render_list(format f, std::string_view root, std::string_view item,
                        const std::vector<record>& items) {
    if (f == format::json) {
        ordered_json arr = ordered_json::array();
        for (const auto& r : items) {
            ordered_json o = ordered_json::object();
            for (const auto& fl : r) o[fl.name] = fl.value;
            arr.push_back(std::move(o));
        }
        return json_text(arr);
    }
    auto doc = xml_with_declaration();
    auto top = doc.append_child(std::string(root).c_str());
    for (const auto& r : items) {
        auto node = top.append_child(std::string(item).c_str());
        for (const auto& fl : r) add_field(node, fl);
    }
    return xml_text(doc);
}

std::string render_definition(format f, std::string_view code) {
    if (f == format::json)
        return json_text(
            ordered_json{{"service_code", code}, {"attributes", ordered_json::array()}});
    auto doc = xml_with_declaration();
    auto top = doc.append_child("service_definition");
    top.append_child("service_code").text().set(xml_safe(code).c_str());
    top.append_child("attributes");
    return xml_text(doc);
}

std::string render_error(format f, int code, std::string_view description) {
    if (f == format::json)
        return json_text(
            ordered_json::array({ordered_json{{"code", code}, {"description", description}}}));
    auto doc = xml_with_declaration();
    auto error = doc.append_child("errors").append_child("error");
    error.append_child("code").text().set(code);
    error.append_child("description").text().set(xml_safe(description).c_str());
    return xml_text(doc);
}

record service_record(const service& s, const dialog::template_set& texts) {
    return {{"service_code", std::string(s.code)},
            {"service_name", texts.render(service_key(s, "name"))},
            {"description", texts.render(service_key(s, "description"))},
            {"metadata", false},
            {"type", "realtime"},
            {"keywords", texts.render(service_key(s, "keywords"))},
            {"group", texts.render("open311/group/" + std::string(s.group))}};
}

std::string service_notice(const dialog::case_record& c, const dialog::template_set& texts) {
    if (c.deadline_at == 0)
        return texts.render("open311/service_notice_no_deadline", {{"number", c.number}});
    return texts.render(
        "open311/service_notice",
        {{"number", c.number},
         {"deadline", dialog::cases::format_date(dialog::cases::china_date(c.deadline_at))}});
}

std::string mask_long_numbers(std::string_view text) {
    std::string out(text);
    std::size_t i = 0;
    while (i < out.size()) {
        if (out[i] < '0' || out[i] > '9') {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < out.size() && out[end] >= '0' && out[end] <= '9') ++end;
        if (end - i >= 11)
            std::fill(out.begin() + static_cast<std::ptrdiff_t>(i),
                      out.begin() + static_cast<std::ptrdiff_t>(end - 4), '*');
        i = end;
    }
    return out;
}

std::string mask_emails(std::string_view text) {
    auto local_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' ||
               c == '+' || c == '-';
    };
    auto domain_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    };
    std::string out;
    std::size_t copied = 0;
    for (std::size_t at = text.find('@'); at != std::string_view::npos;
         at = text.find('@', at + 1)) {
        std::size_t begin = at;
        while (begin > copied && local_char(text[begin - 1])) --begin;
        std::size_t end = at + 1;
        while (end < text.size() && domain_char(text[end])) ++end;
        const auto domain = text.substr(at + 1, end - at - 1);
        if (begin == at || domain.find('.') == std::string_view::npos) continue;
        out.append(text.substr(copied, begin - copied));
        out.push_back(text[begin]);
        out.append("***");
        copied = at;  // keeps "@domain"
    }
    out.append(text.substr(copied));
    return out;
}

record request_record(const dialog::case_record& c, const service& s,
                      const dialog::template_set& texts, std::string_view media_url) {
    auto masked = [](std::string_view text) {
        return mask_long_numbers(mask_emails(dialog::nlu::mask_personal_data(text)));
    };
    std::string agency = c.community;
    if (agency.empty()) agency = std::string(dialog::cases::mode_label(c.handling_mode));
    record r = {
        {"service_request_id", c.number},
        {"status", std::string(status_of(c))},
        {"status_notes", dialog::cases::case_service::status_label(texts, c)},
        {"service_name", texts.render(service_key(s, "name"))},
        {"service_code", std::string(s.code)},
        {"description", masked(c.description)},
        {"agency_responsible", text_or_null(std::move(agency))},
        {"service_notice", nullptr},
        {"requested_datetime", dialog::cases::format_iso8601(c.created_at)},
        {"updated_datetime", dialog::cases::format_iso8601(c.updated_at)},
        {"expected_datetime",
         c.deadline_at == 0 ? json(nullptr) : json(dialog::cases::format_iso8601(c.deadline_at))},
        {"address", text_or_null(masked(c.address))},
    };
    if (c.location) {
        auto round3 = [](double v) { return std::round(v * 1000.0) / 1000.0; };
        r.push_back({"lat", round3(c.location->lat)});
        r.push_back({"long", round3(c.location->lng)});
    }
    if (!media_url.empty()) r.push_back({"media_url", std::string(media_url)});
    return r;
}

// ---- POST requests

std::variant<post_request, problem> parse_post(std::string_view content_type,
                                               std::string_view body) {
    auto decoded = decode_body(content_type, body);
    if (auto* p = std::get_if<problem>(&decoded)) return std::move(*p);
    const auto& in = std::get<params>(decoded);
    auto get = [&](const char* k) {
        auto it = in.find(k);
        return it == in.end() ? std::string() : it->second;
    };

    post_request r;
    struct text_field {
        const char* name;
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

std::optional<std::int64_t> parse_datetime(std::string_view text) {
    return dialog::cases::parse_iso8601(text);
}

}  // namespace minsheng::gateway::open311
