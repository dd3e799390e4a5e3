#include "adapters/pg_store/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace minsheng::adapters::pg_store {

namespace {

using kind = sql::error::kind;

// Type oids (pg_type.h), as libpq's headers do not export them.
constexpr Oid bool_oid = 16;
constexpr Oid int8_oid = 20;
constexpr Oid text_oid = 25;
constexpr Oid float8_oid = 701;

// SQLite's default SQLITE_MAX_VARIABLE_NUMBER: the portable SQL stays within both engines.
constexpr int highest_parameter = 32766;

// Prepared statements kept per connection before they are all dropped at once (when no
// transaction is open). The store's fixed texts are far fewer; texts built at run time (one per
// query shape) are what could otherwise grow without bound.
constexpr std::size_t prepared_capacity = 1024;

[[noreturn]] void fail(const std::string& message) { throw sql::error(kind::other, "", message); }

bool is_identifier_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           u >= 0x80;
}

bool is_identifier_start(char c) { return is_identifier_char(c) && !(c >= '0' && c <= '9'); }

// The end of the quoted text opening at `i` (quote char `q`, doubled to escape it; with
// `backslash`, a backslash escapes the next character too). Unterminated: the end of the text.
std::size_t end_of_quoted(std::string_view s, std::size_t i, char q, bool backslash) {
    std::size_t j = i + 1;
    while (j < s.size()) {
        if (backslash && s[j] == '\\') {
            j += 2;
            continue;
        }
        if (s[j] == q) {
            if (j + 1 < s.size() && s[j + 1] == q) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        ++j;
    }
    return s.size();
}

// The end of the /* */ comment opening at `i`; PostgreSQL nests them.
std::size_t end_of_block_comment(std::string_view s, std::size_t i) {
    int depth = 0;
    std::size_t j = i;
    while (j < s.size()) {
        if (s[j] == '/' && j + 1 < s.size() && s[j + 1] == '*') {
            ++depth;
            j += 2;
        } else if (s[j] == '*' && j + 1 < s.size() && s[j + 1] == '/') {
            j += 2;
            if (--depth == 0) return j;
        } else {
            ++j;
        }
    }
    return s.size();
}

// The dollar-quote delimiter ($$ or $tag$) starting at `i`, or empty when there is none there
// ($1 is a parameter, a$b an identifier).
std::string_view dollar_delimiter(std::string_view s, std::size_t i) {
    if (i > 0 && is_identifier_char(s[i - 1])) return {};
    std::size_t j = i + 1;
    if (j < s.size() && s[j] != '$') {
        if (!is_identifier_start(s[j])) return {};
        while (j < s.size() && is_identifier_char(s[j]) && s[j] != '$') ++j;
    }
    if (j >= s.size() || s[j] != '$') return {};
    return s.substr(i, j + 1 - i);
}

// Reads of a result's text, converted as SQLite converts its values.

std::int64_t to_int64(std::string_view text) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec == std::errc() && p == end) return v;
    double d = 0;
    auto [q, dec] = std::from_chars(text.data(), end, d);
    if (dec == std::errc::result_out_of_range) {
        // from_chars leaves d alone here: the sign decides the clamp below.
        d = !text.empty() && text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    } else if (dec != std::errc() || std::isnan(d)) {
        return 0;
    }
    (void)q;
    constexpr double limit = 9223372036854775808.0;  // 2^63
    if (d >= limit) return std::numeric_limits<std::int64_t>::max();
    if (d < -limit) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(d);
}

double to_double(std::string_view text) {
    double d = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    (void)p;
    if (ec == std::errc::result_out_of_range) {
        return !text.empty() && text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    }
    return ec == std::errc() ? d : 0.0;
}

std::string double_text(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    char buffer[64];
    auto [p, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    (void)ec;  // 64 characters always hold the shortest form of a double
    return std::string(buffer, p);
}

std::string first_line(std::string_view text) {
    std::size_t n = text.find('\n');
    if (n == std::string_view::npos) n = text.size();
    std::string_view line = text.substr(0, n);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    for (std::string_view prefix : {"ERROR:  ", "FATAL:  ", "PANIC:  "}) {
        if (line.starts_with(prefix)) line.remove_prefix(prefix.size());
    }
    return std::string(line);
}

// libpq's message for a failed connection, on one line.
std::string one_line(std::string_view text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

void erase_all(std::string& text, const std::string& secret) {
    if (secret.empty()) return;
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "***");
        at += 3;
    }
}

