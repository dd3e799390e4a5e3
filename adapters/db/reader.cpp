#include "adapters/db/store.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "adapters/db/detail/case_rows.hpp"
#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/follower_rows.hpp"
#include "adapters/db/detail/ledger_rows.hpp"
#include "adapters/db/detail/outbox_rows.hpp"
#include "adapters/db/detail/people_rows.hpp"
#include "adapters/db/detail/proposal_rows.hpp"
#include "adapters/db/detail/raw_access.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "adapters/db/detail/visit_rows.hpp"

namespace minsheng::adapters::db {

namespace {

using detail::guarded;
using detail::statement_use;

constexpr std::size_t max_list = 1000;

// Which optional filters a query has; each combination gets its own cached statement so that
// every one of them can use its index.
enum filter_bit : unsigned { by_status = 1, by_kind = 2, by_category = 4, by_channel = 8 };
constexpr std::size_t filter_combinations = 16;

unsigned filter_mask(const case_filter& f) {
    return (f.status ? by_status : 0u) | (f.kind ? by_kind : 0u) | (f.category ? by_category : 0u) |
           (f.from ? by_channel : 0u);
}

// Parameters: ?1 status, ?2 kind, ?3 category, ?4 channel; for lists ?5 before_id, ?6 limit.
std::string where_clause(unsigned mask) {
    std::string w = " WHERE 1 = 1";
    if (mask & by_status) w += " AND status = ?1";
    if (mask & by_kind) w += " AND kind = ?2";
    if (mask & by_category) w += " AND category = ?3";
    if (mask & by_channel) w += " AND channel = ?4";
    return w;
}

std::string select_cases(const std::string& rest) {
    return "SELECT " + std::string(detail::case_columns) + " FROM cases" + rest;
}

void bind_filter(sql::statement& s, const case_filter& f) {
    if (f.status) s.bind(1, *f.status);
    if (f.kind) s.bind(2, *f.kind);
    if (f.category) s.bind(3, *f.category);
    if (f.from) s.bind(4, std::string(dialog::to_string(*f.from)));
}

}  // namespace

struct reader::impl {
    impl(const std::string& path, const store_options& options)
        : db(detail::open_reader(path, options)), cache(*db) {}

    sql::statement& list_statement(unsigned mask) {
        auto& s = lists[mask];
        if (!s)
            s = db->prepare(
                select_cases(where_clause(mask) + " AND id < ?5 ORDER BY id DESC LIMIT ?6"));
        return *s;
    }

    sql::statement& count_statement(unsigned mask) {
        auto& s = counts[mask];
        if (!s) s = db->prepare("SELECT count(*) FROM cases" + where_clause(mask));
        return *s;
    }

