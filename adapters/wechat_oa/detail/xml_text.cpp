#include "adapters/wechat_oa/detail/xml_text.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "dialog/utf8.hpp"

namespace minsheng::adapters::wechat_oa::detail {

namespace {

std::string_view trim(std::string_view s) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

pugi::xml_node load_wechat_xml(pugi::xml_document& doc, std::string_view body) {
    // XML in UTF-8 must be valid UTF-8; pugixml does not check, and the engine, the store and
    // JSON serialisation downstream all rely on it.
    if (!dialog::is_valid_utf8(body)) return {};
    // parse_default: no DOCTYPE processing and only the five predefined entities, so there is
    // no external entity or entity-expansion attack surface. parse_fragment keeps text outside
    // the root as nodes, so that trailing garbage is seen and refused below.
    const pugi::xml_parse_result r = doc.load_buffer(
        body.data(), body.size(), pugi::parse_default | pugi::parse_fragment, pugi::encoding_utf8);
    if (r.status != pugi::status_ok) return {};
    pugi::xml_node root;
    for (pugi::xml_node n : doc.children()) {
        switch (n.type()) {
            case pugi::node_element:
                if (root) return {};  // a second root element
                root = n;
                break;
            case pugi::node_pcdata:
            case pugi::node_cdata:
                return {};  // text outside the root (blank text is not kept)
            default:
                break;  // declaration, comment, processing instruction, doctype
        }
    }
    if (!root || std::strcmp(root.name(), "xml") != 0) return {};
    return root;
}

std::optional<std::string> child_text(pugi::xml_node parent, const char* name) {
    pugi::xml_node e = parent.child(name);
    if (!e) return std::nullopt;
    std::string out;
    for (pugi::xml_node n : e.children()) {
        if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) out += n.value();
    }
    return out;
}

std::optional<std::int64_t> child_int(pugi::xml_node parent, const char* name) {
    auto text = child_text(parent, name);
    if (!text) return std::nullopt;
    std::string_view s = trim(*text);
    if (!s.empty() && s.front() == '+') return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<double> child_double(pugi::xml_node parent, const char* name) {
    auto text = child_text(parent, name);
    if (!text) return std::nullopt;
    std::string_view s = trim(*text);
    if (s.empty()) return std::nullopt;
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

void append_cdata_element(std::string& out, std::string_view name, std::string_view text) {
    out += '<';
    out += name;
    out += "><![CDATA[";
    for (;;) {
        auto pos = text.find("]]>");
        if (pos == std::string_view::npos) break;
        // "]]" closes this section and ">" opens the next: "]]]]><![CDATA[>".
        out.append(text.substr(0, pos + 2));
        out += "]]><![CDATA[";
        text.remove_prefix(pos + 2);
    }
    out.append(text);
    out += "]]></";
    out += name;
    out += '>';
}

void append_text_element(std::string& out, std::string_view name, std::string_view text) {
    out += '<';
    out += name;
    out += '>';
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out += c;
        }
    }
    out += "</";
    out += name;
    out += '>';
}

void append_int_element(std::string& out, std::string_view name, std::int64_t value) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    (void)ec;
    out += '<';
    out += name;
    out += '>';
    out.append(buf, end);
    out += "</";
    out += name;
    out += '>';
}

}  // namespace minsheng::adapters::wechat_oa::detail
