#include "adapters/db/shared_tokens.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;
namespace sql = minsheng::adapters::sql;

const std::string name = "wechat:wx1";

}  // namespace

TEST_CASE(
    "shared tokens: two instances on one database, one begins the fetch, the other sees "
    "the value it published") {
    temp_db t;
    { store s(t.path()); }
    shared_tokens a(t.path(), {});
    shared_tokens b(t.path(), {});
    const std::int64_t now = 1'000'000;

    CHECK_FALSE(a.current(name, now));
    CHECK(a.try_begin_fetch(name, now, 10, now + 30));
    CHECK_FALSE(b.try_begin_fetch(name, now, 10, now + 30));
    CHECK_FALSE(
        a.try_begin_fetch(name, now + 1, 10, now + 1 + 30));  // not twice, not even its holder
    CHECK_FALSE(b.current(name, now));                        // the lease row has no value yet

    a.publish(name, "token-1", now + 7200);
    const auto seen = b.current(name, now + 1);
    REQUIRE(seen);
    CHECK(seen->value == "token-1");
    CHECK(seen->expires_at == now + 7200);
    CHECK_FALSE(b.current(name, now + 7200));  // expired at expires_at
    CHECK(count_rows(t.path(), "shared_tokens") == 1);

    // The publish ended the lease: the next refresh is again for exactly one of them.
    // A value valid for long enough is not fetched again (published between a caller's read and
    // its try): the lease is only for a value that does not last until `fresh_until`.
    CHECK_FALSE(b.try_begin_fetch(name, now + 2, 10, now + 2 + 30));
    CHECK(b.try_begin_fetch(name, now + 2, 10, now + 7200 + 1));  // a refresh
    CHECK_FALSE(a.try_begin_fetch(name, now + 2, 10, now + 7200 + 1));
    // The value stays valid while the refresh is running.
    CHECK(a.current(name, now + 2)->value == "token-1");
}

TEST_CASE(
    "shared tokens: expire_if an old value leaves a newer one; of the current one, "
    "expires it") {
    temp_db t;
    { store s(t.path()); }
    shared_tokens a(t.path(), {});
    shared_tokens b(t.path(), {});
    const std::int64_t now = 2'000'000;

    a.publish(name, "old", now + 100);
    b.publish(name, "new", now + 7200);
    CHECK_FALSE(a.expire_if(name, "old"));
    REQUIRE(a.current(name, now));
    CHECK(a.current(name, now)->value == "new");
    CHECK_FALSE(a.expire_if("wechat:other", "new"));
    CHECK(a.current(name, now));

    CHECK(b.expire_if(name, "new"));
    CHECK_FALSE(a.current(name, now));
    CHECK_FALSE(a.expire_if(name, "new"));  // once
    // An expired value with no lease: the next caller fetches.
    CHECK(a.try_begin_fetch(name, now, 10, now + 30));
}

TEST_CASE("shared tokens: a lease that has ended can be taken over; an abandoned one at once") {
    temp_db t;
    { store s(t.path()); }
    shared_tokens a(t.path(), {});
    shared_tokens b(t.path(), {});
    const std::int64_t now = 3'000'000;

    REQUIRE(a.try_begin_fetch(name, now, 10, now + 30));
    CHECK_FALSE(b.try_begin_fetch(name, now + 9, 10, now + 9 + 30));
    CHECK(b.try_begin_fetch(name, now + 10, 10,
                            now + 10 + 30));  // a's lease ended (a crashed mid-fetch)
    CHECK_FALSE(a.try_begin_fetch(name, now + 11, 10, now + 11 + 30));
    b.abandon_fetch(name);  // b's fetch failed
    CHECK(a.try_begin_fetch(name, now + 11, 10, now + 11 + 30));
    CHECK_FALSE(a.current(name, now + 11));
}

TEST_CASE(
    "shared tokens: of many threads racing for the lease on their own connections, "
    "exactly one wins") {
    temp_db t;
    { store s(t.path()); }
    constexpr int n = 8;
    std::vector<std::unique_ptr<shared_tokens>> conns;
    for (int i = 0; i < n; ++i)
        conns.push_back(std::make_unique<shared_tokens>(t.path(), store_options{}));
    std::atomic<int> winners{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            while (!go) std::this_thread::yield();
            if (conns[i]->try_begin_fetch(name, 4'000'000, 10, 4'000'000 + 30)) ++winners;
        });
    go = true;
    for (auto& th : threads) th.join();
    CHECK(winners == 1);
}

TEST_CASE("shared tokens: refuses a database without the schema") {
    temp_db t;
    CHECK_THROWS_AS(shared_tokens(t.path(), {}), store_error);
}

TEST_CASE("shared tokens: a connection the server ended is opened again by the next call") {
    if (!on_postgres()) {
        SUCCEED("PostgreSQL only: a SQLite file has no server to end the connection");
        return;
    }
    temp_db t;
    { store s(t.path()); }
    shared_tokens a(t.path(), {});
    a.publish(name, "kept", 5'000'000 + 7200);

    // Find a's backend exactly: it is the one waiting for the row lock `holder` holds.
    auto holder = raw_connection(t.path());
    holder->exec("BEGIN");
    holder->exec("SELECT value FROM shared_tokens FOR UPDATE");
    std::atomic<bool> failed{false};
    std::thread blocked([&] {
        try {
            a.publish(name, "during", 5'000'000 + 7200);
        } catch (const store_error&) {
            failed = true;
        }
    });
    const auto holder_pid = sql::query_int64(*holder, "SELECT pg_backend_pid()");
    const std::string end_waiter =
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE " +
        std::to_string(holder_pid) + " = ANY (pg_blocking_pids(pid))";
    std::int64_t ended = 0;
    for (int i = 0; i < 250 && ended == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ended = sql::query_int64(*raw_connection(t.path()), end_waiter);
    }
    blocked.join();
    holder->exec("ROLLBACK");
    REQUIRE(ended == 1);  // as a server restart or an idle-connection cut would
    CHECK(failed);
    const auto v = a.current(name, 5'000'000);  // on a new connection
    REQUIRE(v);
    CHECK(v->value == "kept");
    a.publish(name, "after", 5'000'000 + 7200);
    CHECK(a.current(name, 5'000'000)->value == "after");
}
