// 主动发现 (docs/discovery.md): the households worth a visit, for the supervisors of their street.
//   GET  /api/v1/discovery          the ranked households of the caller's communities, each with
//                                   its signals and why it ranks there (masked: no ID number,
//                                   phone 138****1234)
//   GET  /api/v1/discovery.csv      the same as a CSV file
//   POST /api/v1/discovery/visits   {"household": "...", "outcome": "granted" | "referred" |
//                                   "not_needed"}: the visit (入户核查) and what it found
// router.cpp lets only supervisors and admins in. Every view, export and visit is answered only
// once its audit entry is committed. A household without a community is an admin's only.

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "adapters/db/discovery.hpp"
#include "adapters/db/discovery_months.hpp"
#include "adapters/db/staff.hpp"
#include "dialog/discovery/scoring.hpp"
#include "dialog/values/civil_time.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/server/app_state.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

namespace {

namespace dd = dialog::discovery;
namespace store_ns = adapters::db;

// "H-" and the first 8 hex digits of the key: how people name a household on paper.
std::string short_ref(const std::string& key) {
    const auto colon = key.find(':');
    return "H-" + key.substr(colon == std::string::npos ? 0 : colon + 1, 8);
}

std::string yuan(std::int64_t fen) {
    std::string cents = std::to_string(fen % 100);
    if (cents.size() < 2) cents.insert(0, "0");
    return std::to_string(fen / 100) + "." + cents;
}

bool own(const dd::signal& s) {
    return s.source == dd::hotline_source || s.source == dd::own_source;
}

std::string label_of(const dialog::template_set& t, const dd::signal& s) {
    if (!own(s)) return s.indicator;
    if (s.indicator == dd::repeated_wishes)
        return t.render("discovery/signal_repeated_wishes", {{"count", s.ref}});
    return t.render("discovery/signal_" + s.indicator);
}

std::string date_of(const dd::signal& s) {
    return s.at == 0 ? "" : dialog::format_date(dialog::china_date(s.at));
}

std::string why_of(const dialog::template_set& t, const dd::ranked& r) {
    std::string signals;
    for (const auto& s : r.why) {
        std::string extra;
        if (s.amount_fen > 0)
            extra += t.render("discovery/amount", {{"amount", yuan(s.amount_fen)}});
        if (own(s) && s.indicator != dd::repeated_wishes)
            extra += t.render("discovery/case_number", {{"number", s.ref}});
        if (!signals.empty()) signals += t.render("discovery/separator");
        signals += t.render("discovery/signal", {{"source", s.source},
                                                 {"label", label_of(t, s)},
                                                 {"date", date_of(s)},
                                                 {"extra", extra}});
    }
    std::string out =
        t.render("discovery/why", {{"overlap", std::to_string(r.overlap)}, {"signals", signals}});
    if (r.referred) out += t.render("discovery/referred");
    return out;
}

// The ranked households the caller may see (narrowed to ?community= when given; nullopt after
// refusing 403 for a community outside their scope).
std::optional<std::vector<dd::ranked>> ranked_for(const call& c) {
    const std::string* community = c.param("community");
    if (community && !c.who.sees_community(*community)) {
        c.refuse(http::status::forbidden, "forbidden", "not your community");
        return std::nullopt;
    }
    const auto& app = c.app();
    const auto policy = dd::policy::defaults();
    const auto now = app.now();
    auto all = dd::rank(store_ns::gather_discovery(c.r, *app.discovery, now - policy.window_seconds,
                                                   policy.repeated_wishes_from),
                        policy, now);
    std::vector<dd::ranked> out;
    for (auto& r : all) {
        if (community && r.community != *community) continue;
        if (c.who.sees_all() || (!r.community.empty() && c.who.sees_community(r.community)))
            out.push_back(std::move(r));
    }
    return out;
}

// "YYYY-MM" of the China-time month `back` months before `now`'s.
std::string month_of(std::int64_t now, int back) {
    const auto d = dialog::china_date(now);
    int y = static_cast<int>(d.year());
    int m = static_cast<int>(static_cast<unsigned>(d.month())) - back;
    while (m < 1) {
        m += 12;
        --y;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", y, m);
    return buf;
}

// A month's kept list as the caller sees it: each household they may see and its place among
// those (1 = first), narrowed like ranked_for.
struct month_view {
    std::string month;
    bool kept = false;
    std::int64_t computed_at = 0;
    std::map<std::string, std::size_t> position;
};

month_view month_for(const call& c, const std::string& month) {
    month_view v;
    v.month = month;
    const auto m = store_ns::monthly_discovery(c.r, month);
    if (!m) return v;
    v.kept = true;
    v.computed_at = m->computed_at;
    const std::string* community = c.param("community");
    for (const auto& e : m->entries) {
        if (community && e.community != *community) continue;
        if (c.who.sees_all() || (!e.community.empty() && c.who.sees_community(e.community)))
            v.position.emplace(e.household, v.position.size() + 1);
    }
    return v;
}

json month_json(const month_view& v) {
    if (!v.kept) return {{"month", v.month}, {"kept", false}};
    return {{"month", v.month},
            {"kept", true},
            {"computed_on", dialog::format_date(dialog::china_date(v.computed_at))},
            {"households", v.position.size()}};
}

json rank_in(const month_view& v, const std::string& household) {
    const auto it = v.position.find(household);
    return it == v.position.end() ? json(nullptr) : json(it->second);
}

json entry_json(const dialog::template_set& t, const dd::ranked& r, std::size_t rank) {
    json signals = json::array();
    for (const auto& s : r.why) {
        json one = {{"source", s.source},
                    {"indicator", s.indicator},
                    {"label", label_of(t, s)},
                    {"date", date_of(s)}};
        if (s.amount_fen > 0) one["amount"] = yuan(s.amount_fen);
        if (own(s) && s.indicator != dd::repeated_wishes) one["case"] = s.ref;
        signals.push_back(std::move(one));
    }
    return {{"rank", rank},
            {"household", r.key},
            {"ref", short_ref(r.key)},
            {"community", r.community},
            {"phone", r.phone},
            {"overlap", r.overlap},
            {"weight", r.weight},
            {"referred", r.referred},
            {"signals", std::move(signals)},
            {"why", why_of(t, r)}};
}

// One CSV field (RFC 4180), a spreadsheet formula defused with a leading '.
std::string csv_field(std::string s) {
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s.insert(0, "'");
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

// Answers `body` once the audit entry is committed.
void audited(const call& c, std::string action, std::string target, std::string detail,
             std::function<void(exchange&)> then) {
    store_ns::audit_entry entry{0,
                                c.app().now(),
                                dialog::cases::actor::op(c.who.id).key(),
                                std::move(action),
                                std::move(target),
                                std::move(detail)};
    c.x.on_writer<bool>(
        [entry = std::move(entry)](store_ns::store& st) {
            store_ns::append_audit(st, entry);
            return true;
        },
        [then = std::move(then)](exchange& x, bool&) { then(x); });
}

}  // namespace

std::vector<std::string> discovery_template_keys() {
    std::vector<std::string> keys = {"discovery/signal",      "discovery/amount",
                                     "discovery/case_number", "discovery/separator",
                                     "discovery/why",         "discovery/referred"};
    for (auto kind : {dd::medical_bills, dd::school_fees, dd::housing, dd::urgent_medical,
                      dd::urgent_schooling, dd::lost_work, dd::repeated_wishes})
        keys.push_back("discovery/signal_" + std::string(kind));
    return keys;
}

void list_discovery(const call& c) {
    const auto found = ranked_for(c);
    if (!found) return;
    const auto& list = *found;
    const auto& t = *c.app().templates;
    // The monthly lists (kept by the sweep): each household's place this month and last month.
    const auto now = c.app().now();
    const auto this_month = month_for(c, month_of(now, 0));
    const auto last_month = month_for(c, month_of(now, 1));
    json entries = json::array();
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto e = entry_json(t, list[i], i + 1);
        e["month_rank"] = rank_in(this_month, list[i].key);
        e["last_month_rank"] = rank_in(last_month, list[i].key);
        entries.push_back(std::move(e));
    }
    auto body = std::make_shared<json>(json{{"households", std::move(entries)},
                                            {"this_month", month_json(this_month)},
                                            {"last_month", month_json(last_month)}});
    audited(c, "discovery_view", "discovery", "households " + std::to_string(list.size()),
            [body](exchange& x) {
                x.answer(x.response(http::status::ok, body->dump(), std::string(json_type)));
            });
}

void export_discovery(const call& c) {
    const auto found = ranked_for(c);
    if (!found) return;
    const auto& list = *found;
    const auto& t = *c.app().templates;
    std::string csv = "\xEF\xBB\xBF";
    csv += "rank,household,community,phone,overlap,weight,referred,why\r\n";
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& r = list[i];
        char weight[32];
        std::snprintf(weight, sizeof weight, "%.1f", r.weight);
        csv += std::to_string(i + 1) + "," + csv_field(short_ref(r.key)) + "," +
               csv_field(r.community) + "," + csv_field(r.phone) + "," + std::to_string(r.overlap) +
               "," + weight + "," + (r.referred ? "yes" : "no") + "," + csv_field(why_of(t, r)) +
               "\r\n";
    }
    auto body = std::make_shared<std::string>(std::move(csv));
    audited(c, "discovery_export", "discovery.csv", "households " + std::to_string(list.size()),
            [body](exchange& x) {
                auto res =
                    x.response(http::status::ok, std::move(*body), "text/csv; charset=utf-8");
                res.set(http::field::content_disposition, "attachment; filename=\"discovery.csv\"");
                x.answer(std::move(res));
            });
}

