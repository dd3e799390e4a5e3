#pragma once
// Open311 GeoReport v2 documents (docs/open311.md) as bytes: every answer is a list of flat
// records, a service definition or the standard's error document, in the representation the
// resource's extension names (".xml" or ".json"). Knows nothing of cases or HTTP.
// Pure functions of their arguments: safe from any thread; none throws but std::bad_alloc.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace minsheng::adapters::open311 {

// The representation a client asks for with the resource's extension.
enum class format { xml, json };
// "xml" → xml, "json" → json (without the dot); nullopt for anything else.
std::optional<format> format_from_extension(std::string_view ext);
// "text/xml; charset=utf-8" or "application/json; charset=utf-8".
std::string_view content_type(format f);

// A flat record: fields in the order the standard's examples give them. Values are strings,
// numbers, booleans or null (XML: an empty element).
struct field {
    std::string name;
    nlohmann::json value;
};
using record = std::vector<field>;

// What was wrong with a request: the HTTP status it is answered with (the error document's code
// too) and the description for the error document.
struct problem {
    int status = 400;
    std::string description;
};

// [{...}, ...] in JSON; <root><item>...</item>...</root> in XML, with the UTF-8 declaration.
// Characters XML 1.0 cannot carry (and invalid UTF-8) are written as U+FFFD.
std::string render_list(format f, std::string_view root, std::string_view item,
                        const std::vector<record>& items);
// The definition of a service without attributes: {service_code, attributes: []}.
std::string render_definition(format f, std::string_view code);
// The standard's error document: [{"code":404,"description":"..."}] or
// <errors><error><code>404</code><description>...</description></error></errors>.
std::string render_error(format f, int code, std::string_view description);

}  // namespace minsheng::adapters::open311