// Every "quoted" part of a message replaced by "…": for libpq's messages about a URL it cannot
// parse, which quote the part they refuse (the password may be in it).
std::string without_quoted(std::string_view text) {
    std::string out;
    bool inside = false;
    for (char c : text) {
        if (c == '"') {
            if (!inside) out += "\"...\"";
            inside = !inside;
            continue;
        }
        if (!inside) out += c;
    }
    return out;
}

sql::error::kind kind_of_state(std::string_view state) {
    if (state == "23505") return kind::unique_violation;
    if (state.starts_with("23")) return kind::constraint;
    if (state == "40001" || state == "40P01") return kind::serialization;
    if (state == "55P03" || state == "57014") return kind::busy;
    if (state.starts_with("08")) return kind::connection;
    return kind::other;
}

const char* field(const PGresult* r, int code) {
    const char* v = r != nullptr ? PQresultErrorField(r, code) : nullptr;
    return v != nullptr ? v : "";
}

// The error a failed result (or no result at all) stands for.
sql::error error_of(PGconn* conn, const PGresult* r) {
    std::string state = field(r, PG_DIAG_SQLSTATE);
    std::string message = field(r, PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty() && r != nullptr) message = first_line(PQresultErrorMessage(r));
    if (message.empty()) message = first_line(PQerrorMessage(conn));
    if (message.empty()) message = "PostgreSQL failed without a message";
    // Class 22 (data exception) messages quote the value they refuse, e.g. `invalid input syntax
    // for type bigint: "..."`: keep the text, not the value.
    if (state.starts_with("22") && message.ends_with('"')) {
        const std::size_t at = message.rfind(": \"");
        if (at != std::string::npos) message = message.substr(0, at) + ": \"...\"";
    }
    const kind k = PQstatus(conn) == CONNECTION_BAD ? kind::connection : kind_of_state(state);
    return sql::error(k, std::move(state), message);
}

struct result_deleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

struct conn_deleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using conn_ptr = std::unique_ptr<PGconn, conn_deleter>;

// Throws unless `r` is a successful result of a command or a query.
result_ptr checked(PGconn* conn, PGresult* raw) {
    result_ptr r(raw);
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    switch (status) {
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
        case PGRES_EMPTY_QUERY:
            return r;
        case PGRES_COPY_IN:
        case PGRES_COPY_OUT:
        case PGRES_COPY_BOTH:
            fail("COPY is not supported by the minsheng driver");
        default:
            throw error_of(conn, r.get());
    }
}

void ignore_notice(void*, const char*) {}

std::string host_port_db(std::string host, std::string port, std::string db) {
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return host + ":" + port + "/" + db;
}

struct url_parts {
    bool valid = false;
    std::string error;  // libpq's message when not valid, its quoted parts left out
    std::string host, port, dbname, user, password;
};

url_parts parse_url(const std::string& url) {
    url_parts parts;
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (options == nullptr) {
        parts.error = error != nullptr ? one_line(without_quoted(error)) : "out of memory";
        PQfreemem(error);
        return parts;
    }
    parts.valid = true;
    std::string hostaddr;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        const std::string_view k = o->keyword;
        if (k == "host") parts.host = o->val;
        if (k == "hostaddr") hostaddr = o->val;
        if (k == "port") parts.port = o->val;
        if (k == "dbname") parts.dbname = o->val;
        if (k == "user") parts.user = o->val;
        if (k == "password") parts.password = o->val;
    }
    PQconninfoFree(options);
    if (parts.host.empty()) parts.host = hostaddr.empty() ? "localhost" : hostaddr;
    if (parts.port.empty()) parts.port = "5432";
    if (parts.dbname.empty()) parts.dbname = parts.user;
    return parts;
}

class pg_connection;

class pg_statement final : public sql::statement {
public:
    pg_statement(pg_connection& c, rewritten_sql sql)
        : c_(c),
          text_(std::move(sql.text)),
          values_(static_cast<std::size_t>(sql.parameters)),
          // A parameter never bound is NULL as on SQLite; typed text, so that a number the text
          // does not use (a filter left out of this shape of a query) needs no inference.
          types_(static_cast<std::size_t>(sql.parameters), text_oid) {}

    bool executeStep() override;
    int exec() override;
    void exec_later() override;
    void reset() override { tryReset(); }
    void tryReset() noexcept override {
        result_.reset();
        state_ = state::fresh;
        row_ = -1;
    }
    int getBindParameterCount() const override { return static_cast<int>(values_.size()); }

