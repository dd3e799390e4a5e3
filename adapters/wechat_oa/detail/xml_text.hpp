#pragma once
// pugixml helpers shared by the inbound parser, the reply renderer/parser and the envelope.
// Private to the adapter (pugixml stays out of public headers). Pure functions, thread-safe.

#include <pugixml.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::adapters::wechat_oa::detail {

// Parses `body` as one UTF-8 XML document whose single root element is <xml>. Rejects
// invalid UTF-8, documents that are not well-formed or truncated, several roots and text
// outside the root. Returns the root, or an empty node on failure.
pugi::xml_node load_wechat_xml(pugi::xml_document& doc, std::string_view body);

// The text of an element: all its text and CDATA children concatenated (a CDATA section
// split around "]]>" comes back whole). nullopt when the element is absent.
std::optional<std::string> child_text(pugi::xml_node parent, const char* name);

// child_text() with surrounding ASCII whitespace removed and parsed as a signed decimal.
std::optional<std::int64_t> child_int(pugi::xml_node parent, const char* name);

// child_text() parsed as a finite decimal number (surrounding whitespace allowed).
std::optional<double> child_double(pugi::xml_node parent, const char* name);

// Appends <name><![CDATA[text]]></name>; "]]>" inside text is split as "]]]]><![CDATA[>".
void append_cdata_element(std::string& out, std::string_view name, std::string_view text);

// Appends <name>text</name> with &, < and > escaped (for values such as MsgId).
void append_text_element(std::string& out, std::string_view name, std::string_view text);

// Appends <name>value</name> for a number.
void append_int_element(std::string& out, std::string_view name, std::int64_t value);

}  // namespace minsheng::adapters::wechat_oa::detail
