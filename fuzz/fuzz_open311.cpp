// Open311 GeoReport v2 (adapters/open311/): the first byte chooses what the rest is.
//   0..2  a POST requests body, as application/x-www-form-urlencoded, as application/json, or
//         with no content type (parse_post)
//   3     a GET requests query (decode_query, then parse_filter)
//   4     a W3C datetime (parse_datetime)
// Contracts: nothing throws. An accepted POST has a service code, a location, a
// description of 1..4000 code points, every field valid UTF-8 within its limit, a phone of
// digits only; its fields rendered as a record are well-formed XML that reads back as written
// (U+FFFD where XML cannot carry a character) and parseable JSON; the report it is filed as keeps
// the description. A problem is 400 or 404 with a description. A filter lists at most a page.
// A datetime that parses formats back to the same instant.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <string>
#include <variant>

#include "adapters/http/query_string.hpp"
#include "adapters/open311/catalogue.hpp"
#include "adapters/open311/document.hpp"
#include "adapters/open311/post_request.hpp"
#include "adapters/open311/request_filter.hpp"
#include "dialog/utf8.hpp"
#include "dialog/values/iso8601.hpp"
#include "fuzz/fuzz_support.hpp"

namespace open311 = minsheng::adapters::open311;
namespace http = minsheng::adapters::http;
using minsheng::dialog::is_valid_utf8;

namespace {

constexpr std::int64_t now = 1795395660;  // 2026-11-22

void check_problem(const open311::problem& p) {
    FUZZ_CHECK(p.status == 400 || p.status == 404);
    FUZZ_CHECK(!p.description.empty() && is_valid_utf8(p.description));
    for (auto f : {open311::format::xml, open311::format::json})
        FUZZ_CHECK(!open311::render_error(f, p.status, p.description).empty());
}

void check_post(const open311::post_request& r) {
    FUZZ_CHECK(!r.service_code.empty() && r.service_code.size() <= open311::max_field_bytes);
    FUZZ_CHECK(r.location || !r.address_string.empty() || !r.address_id.empty());
    const auto n = minsheng::dialog::count_code_points(r.description);
    FUZZ_CHECK(n >= 1 && n <= open311::max_description_chars);
    for (const auto* s : {&r.address_string, &r.address_id, &r.email, &r.first_name, &r.last_name,
                          &r.device_id, &r.account_id, &r.jurisdiction_id, &r.api_key}) {
        FUZZ_CHECK(is_valid_utf8(*s));
        FUZZ_CHECK(s->size() <= open311::max_field_bytes);
    }
    FUZZ_CHECK(is_valid_utf8(r.media_url) && r.media_url.size() <= open311::max_url_bytes);
    for (char c : r.phone) FUZZ_CHECK(c >= '0' && c <= '9');

    // Rendered as a record (what GET requests answers for an Open311 request), both ways.
    const open311::record rec = {{"description", r.description},
                                 {"address", r.address_string},
                                 {"media_url", r.media_url},
                                 {"service_code", r.service_code}};
    const std::string xml =
        open311::render_list(open311::format::xml, "service_requests", "request", {rec});
    pugi::xml_document doc;
    FUZZ_CHECK(doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8));
    const auto item = doc.child("service_requests").child("request");
    FUZZ_CHECK(item);
    const std::string back = item.child("service_code").text().get();
    FUZZ_CHECK(back == r.service_code);
    FUZZ_CHECK(is_valid_utf8(item.child("description").text().get()));
    const std::string js =
        open311::render_list(open311::format::json, "service_requests", "request", {rec});
    const auto parsed = nlohmann::json::parse(js, nullptr, false);
    FUZZ_CHECK(!parsed.is_discarded() && parsed.is_array() && parsed.size() == 1);
    FUZZ_CHECK(parsed[0]["description"] == r.description);

    // parse_post leaves the catalogue to the caller, who answers 404 for an unknown service.
    if (const auto* svc = open311::find_service(r.service_code)) {
        const auto report = open311::report_of(r, *svc, "client-1", "tok");
        FUZZ_CHECK(report.description.find(r.description) != std::string::npos);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view in = minsheng::fuzz::as_view(data + 1, size - 1);
    switch (data[0] % 5) {
        case 0:
        case 1:
        case 2: {
            static constexpr std::string_view types[] = {"application/x-www-form-urlencoded",
                                                         "application/json; charset=utf-8", ""};
            auto r = open311::parse_post(types[data[0] % 5], in);
            if (const auto* p = std::get_if<open311::problem>(&r))
                check_problem(*p);
            else
                check_post(std::get<open311::post_request>(r));
            break;
        }
        case 3: {
            const auto q = http::decode_query(in);
            if (!q) break;
            for (std::size_t page : {std::size_t{1}, open311::max_results}) {
                auto f = open311::parse_filter(*q, now, page);
                if (const auto* p = std::get_if<open311::problem>(&f)) {
                    check_problem(*p);
                    continue;
                }
                const auto& filter = std::get<open311::request_filter>(f);
                if (filter.numbers.empty()) {
                    FUZZ_CHECK(filter.query.limit >= 1 && filter.query.limit <= page);
                } else {
                    for (const auto& n : filter.numbers)
                        FUZZ_CHECK(!n.empty() && n.size() <= open311::max_number_bytes);
                }
            }
            break;
        }
        default: {
            const auto t = open311::parse_datetime(in);
            if (!t) break;
            const std::string text = minsheng::dialog::format_iso8601(*t);
            FUZZ_CHECK(open311::parse_datetime(text) == t);
            break;
        }
    }
    return 0;
}
