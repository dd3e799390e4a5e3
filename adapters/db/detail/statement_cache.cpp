#include "adapters/db/detail/statement_cache.hpp"

namespace minsheng::adapters::db::detail {

sql::statement& statement_cache::find_or_prepare(sql::connection& db, map& m,
                                                 std::string_view sql) {
    if (auto it = m.find(sql); it != m.end()) return *it->second;
    auto s = db.prepare(sql);
    return *m.emplace(std::string(sql), std::move(s)).first->second;
}

sql::statement& statement_cache::get(std::string_view sql) {
    return find_or_prepare(db_, fixed_, sql);
}

sql::statement& statement_cache::get_shaped(const std::string& sql) {
    if (shaped_.size() >= shape_capacity && shaped_.find(sql) == shaped_.end()) shaped_.clear();
    return find_or_prepare(db_, shaped_, sql);
}

std::string numbered_list(int first, std::size_t count) {
    std::string s = "(";
    for (std::size_t i = 0; i < count; ++i)
        s += (i ? ", ?" : "?") + std::to_string(first + static_cast<int>(i));
    return s + ')';
}

}  // namespace minsheng::adapters::db::detail
