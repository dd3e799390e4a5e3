#include "adapters/db/copy.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "adapters/db/detail/connection.hpp"
#include "adapters/pg_store/pg_connection.hpp"
#include "adapters/pg_store/schema.hpp"
#include "adapters/sqlite_store/migrations.hpp"

namespace minsheng::adapters::db {

namespace {

using detail::guarded;

enum class kind { integer, real, text };

struct column_info {
    std::string name;
    kind k = kind::text;
};

struct table_info {
    std::string name;
    std::vector<column_info> columns;  // without generated columns, in catalog order
    std::set<std::string> parents;     // tables its foreign keys reference (not itself)
};

std::string quote(const std::string& identifier) {
    std::string out = "\"";
    for (char c : identifier) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

int latest_version(sql::dialect d) {
    if (d == sql::dialect::sqlite) {
        const auto steps = sqlite_store::migrations();
        return steps.empty() ? 0 : steps.back().version;
    }
    const auto steps = pg_store::migrations();
    return steps.empty() ? 0 : steps.back().version;
}

kind kind_of(sql::dialect d, std::string type) {
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (d == sql::dialect::sqlite) {
        // SQLite's affinity rules on the declared type.
        if (type.find("int") != std::string::npos) return kind::integer;
        if (type.find("char") != std::string::npos || type.find("clob") != std::string::npos ||
            type.find("text") != std::string::npos)
            return kind::text;
        if (type.find("real") != std::string::npos || type.find("floa") != std::string::npos ||
            type.find("doub") != std::string::npos)
            return kind::real;
        return kind::text;
    }
    if (type == "bigint" || type == "integer" || type == "smallint" || type == "boolean")
        return kind::integer;
    if (type == "double precision" || type == "real" || type == "numeric") return kind::real;
    return kind::text;
}

// The tables of the connection's database (its current schema on PostgreSQL), by name, without
// the engine's own and schema_migrations.
std::map<std::string, table_info> tables_of(sql::connection& c) {
    std::map<std::string, table_info> out;
    const bool sqlite = c.dialect() == sql::dialect::sqlite;
    {
        auto s = c.prepare(sqlite ? "SELECT name FROM sqlite_master WHERE type = 'table' "
                                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                                  : "SELECT tablename FROM pg_catalog.pg_tables "
                                    "WHERE schemaname = current_schema()");
        while (s->executeStep()) {
            const std::string name = s->getColumn(0).getString();
            if (name == "schema_migrations") continue;
            out[name].name = name;
        }
    }
    for (auto& [name, t] : out) {
        if (sqlite) {
            // hidden: 0 an ordinary column, 2 and 3 generated (virtual, stored).
            auto s = c.prepare(
                "SELECT name, type FROM pragma_table_xinfo(?1) WHERE hidden = 0 "
                "ORDER BY cid");
            s->bind(1, name);
            while (s->executeStep())
                t.columns.push_back({s->getColumn(0).getString(),
                                     kind_of(c.dialect(), s->getColumn(1).getString())});
            auto f = c.prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)");
            f->bind(1, name);
            while (f->executeStep()) t.parents.insert(f->getColumn(0).getString());
        } else {
            auto s = c.prepare(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ?1 "
                "AND is_generated = 'NEVER' ORDER BY ordinal_position");
            s->bind(1, name);
            while (s->executeStep())
                t.columns.push_back({s->getColumn(0).getString(),
                                     kind_of(c.dialect(), s->getColumn(1).getString())});
            auto f = c.prepare(
                "SELECT p.relname FROM pg_catalog.pg_constraint k "
                "JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
                "JOIN pg_catalog.pg_class p ON p.oid = k.confrelid "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname = ?1");
            f->bind(1, name);
            while (f->executeStep()) t.parents.insert(f->getColumn(0).getString());
        }
        t.parents.erase(name);
    }
    return out;
}

// Parents before children; ties by name.
std::vector<const table_info*> copy_order(const std::map<std::string, table_info>& tables) {
    std::vector<const table_info*> out;
    std::set<std::string> done;
    while (out.size() < tables.size()) {
        bool progressed = false;
        for (const auto& [name, t] : tables) {
            if (done.count(name)) continue;
            const bool ready = std::all_of(t.parents.begin(), t.parents.end(), [&](const auto& p) {
                return done.count(p) > 0 || tables.count(p) == 0;
            });
            if (!ready) continue;
            out.push_back(&t);
            done.insert(name);
            progressed = true;
        }
        if (!progressed) throw store_error("copy: the tables' foreign keys form a cycle");
    }
    return out;
}

std::int64_t count_rows(sql::connection& c, const std::string& table) {
    return sql::query_int64(c, "SELECT count(*) FROM " + quote(table));
}

std::map<std::string, std::int64_t> ledger_sums(sql::connection& c) {
    std::map<std::string, std::int64_t> out;
    auto s = c.prepare("SELECT account, sum(amount) FROM ledger_entries GROUP BY account");
    while (s->executeStep()) out[s->getColumn(0).getString()] = s->getColumn(1).getInt64();
    return out;
}

std::map<std::int64_t, std::int64_t> proposal_votes(sql::connection& c) {
    std::map<std::int64_t, std::int64_t> out;
    auto s = c.prepare("SELECT id, votes FROM proposals");
    while (s->executeStep()) out[s->getColumn(0).getInt64()] = s->getColumn(1).getInt64();
    return out;
}

// Rolls back an open transaction unless it was ended.
class transaction {
public:
    transaction(sql::connection& c, std::string_view begin) : c_(c) {
        if (begin.empty())
            c_.begin_write();
        else
            c_.exec(begin);
    }
    ~transaction() {
        if (!open_) return;
        try {
            c_.exec("ROLLBACK");
        } catch (...) {
            // The connection is gone or the engine rolled back already.
        }
    }
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    void end(std::string_view how) {
        c_.exec(how);
        open_ = false;
    }

private:
    sql::connection& c_;
    bool open_ = true;
};

// Copies the rows of `t` (the destination's view of the table) from `src` into `dst`.
std::int64_t copy_rows(sql::connection& src, sql::connection& dst, const table_info& t) {
    std::string names, params, order;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        names += (i ? ", " : "") + quote(t.columns[i].name);
        params += (i ? ", ?" : "?") + std::to_string(i + 1);
        order += (i ? ", " : "") + std::to_string(i + 1);
    }
    // In the order of the columns (the id or the primary key comes first): parents of a
    // table's own rows first, a posting's ledger lines in order.
    auto read = src.prepare("SELECT " + names + " FROM " + quote(t.name) + " ORDER BY " + order);
    auto write =
        dst.prepare("INSERT INTO " + quote(t.name) + " (" + names + ") VALUES (" + params + ")");
    std::int64_t rows = 0;
    while (read->executeStep()) {
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const int at = static_cast<int>(i);
            if (read->column_is_null(at)) {
                write->bind(at + 1);
                continue;
            }
            switch (t.columns[i].k) {
                case kind::integer:
                    write->bind(at + 1, read->column_int64(at));
                    break;
                case kind::real:
                    write->bind(at + 1, read->column_double(at));
                    break;
                case kind::text:
                    write->bind(at + 1, read->column_text(at));
                    break;
            }
        }
        write->exec();
        write->reset();
        ++rows;
    }
    return rows;
}

}  // namespace

