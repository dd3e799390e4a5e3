#pragma once
// Helpers shared by the store conformance tests: a temporary database that cleans up after
// itself, a settable clock, and message/draft builders. Test-only.
//
// One test binary, two engines: MINSHENG_TEST_STORE=postgres runs every test on PostgreSQL (the
// server of tests/support/pg_url.hpp, each temp_db a schema of its own), anything else on a
// temporary SQLite file. A test that only one engine passes is a bug in the other.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "adapters/db/keyed_codes.hpp"
#include "adapters/db/store.hpp"
#include "adapters/pg_store/pg_connection.hpp"
#include "adapters/pg_store/schema.hpp"
#include "adapters/sql/connection.hpp"
#include "adapters/sqlite_store/migrations.hpp"
#include "adapters/sqlite_store/sqlite_connection.hpp"
#include "dialog/message.hpp"
#include "dialog/ports.hpp"
#include "tests/support/pg_url.hpp"

namespace minsheng::adapters::db::testing {

// The code book the store tests key staff binding codes with, and the hash the case service
// passes the store for a code sent by chat (case_service::staff_code_hash: "" unless eight
// digits).
inline const keyed_code_book& test_codes() {
    static const keyed_code_book book(std::string(32, 'k'));
    return book;
}
inline std::string staff_hash(std::string_view code) {
    if (code.size() != dialog::staff_code_digits ||
        code.find_first_not_of("0123456789") != std::string_view::npos)
        return "";
    return test_codes().hash(dialog::staff_code_scope, code);
}

// Whether this run of the suite is on PostgreSQL (MINSHENG_TEST_STORE=postgres).
inline bool on_postgres() {
    static const bool pg = [] {
        const char* e = std::getenv("MINSHENG_TEST_STORE");
        return e != nullptr && std::string_view(e) == "postgres";
    }();
    return pg;
}

// The PostgreSQL server of a postgres run; throws when there is none (the ctest wrapper skips
// the whole run when MINSHENG_TEST_PG=off).
inline const std::string& pg_base_url() {
    static const std::string url = [] {
        auto found = minsheng::test::find_pg_url();
        if (!found.url) throw std::runtime_error("no PostgreSQL server: " + found.reason);
        return *found.url;
    }();
    return url;
}

// An engine connection on a location, for what the store's API does not show (raw rows,
// tampering). The SQL run on it must be portable (adapters/sql/connection.hpp).
inline std::unique_ptr<sql::connection> raw_connection(const std::string& location) {
    if (pg_store::is_postgres_url(location)) {
        pg_store::pg_options o;
        o.url = location;
        return pg_store::connect(o);
    }
    return sqlite_store::open_writer(location, 5000, true);
}

// Whether `table` exists in the connection's database (on PostgreSQL: in its current schema).
inline bool table_exists(sql::connection& c, const std::string& table) {
    auto q = c.prepare(c.dialect() == sql::dialect::sqlite
                           ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1"
                           : "SELECT count(*) FROM information_schema.tables "
                             "WHERE table_schema = current_schema() AND table_name = ?1");
    q->bind(1, table);
    return q->executeStep() && q->getColumn(0).getInt64() > 0;
}

// The column names of `table`, in order.
inline std::vector<std::string> column_names(sql::connection& c, const std::string& table) {
    auto q = c.prepare(c.dialect() == sql::dialect::sqlite
                           ? "SELECT name FROM pragma_table_info(?1) ORDER BY cid"
                           : "SELECT column_name FROM information_schema.columns "
                             "WHERE table_schema = current_schema() AND table_name = ?1 "
                             "ORDER BY ordinal_position");
    q->bind(1, table);
    std::vector<std::string> out;
    while (q->executeStep()) out.push_back(q->getColumn(0).getString());
    return out;
}

// The first column of the first row of `query` (portable SQL, no parameters) on a fresh
// connection to `location`, as an integer; `otherwise` when there is no row.
inline std::int64_t query_int(const std::string& location, const std::string& query,
                              std::int64_t otherwise = 0) {
    return sql::query_int64(*raw_connection(location), query, otherwise);
}

// The same as text; "" when there is no row.
inline std::string query_text(const std::string& location, const std::string& query) {
    auto c = raw_connection(location);
    auto q = c->prepare(query);
    return q->executeStep() ? q->getColumn(0).getString() : std::string();
}

inline std::int64_t count_rows(const std::string& location, const std::string& table) {
    return query_int(location, "SELECT count(*) FROM " + table);
}

// Ends the connection's transaction if one is still open: after a failed statement SQLite keeps
// it, after a failed COMMIT PostgreSQL has ended it already.
inline void rollback_if_open(sql::connection& c) {
    try {
        c.exec("ROLLBACK");
    } catch (const sql::error&) {
        // No transaction was open.
    }
}

// The plan the engine picks for `query` (its parameters bound by `bind`), as text to look for
// index names in: SQLite's EXPLAIN QUERY PLAN details, or PostgreSQL's EXPLAIN lines with
// sequential scans priced out — a test's tables are nearly empty, where a scan always wins, so
// what is checked there is that the index fits the query. Leaves enable_seqscan off on `c`.
inline std::string query_plan(sql::connection& c, const std::string& query,
                              const std::function<void(sql::statement&)>& bind = nullptr) {
    const bool sqlite = c.dialect() == sql::dialect::sqlite;
    if (!sqlite) c.exec("SET enable_seqscan = off");
    auto q = c.prepare((sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + query);
    if (bind) bind(*q);
    std::string out;
    while (q->executeStep()) out += q->getColumn(sqlite ? 3 : 0).getString() + "\n";
    return out;
}

// The names of the indexes in the database (on PostgreSQL: in its current schema).
inline std::vector<std::string> index_names(sql::connection& c) {
    auto q = c.prepare(c.dialect() == sql::dialect::sqlite
                           ? "SELECT name FROM sqlite_master WHERE type = 'index'"
                           : "SELECT indexname FROM pg_catalog.pg_indexes "
                             "WHERE schemaname = current_schema()");
    std::vector<std::string> out;
    while (q->executeStep()) out.push_back(q->getColumn(0).getString());
    return out;
}

// One schema step as the engine of this run knows it (sqlite_store::migrations() or
// pg_store::migrations(); both end at the same version).
struct schema_step {
    int version;
    std::string name;
    std::string sql;
};
inline std::vector<schema_step> engine_migrations() {
    std::vector<schema_step> out;
    if (on_postgres()) {
        for (const auto& m : pg_store::migrations())
            out.push_back({m.version, std::string(m.name), std::string(m.sql)});
    } else {
        for (const auto& m : sqlite_store::migrations())
            out.push_back({m.version, std::string(m.name), std::string(m.sql)});
    }
    return out;
}

// A fresh, empty database: on SQLite a unique path under the system temp directory (its file
// and -wal/-shm siblings removed when destroyed; nothing is created until a store opens it); on
// PostgreSQL a schema of its own on the test server, named in the URL's search_path and dropped
// when destroyed.
class temp_db {
public:
    temp_db() {
        static std::atomic<unsigned> counter{0};
        std::random_device rd;
        const std::string name = "minsheng_store_test_" + std::to_string(rd()) + "_" +
                                 std::to_string(counter.fetch_add(1));
        if (on_postgres()) {
            schema_ = "t_" + name.substr(std::string_view("minsheng_store_test_").size());
            raw_connection(pg_base_url())->exec("CREATE SCHEMA " + schema_);
            const std::string& base = pg_base_url();
            path_ = base + (base.find('?') == std::string::npos ? "?" : "&") +
                    "options=-csearch_path%3D" + schema_;
            return;
        }
        path_ = (std::filesystem::temp_directory_path() / (name + ".db")).string();
        remove_all();
    }
    ~temp_db() {
        if (!schema_.empty()) {
            try {
                raw_connection(pg_base_url())->exec("DROP SCHEMA " + schema_ + " CASCADE");
            } catch (...) {
                // A schema left behind dies with the throwaway cluster.
            }
            return;
        }
        remove_all();
    }
    temp_db(const temp_db&) = delete;
    temp_db& operator=(const temp_db&) = delete;

    // The location a store opens: a file path, or a PostgreSQL URL.
    const std::string& path() const { return path_; }

private:
    void remove_all() {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(path_ + suffix, ec);
    }

    std::string path_;
    std::string schema_;
};

class fixed_clock final : public dialog::clock {
public:
    explicit fixed_clock(std::int64_t t) : t_(t) {}
    std::int64_t now() const override { return t_.load(); }
    void set(std::int64_t t) { t_.store(t); }

private:
    std::atomic<std::int64_t> t_;
};

// Store options with the clock fixed at `t`.
inline store_options options_at(std::int64_t t) {
    store_options o;
    o.clock = std::make_shared<fixed_clock>(t);
    return o;
}

// 2026-11-22T16:30:00Z, which is 2026-11-23 00:30 in China.
inline constexpr std::int64_t nov23_china_0030 = 1795365000;

inline dialog::inbound_message text_message(const std::string& user, const std::string& key,
                                            const std::string& text = "路灯坏了") {
    dialog::inbound_message m;
    m.from = dialog::channel::wechat_oa;
    m.user_id = user;
    m.dedup_key = key;
    m.create_time = nov23_china_0030;
    m.kind = dialog::inbound_kind::text;
    m.text = text;
    return m;
}

inline dialog::case_draft draft_for(const std::string& reporter, std::int64_t created_at,
                                    const std::string& kind = "complaint",
                                    const std::string& category = "城管") {
    dialog::case_draft d;
    d.from = dialog::channel::wechat_oa;
    d.reporter_id = reporter;
    d.kind = kind;
    d.category = category;
    d.category_confidence = 0.8;
    d.urgency = "normal";
    d.description = "小区门口路灯不亮";
    d.address = "幸福路12号";
    d.contact_phone = "13800138000";
    d.source_key = "src";
    d.created_at = created_at;
    return d;
}

}  // namespace minsheng::adapters::db::testing
