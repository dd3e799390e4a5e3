#pragma once
// POST requests (docs/open311.md): the body a GeoReport client sends to file a service request,
// checked and normalised, and the intake report it is filed as (dialog/intake/filing.hpp).
// Pure functions of their arguments: safe from any thread; none throws but std::bad_alloc.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/open311/catalogue.hpp"
#include "adapters/open311/document.hpp"
#include "dialog/intake/filing.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::open311 {

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

// Limits on the POSTed fields (bytes, except the description: code points, as the standard
// says).
inline constexpr std::size_t max_description_chars = 4000;
inline constexpr std::size_t max_field_bytes = 256;
inline constexpr std::size_t max_url_bytes = 2048;

// Parses a POST requests body: application/x-www-form-urlencoded (the standard's; also when no
// content type is given) or a JSON object of strings and numbers. Checks every field's shape and
// limits, and that a service_code, a location (lat+long, address_string or address_id) and a
// description are given. A problem (always 400) says what is wrong. It does not check the api
// key, the jurisdiction or whether the service exists (the caller knows those).
std::variant<post_request, problem> parse_post(std::string_view content_type,
                                               std::string_view body);

// The source_ref of the case a token was given for: "open311:<token>".
std::string source_ref_of(std::string_view token);

// The report a checked request is filed as, by `client` (the api key's owner), followed by
// `token`. Kind and category are the service's (the classifier chooses the category of a
// service without one, but never a consultation's); the urgency is the classifier's; the
// reporter is the phone, else "<client>:<account_id|device_id|email|token>"; the address is
// address_string, else address_id; the media_url becomes a detail line. The community is left
// for the caller, who knows where the communities are.
dialog::intake::report report_of(const post_request& in, const service& svc,
                                 std::string_view client, std::string_view token);

}  // namespace minsheng::adapters::open311
