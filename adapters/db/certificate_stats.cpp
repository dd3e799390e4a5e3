#include "adapters/db/certificate_stats.hpp"

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/raw_access.hpp"
#include "adapters/db/detail/statement_cache.hpp"

namespace minsheng::adapters::db {

std::vector<certificate_month> certificate_answers_by_month(reader& r, const std::string& first,
                                                            const std::string& last) {
    auto& cache = detail::raw_access::statements(r);
    return detail::guarded("count certificate answers", [&] {
        detail::statement_use s(cache.get(
            "SELECT month, item, count(*), coalesce(sum(escalated), 0) FROM certificate_answers "
            "WHERE month >= ?1 AND month <= ?2 GROUP BY month, item ORDER BY month, item"));
        s->bind(1, first);
        s->bind(2, last);
        std::vector<certificate_month> out;
        while (s->executeStep())
            out.push_back({s->getColumn(0).getString(), s->getColumn(1).getString(),
                           s->getColumn(2).getInt64(), s->getColumn(3).getInt64()});
        return out;
    });
}

}  // namespace minsheng::adapters::db
