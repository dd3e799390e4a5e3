#include "adapters/db/statistics.hpp"

#include <map>
#include <set>
#include <string_view>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/raw_access.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/store.hpp"

namespace minsheng::adapters::db {

namespace {

using detail::guarded;
using detail::statement_cache;
using detail::statement_use;

// Every query binds ?1 since, ?2 until, ?3 now (those it uses), then the values of its IN lists
// from ?4 on. One SQL text per query and list length, so each shape keeps its prepared statement
// and every value is bound, never spliced in.
class bound_query {
public:
    explicit bound_query(const stats_query& q) : q_(q) {}

    // "(?4, ?5, ...)" for `values`, remembered for binding.
    std::string in_list(const std::vector<std::string>& values) {
        std::string s = "(";
        for (const auto& v : values) {
            if (s.size() > 1) s += ", ";
            s += '?' + std::to_string(first_list_index + extra_.size());
            extra_.push_back(v);
        }
        return s + ')';
    }
    // " AND <column> IN (...)" when the scope names communities; "" for all.
    std::string scope(std::string_view column) {
        if (q_.communities.empty()) return "";
        return " AND " + std::string(column) + " IN " + in_list(q_.communities);
    }

    // Runs `sql` (its placeholders as above) and calls on_row for each row.
    template <class OnRow>
    void run(statement_cache& cache, const std::string& sql, OnRow&& on_row) const {
        statement_use s(cache.get_shaped(sql));
        const int params = s->getBindParameterCount();
        const std::int64_t fixed[] = {q_.since, q_.until, q_.now};
        for (int i = 1; i <= 3 && i <= params; ++i) s->bind(i, fixed[i - 1]);
        for (std::size_t i = 0; i < extra_.size(); ++i)
            s->bind(static_cast<int>(first_list_index + i), extra_[i]);
        while (s->executeStep()) on_row(*s);
    }

private:
    static constexpr std::size_t first_list_index = 4;
    const stats_query& q_;
    std::vector<std::string> extra_;
};

// The window's cases in scope, as a WHERE clause (created_at uses cases_by_created).
std::string cases_in_window(bound_query& b) {
    return " FROM cases WHERE created_at >= ?1 AND created_at < ?2" + b.scope("community");
}

// Statuses in SQL: a case is finished when closed, cancelled or merged (closed_at is set); it is
// with its handler when also not done or confirmed (the sweep's overdue rule).
constexpr std::string_view finished = "('closed', 'cancelled', 'merged')";
constexpr std::string_view handed_back = "('done', 'confirmed', 'closed', 'cancelled', 'merged')";

// count(*) FILTER (WHERE ...) counts the rows meeting a condition on both engines (SQLite since
// 3.30); sum() of a comparison works on SQLite only.
std::int64_t int_at(sql::statement& s, int column) { return s.getColumn(column).getInt64(); }

void read_case_figures(statement_cache& cache, const stats_query& q, statistics& out) {
    bound_query b(q);
    const std::string not_finished = "status NOT IN " + std::string(finished);
    const std::string sql =
        "SELECT count(*),"
        " count(*) FILTER (WHERE " +
        not_finished +
        "),"
        " count(*) FILTER (WHERE status = 'closed'),"
        " count(*) FILTER (WHERE deadline_at > 0 AND deadline_at < ?3 AND status NOT IN " +
        std::string(handed_back) +
        "),"
        " count(*) FILTER (WHERE deadline_at > 0 AND status NOT IN ('cancelled', 'merged')),"
        " count(*) FILTER (WHERE deadline_at > 0 AND status = 'closed' AND closed_at <= "
        "deadline_at),"
        " count(*) FILTER (WHERE deadline_at > 0 AND status = 'closed' AND closed_at > "
        "deadline_at),"
        " count(*) FILTER (WHERE deadline_at > 0 AND deadline_at < ?3 AND " +
        not_finished +
        "),"
        " count(*) FILTER (WHERE deadline_at > 0 AND deadline_at >= ?3 AND " +
        not_finished + ")" + cases_in_window(b);
    b.run(cache, sql, [&](sql::statement& s) {
        out.totals = {int_at(s, 0), int_at(s, 1), int_at(s, 2), int_at(s, 3)};
        auto& d = out.deadlines;
        d.with_deadline = int_at(s, 4);
        d.closed_on_time = int_at(s, 5);
        d.closed_late = int_at(s, 6);
        d.open_overdue = int_at(s, 7);
        d.open_on_time = int_at(s, 8);
        const std::int64_t decided = d.closed_on_time + d.closed_late + d.open_overdue;
        if (decided > 0)
            d.compliance_rate =
                static_cast<double>(d.closed_on_time) / static_cast<double>(decided);
    });
}

std::vector<keyed_count> count_by(statement_cache& cache, const stats_query& q,
                                  std::string_view column) {
    bound_query b(q);
    const std::string col(column);
    const std::string sql = "SELECT " + col + ", count(*)" + cases_in_window(b) + " GROUP BY " +
                            col + " ORDER BY count(*) DESC, " + col;
    std::vector<keyed_count> out;
    b.run(cache, sql, [&](sql::statement& s) {
        out.push_back({s.getColumn(0).getString(), int_at(s, 1)});
    });
    return out;
}

void read_ratings(statement_cache& cache, const stats_query& q, rating_figures& out) {
    bound_query b(q);
    const std::string sql = "SELECT rating, count(*)" + cases_in_window(b) +
                            " AND rating BETWEEN 1 AND 5 GROUP BY rating";
    std::int64_t sum = 0;
    b.run(cache, sql, [&](sql::statement& s) {
        const std::int64_t rating = int_at(s, 0);
        const std::int64_t n = int_at(s, 1);
        out.distribution[static_cast<std::size_t>(rating - 1)] = n;
        out.count += n;
        sum += rating * n;
    });
    if (out.count > 0) out.mean = static_cast<double>(sum) / static_cast<double>(out.count);
}

std::vector<demand_cell> read_demand(statement_cache& cache, const stats_query& q) {
    bound_query b(q);
    const std::string sql = "SELECT community, category, count(*)" + cases_in_window(b) +
                            " GROUP BY community, category ORDER BY community, category";
    std::vector<demand_cell> out;
    b.run(cache, sql, [&](sql::statement& s) {
        out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(), int_at(s, 2)});
    });
    return out;
}

