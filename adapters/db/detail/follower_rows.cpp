#include "adapters/db/detail/follower_rows.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "adapters/db/detail/case_rows.hpp"
#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/store.hpp"

namespace minsheng::adapters::db::detail {

namespace {

constexpr std::string_view follower_columns =
    "SELECT case_id, channel, user_id, joined_at, via, rating, left_at, report "
    "FROM case_followers ";

using json = nlohmann::json;

// The `report` column: the follower's own draft and attachments as JSON ('' none). Only what a
// draft carries before the case service fills it (community and location included).
std::string report_text(const std::optional<dialog::followed_report>& r) {
    if (!r) return "";
    const auto& d = r->draft;
    json j{{"kind", d.kind},
           {"category", d.category},
           {"category_confidence", d.category_confidence},
           {"urgency", d.urgency},
           {"description", d.description},
           {"address", d.address},
           {"contact_phone", d.contact_phone},
           {"source_key", d.source_key},
           {"source_ref", d.source_ref},
           {"source_span", d.source_span},
           {"community", d.community},
           {"attachments", r->attachments}};
    if (d.location) j["location"] = {d.location->lat, d.location->lng};
    return j.dump();
}

std::optional<dialog::followed_report> read_report(const std::string& text,
                                                   const dialog::case_follower& f) {
    if (text.empty()) return std::nullopt;
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object()) throw store_error("store: a case follower's report is not readable");
    try {
        dialog::followed_report r;
        auto& d = r.draft;
        d.from = f.who.from;
        d.reporter_id = f.who.user_id;
        d.kind = j.at("kind").get<std::string>();
        d.category = j.at("category").get<std::string>();
        d.category_confidence = j.at("category_confidence").get<double>();
        d.urgency = j.at("urgency").get<std::string>();
        d.description = j.at("description").get<std::string>();
        d.address = j.at("address").get<std::string>();
        d.contact_phone = j.at("contact_phone").get<std::string>();
        d.source_key = j.at("source_key").get<std::string>();
        d.source_ref = j.at("source_ref").get<std::string>();
        d.source_span = j.at("source_span").get<std::string>();
        d.community = j.at("community").get<std::string>();
        if (const auto at = j.find("location"); at != j.end())
            d.location = dialog::geo_point{at->at(0).get<double>(), at->at(1).get<double>()};
        r.attachments = j.at("attachments").get<std::vector<std::string>>();
        return r;
    } catch (const json::exception&) {
        throw store_error("store: a case follower's report is not readable");
    }
}

dialog::case_follower read_follower(const sql::statement& row) {
    dialog::case_follower f;
    f.case_id = row.getColumn(0).getInt64();
    const auto from = dialog::channel_from_string(row.getColumn(1).getString());
    if (!from) throw store_error("store: a case follower names an unknown channel");
    f.who = {*from, row.getColumn(2).getString()};
    f.joined_at = row.getColumn(3).getInt64();
    f.via = row.getColumn(4).getString();
    f.rating = static_cast<int>(row.getColumn(5).getInt64());
    f.left_at = row.getColumn(6).getInt64();
    f.report = read_report(row.getColumn(7).getString(), f);
    return f;
}

}  // namespace

bool add_follower(statement_cache& sql, const dialog::case_follower& f) {
    statement_use s(
        sql.get("INSERT INTO case_followers (case_id, channel, user_id, joined_at, via, rating, "
                "left_at, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                "ON CONFLICT (case_id, channel, user_id) DO NOTHING"));
    s->bind(1, f.case_id);
    s->bind(2, std::string(dialog::to_string(f.who.from)));
    s->bind(3, f.who.user_id);
    s->bind(4, f.joined_at);
    s->bind(5, f.via);
    s->bind(6, f.rating);
    s->bind(7, f.left_at);
    s->bind(8, report_text(f.report));
    return s->exec() == 1;
}

std::vector<dialog::case_follower> followers_of(statement_cache& sql, std::int64_t case_id) {
    static const std::string text =
        std::string(follower_columns) + "WHERE case_id = ?1 ORDER BY joined_at, channel, user_id";
    statement_use s(sql.get(text));
    s->bind(1, case_id);
    std::vector<dialog::case_follower> out;
    while (s->executeStep()) out.push_back(read_follower(*s));
    return out;
}

bool leave_case(statement_cache& sql, std::int64_t case_id, const dialog::person_ref& who,
                std::int64_t at) {
    statement_use s(
        sql.get("UPDATE case_followers SET left_at = ?4, report = '' "
                "WHERE case_id = ?1 AND channel = ?2 AND user_id = ?3 AND left_at = 0"));
    s->bind(1, case_id);
    s->bind(2, std::string(dialog::to_string(who.from)));
    s->bind(3, who.user_id);
    s->bind(4, at);
    return s->exec() == 1;
}

bool rate_followed(statement_cache& sql, std::int64_t case_id, const dialog::person_ref& who,
                   int rating) {
    if (rating < 1 || rating > 5) throw std::invalid_argument("store: a rating is 1..5");
    statement_use s(
        sql.get("UPDATE case_followers SET rating = ?4 WHERE case_id = ?1 AND channel = ?2 AND "
                "user_id = ?3 AND left_at = 0 AND rating = 0"));
    s->bind(1, case_id);
    s->bind(2, std::string(dialog::to_string(who.from)));
    s->bind(3, who.user_id);
    s->bind(4, rating);
    return s->exec() == 1;
}

std::vector<dialog::case_follower> followed_by(statement_cache& sql, const dialog::person_ref& who,
                                               std::size_t limit) {
    static const std::string text =
        std::string(follower_columns) +
        "WHERE channel = ?1 AND user_id = ?2 ORDER BY joined_at DESC, case_id DESC LIMIT ?3";
    statement_use s(sql.get(text));
    s->bind(1, std::string(dialog::to_string(who.from)));
    s->bind(2, who.user_id);
    s->bind(3, static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 1000)));
    std::vector<dialog::case_follower> out;
    while (s->executeStep()) out.push_back(read_follower(*s));
    return out;
}