void visit_discovery(const call& c) {
    json body;
    try {
        body = json::parse(c.x.req().body());
    } catch (const json::exception&) {
        return c.refuse(http::status::bad_request, "bad_request", "the body must be JSON");
    }
    if (!body.is_object() || !body.contains("household") || !body["household"].is_string() ||
        !body.contains("outcome") || !body["outcome"].is_string())
        return c.refuse(http::status::bad_request, "bad_request",
                        "give \"household\" and \"outcome\" as strings");
    const auto household = body["household"].get<std::string>();
    const auto result = dd::parse_outcome(body["outcome"].get<std::string>());
    if (!result)
        return c.refuse(http::status::bad_request, "bad_request",
                        "outcome must be granted, referred or not_needed");
    // Only a household the caller sees listed now can be marked.
    const auto found = ranked_for(c);
    if (!found) return;
    bool listed = false;
    for (const auto& r : *found) listed = listed || r.key == household;
    if (!listed)
        return c.refuse(http::status::forbidden, "forbidden",
                        "this household is not on the list you may see");
    const auto now = c.app().now();
    const std::string actor = dialog::cases::actor::op(c.who.id).key();
    c.x.on_writer<outcome>(
        [household, result = *result, staff = c.who.id, actor, now](store_ns::store& st) {
            store_ns::record_discovery_visit(st, household, result, staff, now);
            store_ns::append_audit(st, {0, now, actor, "discovery_visit", short_ref(household),
                                        std::string(dd::to_string(result))});
            return outcome::answer(http::status::ok,
                                   {{"household", household}, {"outcome", dd::to_string(result)}});
        },
        deliver);
}

}  // namespace minsheng::gateway::operator_api
