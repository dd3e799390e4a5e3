#include "adapters/open311/document.hpp"

#include <pugixml.hpp>

#include "dialog/utf8.hpp"

namespace minsheng::adapters::open311 {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

namespace {

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

}  // namespace

std::optional<format> format_from_extension(std::string_view ext) {
    if (ext == "xml") return format::xml;
    if (ext == "json") return format::json;
    return std::nullopt;
}

std::string_view content_type(format f) {
    return f == format::xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
}

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

}  // namespace minsheng::adapters::open311
