#include "adapters/sql/connection.hpp"

namespace minsheng::adapters::sql {

std::int64_t query_int64(connection& c, std::string_view text, std::int64_t otherwise) {
    auto s = c.prepare(text);
    if (!s->executeStep()) return otherwise;
    const std::int64_t v = s->column_int64(0);
    s->tryReset();
    return v;
}

}  // namespace minsheng::adapters::sql