    std::unique_ptr<sql::connection> db;
    detail::statement_cache cache;  // the queries shared with the writer (detail/*_rows)
    std::array<std::unique_ptr<sql::statement>, filter_combinations> lists;
    std::array<std::unique_ptr<sql::statement>, filter_combinations> counts;
};

reader::reader(const std::string& path, int busy_timeout_ms)
    : reader(path, [&] {
          store_options o;
          o.busy_timeout_ms = busy_timeout_ms;
          return o;
      }()) {}

reader::reader(const std::string& location, const store_options& options)
    : impl_(std::make_unique<impl>(location, options)) {}

reader::~reader() = default;

std::vector<dialog::case_record> reader::list_cases(const case_filter& filter) {
    return guarded("list cases", [&] {
        const auto limit =
            static_cast<std::int64_t>(std::clamp<std::size_t>(filter.limit, 1, max_list));
        const std::int64_t before =
            filter.before_id > 0 ? filter.before_id : std::numeric_limits<std::int64_t>::max();
        statement_use s(impl_->list_statement(filter_mask(filter)));
        bind_filter(*s, filter);
        s->bind(5, before);
        s->bind(6, limit);
        std::vector<dialog::case_record> out;
        while (s->executeStep()) out.push_back(detail::read_case(*s));
        return out;
    });
}

std::optional<dialog::case_record> reader::get_case(std::int64_t id) {
    return guarded("get case", [&] { return detail::get_case(impl_->cache, id); });
}

std::optional<dialog::case_record> reader::get_case_by_number(const std::string& number) {
    return guarded("get case by number", [&] { return detail::find_case(impl_->cache, number); });
}

std::int64_t reader::count_cases() { return count_cases(case_filter{}); }

std::int64_t reader::count_cases(const case_filter& filter) {
    return guarded("count cases", [&] {
        statement_use s(impl_->count_statement(filter_mask(filter)));
        bind_filter(*s, filter);
        s->executeStep();
        return s->getColumn(0).getInt64();
    });
}

std::vector<dialog::case_record> reader::list_cases(const dialog::case_query& query) {
    return guarded("list cases", [&] { return detail::list_cases(impl_->cache, query); });
}

std::vector<dialog::case_event> reader::events_of(std::int64_t case_id) {
    return guarded("list case events", [&] { return detail::events_of(impl_->cache, case_id); });
}

std::vector<dialog::case_follower> reader::followers_of(std::int64_t case_id) {
    return guarded("list followers", [&] { return detail::followers_of(impl_->cache, case_id); });
}

std::vector<dialog::case_record> reader::duplicate_candidates(
    const dialog::duplicate_candidates_query& query) {
    return guarded("list duplicate candidates",
                   [&] { return detail::duplicate_candidates(impl_->cache, query); });
}

std::vector<dialog::person> reader::list_volunteers(std::string_view status,
                                                    const std::vector<std::string>& communities,
                                                    std::size_t limit) {
    return guarded("list volunteers", [&] {
        return detail::list_volunteers(impl_->cache, status, communities, limit);
    });
}

std::vector<dialog::person> reader::pending_community_moves(
    const std::vector<std::string>& communities, std::int64_t since, std::size_t limit) {
    return guarded("list community moves", [&] {
        return detail::pending_community_moves(impl_->cache, communities, since, limit);
    });
}

std::map<std::int64_t, std::vector<std::string>> reader::details_of(
    const std::vector<std::int64_t>& case_ids) {
    if (case_ids.size() > 1000) throw store_error("store: details_of takes at most 1000 ids");
    return guarded("list case details", [&] { return detail::details_of(impl_->cache, case_ids); });
}

std::optional<dialog::person> reader::get_person(const dialog::person_ref& who) {
    return guarded("get person", [&] { return detail::get_person(impl_->cache, who); });
}

std::vector<dialog::ranking_row> reader::ranking(std::string_view community, std::int64_t since,
                                                 std::int64_t until, std::size_t limit) {
    return guarded("rank volunteers",
                   [&] { return detail::ranking(impl_->cache, community, since, until, limit); });
}

std::int64_t reader::balance(std::string_view account) {
    return guarded("read balance", [&] { return detail::balance(impl_->cache, account); });
}

std::optional<dialog::proposal> reader::get_proposal(std::int64_t id) {
    return guarded("get proposal", [&] { return detail::get_proposal(impl_->cache, id); });
}

std::vector<dialog::proposal> reader::open_proposals(std::string_view community,
                                                     std::size_t limit) {
    return guarded("list open proposals",
                   [&] { return detail::open_proposals(impl_->cache, community, limit); });
}

std::vector<outbox_row> reader::list_outbox(const outbox_filter& filter) {
    return guarded("list outbox", [&] { return detail::list_outbox(impl_->cache, filter); });
}

std::int64_t reader::count_outbox(std::string_view status) {
    return guarded("count outbox", [&] { return detail::count_outbox(impl_->cache, status); });
}

std::vector<dialog::ranking_row> reader::ranking_in(const std::vector<std::string>& communities,
                                                    std::int64_t since, std::int64_t until,
                                                    std::size_t limit) {
    return guarded("rank volunteers", [&] {
        return detail::ranking_in(impl_->cache, communities, since, until, limit);
    });
}

std::vector<dialog::proposal> reader::open_proposals_in(const std::vector<std::string>& communities,
                                                        std::size_t limit) {
    return guarded("list open proposals",
                   [&] { return detail::open_proposals_in(impl_->cache, communities, limit); });
}

std::vector<outbox_row> reader::list_outbox_in(const outbox_filter& filter,
                                               const std::vector<std::string>& communities) {
    return guarded("list outbox",
                   [&] { return detail::list_outbox_in(impl_->cache, filter, communities); });
}

std::int64_t reader::count_outbox_in(std::string_view status,
                                     const std::vector<std::string>& communities) {
    return guarded("count outbox",
                   [&] { return detail::count_outbox_in(impl_->cache, status, communities); });
}

std::vector<dialog::service_visit> reader::visits_of(const dialog::person_ref& who,
                                                     std::size_t limit) {
    return guarded("list visits", [&] { return detail::visits_of(impl_->cache, who, limit); });
}

namespace detail {

void raw_access::transact(store& s, const std::string& operation,
                          const std::function<void(statement_cache&)>& fn) {
    s.transact(operation, fn);
}

statement_cache& raw_access::statements(reader& r) { return r.impl_->cache; }

}  // namespace detail

}  // namespace minsheng::adapters::db
