#include "adapters/db/detail/outbox_rows.hpp"

#include <algorithm>
#include <string>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"

namespace minsheng::adapters::db::detail {

namespace {

constexpr std::size_t max_list = 1000;

// The community a row is about: its case's (as the case is now) when it is about a case, else the
// staff community it names ("" for a person's notification about no case).
constexpr std::string_view row_community =
    "coalesce((SELECT c.community FROM cases c WHERE c.id = outbox.case_id), outbox.community)";

std::string select_outbox(std::string_view rest) {
    std::string sql = "SELECT " + std::string(notification_columns) +
                      ", status, attempts, next_attempt_at, last_error, delivered_at FROM outbox ";
    sql += rest;
    return sql;
}

}  // namespace

dialog::notification read_notification(const sql::statement& row) {
    dialog::notification n;
    n.id = row.getColumn(0).getInt64();
    n.audience = row.getColumn(1).getString();
    if (!row.getColumn(2).isNull()) {
        const auto from = dialog::channel_from_string(row.getColumn(2).getString());
        if (!from) throw store_error("store: an outbox row names an unknown channel");
        n.to = dialog::person_ref{*from, row.getColumn(3).getString()};
    }
    n.community = row.getColumn(4).getString();
    n.template_key = row.getColumn(5).getString();
    n.vars_json = row.getColumn(6).getString();
    n.text = row.getColumn(7).getString();
    n.case_id = row.getColumn(8).getInt64();
    n.idempotency_key = row.getColumn(9).getString();
    n.created_at = row.getColumn(10).getInt64();
    return n;
}

namespace {

outbox_row read_outbox(const sql::statement& row) {
    outbox_row r;
    r.n = read_notification(row);
    r.status = row.getColumn(11).getString();
    r.attempts = row.getColumn(12).getInt();
    r.next_attempt_at = row.getColumn(13).getInt64();
    r.last_error = row.getColumn(14).getString();
    r.delivered_at = row.getColumn(15).getInt64();
    return r;
}

}  // namespace

bool enqueue(statement_cache& sql, const dialog::notification& n, std::int64_t now) {
    statement_use s(sql.get(
        "INSERT INTO outbox (audience, to_channel, to_user, community, template_key, vars_json, "
        "text, case_id, idempotency_key, created_at, next_attempt_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11) "
        "ON CONFLICT (idempotency_key) DO NOTHING"));
    s->bind(1, n.audience);
    if (n.to) {
        s->bind(2, std::string(dialog::to_string(n.to->from)));
        s->bind(3, n.to->user_id);
    } else {
        s->bind(2);
        s->bind(3);
    }
    s->bind(4, n.community);
    s->bind(5, n.template_key);
    s->bind(6, n.vars_json);
    s->bind(7, n.text);
    s->bind(8, n.case_id);
    s->bind(9, n.idempotency_key);
    s->bind(10, n.created_at);
    s->bind(11, now);
    return s->exec() == 1;
}

std::vector<outbox_row> list_outbox(statement_cache& sql, const outbox_filter& f) {
    // ?1 status and ?2 case_id, each only in the statements that filter by it.
    static const std::string shapes[4] = {
        select_outbox("ORDER BY id DESC LIMIT ?3"),
        select_outbox("WHERE status = ?1 ORDER BY id DESC LIMIT ?3"),
        select_outbox("WHERE case_id = ?2 ORDER BY id DESC LIMIT ?3"),
        select_outbox("WHERE status = ?1 AND case_id = ?2 ORDER BY id DESC LIMIT ?3"),
    };
    const std::size_t shape = (f.status ? 1u : 0u) | (f.case_id ? 2u : 0u);
    statement_use s(sql.get(shapes[shape]));
    if (f.status) s->bind(1, *f.status);
    if (f.case_id) s->bind(2, *f.case_id);
    s->bind(3, static_cast<std::int64_t>(std::clamp<std::size_t>(f.limit, 1, max_list)));
    std::vector<outbox_row> out;
    while (s->executeStep()) out.push_back(read_outbox(*s));
    return out;
}

std::vector<outbox_row> list_outbox_in(statement_cache& sql, const outbox_filter& f,
                                       const std::vector<std::string>& communities) {
    std::vector<outbox_row> out;
    if (communities.empty()) return out;
    // ?1 status, ?2 case_id (when filtered by), ?3 limit, then the communities from ?4.
    std::string where =
        "WHERE " + std::string(row_community) + " IN " + numbered_list(4, communities.size());
    if (f.status) where += " AND status = ?1";
    if (f.case_id) where += " AND case_id = ?2";
    statement_use s(sql.get_shaped(select_outbox(where + " ORDER BY id DESC LIMIT ?3")));
    if (f.status) s->bind(1, *f.status);
    if (f.case_id) s->bind(2, *f.case_id);
    s->bind(3, static_cast<std::int64_t>(std::clamp<std::size_t>(f.limit, 1, max_list)));
    for (std::size_t i = 0; i < communities.size(); ++i)
        s->bind(4 + static_cast<int>(i), communities[i]);
    while (s->executeStep()) out.push_back(read_outbox(*s));
    return out;
}

std::int64_t count_outbox_in(statement_cache& sql, std::string_view status,
                             const std::vector<std::string>& communities) {
    if (communities.empty()) return 0;
    // ?1 status (when counted by), then the communities from ?2.
    std::string text = "SELECT count(*) FROM outbox WHERE " + std::string(row_community) + " IN " +
                       numbered_list(2, communities.size());
    if (!status.empty()) text += " AND status = ?1";
    statement_use s(sql.get_shaped(text));
    if (!status.empty()) s->bind(1, std::string(status));
    for (std::size_t i = 0; i < communities.size(); ++i)
        s->bind(2 + static_cast<int>(i), communities[i]);
    s->executeStep();
    return s->getColumn(0).getInt64();
}

std::int64_t count_outbox(statement_cache& sql, std::string_view status) {
    statement_use s(sql.get(status.empty() ? "SELECT count(*) FROM outbox"
                                           : "SELECT count(*) FROM outbox WHERE status = ?1"));
    if (!status.empty()) s->bind(1, std::string(status));
    s->executeStep();
    return s->getColumn(0).getInt64();
}

}  // namespace minsheng::adapters::db::detail
