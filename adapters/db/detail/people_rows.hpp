#pragma once
// Private to adapters/db: the SQL of `people` and its row mapping, shared by the writer's unit
// of work and the reader. Throws sql::error on storage failure, store_error for a row
// naming a channel this build does not know.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sql/connection.hpp"
#include "dialog/ports.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

std::optional<dialog::person> get_person(statement_cache& sql, const dialog::person_ref& who);

// Inserts or replaces the row of p.who, every field as given.
void save_person(statement_cache& sql, const dialog::person& p);

// Volunteer applications, as unit_of_work's methods of the same names.
std::int64_t next_volunteer_number(statement_cache& sql);
std::optional<dialog::person> find_volunteer(statement_cache& sql, std::int64_t number);
std::vector<dialog::person> list_volunteers(statement_cache& sql, std::string_view status,
                                            const std::vector<std::string>& communities,
                                            std::size_t limit);

// Community moves, as unit_of_work's methods of the same names.
std::int64_t next_community_move(statement_cache& sql);
std::optional<dialog::person> find_community_move(statement_cache& sql, std::int64_t number);
// People whose last move is unconfirmed and was made after `since` (still cooling), of any of
// `communities` (empty: any), oldest move first; limit clamped to 1000.
std::vector<dialog::person> pending_community_moves(statement_cache& sql,
                                                    const std::vector<std::string>& communities,
                                                    std::int64_t since, std::size_t limit);

// The person who verified this phone most recently; nullopt for "" or when nobody verified it.
std::optional<dialog::person> find_person_by_phone(statement_cache& sql, std::string_view phone);

// Phone verification codes (table phone_codes), as unit_of_work's methods of the same names.
std::int64_t add_phone_code(statement_cache& sql, const dialog::phone_code& c);
std::optional<dialog::phone_code> latest_phone_code(statement_cache& sql,
                                                    const dialog::person_ref& who);
void update_phone_code(statement_cache& sql, const dialog::phone_code& c);
std::int64_t count_phone_codes_to(statement_cache& sql, std::string_view phone, std::int64_t since);
std::int64_t count_phone_codes_for(statement_cache& sql, const dialog::person_ref& who,
                                   std::int64_t since);

}  // namespace minsheng::adapters::db::detail
