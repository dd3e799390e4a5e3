#pragma once
// Private to adapters/db: prepared statements of one connection, kept by their SQL text so that
// a query is prepared once and then only reset and re-bound. One connection, one thread at a
// time (like the connection itself).

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/sql/connection.hpp"

namespace minsheng::adapters::db::detail {

class statement_cache {
public:
    explicit statement_cache(sql::connection& db) : db_(db) {}
    statement_cache(const statement_cache&) = delete;
    statement_cache& operator=(const statement_cache&) = delete;

    // The statement for `sql`, prepared on first use. For the fixed SQL texts of the code (a
    // finite set); the reference stays valid as long as the cache. Throws sql::error.
    sql::statement& get(std::string_view sql);

    // For SQL built at run time (one text per query shape): at most `shape_capacity` of them are
    // kept; preparing one more discards the others, so a reference from this function is valid
    // only until the next call of it. Throws sql::error.
    sql::statement& get_shaped(const std::string& sql);

    static constexpr std::size_t shape_capacity = 64;

    // The connection the statements belong to (for transaction control and the dialect).
    sql::connection& connection() { return db_; }
    sql::dialect dialect() const { return db_.dialect(); }

private:
    using map = std::map<std::string, std::unique_ptr<sql::statement>, std::less<>>;
    static sql::statement& find_or_prepare(sql::connection& db, map& m, std::string_view sql);

    sql::connection& db_;
    map fixed_;
    map shaped_;
};

// "(?first, ?first+1, ...)": the numbered placeholders of an IN list of `count` values (at least
// one), for SQL prepared with get_shaped (one text per list length).
std::string numbered_list(int first, std::size_t count);

}  // namespace minsheng::adapters::db::detail