    bool column_is_null(int i) const override {
        check_column(i);
        return PQgetisnull(result_.get(), row_, i) != 0;
    }
    std::int64_t column_int64(int i) const override {
        check_column(i);
        if (PQgetisnull(result_.get(), row_, i)) return 0;
        const std::string_view v = value(i);
        if (PQftype(result_.get(), i) == bool_oid) return v == "t" ? 1 : 0;
        return to_int64(v);
    }
    double column_double(int i) const override {
        check_column(i);
        if (PQgetisnull(result_.get(), row_, i)) return 0;
        const std::string_view v = value(i);
        if (PQftype(result_.get(), i) == bool_oid) return v == "t" ? 1 : 0;
        return to_double(v);
    }
    std::string column_text(int i) const override {
        check_column(i);
        if (PQgetisnull(result_.get(), row_, i)) return {};
        const std::string_view v = value(i);
        // SQLite has no booleans: a comparison is the integer 0 or 1, and reads as "0" or "1".
        if (PQftype(result_.get(), i) == bool_oid) return v == "t" ? "1" : "0";
        return std::string(v);
    }

protected:
    void bind_int64(int i, std::int64_t v) override { set(i, std::to_string(v), int8_oid); }
    void bind_double(int i, double v) override { set(i, double_text(v), float8_oid); }
    // PostgreSQL's text cannot hold a NUL, and libpq would cut the value there: refuse it rather
    // than store less than was given.
    void bind_text(int i, std::string_view v) override {
        if (v.find('\0') != std::string_view::npos)
            fail("text parameter " + std::to_string(i) + " contains a NUL character");
        set(i, std::string(v), text_oid);
    }
    void bind_null(int i) override { set(i, std::nullopt, 0); }

private:
    enum class state { fresh, running, done };

    void set(int i, std::optional<std::string> value, Oid type) {
        if (i < 1 || i > static_cast<int>(values_.size()))
            fail("bind index " + std::to_string(i) + " is out of range (the statement has " +
                 std::to_string(values_.size()) + " parameters)");
        values_[static_cast<std::size_t>(i - 1)] = std::move(value);
        types_[static_cast<std::size_t>(i - 1)] = type;
    }

    void run();

    void check_column(int i) const {
        if (state_ != state::running || !result_ || row_ < 0 || row_ >= PQntuples(result_.get()))
            fail("no row to read a column from");
        if (i < 0 || i >= PQnfields(result_.get()))
            fail("column index " + std::to_string(i) + " is out of range");
    }

    std::string_view value(int i) const {
        return {PQgetvalue(result_.get(), row_, i),
                static_cast<std::size_t>(PQgetlength(result_.get(), row_, i))};
    }

    pg_connection& c_;
    std::string text_;
    std::vector<std::optional<std::string>> values_;
    std::vector<Oid> types_;
    result_ptr result_;
    state state_ = state::fresh;
    int row_ = -1;
    // The server-side name last used, valid while the connection's generation is the same and
    // the types have not changed.
    std::string name_;
    std::vector<Oid> name_types_;
    std::uint64_t name_generation_ = 0;
};

// A command held back to travel with the next one: transaction control (text) or a prepared
// statement's run whose result nobody reads (exec_later).
struct deferred_command {
    std::string text;  // the command, or the prepared statement's server-side name
    bool prepared = false;
    std::vector<std::optional<std::string>> values;
};

class pg_connection final : public sql::connection {
public:
    pg_connection(conn_ptr conn, std::string description)
        : conn_(std::move(conn)), description_(std::move(description)) {}

    sql::dialect dialect() const override { return sql::dialect::postgres; }