std::int64_t copy_report::rows() const {
    std::int64_t n = 0;
    for (const auto& [name, rows] : tables) n += rows;
    return n;
}

std::string describe_location(const std::string& location) {
    return detail::is_postgres(location) ? pg_store::describe_url(location) : location;
}

copy_report copy_database(const std::string& from, const std::string& to,
                          const store_options& options) {
    const std::string from_name = describe_location(from);
    const std::string to_name = describe_location(to);
    // The source is only read: open_reader refuses a missing database, one without schema or
    // newer than this build.
    auto src = detail::open_reader(from, options);
    const int src_version = guarded("read the schema version of " + from_name,
                                    [&] { return detail::applied_version(*src); });
    if (src_version != latest_version(src->dialect()))
        throw copy_refused("copy: " + from_name + " has schema version " +
                           std::to_string(src_version) + ", this build's latest is " +
                           std::to_string(latest_version(src->dialect())) +
                           "; run `minsheng-admin migrate --db` on it first");
    int dst_version = 0;
    {
        // Creates or migrates the destination as a gateway would (a new SQLite file is 0600).
        store created(to, options);
        dst_version = created.schema_version();
    }
    if (dst_version != src_version)
        throw copy_refused("copy: " + to_name + " has schema version " +
                           std::to_string(dst_version) + " and " + from_name + " " +
                           std::to_string(src_version));
    auto dst = detail::open_writer(to, options);

    copy_report report;
    report.schema_version = dst_version;
    const auto src_tables =
        guarded("list the tables of " + from_name, [&] { return tables_of(*src); });
    const auto dst_tables =
        guarded("list the tables of " + to_name, [&] { return tables_of(*dst); });
    for (const auto& [name, t] : dst_tables) {
        const auto it = src_tables.find(name);
        if (it == src_tables.end())
            throw copy_refused("copy: table " + name + " of " + to_name + " is not in " +
                               from_name);
        for (const auto& c : t.columns) {
            const bool has = std::any_of(it->second.columns.begin(), it->second.columns.end(),
                                         [&](const column_info& s) { return s.name == c.name; });
            if (!has)
                throw copy_refused("copy: column " + name + "." + c.name + " is not in " +
                                   from_name);
        }
    }
    for (const auto& [name, t] : src_tables)
        if (!dst_tables.count(name))
            throw copy_refused("copy: table " + name + " of " + from_name + " is not in " +
                               to_name);
    const auto order = copy_order(dst_tables);

    // One snapshot of the source, read while the destination's one transaction writes.
    transaction reading(*src, src->dialect() == sql::dialect::sqlite
                                  ? "BEGIN"
                                  : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    {
        transaction writing(*dst, "");
        for (const auto* t : order) {
            const auto rows = guarded("count the rows of " + t->name + " in " + to_name,
                                      [&] { return count_rows(*dst, t->name); });
            if (rows > 0)
                throw copy_refused("copy: " + to_name + " is not empty: table " + t->name +
                                   " holds " + std::to_string(rows) + " rows");
        }
        for (const auto* t : order) {
            const auto rows =
                guarded("copy table " + t->name, [&] { return copy_rows(*src, *dst, *t); });
            report.tables.emplace_back(t->name, rows);
        }
        guarded("copy: set the proposals' vote counts", [&] {
            // The votes_count trigger counted every copied vote on top of the copied counts.
            if (dst_tables.count("proposals") && dst_tables.count("votes"))
                dst->exec(
                    "UPDATE proposals SET votes = votes - "
                    "(SELECT count(*) FROM votes WHERE votes.proposal_id = proposals.id)");
            if (dst->dialect() != sql::dialect::postgres) return;
            // Identity columns given explicit ids: the next new row takes the next id after them.
            for (const auto* t : order) {
                const bool has_id = std::any_of(
                    t->columns.begin(), t->columns.end(),
                    [](const column_info& c) { return c.name == "id" && c.k == kind::integer; });
                if (!has_id) continue;
                auto s = dst->prepare(
                    "SELECT setval(pg_get_serial_sequence(?1, 'id'), max(id)) FROM " +
                    quote(t->name) + " WHERE pg_get_serial_sequence(?1, 'id') IS NOT NULL");
                s->bind(1, quote(t->name));
                while (s->executeStep()) {
                }
            }
        });
        guarded("copy: commit", [&] { writing.end("COMMIT"); });
    }

    // The check, on the source's snapshot and the committed destination.
    guarded("check the copy", [&] {
        for (const auto& [name, rows] : report.tables) {
            const auto in_src = count_rows(*src, name);
            const auto in_dst = count_rows(*dst, name);
            if (in_src != rows || in_dst != rows)
                throw store_error("copy: check failed: table " + name + " has " +
                                  std::to_string(in_src) + " rows in " + from_name + ", " +
                                  std::to_string(in_dst) + " in " + to_name);
        }
        if (dst_tables.count("ledger_entries") && ledger_sums(*src) != ledger_sums(*dst))
            throw store_error("copy: check failed: the ledger's sums per account differ");
        if (dst_tables.count("proposals") && proposal_votes(*src) != proposal_votes(*dst))
            throw store_error("copy: check failed: the proposals' vote counts differ");
    });
    guarded("end reading " + from_name, [&] { reading.end("ROLLBACK"); });
    return report;
}

}  // namespace minsheng::adapters::db
