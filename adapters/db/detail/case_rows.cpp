#include "adapters/db/detail/case_rows.hpp"

#include <algorithm>
#include <string>
#include <variant>

#include "adapters/db/detail/case_number.hpp"
#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/store.hpp"

namespace minsheng::adapters::db::detail {

namespace {

constexpr std::size_t max_list = 1000;

std::string select_cases(std::string_view rest) {
    std::string sql = "SELECT ";
    sql += case_columns;
    sql += " FROM cases";
    sql += rest;
    return sql;
}

// The one case `s` (bound by `bind`) selects, if any.
template <class Bind>
std::optional<dialog::case_record> one_case(sql::statement& s, Bind&& bind) {
    statement_use use(s);
    bind(s);
    if (!use->executeStep()) return std::nullopt;
    return read_case(s);
}

// The WHERE clause of a case_query and the values it binds, in placeholder order.
struct query_text {
    std::string sql;
    std::vector<std::variant<std::int64_t, std::string>> values;

    void add(std::string_view condition) {
        sql += sql.empty() ? " WHERE " : " AND ";
        sql += condition;
    }
    void add(std::string_view condition, std::string value) {
        add(condition);
        values.emplace_back(std::move(value));
    }
    void add(std::string_view condition, std::int64_t value) {
        add(condition);
        values.emplace_back(value);
    }
    void add_in(std::string_view column, const std::vector<std::string>& any_of) {
        std::string condition(column);
        condition += " IN (";
        for (std::size_t i = 0; i < any_of.size(); ++i) {
            condition += i == 0 ? "?" : ", ?";
            values.emplace_back(any_of[i]);
        }
        condition += ')';
        add(condition);
    }
};

query_text where_of(const dialog::case_query& q) {
    query_text t;
    if (!q.statuses.empty()) t.add_in("status", q.statuses);
    if (q.kind) t.add("kind = ?", *q.kind);
    if (q.category) t.add("category = ?", *q.category);
    if (q.community) t.add("community = ?", *q.community);
    if (!q.handling_modes.empty()) t.add_in("handling_mode", q.handling_modes);
    if (q.reporter) {
        t.add("channel = ?", std::string(dialog::to_string(q.reporter->from)));
        t.add("reporter_id = ?", q.reporter->user_id);
    }
    if (q.claimer) t.add("claimer = ?", *q.claimer);
    if (q.merged_into) t.add("merged_into = ?", *q.merged_into);
    // The timer conditions repeat their partial index's WHERE terms (migration 3) so that
    // SQLite can use it.
    if (q.remind_due_at) {
        t.add("remind_at > 0 AND reminded_at = 0");
        t.add("remind_at <= ?", *q.remind_due_at);
    }
    if (q.overdue_at) {
        t.add("deadline_at > 0 AND escalated_at = 0");
        t.add("deadline_at < ?", *q.overdue_at);
    }
    if (q.claim_expired_at) {
        t.add("claim_expires_at > 0");
        t.add("claim_expires_at <= ?", *q.claim_expired_at);
    }
    if (q.proposal_id) t.add("proposal_id = ?", *q.proposal_id);
    if (q.from) t.add("channel = ?", std::string(dialog::to_string(*q.from)));
    if (!q.communities.empty()) t.add_in("community", q.communities);
    if (!q.numbers.empty()) t.add_in("number", q.numbers);
    if (q.assignee) t.add("assignee = ?", *q.assignee);
    if (q.late_at) {
        t.add(
            "deadline_at > 0 AND status NOT IN ('done', 'confirmed', 'closed', 'cancelled', "
            "'merged')");
        t.add("deadline_at < ?", *q.late_at);
    }
    if (q.created_since) t.add("created_at >= ?", *q.created_since);
    if (q.created_until) t.add("created_at < ?", *q.created_until);
    if (q.source_ref) t.add("source_ref = ?", *q.source_ref);
    if (q.updated_before) t.add("updated_at < ?", *q.updated_before);
    if (q.confirm_noticed)
        t.add(*q.confirm_noticed ? "confirm_notice_at > 0" : "confirm_notice_at = 0");
    if (q.confirm_noticed_by) {
        t.add("confirm_notice_at > 0");
        t.add("confirm_notice_at <= ?", *q.confirm_noticed_by);
    }
    if (q.is_private) t.add("is_private = ?", std::int64_t{*q.is_private ? 1 : 0});
    if (q.before_id > 0) t.add("id < ?", q.before_id);
    if (q.after_id > 0) t.add("id > ?", q.after_id);
    return t;
}

std::string nullable(const sql::column& c) { return c.isNull() ? std::string() : c.getString(); }

}  // namespace

dialog::case_record read_case(const sql::statement& row) {
    dialog::case_record c;
    c.id = row.getColumn(0).getInt64();
    c.number = row.getColumn(1).getString();
    const auto from = dialog::channel_from_string(row.getColumn(2).getString());
    if (!from) throw store_error("store: a case row names an unknown channel");
    c.from = *from;
    c.reporter_id = row.getColumn(3).getString();
    c.kind = row.getColumn(4).getString();
    c.category = row.getColumn(5).getString();
    c.category_confidence = row.getColumn(6).getDouble();
    c.urgency = row.getColumn(7).getString();
    c.status = row.getColumn(8).getString();
    c.description = row.getColumn(9).getString();
    c.address = row.getColumn(10).getString();
    c.contact_phone = row.getColumn(11).getString();
    c.created_at = row.getColumn(12).getInt64();
    c.updated_at = row.getColumn(13).getInt64();
    c.community = row.getColumn(14).getString();
    c.handling_mode = row.getColumn(15).getString();
    c.handling_rule = row.getColumn(16).getString();
    c.deadline_at = row.getColumn(17).getInt64();
    c.remind_at = row.getColumn(18).getInt64();
    c.reminded_at = row.getColumn(19).getInt64();
    c.escalated_at = row.getColumn(20).getInt64();
    c.assignee = row.getColumn(21).getString();
    c.claimer = row.getColumn(22).getString();
    c.claim_expires_at = row.getColumn(23).getInt64();
    c.merged_into = row.getColumn(24).getInt64();
    c.rating = row.getColumn(25).getInt();
    c.rating_comment = row.getColumn(26).getString();
    c.proposal_id = row.getColumn(27).getInt64();
    c.closed_at = row.getColumn(28).getInt64();
    c.source_ref = row.getColumn(29).getString();
    c.source_span = row.getColumn(30).getString();
    if (!row.getColumn(31).isNull() && !row.getColumn(32).isNull())
        c.location =
            dialog::geo_point{row.getColumn(31).getDouble(), row.getColumn(32).getDouble()};
    c.public_code = row.getColumn(33).getString();
    c.confirm_notice_at = row.getColumn(34).getInt64();
    c.version = row.getColumn(35).getInt64();
    c.is_private = row.getColumn(36).getInt64() != 0;
    return c;
}

std::optional<dialog::case_record> get_case(statement_cache& sql, std::int64_t id) {
    static const std::string by_id = select_cases(" WHERE id = ?1");
    return one_case(sql.get(by_id), [&](sql::statement& s) { s.bind(1, id); });
}

std::optional<dialog::case_record> find_case(statement_cache& sql, std::string_view number) {
    auto canonical = canonical_number(number);
    if (!canonical) return std::nullopt;
    static const std::string by_number = select_cases(" WHERE number = ?1");
    return one_case(sql.get(by_number), [&](sql::statement& s) { s.bind(1, *canonical); });
}

std::vector<dialog::case_record> list_cases(statement_cache& sql, const dialog::case_query& q) {
    auto text = where_of(q);
    text.sql += q.oldest_first ? " ORDER BY id ASC LIMIT ?" : " ORDER BY id DESC LIMIT ?";
    text.values.emplace_back(
        static_cast<std::int64_t>(std::clamp<std::size_t>(q.limit, 1, max_list)));
    statement_use s(sql.get_shaped(select_cases(text.sql)));
    for (std::size_t i = 0; i < text.values.size(); ++i) {
        const int index = static_cast<int>(i + 1);
        std::visit([&](const auto& v) { s->bind(index, v); }, text.values[i]);
    }
    std::vector<dialog::case_record> out;
    while (s->executeStep()) out.push_back(read_case(*s));
    return out;
}

bool update_case(statement_cache& sql, const dialog::case_record& c,
                 std::string_view expected_status, std::int64_t expected_updated_at) {
    statement_use s(sql.get(
        "UPDATE cases SET status = ?1, community = ?2, handling_mode = ?3, handling_rule = ?4, "
        "deadline_at = ?5, remind_at = ?6, reminded_at = ?7, escalated_at = ?8, assignee = ?9, "
        "claimer = ?10, claim_expires_at = ?11, merged_into = ?12, rating = ?13, "
        "rating_comment = ?14, closed_at = ?15, updated_at = ?16, description = ?17, "
        "address = ?18, contact_phone = ?19, category = ?20, confirm_notice_at = ?24, "
        "version = version + 1 "
        "WHERE id = ?21 AND status = ?22 AND updated_at = ?23 AND version = ?25"));
    s->bind(1, c.status);
    s->bind(2, c.community);
    s->bind(3, c.handling_mode);
    s->bind(4, c.handling_rule);
    s->bind(5, c.deadline_at);
    s->bind(6, c.remind_at);
    s->bind(7, c.reminded_at);
    s->bind(8, c.escalated_at);
    s->bind(9, c.assignee);
    s->bind(10, c.claimer);
    s->bind(11, c.claim_expires_at);
    s->bind(12, c.merged_into);
    s->bind(13, c.rating);
    s->bind(14, c.rating_comment);
    s->bind(15, c.closed_at);
    s->bind(16, c.updated_at);
    s->bind(17, c.description);
    s->bind(18, c.address);
    s->bind(19, c.contact_phone);
    s->bind(20, c.category);
    s->bind(21, c.id);
    s->bind(22, std::string(expected_status));
    s->bind(23, expected_updated_at);
    s->bind(24, c.confirm_notice_at);
    s->bind(25, c.version);
    return s->exec() == 1;
}

namespace {

void bind_event(sql::statement& s, const dialog::case_event& e) {
    s.bind(1, e.case_id);
    s.bind(2, e.at);
    s.bind(3, e.actor);
    s.bind(4, e.action);
    if (e.from_status.empty())
        s.bind(5);
    else
        s.bind(5, e.from_status);
    if (e.to_status.empty())
        s.bind(6);
    else
        s.bind(6, e.to_status);
    s.bind(7, e.note);
}

}  // namespace

std::int64_t add_event(statement_cache& sql, const dialog::case_event& e) {
    statement_use s(sql.get(
        "INSERT INTO case_events (case_id, at, actor, action, from_status, to_status, note) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id"));
    bind_event(*s, e);
    if (!s->executeStep()) throw store_error("store: no event id returned");
    return s->getColumn(0).getInt64();
}

void add_event_later(statement_cache& sql, const dialog::case_event& e) {
    statement_use s(sql.get(
        "INSERT INTO case_events (case_id, at, actor, action, from_status, to_status, note) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    bind_event(*s, e);
    s->exec_later();
}

std::int64_t count_events_by(statement_cache& sql, std::string_view actor, std::string_view action,
                             std::int64_t since) {
    statement_use s(
        sql.get("SELECT count(*) FROM case_events WHERE actor = ?1 AND action = ?2 AND at >= ?3"));
    s->bind(1, std::string(actor));
    s->bind(2, std::string(action));
    s->bind(3, since);
    s->executeStep();
    return s->getColumn(0).getInt64();
}

std::int64_t count_held_claims(statement_cache& sql, std::string_view claimer) {
    // Served by the partial index cases_held (migration 11).
    statement_use s(
        sql.get("SELECT count(*) FROM cases WHERE claimer = ?1 AND claimer <> '' AND "
                "status IN ('claimed', 'in_progress')"));
    s->bind(1, std::string(claimer));
    s->executeStep();
    return s->getColumn(0).getInt64();
}

std::vector<std::int64_t> dropped_claims(statement_cache& sql, std::string_view claimer,
                                         std::int64_t since) {
    // From the claimer's own claim events (case_events_by_actor), each to the event that ended
    // it on that case (case_events_by_case): the first release or lease expiry after the claim
    // with no other claim between, counted when it is theirs (a release by them, or an expiry)
    // and at or after `since`.
    statement_use s(sql.get(
        "SELECT e.at FROM case_events c JOIN case_events e ON e.case_id = c.case_id AND e.id > "
        "c.id "
        "WHERE c.actor = ?1 AND c.action = 'claim' AND e.at >= ?2 "
        "AND (e.action = 'lease_expired' OR (e.action = 'release' AND e.actor = ?1)) "
        "AND NOT EXISTS (SELECT 1 FROM case_events b WHERE b.case_id = c.case_id "
        "AND b.id > c.id AND b.id < e.id AND b.action IN ('claim', 'release', 'lease_expired')) "
        "ORDER BY e.at, e.id"));
    s->bind(1, std::string(claimer));
    s->bind(2, since);
    std::vector<std::int64_t> out;
    while (s->executeStep()) out.push_back(s->getColumn(0).getInt64());
    return out;
}

std::vector<dialog::case_event> events_of(statement_cache& sql, std::int64_t case_id) {
    statement_use s(
        sql.get("SELECT id, case_id, at, actor, action, from_status, to_status, note "
                "FROM case_events WHERE case_id = ?1 ORDER BY id"));
    s->bind(1, case_id);
    std::vector<dialog::case_event> out;
    while (s->executeStep()) {
        dialog::case_event e;
        e.id = s->getColumn(0).getInt64();
        e.case_id = s->getColumn(1).getInt64();
        e.at = s->getColumn(2).getInt64();
        e.actor = s->getColumn(3).getString();
        e.action = s->getColumn(4).getString();
        e.from_status = nullable(s->getColumn(5));
        e.to_status = nullable(s->getColumn(6));
        e.note = s->getColumn(7).getString();
        out.push_back(std::move(e));
    }
    return out;
}

std::map<std::int64_t, std::vector<std::string>> details_of(
    statement_cache& sql, const std::vector<std::int64_t>& case_ids) {
    std::map<std::int64_t, std::vector<std::string>> out;
    if (case_ids.empty()) return out;
    std::string text =
        "SELECT case_id, note FROM case_events WHERE action = 'detail' AND case_id IN (";
    for (std::size_t i = 0; i < case_ids.size(); ++i) text += i == 0 ? "?" : ", ?";
    text += ") ORDER BY id";
    statement_use s(sql.get_shaped(text));
    for (std::size_t i = 0; i < case_ids.size(); ++i) s->bind(static_cast<int>(i + 1), case_ids[i]);
    while (s->executeStep()) out[s->getColumn(0).getInt64()].push_back(s->getColumn(1).getString());
    return out;
}

}  // namespace minsheng::adapters::db::detail