std::vector<dialog::case_record> duplicate_candidates(statement_cache& sql,
                                                      const dialog::duplicate_candidates_query& q) {
    // Open, public, of the kind and category, recent; each statement newest first by created_at
    // (then id), the order of its index, so that the store walks the index backwards and stops
    // at the limit (docs/benchmarks.md, "The duplicate search's store query").
    static const std::string open_cases =
        " FROM cases WHERE kind = ?1 AND category = ?2 AND created_at >= ?3 AND closed_at = 0 "
        "AND is_private = 0 "  // a grid worker's report of a resident in difficulty: no one joins
        "AND status IN ('received', 'accepted', 'assigned', 'claimed', 'in_progress') ";
    // By community or near (the unused condition switched off by its flag), or every place.
    static const std::string around =
        "SELECT " + std::string(case_columns) + open_cases +
        "AND ((?4 = 1 AND community = ?5) "
        "OR (?6 = 1 AND lat BETWEEN ?7 AND ?8 AND lng BETWEEN ?9 AND ?10) "
        "OR (?4 = 0 AND ?6 = 0)) "
        "ORDER BY created_at DESC, id DESC LIMIT ?11";
    // Opened with the place (the index of open cases by place, kind, category and created_at).
    static const std::string at_place = "SELECT " + std::string(case_columns) + open_cases +
                                        "AND place <> '' AND place IN (?4, ?5) "
                                        "ORDER BY created_at DESC, id DESC LIMIT ?6";
    const auto limit = static_cast<std::int64_t>(std::clamp<std::size_t>(q.limit, 1, 200));
    double lat_lo = 0, lat_hi = 0, lng_lo = 0, lng_hi = 0;
    const bool by_box = q.near && std::isfinite(q.near->lat) && std::isfinite(q.near->lng) &&
                        std::isfinite(q.radius_m) && q.radius_m >= 0;
    if (by_box) {
        const double dlat = q.radius_m / 111320.0;
        const double c = std::cos(q.near->lat * 3.14159265358979323846 / 180.0);
        const double dlng = c > 0.01 ? q.radius_m / (111320.0 * c) : 180.0;
        lat_lo = q.near->lat - dlat;
        lat_hi = q.near->lat + dlat;
        lng_lo = q.near->lng - dlng;
        lng_hi = q.near->lng + dlng;
    }
    const bool by_place = !q.place.empty() || !q.place_also.empty();
    std::vector<dialog::case_record> out;
    // Anywhere with a place: the place alone (the newest anywhere would crowd it out).
    if (!q.community.empty() || by_box || !by_place) {
        statement_use s(sql.get(around));
        s->bind(1, q.kind);
        s->bind(2, q.category);
        s->bind(3, q.since);
        s->bind(4, q.community.empty() ? 0 : 1);
        s->bind(5, q.community);
        s->bind(6, by_box ? 1 : 0);
        s->bind(7, lat_lo);
        s->bind(8, lat_hi);
        s->bind(9, lng_lo);
        s->bind(10, lng_hi);
        s->bind(11, limit);
        while (s->executeStep()) out.push_back(read_case(*s));
    }
    if (by_place) {
        statement_use s(sql.get(at_place));
        s->bind(1, q.kind);
        s->bind(2, q.category);
        s->bind(3, q.since);
        s->bind(4, q.place);
        s->bind(5, q.place_also.empty() ? q.place : q.place_also);
        s->bind(6, limit);
        const auto known = out.size();
        while (s->executeStep()) {
            auto c = read_case(*s);
            const bool seen =
                std::any_of(out.begin(), out.begin() + known,
                            [&](const dialog::case_record& o) { return o.id == c.id; });
            if (!seen) out.push_back(std::move(c));
        }
    }
    return out;
}

}  // namespace minsheng::adapters::db::detail