// Registered volunteers per community (registered before the window ends).
std::map<std::string, std::int64_t> volunteers_by_community(statement_cache& cache,
                                                            const stats_query& q) {
    bound_query b(q);
    const std::string sql =
        "SELECT community, count(*) FROM people WHERE volunteer = 1 AND registered_at < ?2" +
        b.scope("community") + " GROUP BY community";
    std::map<std::string, std::int64_t> out;
    b.run(cache, sql, [&](sql::statement& s) { out[s.getColumn(0).getString()] = int_at(s, 1); });
    return out;
}

// The configured stations in scope; nullopt means every visit counts (no scope).
std::optional<std::vector<std::string>> station_codes_in_scope(const stats_query& q) {
    if (q.communities.empty()) return std::nullopt;
    const std::set<std::string> scope(q.communities.begin(), q.communities.end());
    std::vector<std::string> codes;
    for (const auto& st : q.stations)
        if (scope.count(st.community)) codes.push_back(st.code);
    return codes;
}

std::int64_t one_number(statement_cache& cache, const bound_query& b, const std::string& sql) {
    std::int64_t n = 0;
    b.run(cache, sql, [&](sql::statement& s) { n = int_at(s, 0); });
    return n;
}

// Claims in the window, as "FROM ... WHERE ..." over case_events e joined to their case c.
std::string claims_in_window(bound_query& b) {
    return " FROM case_events e JOIN cases c ON c.id = e.case_id"
           " WHERE e.action = 'claim' AND e.at >= ?1 AND e.at < ?2" +
           b.scope("c.community");
}

// Visits checked in during the window at a station in scope, as "FROM ... WHERE ...".
std::string visits_in_window(bound_query& b, const std::optional<std::vector<std::string>>& codes) {
    std::string sql = " FROM service_visits WHERE checkin_at >= ?1 AND checkin_at < ?2";
    if (codes) sql += " AND station IN " + b.in_list(*codes);
    return sql;
}

