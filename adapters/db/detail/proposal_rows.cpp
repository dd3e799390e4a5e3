#include "adapters/db/detail/proposal_rows.hpp"

#include <algorithm>
#include <string>

#include "adapters/db/detail/case_number.hpp"
#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/store.hpp"

namespace minsheng::adapters::db::detail {

namespace {

constexpr std::size_t max_list = 1000;
constexpr const char* open_status = "open";

constexpr std::string_view proposal_select =
    "SELECT id, number, channel, user_id, community, title, description, threshold, status, "
    "votes, case_id, created_at, closes_at, updated_at FROM proposals ";

std::string select_proposals(std::string_view rest) {
    std::string sql(proposal_select);
    sql += rest;
    return sql;
}

dialog::channel channel_of(const sql::column& c) {
    const auto from = dialog::channel_from_string(c.getString());
    if (!from) throw store_error("store: a proposal or vote row names an unknown channel");
    return *from;
}

dialog::proposal read_proposal(const sql::statement& row) {
    dialog::proposal p;
    p.id = row.getColumn(0).getInt64();
    p.number = row.getColumn(1).getString();
    p.proposer.from = channel_of(row.getColumn(2));
    p.proposer.user_id = row.getColumn(3).getString();
    p.community = row.getColumn(4).getString();
    p.title = row.getColumn(5).getString();
    p.description = row.getColumn(6).getString();
    p.threshold = row.getColumn(7).getInt();
    p.status = row.getColumn(8).getString();
    p.votes = row.getColumn(9).getInt64();
    p.case_id = row.getColumn(10).getInt64();
    p.created_at = row.getColumn(11).getInt64();
    p.closes_at = row.getColumn(12).getInt64();
    p.updated_at = row.getColumn(13).getInt64();
    return p;
}

template <class Bind>
std::optional<dialog::proposal> one_proposal(sql::statement& s, Bind&& bind) {
    statement_use use(s);
    bind(s);
    if (!use->executeStep()) return std::nullopt;
    return read_proposal(s);
}

}  // namespace

dialog::proposal create_proposal(statement_cache& sql, const dialog::proposal_draft& d,
                                 std::string number) {
    dialog::proposal p;
    p.number = std::move(number);
    p.proposer = d.proposer;
    p.community = d.community;
    p.title = d.title;
    p.description = d.description;
    p.threshold = d.threshold;
    p.status = open_status;
    p.created_at = d.created_at;
    p.closes_at = d.closes_at;
    p.updated_at = d.created_at;
    statement_use s(
        sql.get("INSERT INTO proposals (number, channel, user_id, community, title, description, "
                "threshold, status, created_at, closes_at, updated_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9) RETURNING id"));
    s->bind(1, p.number);
    s->bind(2, std::string(dialog::to_string(p.proposer.from)));
    s->bind(3, p.proposer.user_id);
    s->bind(4, p.community);
    s->bind(5, p.title);
    s->bind(6, p.description);
    s->bind(7, p.threshold);
    s->bind(8, p.status);
    s->bind(9, p.created_at);
    s->bind(10, p.closes_at);
    if (!s->executeStep()) throw store_error("store: no proposal id returned");
    p.id = s->getColumn(0).getInt64();
    return p;
}

std::optional<dialog::proposal> get_proposal(statement_cache& sql, std::int64_t id) {
    static const std::string by_id = select_proposals("WHERE id = ?1");
    return one_proposal(sql.get(by_id), [&](sql::statement& s) { s.bind(1, id); });
}

std::optional<dialog::proposal> find_proposal(statement_cache& sql, std::string_view number) {
    auto canonical = canonical_number(number);
    if (!canonical) return std::nullopt;
    static const std::string by_number = select_proposals("WHERE number = ?1");
    return one_proposal(sql.get(by_number), [&](sql::statement& s) { s.bind(1, *canonical); });
}

std::vector<dialog::proposal> open_proposals(statement_cache& sql, std::string_view community,
                                             std::size_t limit) {
    std::vector<dialog::proposal> out;
    if (limit == 0) return out;
    static const std::string everywhere =
        select_proposals("WHERE status = 'open' ORDER BY id DESC LIMIT ?2");
    static const std::string in_community =
        select_proposals("WHERE status = 'open' AND community = ?1 ORDER BY id DESC LIMIT ?2");
    statement_use s(sql.get(community.empty() ? everywhere : in_community));
    if (!community.empty()) s->bind(1, std::string(community));
    s->bind(2, static_cast<std::int64_t>(std::min(limit, max_list)));
    while (s->executeStep()) out.push_back(read_proposal(*s));
    return out;
}

std::vector<dialog::proposal> open_proposals_in(statement_cache& sql,
                                                const std::vector<std::string>& communities,
                                                std::size_t limit) {
    std::vector<dialog::proposal> out;
    if (limit == 0 || communities.empty()) return out;
    // ?1 limit, then the communities from ?2.
    statement_use s(sql.get_shaped(select_proposals("WHERE status = 'open' AND community IN " +
                                                    numbered_list(2, communities.size()) +
                                                    " ORDER BY id DESC LIMIT ?1")));
    s->bind(1, static_cast<std::int64_t>(std::min(limit, max_list)));
    for (std::size_t i = 0; i < communities.size(); ++i)
        s->bind(2 + static_cast<int>(i), communities[i]);
    while (s->executeStep()) out.push_back(read_proposal(*s));
    return out;
}

std::vector<dialog::proposal> proposals_to_expire(statement_cache& sql, std::int64_t at,
                                                  std::int64_t after_id, std::size_t limit) {
    std::vector<dialog::proposal> out;
    if (limit == 0) return out;
    // Repeats proposals_by_status_closes (migration 8): status, then a range of closes_at.
    static const std::string due = select_proposals(
        "WHERE status = 'open' AND closes_at > 0 AND closes_at <= ?1 AND id > ?2 "
        "ORDER BY id LIMIT ?3");
    statement_use s(sql.get(due));
    s->bind(1, at);
    s->bind(2, after_id);
    s->bind(3, static_cast<std::int64_t>(std::min(limit, max_list)));
    while (s->executeStep()) out.push_back(read_proposal(*s));
    return out;
}

std::int64_t count_proposals(statement_cache& sql, const dialog::person_ref& proposer,
                             std::int64_t since) {
    statement_use s(
        sql.get("SELECT count(*) FROM proposals "
                "WHERE channel = ?1 AND user_id = ?2 AND created_at >= ?3"));
    s->bind(1, std::string(dialog::to_string(proposer.from)));
    s->bind(2, proposer.user_id);
    s->bind(3, since);
    s->executeStep();
    return s->getColumn(0).getInt64();
}

bool update_proposal(statement_cache& sql, const dialog::proposal& p,
                     std::string_view expected_status) {
    statement_use s(
        sql.get("UPDATE proposals SET status = ?1, case_id = ?2, updated_at = ?3 "
                "WHERE id = ?4 AND status = ?5"));
    s->bind(1, p.status);
    s->bind(2, p.case_id);
    s->bind(3, p.updated_at);
    s->bind(4, p.id);
    s->bind(5, std::string(expected_status));
    return s->exec() == 1;
}

bool add_vote(statement_cache& sql, std::int64_t proposal_id, const dialog::person_ref& voter,
              const std::vector<std::string>& keys, std::int64_t at) {
    // The single writer makes look-then-write safe; the primary keys back it up (a race would
    // abort the transaction rather than count twice).
    std::vector<std::string> all{voter.key()};
    for (const auto& k : keys)
        if (std::find(all.begin(), all.end(), k) == all.end()) all.push_back(k);
    {
        statement_use seen(
            sql.get("SELECT 1 FROM vote_keys WHERE proposal_id = ?1 AND key = ?2 LIMIT 1"));
        for (const auto& k : all) {
            seen->reset();
            seen->bind(1, proposal_id);
            seen->bind(2, k);
            if (seen->executeStep()) return false;
        }
    }
    statement_use s(
        sql.get("INSERT INTO votes (proposal_id, channel, user_id, at) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (proposal_id, channel, user_id) DO NOTHING RETURNING id"));
    s->bind(1, proposal_id);
    s->bind(2, std::string(dialog::to_string(voter.from)));
    s->bind(3, voter.user_id);
    s->bind(4, at);
    if (!s->executeStep()) return false;
    const std::int64_t vote_id = s->getColumn(0).getInt64();
    statement_use key(
        sql.get("INSERT INTO vote_keys (proposal_id, key, vote_id) VALUES (?1, ?2, ?3)"));
    for (const auto& k : all) {
        key->reset();
        key->bind(1, proposal_id);
        key->bind(2, k);
        key->bind(3, vote_id);
        key->exec();
    }
    return true;
}

std::vector<dialog::person_ref> voters(statement_cache& sql, std::int64_t proposal_id) {
    statement_use s(
        sql.get("SELECT channel, user_id FROM votes WHERE proposal_id = ?1 ORDER BY at, id"));
    s->bind(1, proposal_id);
    std::vector<dialog::person_ref> out;
    while (s->executeStep())
        out.push_back({channel_of(s->getColumn(0)), s->getColumn(1).getString()});
    return out;
}

}  // namespace minsheng::adapters::db::detail
