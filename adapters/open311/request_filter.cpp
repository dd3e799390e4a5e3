#include "adapters/open311/request_filter.hpp"

#include <limits>

#include "dialog/cases/lifecycle.hpp"
#include "dialog/values/iso8601.hpp"

namespace minsheng::adapters::open311 {

namespace {

// "a, b,,c" → {"a", "b", "c"}.
std::vector<std::string> split_commas(std::string_view s) {
    std::vector<std::string> out;
    while (true) {
        auto comma = s.find(',');
        auto part = s.substr(0, comma);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (!part.empty()) out.emplace_back(part);
        if (comma == std::string_view::npos) return out;
        s.remove_prefix(comma + 1);
    }
}

}  // namespace

std::variant<request_filter, problem> parse_filter(const http::query_params& q, std::int64_t now,
                                                   std::size_t page) {
    auto get = [&](std::string_view k) {
        auto it = q.find(k);
        return it == q.end() ? std::string() : it->second;
    };
    auto bad = [](std::string why) { return problem{400, std::move(why)}; };
    request_filter out;
    if (auto ids = get("service_request_id"); !ids.empty()) {
        out.numbers = split_commas(ids);
        // Found by the fuzzer: "service_request_id=   " named nothing, and the caller then listed
        // cases as if no filter were given, past the page and the date window.
        if (out.numbers.empty()) return bad("service_request_id must name at least one request");
        if (out.numbers.size() > page)
            return bad("at most " + std::to_string(page) + " service_request_id values at a time");
        for (const auto& n : out.numbers)
            if (n.size() > max_number_bytes) return bad("service_request_id must be case numbers");
        return out;
    }
    auto& query = out.query;
    query.limit = page;
    if (auto code = get("service_code"); !code.empty()) {
        out.only = find_service(code);
        if (!out.only) return problem{404, "no service with this service_code"};
        query.kind = std::string(out.only->kind);
        if (!out.only->category.empty()) query.category = std::string(out.only->category);
    }
    std::optional<std::int64_t> start;
    std::optional<std::int64_t> end;
    if (auto v = get("start_date"); !v.empty()) {
        start = parse_datetime(v);
        if (!start)
            return bad(
                "start_date must be a W3C datetime with an offset, e.g. "
                "2026-02-13T08:00:00+08:00");
    }
    if (auto v = get("end_date"); !v.empty()) {
        end = parse_datetime(v);
        if (!end)
            return bad(
                "end_date must be a W3C datetime with an offset, e.g. "
                "2026-02-13T18:00:00+08:00");
    }
    if (start && end && *end < *start) return bad("end_date is before start_date");
    if (!start) start = (end ? *end : now) - default_window;
    query.created_since = *start;
    if (end && *end < std::numeric_limits<std::int64_t>::max()) query.created_until = *end + 1;
    if (auto v = get("status"); !v.empty()) {
        bool open = false;
        bool closed = false;
        for (const auto& s : split_commas(v)) {
            if (s == "open")
                open = true;
            else if (s == "closed")
                closed = true;
            else
                return bad("status must be open or closed");
        }
        if (open != closed)
            for (auto s : dialog::cases::all_statuses())
                if (dialog::cases::is_terminal(s) == closed) query.statuses.emplace_back(s);
    }
    return out;
}

std::optional<std::int64_t> parse_datetime(std::string_view text) {
    return dialog::parse_iso8601(text);
}

}  // namespace minsheng::adapters::open311