void read_volunteer_figures(statement_cache& cache, const stats_query& q, volunteer_figures& out) {
    const auto codes = station_codes_in_scope(q);
    const bool any_station = !codes || !codes->empty();
    {
        bound_query b(q);
        out.claims = one_number(cache, b, "SELECT count(*)" + claims_in_window(b));
    }
    {
        bound_query b(q);
        out.wishes_confirmed =
            one_number(cache, b,
                       "SELECT count(*) FROM ledger_postings p JOIN cases c ON c.id = p.case_id"
                       " WHERE p.reason = 'wish_confirmed' AND p.at >= ?1 AND p.at < ?2" +
                           b.scope("c.community"));
    }
    if (any_station) {
        bound_query b(q);
        b.run(cache, "SELECT count(*), coalesce(sum(minutes), 0)" + visits_in_window(b, codes),
              [&](sql::statement& s) {
                  out.visits = int_at(s, 0);
                  out.service_minutes = int_at(s, 1);
              });
    }
    {
        bound_query b(q);
        std::string sql = "SELECT count(*) FROM (SELECT e.actor" + claims_in_window(b);
        if (any_station) sql += " UNION SELECT person" + visits_in_window(b, codes);
        out.active = one_number(cache, b, sql + ") AS active");
    }
    {
        // Credits to people's accounts; in a scope, to the people of its communities.
        bound_query b(q);
        std::string sql =
            "SELECT coalesce(sum(e.amount), 0) FROM ledger_postings p"
            " JOIN ledger_entries e ON e.posting_id = p.id";
        if (!q.communities.empty()) sql += " JOIN people pe ON pe.account = e.account";
        sql +=
            " WHERE p.at >= ?1 AND p.at < ?2 AND e.amount > 0"
            " AND substr(e.account, 1, 7) = 'person:'" +
            b.scope("pe.community");
        out.points_credited = one_number(cache, b, sql);
    }
}

std::vector<resource_row> resources_of(const stats_query& q,
                                       const std::map<std::string, std::int64_t>& volunteers) {
    const std::set<std::string> scope(q.communities.begin(), q.communities.end());
    const auto in_scope = [&](const std::string& c) { return scope.empty() || scope.count(c); };
    std::map<std::string, resource_row> rows;
    const auto row = [&](const std::string& c) -> resource_row& {
        auto& r = rows[c];
        r.community = c;
        return r;
    };
    for (const auto& c : q.listed)
        if (in_scope(c)) row(c);
    for (const auto& [c, n] : volunteers) row(c).volunteers = n;
    for (const auto& st : q.stations)
        if (in_scope(st.community)) ++row(st.community).stations;
    std::vector<resource_row> out;
    for (auto& [c, r] : rows) out.push_back(std::move(r));
    return out;
}

// One read transaction around all the queries, so every figure sees the same committed state.
class snapshot {
public:
    // PostgreSQL's default (READ COMMITTED) takes a new snapshot per statement; REPEATABLE READ
    // keeps the first one for the whole transaction, as a SQLite read transaction does.
    explicit snapshot(statement_cache& cache) : cache_(cache) {
        cache_.connection().exec(cache_.dialect() == sql::dialect::postgres
                                     ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                     : "BEGIN");
    }
    ~snapshot() {
        if (done_) return;
        try {
            cache_.connection().exec("ROLLBACK");
        } catch (...) {
            // Nothing was written; the engine ends the transaction with the connection.
        }
    }
    snapshot(const snapshot&) = delete;
    snapshot& operator=(const snapshot&) = delete;
    void end() {
        cache_.connection().exec("COMMIT");
        done_ = true;
    }

private:
    statement_cache& cache_;
    bool done_ = false;
};

}  // namespace

// Certificate requests answered in the window, per month and item (scope: the answer's community).
std::vector<certificate_month> read_certificates(statement_cache& cache, const stats_query& q) {
    bound_query b(q);
    const std::string sql =
        "SELECT month, item, count(*), count(*) FILTER (WHERE escalated = 1)"
        " FROM certificate_answers WHERE answered_at >= ?1 AND answered_at < ?2" +
        b.scope("community") + " GROUP BY month, item ORDER BY month, item";
    std::vector<certificate_month> out;
    b.run(cache, sql, [&](sql::statement& s) {
        out.push_back(
            {s.getColumn(0).getString(), s.getColumn(1).getString(), int_at(s, 2), int_at(s, 3)});
    });
    return out;
}

statistics compute_statistics(reader& r, const stats_query& q) {
    auto& cache = detail::raw_access::statements(r);
    return guarded("compute statistics", [&] {
        statistics out;
        snapshot snap(cache);
        read_case_figures(cache, q, out);
        out.by_category = count_by(cache, q, "category");
        out.by_kind = count_by(cache, q, "kind");
        out.by_channel = count_by(cache, q, "channel");
        out.by_community = count_by(cache, q, "community");
        out.by_status = count_by(cache, q, "status");
        read_ratings(cache, q, out.ratings);
        out.demand = read_demand(cache, q);
        const auto volunteers = volunteers_by_community(cache, q);
        for (const auto& [c, n] : volunteers) out.volunteers.registered += n;
        read_volunteer_figures(cache, q, out.volunteers);
        out.resources = resources_of(q, volunteers);
        out.certificates = read_certificates(cache, q);
        snap.end();
        return out;
    });
}

}  // namespace minsheng::adapters::db
