#pragma once
// Private to sqlite_store: prepared statements of one connection, kept by their SQL text so that
// a query is prepared once and then only reset and re-bound. One connection, one thread at a
// time (like the connection itself).

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace minsheng::adapters::sqlite_store::detail {

class statement_cache {
public:
    explicit statement_cache(SQLite::Database& db) : db_(db) {}
    statement_cache(const statement_cache&) = delete;
    statement_cache& operator=(const statement_cache&) = delete;

    // The statement for `sql`, prepared on first use. For the fixed SQL texts of the code (a
    // finite set); the reference stays valid as long as the cache. Throws SQLite::Exception.
    SQLite::Statement& get(std::string_view sql);

    // For SQL built at run time (one text per query shape): at most `shape_capacity` of them are
    // kept; preparing one more discards the others, so a reference from this function is valid
    // only until the next call of it. Throws SQLite::Exception.
    SQLite::Statement& get_shaped(const std::string& sql);

    static constexpr std::size_t shape_capacity = 64;

private:
    using map = std::map<std::string, std::unique_ptr<SQLite::Statement>, std::less<>>;
    static SQLite::Statement& find_or_prepare(SQLite::Database& db, map& m, std::string_view sql);

    SQLite::Database& db_;
    map fixed_;
    map shaped_;
};

// "(?first, ?first+1, ...)": the numbered placeholders of an IN list of `count` values (at least
// one), for SQL prepared with get_shaped (one text per list length).
std::string numbered_list(int first, std::size_t count);

}  // namespace minsheng::adapters::sqlite_store::detail
