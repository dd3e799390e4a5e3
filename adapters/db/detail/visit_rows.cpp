#include "adapters/db/detail/visit_rows.hpp"

#include <algorithm>
#include <string>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/store.hpp"

namespace minsheng::adapters::db::detail {

namespace {

constexpr std::string_view visit_columns =
    "SELECT id, person, station, activity, checkin_at, checkout_at, minutes, points, "
    "checkin_proof, checkout_proof, carried_minutes "
    "FROM service_visits ";

dialog::service_visit read_visit(const sql::statement& row) {
    dialog::service_visit v;
    v.id = row.getColumn(0).getInt64();
    auto who = dialog::person_ref::parse(row.getColumn(1).getString());
    if (!who) throw store_error("store: a service visit names an unreadable person");
    v.who = *who;
    v.station = row.getColumn(2).getString();
    v.activity = row.getColumn(3).getString();
    v.checkin_at = row.getColumn(4).getInt64();
    v.checkout_at = row.getColumn(5).getInt64();
    v.minutes = row.getColumn(6).getInt64();
    v.points = row.getColumn(7).getInt64();
    v.checkin_proof = row.getColumn(8).getString();
    v.checkout_proof = row.getColumn(9).getString();
    v.carried_minutes = row.getColumn(10).getInt64();
    return v;
}

}  // namespace

std::optional<dialog::service_visit> open_visit(statement_cache& sql,
                                                const dialog::person_ref& who) {
    static const std::string text =
        std::string(visit_columns) + "WHERE person = ?1 AND checkout_at = 0";
    statement_use s(sql.get(text));
    s->bind(1, who.key());
    if (!s->executeStep()) return std::nullopt;
    return read_visit(*s);
}

dialog::service_visit start_visit(statement_cache& sql, const dialog::service_visit& v) {
    statement_use s(
        sql.get("INSERT INTO service_visits (person, station, activity, checkin_at, "
                "checkin_proof, carried_minutes) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id"));
    s->bind(1, v.who.key());
    s->bind(2, v.station);
    s->bind(3, v.activity);
    s->bind(4, v.checkin_at);
    s->bind(5, v.checkin_proof);
    s->bind(6, v.carried_minutes);
    if (!s->executeStep()) throw store_error("store: no visit id returned");
    auto out = v;
    out.id = s->getColumn(0).getInt64();
    out.checkout_at = 0;
    out.minutes = 0;
    out.points = 0;
    out.checkout_proof.clear();
    return out;
}

bool finish_visit(statement_cache& sql, const dialog::service_visit& closed) {
    statement_use s(
        sql.get("UPDATE service_visits SET checkout_at = ?2, minutes = ?3, points = ?4, "
                "checkout_proof = ?5 WHERE id = ?1 AND checkout_at = 0"));
    s->bind(1, closed.id);
    s->bind(2, closed.checkout_at);
    s->bind(3, closed.minutes);
    s->bind(4, closed.points);
    s->bind(5, closed.checkout_proof);
    return s->exec() == 1;
}

std::vector<dialog::service_visit> visits_of(statement_cache& sql, const dialog::person_ref& who,
                                             std::size_t limit) {
    static const std::string text =
        std::string(visit_columns) + "WHERE person = ?1 ORDER BY id DESC LIMIT ?2";
    statement_use s(sql.get(text));
    s->bind(1, who.key());
    s->bind(2, static_cast<std::int64_t>(std::clamp<std::size_t>(limit, 1, 1000)));
    std::vector<dialog::service_visit> out;
    while (s->executeStep()) out.push_back(read_visit(*s));
    return out;
}

std::int64_t credited_minutes(statement_cache& sql, const dialog::person_ref& who,
                              std::int64_t since, std::int64_t until) {
    statement_use s(
        sql.get("SELECT coalesce(sum(minutes), 0) FROM service_visits "
                "WHERE person = ?1 AND checkin_at >= ?2 AND checkin_at < ?3 AND checkout_at <> 0"));
    s->bind(1, who.key());
    s->bind(2, since);
    s->bind(3, until);
    s->executeStep();
    return s->getColumn(0).getInt64();
}

}  // namespace minsheng::adapters::db::detail
