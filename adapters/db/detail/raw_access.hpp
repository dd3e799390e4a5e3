#pragma once
// Private to adapters/db: how the store's own operation files that live outside store.cpp and
// reader.cpp (staff.cpp, sessions.cpp, statistics.cpp) reach the write connection and a reader's
// connection. Nothing outside adapters/db includes this.

#include <functional>
#include <string>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/store.hpp"

namespace minsheng::adapters::db::detail {

struct raw_access {
    // store::transact: `fn` runs with the write connection's statements as one unit (its own
    // transaction, or a savepoint of the open batch) and commits; SQLite failures become
    // store_error naming `operation`; refuses to nest inside another unit.
    static void transact(store& s, const std::string& operation,
                         const std::function<void(statement_cache&)>& fn);
    // The reader's statements (its read-only connection). Wrap calls in guarded().
    static statement_cache& statements(reader& r);
};

}  // namespace minsheng::adapters::db::detail
