#pragma once
// Open311 GeoReport v2 (docs/open311.md) without HTTP: the service catalogue derived from what
// the program handles, the request body a client POSTs, and the XML/JSON documents the standard
// defines (lists of flat records, the service definition, errors). Pure functions of their
// arguments and constant tables: safe from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::gateway::open311 {

// The representation a client asks for with the resource's extension (".xml", ".json").
enum class format { xml, json };
std::optional<format> format_from_extension(std::string_view ext);
std::string_view content_type(format f);

// One GeoReport service: what a client may request, and the case it becomes.
struct service {
    std::string_view code;      // service_code, e.g. "construction"
    std::string_view kind;      // the case kind: "complaint" | "consultation" | "wish"
    std::string_view category;  // one of the classifier's seven; "" : the classifier decides
    std::string_view group;     // key of templates/open311/group/<group>.txt
};

// Every service, in the order GET services lists them: the classifier's seven categories as
// complaints, then an uncategorised complaint, a consultation and a 微心愿 (wish).
const std::vector<service>& catalogue();
// nullptr for an unknown code.
const service* find_service(std::string_view code);
// The service a stored case reads as: kind wish/consultation by kind, anything else by its
// category (the uncategorised complaint when it has none of the seven). nullptr for 微实事
// projects, which come from residents' votes and are outside Open311.
const service* service_of(const dialog::case_record& c);
// "open", or "closed" once the case is closed, cancelled or merged.
std::string_view status_of(const dialog::case_record& c);

// Every template key the documents below render (checked at start-up).
std::vector<std::string> required_templates();

// A flat record: fields in the order the standard's examples give them. Values are strings,
// numbers, booleans or null (XML: an empty element).
struct field {
    std::string name;
    nlohmann::json value;
};
using record = std::vector<field>;

// [{...}, ...] in JSON; <root><item>...</item>...</root> in XML, with the UTF-8 declaration.
// Characters XML 1.0 cannot carry are written as U+FFFD.
std::string render_list(format f, std::string_view root, std::string_view item,
                        const std::vector<record>& items);
// The service definition of a service without attributes: {service_code, attributes: []}.
std::string render_definition(format f, std::string_view code);
// The standard's error document: [{"code":404,"description":"..."}] or
// <errors><error><code>404</code><description>...</description></error></errors>.
std::string render_error(format f, int code, std::string_view description);

// GET services: one service as listed (names and descriptions from templates/open311/).
record service_record(const service& s, const dialog::template_set& texts);
// GET requests: what anyone may read of a case. The description and address are masked
// (phones, ID numbers, detailed addresses, e-mail addresses, any run of 11+ digits), the location
// is rounded to three decimals (about 100 m); no reporter, phone, e-mail or name. `media_url` "" :
// none.
record request_record(const dialog::case_record& c, const service& s,
                      const dialog::template_set& texts, std::string_view media_url);

// The notice a client shows after POST requests: the case number and when to expect an answer
// (templates/open311/service_notice*.txt).
std::string service_notice(const dialog::case_record& c, const dialog::template_set& texts);

// Masks every run of 11 or more ASCII digits but its last four: what mask_personal_data leaves
// of a number it does not recognise (an ID number with a wrong check digit, a bank card).
std::string mask_long_numbers(std::string_view text);

// Masks e-mail addresses in free text: "zhang.san@example.com" → "z***@example.com".
std::string mask_emails(std::string_view text);

// The fields of POST requests, checked and normalised (phone as digits, location parsed).
struct post_request {
    std::string api_key;
    std::string jurisdiction_id;  // "" : not given
    std::string service_code;
    std::optional<dialog::geo_point> location;
    std::string address_string;
    std::string address_id;
    std::string description;
    std::string phone;  // digits, "" : not given
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string device_id;
    std::string account_id;
    std::string media_url;
};

// What was wrong with a request: the HTTP status and the description for the error document.
struct problem {
    int status = 400;
    std::string description;
};

// Limits on the POSTed fields (bytes, except the description: code points, as the standard
// says).
inline constexpr std::size_t max_description_chars = 4000;
inline constexpr std::size_t max_field_bytes = 256;
inline constexpr std::size_t max_url_bytes = 2048;

// Parses a POST requests body: application/x-www-form-urlencoded (the standard's) or a JSON
// object of strings and numbers. Checks every field's shape and limits, that a service_code and
// a location (lat+long, address_string or address_id) and a description are given. It does not
// check the api key, jurisdiction or whether the service exists (the caller knows those).
std::variant<post_request, problem> parse_post(std::string_view content_type,
                                               std::string_view body);

// A W3C datetime with an offset ("2026-02-13T10:00:00+08:00", "...Z"), as Unix seconds.
std::optional<std::int64_t> parse_datetime(std::string_view text);

}  // namespace minsheng::gateway::open311
