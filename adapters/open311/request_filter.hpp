#pragma once
// GET requests (docs/open311.md): the query a GeoReport client filters service requests by,
// checked and turned into the case query the store answers.
// Pure functions of their arguments: safe from any thread; none throws but std::bad_alloc.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/http/query_string.hpp"
#include "adapters/open311/catalogue.hpp"
#include "adapters/open311/document.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::open311 {

inline constexpr std::int64_t default_window = 90 * 86400;  // without dates: the last 90 days
// Most cases one GET lists by default (a page); the gateway passes its configured page.
inline constexpr std::size_t max_results = 200;
inline constexpr std::size_t max_number_bytes = 32;  // a service_request_id (case number)

struct request_filter {
    // service_request_id given: only these case numbers, every other filter ignored (the
    // standard says so).
    std::vector<std::string> numbers;
    // Otherwise: the cases to list, at most a page, created within the dates asked for
    // (by default the default_window before end_date or `now`).
    dialog::case_query query;
    const service* only = nullptr;  // service_code given: only cases that read as this service
};

// Parses GET requests' query (service_request_id, service_code, start_date, end_date, status;
// jurisdiction_id is the caller's to check). A problem is 400 for a malformed value and 404 for
// an unknown service_code.
std::variant<request_filter, problem> parse_filter(const http::query_params& q, std::int64_t now,
                                                   std::size_t page = max_results);

// A W3C datetime with an offset ("2026-02-13T10:00:00+08:00", "...Z"), as Unix seconds.
std::optional<std::int64_t> parse_datetime(std::string_view text);

}  // namespace minsheng::adapters::open311
