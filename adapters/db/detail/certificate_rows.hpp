#pragma once
// Private to adapters/db: the SQL of certificate requests answered from the city's list without
// a case (`certificate_answers`, schema step 17), shared by the writer's unit of work and the
// statistics. Throws sql::error on storage failure.

#include <cstdint>
#include <string_view>

#include "dialog/message.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache;

// One answer about `item` to the message `source_key` at `at`, in the China-time month of `at`,
// to `user_id` on `from` ("" unknown): the row keeps that person's community (schema step 19;
// for a 12345 caller, the community of the resident who verified that phone), "" when unknown.
// A second answer to the same non-empty source_key is not counted again.
void count_certificate_answer(statement_cache& sql, std::string_view item, dialog::channel from,
                              std::string_view user_id, std::string_view source_key,
                              std::int64_t at);
// Marks the answer to `source_key` as followed by a case ("还是需要社区帮忙").
void certificate_answer_escalated(statement_cache& sql, std::string_view source_key);

}  // namespace minsheng::adapters::db::detail
