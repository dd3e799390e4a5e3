#include "adapters/db/detail/people_rows.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/store.hpp"

namespace minsheng::adapters::db::detail {

namespace {

constexpr std::string_view person_columns =
    "SELECT channel, user_id, name, community, phone, volunteer, skills, registered_at, "
    "updated_at, phone_verified_at, volunteer_status, volunteer_number, volunteer_decided_by, "
    "volunteer_decided_at, unionid, community_since, community_previous, community_move, "
    "community_confirmed_by, community_confirmed_at FROM people ";

std::string select_people(std::string_view rest) {
    std::string sql(person_columns);
    sql += rest;
    return sql;
}

dialog::person read_person(const sql::statement& row) {
    dialog::person p;
    const auto from = dialog::channel_from_string(row.getColumn(0).getString());
    if (!from) throw store_error("store: a people row names an unknown channel");
    p.who.from = *from;
    p.who.user_id = row.getColumn(1).getString();
    p.name = row.getColumn(2).getString();
    p.community = row.getColumn(3).getString();
    p.phone = row.getColumn(4).getString();
    p.volunteer = row.getColumn(5).getInt() != 0;
    p.skills = row.getColumn(6).getString();
    p.registered_at = row.getColumn(7).getInt64();
    p.updated_at = row.getColumn(8).getInt64();
    p.phone_verified_at = row.getColumn(9).getInt64();
    p.volunteer_status = row.getColumn(10).getString();
    p.volunteer_number = row.getColumn(11).getInt64();
    p.volunteer_decided_by = row.getColumn(12).getString();
    p.volunteer_decided_at = row.getColumn(13).getInt64();
    p.unionid = row.getColumn(14).getString();
    p.community_since = row.getColumn(15).getInt64();
    p.community_previous = row.getColumn(16).getString();
    p.community_move = row.getColumn(17).getInt64();
    p.community_confirmed_by = row.getColumn(18).getString();
    p.community_confirmed_at = row.getColumn(19).getInt64();
    return p;
}

dialog::phone_code read_phone_code(const sql::statement& row) {
    dialog::phone_code c;
    c.id = row.getColumn(0).getInt64();
    const auto from = dialog::channel_from_string(row.getColumn(1).getString());
    if (!from) throw store_error("store: a phone_codes row names an unknown channel");
    c.who.from = *from;
    c.who.user_id = row.getColumn(2).getString();
    c.phone = row.getColumn(3).getString();
    c.code_hash = row.getColumn(4).getString();
    c.created_at = row.getColumn(5).getInt64();
    c.expires_at = row.getColumn(6).getInt64();
    c.attempts = row.getColumn(7).getInt();
    c.used_at = row.getColumn(8).getInt64();
    return c;
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
    statement_use s(sql.get(
        "INSERT INTO people (channel, user_id, name, community, phone, volunteer, skills, "
        "registered_at, updated_at, phone_verified_at, volunteer_status, volunteer_number, "
        "volunteer_decided_by, volunteer_decided_at, unionid, community_since, community_previous, "
        "community_move, community_confirmed_by, community_confirmed_at) VALUES (?1, ?2, ?3, ?4, "
        "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) "
        "ON CONFLICT (channel, user_id) DO UPDATE SET "
        "name = excluded.name, community = excluded.community, phone = excluded.phone, "
        "volunteer = excluded.volunteer, skills = excluded.skills, "
        "registered_at = excluded.registered_at, updated_at = excluded.updated_at, "
        "phone_verified_at = excluded.phone_verified_at, "
        "volunteer_status = excluded.volunteer_status, "
        "volunteer_number = excluded.volunteer_number, "
        "volunteer_decided_by = excluded.volunteer_decided_by, "
        "volunteer_decided_at = excluded.volunteer_decided_at, unionid = excluded.unionid, "
        "community_since = excluded.community_since, "
        "community_previous = excluded.community_previous, "
        "community_move = excluded.community_move, "
        "community_confirmed_by = excluded.community_confirmed_by, "
        "community_confirmed_at = excluded.community_confirmed_at"));
    s->bind(1, std::string(dialog::to_string(p.who.from)));
    s->bind(2, p.who.user_id);
    s->bind(3, p.name);
    s->bind(4, p.community);
    s->bind(5, p.phone);
    s->bind(6, p.volunteer ? 1 : 0);
    s->bind(7, p.skills);
    s->bind(8, p.registered_at);
    s->bind(9, p.updated_at);
    s->bind(10, p.phone_verified_at);
    s->bind(11, p.volunteer_status);
    s->bind(12, p.volunteer_number);
    s->bind(13, p.volunteer_decided_by);
    s->bind(14, p.volunteer_decided_at);
    s->bind(15, p.unionid);
    s->bind(16, p.community_since);
    s->bind(17, p.community_previous);
    s->bind(18, p.community_move);
    s->bind(19, p.community_confirmed_by);
    s->bind(20, p.community_confirmed_at);
    s->exec();
}

std::int64_t next_volunteer_number(statement_cache& sql) {
    statement_use s(sql.get("SELECT coalesce(max(volunteer_number), 0) + 1 FROM people"));
    s->executeStep();
    return s->getColumn(0).getInt64();
}

std::optional<dialog::person> find_volunteer(statement_cache& sql, std::int64_t number) {
    static const std::string by_number =
        select_people("WHERE volunteer_number > 0 AND volunteer_number = ?1");
    statement_use s(sql.get(by_number));
    s->bind(1, number);
    if (!s->executeStep()) return std::nullopt;
    return read_person(*s);
}

std::vector<dialog::person> list_volunteers(statement_cache& sql, std::string_view status,
                                            const std::vector<std::string>& communities,
                                            std::size_t limit) {
    // One placeholder per community: the cache keeps one statement per count.
    std::string where = "WHERE volunteer_number > 0 AND (?1 = '' OR volunteer_status = ?1)";
    if (!communities.empty()) {
        where += " AND community IN (";
        for (std::size_t i = 0; i < communities.size(); ++i)
            where += (i == 0 ? "?" : ", ?") + std::to_string(i + 3);
        where += ")";
    }
    statement_use s(sql.get(select_people(where + " ORDER BY volunteer_number LIMIT ?2")));
    s->bind(1, std::string(status));
    s->bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000)));
    for (std::size_t i = 0; i < communities.size(); ++i)
        s->bind(static_cast<int>(i + 3), communities[i]);
    std::vector<dialog::person> out;
    while (s->executeStep()) out.push_back(read_person(*s));
    return out;
}

