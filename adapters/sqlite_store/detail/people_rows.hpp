#pragma once
// Private to sqlite_store: the SQL of `people` and its row mapping, shared by the writer's unit
// of work and the reader. Throws SQLite::Exception on storage failure, store_error for a row
// naming a channel this build does not know.

#include <optional>
#include <string_view>

#include "dialog/ports.hpp"

namespace minsheng::adapters::sqlite_store::detail {

class statement_cache;

std::optional<dialog::person> get_person(statement_cache& sql, const dialog::person_ref& who);

// Inserts or replaces the row of p.who, every field as given.
void save_person(statement_cache& sql, const dialog::person& p);

// The most recently updated person with this phone; nullopt for "" or when nobody bound it.
std::optional<dialog::person> find_person_by_phone(statement_cache& sql, std::string_view phone);

}  // namespace minsheng::adapters::sqlite_store::detail