    // BEGIN, SAVEPOINT and RELEASE SAVEPOINT are not sent at once: they travel with whatever
    // the connection sends next (in one simple query with the next exec, or in one pipeline
    // with the next prepared statement), which saves a round trip each. So do statements run
    // with exec_later(). A deferred command that fails is reported by the one that carried it.
    // A RELEASE goes at once when statements are waiting, so that their failure is reported
    // inside the savepoint they belong to; a rollback discards the statements it undoes unsent.
    void exec(std::string_view text) override {
        const bool release = text.starts_with("RELEASE SAVEPOINT ");
        if (deferrable(text) && !(release && deferred_statements_ > 0)) {
            pending_.push_back({std::string(text), false, {}});
            return;
        }
        if (text == "ROLLBACK") {
            discard_statements(0);
        } else if (text.starts_with("ROLLBACK TO SAVEPOINT ")) {
            const std::string savepoint =
                "SAVEPOINT " + std::string(text.substr(sizeof("ROLLBACK TO SAVEPOINT ") - 1));
            std::size_t from = 0;
            for (std::size_t i = pending_.size(); i-- > 0;) {
                if (!pending_[i].prepared && pending_[i].text == savepoint) {
                    from = i + 1;
                    break;
                }
            }
            discard_statements(from);
        }
        if (deferred_statements_ > 0) {
            // Statements go in a pipeline, where each command must be a single one.
            const bool single = text.find(';') == std::string_view::npos && !text.empty();
            if (single) {
                pending_.push_back({std::string(text), false, {}});
                run_pending();
                return;
            }
            run_pending();
        }
        std::string all;
        for (auto& p : pending_) all.append(p.text).append("; ");
        pending_.clear();
        all.append(text);
        checked(handle(), PQexec(handle(), all.c_str()));
    }

    std::unique_ptr<sql::statement> prepare(std::string_view text) override {
        return std::make_unique<pg_statement>(*this, rewrite_parameters(text));
    }

    void begin_write() override { exec("BEGIN"); }

    std::string describe() const override { return description_; }

    PGconn* handle() const { return conn_.get(); }

    std::uint64_t generation() const { return generation_; }

    // The server-side name of `text` prepared with `types`, preparing it when needed.
    const std::string& prepared(const std::string& text, const std::vector<Oid>& types) {
        key k{text, types};
        if (auto found = prepared_.find(k); found != prepared_.end()) return found->second;
        flush();
        if (prepared_.size() >= prepared_capacity && PQtransactionStatus(handle()) == PQTRANS_IDLE)
            forget_prepared();
        std::string name = "minsheng_" + std::to_string(++counter_);
        checked(handle(), PQprepare(handle(), name.c_str(), text.c_str(),
                                    static_cast<int>(types.size()), types.data()));
        return prepared_.emplace(std::move(k), std::move(name)).first->second;
    }

    // Runs the prepared statement `name`, sending the deferred commands before it in the same
    // round trip.
    result_ptr exec_prepared(const std::string& name,
                             const std::vector<std::optional<std::string>>& values) {
        pending_.push_back({name, true, values});
        ++deferred_statements_;
        return run_pending();
    }

    // Holds back a run of the prepared statement `name` until the next command.
    void defer_prepared(const std::string& name, std::vector<std::optional<std::string>> values) {
        pending_.push_back({name, true, std::move(values)});
        ++deferred_statements_;
        if (pending_.size() >= max_pending) run_pending();
    }

private:
    using key = std::pair<std::string, std::vector<Oid>>;

    // Bounds the memory a long run of exec_later() holds.
    static constexpr std::size_t max_pending = 64;

    static bool deferrable(std::string_view text) {
        if (text.find_first_of(";'\"$-/") != std::string_view::npos) return false;
        return text == "BEGIN" || text.starts_with("SAVEPOINT ") ||
               text.starts_with("RELEASE SAVEPOINT ");
    }

    // Drops the held-back statements from pending_[from] on: a rollback undoes them anyway.
    void discard_statements(std::size_t from) {
        const auto first = pending_.begin() + static_cast<std::ptrdiff_t>(from);
        const auto kept =
            std::remove_if(first, pending_.end(), [](const auto& p) { return p.prepared; });
        pending_.erase(kept, pending_.end());
        deferred_statements_ = static_cast<std::size_t>(std::count_if(
            pending_.begin(), pending_.end(), [](const auto& p) { return p.prepared; }));
    }

    // Sends the deferred commands on their own.
    void flush() {
        if (pending_.empty()) return;
        if (deferred_statements_ > 0)
            run_pending();
        else
            exec("");
    }

    // Sends every pending command in one pipeline (one round trip) and returns the last one's
    // result; throws the first failure (the commands after it are aborted by the server).
    result_ptr run_pending();

    void forget_prepared() {
        checked(handle(), PQexec(handle(), "DEALLOCATE ALL"));
        prepared_.clear();
        ++generation_;
    }

    conn_ptr conn_;
    std::string description_;
    std::map<key, std::string> prepared_;
    std::uint64_t counter_ = 0;
    std::uint64_t generation_ = 1;
    std::vector<deferred_command> pending_;  // deferred commands, in order
    std::size_t deferred_statements_ = 0;    // how many of them are prepared statements
};

