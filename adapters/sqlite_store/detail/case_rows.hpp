#pragma once
// Private to sqlite_store: how a `cases` row maps to dialog::case_record, shared by the writer's
// unit of work and the reader so both select the same columns in the same order.

#include <SQLiteCpp/Statement.h>

#include <string_view>

#include "dialog/ports.hpp"

namespace minsheng::adapters::sqlite_store::detail {

// The select list read_case expects, in this order, starting at column 0.
inline constexpr std::string_view case_columns =
    "id, number, channel, reporter_id, kind, category, category_confidence, urgency, status, "
    "description, address, contact_phone, created_at, updated_at";

// The record on the statement's current row. Throws store_error on a channel name this build
// does not know.
dialog::case_record read_case(const SQLite::Statement& row);

}  // namespace minsheng::adapters::sqlite_store::detail
