#include "adapters/db/detail/ledger_rows.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/store.hpp"

namespace minsheng::adapters::db::detail {

namespace {

constexpr std::size_t max_ranking = 1000;

// Credits in [?1, ?2) to person accounts ("person:" <= account < "person;"), per account, with
// the time and posting of the earliest; then joined to people for the name (and community).
constexpr std::string_view ranking_head =
    "WITH credits AS ("
    " SELECT e.account AS account, sum(e.amount) AS points, min(p.at) AS first_at,"
    " min(p.id) AS first_id"
    " FROM ledger_postings p JOIN ledger_entries e ON e.posting_id = p.id"
    " WHERE p.at >= ?1 AND p.at < ?2 AND e.amount > 0"
    " AND e.account >= 'person:' AND e.account < 'person;'"
    " GROUP BY e.account) "
    "SELECT c.account, coalesce(pe.name, ''), c.points"
    " FROM credits c LEFT JOIN people pe ON pe.account = c.account";
constexpr std::string_view ranking_tail =
    " ORDER BY c.points DESC, c.first_at, c.first_id, c.account LIMIT ?4";

std::optional<dialog::person_ref> account_owner(std::string_view account) {
    if (!account.starts_with(person_account_prefix)) return std::nullopt;
    return dialog::person_ref::parse(account.substr(person_account_prefix.size()));
}

// Appends the rows of a ranking statement (account, name, points) to `out`.
void read_ranking(sql::statement& s, std::vector<dialog::ranking_row>& out) {
    while (s.executeStep()) {
        const std::string account = s.getColumn(0).getString();
        auto who = account_owner(account);
        if (!who) throw store_error("store: a ledger account names no person");
        out.push_back({std::move(*who), s.getColumn(1).getString(), s.getColumn(2).getInt64()});
    }
}

}  // namespace

void check_posting(const dialog::ledger_posting& posting) {
    if (posting.idempotency_key.empty())
        throw std::invalid_argument("ledger posting without an idempotency key");
    if (posting.entries.size() < 2)
        throw std::invalid_argument("ledger posting with fewer than two entries");
    std::int64_t sum = 0;
    for (const auto& e : posting.entries) {
        if (e.account.empty()) throw std::invalid_argument("ledger entry without an account");
        if (e.account.starts_with(person_account_prefix) && !account_owner(e.account))
            throw std::invalid_argument("ledger entry on a person account naming no person");
        if (__builtin_add_overflow(sum, e.amount, &sum))
            throw std::invalid_argument("ledger posting amounts overflow");
    }
    if (sum != 0) throw std::invalid_argument("ledger posting entries do not sum to zero");
}

bool post(statement_cache& sql, const dialog::ledger_posting& posting) {
    {
        statement_use s(sql.get(
            "INSERT INTO ledger_postings (at, reason, case_id, idempotency_key, lines) "
            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"));
        s->bind(1, posting.at);
        s->bind(2, posting.reason);
        s->bind(3, posting.case_id);
        s->bind(4, posting.idempotency_key);
        s->bind(5, static_cast<std::int64_t>(posting.entries.size()));
        if (!s->executeStep()) return false;
        const std::int64_t id = s->getColumn(0).getInt64();
        s->tryReset();

        statement_use e(
            sql.get("INSERT INTO ledger_entries (posting_id, line, account, amount) "
                    "VALUES (?1, ?2, ?3, ?4)"));
        for (std::size_t i = 0; i < posting.entries.size(); ++i) {
            e->bind(1, id);
            e->bind(2, static_cast<std::int64_t>(i));
            e->bind(3, posting.entries[i].account);
            e->bind(4, posting.entries[i].amount);
            e->exec();
            e->reset();
        }
    }
    return true;
}

std::int64_t balance(statement_cache& sql, std::string_view account) {
    statement_use s(
        sql.get("SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE account = ?1"));
    s->bind(1, std::string(account));
    s->executeStep();
    return s->getColumn(0).getInt64();
}

std::vector<dialog::ranking_row> ranking(statement_cache& sql, std::string_view community,
                                         std::int64_t since, std::int64_t until,
                                         std::size_t limit) {
    std::vector<dialog::ranking_row> out;
    if (limit == 0 || since >= until) return out;
    static const std::string everyone = std::string(ranking_head) + std::string(ranking_tail);
    static const std::string of_community =
        std::string(ranking_head) + " WHERE pe.community = ?3" + std::string(ranking_tail);
    statement_use s(sql.get(community.empty() ? everyone : of_community));
    s->bind(1, since);
    s->bind(2, until);
    if (!community.empty()) s->bind(3, std::string(community));
    s->bind(4, static_cast<std::int64_t>(std::min(limit, max_ranking)));
    read_ranking(*s, out);
    return out;
}

std::vector<dialog::ranking_row> ranking_in(statement_cache& sql,
                                            const std::vector<std::string>& communities,
                                            std::int64_t since, std::int64_t until,
                                            std::size_t limit) {
    std::vector<dialog::ranking_row> out;
    if (limit == 0 || since >= until || communities.empty()) return out;
    // ?1 since, ?2 until, ?4 limit as above; the communities from ?5.
    statement_use s(sql.get_shaped(std::string(ranking_head) + " WHERE pe.community IN " +
                                   numbered_list(5, communities.size()) +
                                   std::string(ranking_tail)));
    s->bind(1, since);
    s->bind(2, until);
    s->bind(4, static_cast<std::int64_t>(std::min(limit, max_ranking)));
    for (std::size_t i = 0; i < communities.size(); ++i)
        s->bind(5 + static_cast<int>(i), communities[i]);
    read_ranking(*s, out);
    return out;
}

}  // namespace minsheng::adapters::db::detail
