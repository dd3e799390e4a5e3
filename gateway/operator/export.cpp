// GET /api/v1/cases.csv: the queue (the filters of /api/v1/cases, up to 1000 rows by default) as
// a CSV file of the masked operator view, answered only once its audit entry is committed: no
// export leaves unrecorded.

#include <array>
#include <memory>

#include "adapters/db/staff.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

namespace {

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes
// doubled. A field that a spreadsheet would run as a formula (= + - @ first) gets a leading '.
std::string csv_field(const json& v) {
    std::string s = v.is_null()     ? ""
                    : v.is_string() ? v.get<std::string>()
                                    : views::json_compact(v);
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s.insert(0, "'");
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

constexpr std::array csv_columns{
    "number",      "kind",          "category",    "status",    "channel",       "community",
    "urgency",     "handling_mode", "assignee",    "reporter",  "contact_phone", "address",
    "description", "created_at",    "deadline_at", "closed_at", "rating"};

// The cases as CSV (UTF-8 with a BOM so spreadsheets read the Chinese right, CRLF line ends),
// from their masked operator view.
std::string cases_csv(const std::vector<dialog::case_record>& cases) {
    std::string out = "\xEF\xBB\xBF";
    for (std::size_t i = 0; i < csv_columns.size(); ++i)
        out += (i ? "," : "") + std::string(csv_columns[i]);
    out += "\r\n";
    for (const auto& c : cases) {
        const json v = views::operator_case(c);
        for (std::size_t i = 0; i < csv_columns.size(); ++i)
            out += (i ? "," : "") + csv_field(v[csv_columns[i]]);
        out += "\r\n";
    }
    return out;
}

}  // namespace

void export_cases(const call& c) {
    auto q = case_filters(c, 1000);
    if (!q) return;
    const bool asked_community = q->community.has_value();
    const bool in_scope = c.who.scope(*q);
    if (!in_scope && asked_community)
        return c.refuse(http::status::forbidden, "forbidden", "not your community");
    std::vector<dialog::case_record> cases;
    if (in_scope) cases = c.r.list_cases(*q);

    std::string filters;
    for (const auto& [k, v] : c.x.ctx().query)
        filters += (filters.empty() ? "" : "&") + k + "=" + v;
    adapters::db::audit_entry entry{
        0,
        c.app().now(),
        dialog::cases::actor::op(c.who.id).key(),
        "export",
        "cases.csv",
        "rows " + std::to_string(cases.size()) + (filters.empty() ? "" : "; " + filters)};
    auto body = std::make_shared<std::string>(cases_csv(cases));
    c.x.on_writer<bool>(
        [entry = std::move(entry)](adapters::db::store& st) {
            adapters::db::append_audit(st, entry);
            return true;
        },
        [body](exchange& x, bool&) {
            auto res = x.response(http::status::ok, std::move(*body), "text/csv; charset=utf-8");
            res.set(http::field::content_disposition, "attachment; filename=\"cases.csv\"");
            x.answer(std::move(res));
        });
}

}  // namespace minsheng::gateway::operator_api