result_ptr pg_connection::run_pending() {
    PGconn* h = handle();
    const std::vector<deferred_command> pending = std::move(pending_);
    pending_.clear();
    deferred_statements_ = 0;
    if (pending.empty()) return nullptr;
    const auto values_of = [](const deferred_command& c) {
        std::vector<const char*> v(c.values.size(), nullptr);
        for (std::size_t k = 0; k < c.values.size(); ++k)
            if (c.values[k]) v[k] = c.values[k]->c_str();
        return v;
    };
    if (pending.size() == 1) {
        const deferred_command& c = pending.front();
        if (!c.prepared) return checked(h, PQexec(h, c.text.c_str()));
        const auto v = values_of(c);
        return checked(h, PQexecPrepared(h, c.text.c_str(), static_cast<int>(v.size()), v.data(),
                                         nullptr, nullptr, 0));
    }
    if (PQenterPipelineMode(h) != 1) throw error_of(h, nullptr);
    bool sent = true;
    for (const auto& c : pending) {
        if (!sent) break;
        if (c.prepared) {
            const auto v = values_of(c);
            sent = PQsendQueryPrepared(h, c.text.c_str(), static_cast<int>(v.size()), v.data(),
                                       nullptr, nullptr, 0) == 1;
        } else {
            sent =
                PQsendQueryParams(h, c.text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
        }
    }
    sent = sent && PQpipelineSync(h) == 1;
    if (!sent) {
        sql::error e = error_of(h, nullptr);
        PQexitPipelineMode(h);
        throw e;
    }
    // Each query's result, then a null that ends it; the first failure is the one to report
    // (the queries after it are aborted); then the sync.
    result_ptr failed, last;
    for (std::size_t q = 0; q < pending.size(); ++q) {
        result_ptr r(PQgetResult(h));
        if (!r) {
            sql::error e = error_of(h, nullptr);
            PQexitPipelineMode(h);
            throw e;
        }
        while (PGresult* end = PQgetResult(h)) PQclear(end);
        const ExecStatusType status = PQresultStatus(r.get());
        const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        if (!ok && status != PGRES_PIPELINE_ABORTED && !failed)
            failed = std::move(r);
        else if (q + 1 == pending.size())
            last = std::move(r);
    }
    for (result_ptr sync(PQgetResult(h)); sync; sync.reset(PQgetResult(h)))
        if (PQresultStatus(sync.get()) == PGRES_PIPELINE_SYNC) break;
    if (PQexitPipelineMode(h) != 1) throw error_of(h, nullptr);
    if (failed) return checked(h, failed.release());  // throws
    return checked(h, last.release());
}

void pg_statement::run() {
    if (name_generation_ != c_.generation() || name_types_ != types_) {
        name_ = c_.prepared(text_, types_);
        name_types_ = types_;
        name_generation_ = c_.generation();
    }
    result_ = c_.exec_prepared(name_, values_);
    state_ = state::running;
    row_ = -1;
}

void pg_statement::exec_later() {
    if (state_ != state::fresh) fail("the statement needs a reset before it runs again");
    if (name_generation_ != c_.generation() || name_types_ != types_) {
        name_ = c_.prepared(text_, types_);
        name_types_ = types_;
        name_generation_ = c_.generation();
    }
    c_.defer_prepared(name_, values_);
    result_.reset();
    state_ = state::done;
    row_ = 0;
}

// As SQLiteCpp: a statement that has run to its end needs a reset before it runs again.
bool pg_statement::executeStep() {
    if (state_ == state::done) fail("the statement needs a reset before it runs again");
    if (state_ == state::fresh) run();
    if (++row_ < PQntuples(result_.get())) return true;
    state_ = state::done;
    return false;
}

// As SQLiteCpp: exec() is for statements that return no rows.
int pg_statement::exec() {
    if (state_ == state::done) fail("the statement needs a reset before it runs again");
    if (state_ == state::fresh) run();
    if (row_ + 1 < PQntuples(result_.get())) {
        row_ = PQntuples(result_.get());
        state_ = state::done;
        fail("exec() does not expect rows; use executeStep()");
    }
    state_ = state::done;
    row_ = PQntuples(result_.get());
    const char* changed = PQcmdTuples(result_.get());
    int n = 0;
    if (changed != nullptr)
        std::from_chars(changed, changed + std::char_traits<char>::length(changed), n);
    return n;
}

}  // namespace