std::int64_t next_community_move(statement_cache& sql) {
    statement_use s(sql.get("SELECT coalesce(max(community_move), 0) + 1 FROM people"));
    s->executeStep();
    return s->getColumn(0).getInt64();
}

std::optional<dialog::person> find_community_move(statement_cache& sql, std::int64_t number) {
    static const std::string by_number =
        select_people("WHERE community_move > 0 AND community_move = ?1");
    statement_use s(sql.get(by_number));
    s->bind(1, number);
    if (!s->executeStep()) return std::nullopt;
    return read_person(*s);
}

std::vector<dialog::person> pending_community_moves(statement_cache& sql,
                                                    const std::vector<std::string>& communities,
                                                    std::int64_t since, std::size_t limit) {
    // ?1 since, ?2 limit, then the communities from ?3 (none: every community).
    std::string where =
        "WHERE community_move > 0 AND community_confirmed_at = 0 AND community_since > ?1";
    if (!communities.empty()) where += " AND community IN " + numbered_list(3, communities.size());
    statement_use s(sql.get_shaped(select_people(where + " ORDER BY community_move LIMIT ?2")));
    s->bind(1, since);
    s->bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1000)));
    for (std::size_t i = 0; i < communities.size(); ++i)
        s->bind(static_cast<int>(i + 3), communities[i]);
    std::vector<dialog::person> out;
    while (s->executeStep()) out.push_back(read_person(*s));
    return out;
}

std::optional<dialog::person> find_person_by_phone(statement_cache& sql, std::string_view phone) {
    if (phone.empty()) return std::nullopt;
    // "phone <> ''" repeats the partial index's condition so that SQLite uses it.
    static const std::string by_phone = select_people(
        "WHERE phone <> '' AND phone = ?1 AND phone_verified_at > 0 "
        "ORDER BY phone_verified_at DESC, channel, user_id LIMIT 1");
    statement_use s(sql.get(by_phone));
    s->bind(1, std::string(phone));
    if (!s->executeStep()) return std::nullopt;
    return read_person(*s);
}

std::int64_t add_phone_code(statement_cache& sql, const dialog::phone_code& c) {
    statement_use s(
        sql.get("INSERT INTO phone_codes (channel, user_id, phone, code_hash, created_at, "
                "expires_at, attempts, used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                "RETURNING id"));
    s->bind(1, std::string(dialog::to_string(c.who.from)));
    s->bind(2, c.who.user_id);
    s->bind(3, c.phone);
    s->bind(4, c.code_hash);
    s->bind(5, c.created_at);
    s->bind(6, c.expires_at);
    s->bind(7, c.attempts);
    s->bind(8, c.used_at);
    if (!s->executeStep()) throw store_error("store: add phone code returned no id");
    return s->getColumn(0).getInt64();
}

std::optional<dialog::phone_code> latest_phone_code(statement_cache& sql,
                                                    const dialog::person_ref& who) {
    statement_use s(
        sql.get("SELECT id, channel, user_id, phone, code_hash, created_at, expires_at, "
                "attempts, used_at FROM phone_codes WHERE channel = ?1 AND user_id = ?2 "
                "ORDER BY id DESC LIMIT 1"));
    s->bind(1, std::string(dialog::to_string(who.from)));
    s->bind(2, who.user_id);
    if (!s->executeStep()) return std::nullopt;
    return read_phone_code(*s);
}

void update_phone_code(statement_cache& sql, const dialog::phone_code& c) {
    statement_use s(sql.get("UPDATE phone_codes SET attempts = ?2, used_at = ?3 WHERE id = ?1"));
    s->bind(1, c.id);
    s->bind(2, c.attempts);
    s->bind(3, c.used_at);
    s->exec();
}

std::int64_t count_phone_codes_to(statement_cache& sql, std::string_view phone,
                                  std::int64_t since) {
    statement_use s(
        sql.get("SELECT count(*) FROM phone_codes WHERE phone = ?1 AND created_at >= ?2"));
    s->bind(1, std::string(phone));
    s->bind(2, since);
    s->executeStep();
    return s->getColumn(0).getInt64();
}

std::int64_t count_phone_codes_for(statement_cache& sql, const dialog::person_ref& who,
                                   std::int64_t since) {
    statement_use s(
        sql.get("SELECT count(*) FROM phone_codes WHERE channel = ?1 AND user_id = ?2 "
                "AND created_at >= ?3"));
    s->bind(1, std::string(dialog::to_string(who.from)));
    s->bind(2, who.user_id);
    s->bind(3, since);
    s->executeStep();
    return s->getColumn(0).getInt64();
}

}  // namespace minsheng::adapters::db::detail
