// Grid patrol reports in the store (schema step 16): a case reported on channel `grid` keeps its
// channel, a private case keeps its flag, and a query asks for private cases or none of them.
// Conformance: the same on SQLite and PostgreSQL.

#include <catch2/catch.hpp>

#include "adapters/db/store.hpp"
#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;

std::vector<std::int64_t> listed(store& s, const dialog::case_query& q) {
    std::vector<std::int64_t> out;
    s.run([&](dialog::unit_of_work& uow) {
        for (const auto& c : uow.list_cases(q)) out.push_back(c.id);
    });
    return out;
}

}  // namespace

TEST_CASE("A private grid report keeps its channel and flag; queries include or exclude it",
          "[adapters]") {
    temp_db file;
    store s(file.path());
    auto open_one = [&](dialog::case_draft d) {
        dialog::case_record c;
        s.run([&](dialog::unit_of_work& uow) { c = uow.open_case(d); });
        return c;
    };
    auto d = draft_for("oWorkerOpenid", nov23_china_0030, "wish", "民政");
    d.from = dialog::channel::grid;
    d.is_private = true;
    d.source_key = "k-private";
    const auto hidden = open_one(d);
    CHECK(hidden.is_private);
    auto p = draft_for("alice", nov23_china_0030 + 1, "complaint", "住建");
    p.source_key = "k-public";
    const auto shown = open_one(p);
    CHECK_FALSE(shown.is_private);

    reader r(file.path());
    const auto stored = r.get_case(hidden.id);
    REQUIRE(stored);
    CHECK(stored->is_private);
    CHECK(stored->from == dialog::channel::grid);
    CHECK(stored->reporter_id == "oWorkerOpenid");
    CHECK_FALSE(r.get_case(shown.id)->is_private);
    const auto ev = r.events_of(hidden.id);
    REQUIRE_FALSE(ev.empty());
    CHECK(ev[0].actor == "grid:oWorkerOpenid");

    dialog::case_query q;
    q.oldest_first = true;
    CHECK(listed(s, q) == std::vector<std::int64_t>{hidden.id, shown.id});
    q.is_private = false;
    CHECK(listed(s, q) == std::vector<std::int64_t>{shown.id});
    q.is_private = true;
    CHECK(listed(s, q) == std::vector<std::int64_t>{hidden.id});
    CHECK(r.list_cases(q).size() == 1);
    // By channel.
    dialog::case_query by_channel;
    by_channel.from = dialog::channel::grid;
    CHECK(listed(s, by_channel) == std::vector<std::int64_t>{hidden.id});
}
