#include "adapters/sqlite_store/detail/people_rows.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <string>

#include "adapters/sqlite_store/detail/connection.hpp"
#include "adapters/sqlite_store/detail/statement_cache.hpp"
#include "adapters/sqlite_store/store.hpp"

namespace minsheng::adapters::sqlite_store::detail {

namespace {

constexpr std::string_view person_columns =
    "SELECT channel, user_id, name, community, phone, volunteer, skills, registered_at, "
    "updated_at FROM people ";

std::string select_people(std::string_view rest) {
    std::string sql(person_columns);
    sql += rest;
    return sql;
}

dialog::person read_person(const SQLite::Statement& row) {
    dialog::person p;
    const auto from = dialog::channel_from_string(row.getColumn(0).getString());
    if (!from) throw store_error("sqlite_store: a people row names an unknown channel");
    p.who.from = *from;
    p.who.user_id = row.getColumn(1).getString();
    p.name = row.getColumn(2).getString();
    p.community = row.getColumn(3).getString();
    p.phone = row.getColumn(4).getString();
    p.volunteer = row.getColumn(5).getInt() != 0;
    p.skills = row.getColumn(6).getString();
    p.registered_at = row.getColumn(7).getInt64();
    p.updated_at = row.getColumn(8).getInt64();
    return p;
}

}  // namespace

std::optional<dialog::person> get_person(statement_cache& sql, const dialog::person_ref& who) {
    static const std::string by_key = select_people("WHERE channel = ?1 AND user_id = ?2");
    statement_use s(sql.get(by_key));
    s->bind(1, std::string(dialog::to_string(who.from)));
    s->bind(2, who.user_id);
    if (!s->executeStep()) return std::nullopt;
    return read_person(*s);
}

void save_person(statement_cache& sql, const dialog::person& p) {
    statement_use s(
        sql.get("INSERT INTO people (channel, user_id, name, community, phone, volunteer, skills, "
                "registered_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                "ON CONFLICT (channel, user_id) DO UPDATE SET name = excluded.name, "
                "community = excluded.community, phone = excluded.phone, "
                "volunteer = excluded.volunteer, skills = excluded.skills, "
                "registered_at = excluded.registered_at, updated_at = excluded.updated_at"));
    s->bind(1, std::string(dialog::to_string(p.who.from)));
    s->bind(2, p.who.user_id);
    s->bind(3, p.name);
    s->bind(4, p.community);
    s->bind(5, p.phone);
    s->bind(6, p.volunteer ? 1 : 0);
    s->bind(7, p.skills);
    s->bind(8, p.registered_at);
    s->bind(9, p.updated_at);
    s->exec();
}

std::optional<dialog::person> find_person_by_phone(statement_cache& sql, std::string_view phone) {
    if (phone.empty()) return std::nullopt;
    // "phone <> ''" repeats the partial index's condition so that SQLite uses it.
    static const std::string by_phone = select_people(
        "WHERE phone <> '' AND phone = ?1 ORDER BY updated_at DESC, channel, user_id LIMIT 1");
    statement_use s(sql.get(by_phone));
    s->bind(1, std::string(phone));
    if (!s->executeStep()) return std::nullopt;
    return read_person(*s);
}

}  // namespace minsheng::adapters::sqlite_store::detail