rewritten_sql rewrite_parameters(std::string_view s) {
    rewritten_sql out;
    out.text.reserve(s.size() + 16);
    std::size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        const char next = i + 1 < s.size() ? s[i + 1] : '\0';
        std::size_t end = i;
        if (c == '\'') {
            // E'...' strings take backslash escapes.
            const bool e_string = i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
                                  (i < 2 || !is_identifier_char(s[i - 2]));
            end = end_of_quoted(s, i, '\'', e_string);
        } else if (c == '"') {
            end = end_of_quoted(s, i, '"', false);
        } else if (c == '-' && next == '-') {
            end = s.find('\n', i);
            if (end == std::string_view::npos) end = s.size();
        } else if (c == '/' && next == '*') {
            end = end_of_block_comment(s, i);
        } else if (c == '$') {
            const std::string_view delimiter = dollar_delimiter(s, i);
            if (!delimiter.empty()) {
                const std::size_t close = s.find(delimiter, i + delimiter.size());
                end = close == std::string_view::npos ? s.size() : close + delimiter.size();
            }
        } else if (c == '?') {
            std::size_t j = i + 1;
            while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
            int number = 0;
            if (j == i + 1) {
                number = out.parameters + 1;
            } else {
                auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + j, number);
                (void)p;
                if (ec != std::errc()) number = highest_parameter + 1;
            }
            if (number < 1 || number > highest_parameter)
                fail("parameter " + std::string(s.substr(i, j - i)) + " is out of range (1 to " +
                     std::to_string(highest_parameter) + ")");
            if (number > out.parameters) out.parameters = number;
            out.text += '$';
            out.text += std::to_string(number);
            i = j;
            continue;
        }
        if (end > i) {
            out.text.append(s.substr(i, end - i));
            i = end;
        } else {
            out.text += c;
            ++i;
        }
    }
    return out;
}

std::string to_postgres_parameters(std::string_view text) { return rewrite_parameters(text).text; }

bool is_postgres_url(std::string_view location) {
    return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string describe_url(const std::string& url) {
    const url_parts parts = parse_url(url);
    if (!parts.valid) return "(invalid PostgreSQL URL)";
    return host_port_db(parts.host, parts.port, parts.dbname);
}

std::unique_ptr<sql::connection> connect(const pg_options& options) {
    const url_parts parts = parse_url(options.url);
    if (!parts.valid)
        throw sql::error(kind::connection, "", "invalid PostgreSQL URL: " + parts.error);
    const std::string where = host_port_db(parts.host, parts.port, parts.dbname);

    // Keywords before "dbname" are defaults the URL may override; those after it override it.
    std::vector<const char*> keys{"connect_timeout", "dbname"};
    std::vector<const char*> values{"10", options.url.c_str()};
    if (!options.sslmode.empty()) {
        keys.push_back("sslmode");
        values.push_back(options.sslmode.c_str());
    }
    if (!options.application_name.empty()) {
        keys.push_back("application_name");
        values.push_back(options.application_name.c_str());
    }
    keys.push_back("client_encoding");
    values.push_back("UTF8");
    keys.push_back(nullptr);
    values.push_back(nullptr);

    conn_ptr conn(PQconnectdbParams(keys.data(), values.data(), 1));
    if (!conn)
        throw sql::error(kind::connection, "", "cannot connect to " + where + ": out of memory");
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        std::string reason = one_line(PQerrorMessage(conn.get()));
        erase_all(reason, parts.password);
        throw sql::error(kind::connection, "",
                         "cannot connect to PostgreSQL at " + where + ": " + reason);
    }
    PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);

    const char* host = PQhost(conn.get());
    const char* port = PQport(conn.get());
    const char* db = PQdb(conn.get());
    auto c = std::make_unique<pg_connection>(
        std::move(conn), host_port_db(host != nullptr && *host ? host : parts.host,
                                      port != nullptr && *port ? port : parts.port,
                                      db != nullptr && *db ? db : parts.dbname));

    if (std::string_view(pg_encoding_to_char(PQclientEncoding(c->handle()))) != "UTF8")
        throw sql::error(kind::connection, "", c->describe() + " does not speak UTF8");
    std::string setup = "SET TimeZone = 'UTC'";
    if (options.statement_timeout_ms > 0)
        setup += "; SET statement_timeout = " + std::to_string(options.statement_timeout_ms);
    c->exec(setup);
    return c;
}

}  // namespace minsheng::adapters::pg_store
