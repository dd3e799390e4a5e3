#include "adapters/db/detail/certificate_rows.hpp"

#include <cstdio>
#include <string>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::adapters::db::detail {

namespace {

// "2026-11", the China-time month of instant `at`.
std::string month_of(std::int64_t at) {
    const auto d = dialog::china_date(at);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()));
    return buf;
}

}  // namespace

void count_certificate_answer(statement_cache& sql, std::string_view item, dialog::channel from,
                              std::string_view user_id, std::string_view source_key,
                              std::int64_t at) {
    statement_use s(sql.get(
        "INSERT INTO certificate_answers (source_key, item, channel, month, answered_at, "
        "community) VALUES (?1, ?2, ?3, ?4, ?5, coalesce("
        "(SELECT community FROM people WHERE channel = ?3 AND user_id = ?6 AND community <> ''), "
        "(SELECT community FROM people WHERE ?3 = 'hotline' AND phone = ?6 AND ?6 <> '' "
        "AND phone_verified_at > 0 AND community <> '' ORDER BY updated_at DESC LIMIT 1), '')) "
        "ON CONFLICT (source_key) WHERE source_key <> '' DO NOTHING"));
    s->bind(1, std::string(source_key));
    s->bind(2, std::string(item));
    s->bind(3, std::string(dialog::to_string(from)));
    s->bind(4, month_of(at));
    s->bind(5, at);
    s->bind(6, std::string(user_id));
    s->exec();
}

void certificate_answer_escalated(statement_cache& sql, std::string_view source_key) {
    if (source_key.empty()) return;
    statement_use s(sql.get("UPDATE certificate_answers SET escalated = 1 WHERE source_key = ?1"));
    s->bind(1, std::string(source_key));
    s->exec();
}

}  // namespace minsheng::adapters::db::detail
