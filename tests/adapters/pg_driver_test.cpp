#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "adapters/pg_store/pg_connection.hpp"
#include "tests/support/pg_url.hpp"

namespace {

using namespace minsheng::adapters;
using pg_store::rewrite_parameters;
using pg_store::to_postgres_parameters;
using kind = sql::error::kind;

// A connection to the test server, or nullptr (and the test case skips) when there is none.
std::unique_ptr<sql::connection> connect_or_skip(int statement_timeout_ms = 0) {
    const auto lookup = minsheng::test::find_pg_url();
    if (!lookup.url) {
        WARN("skipped, no PostgreSQL server: " << lookup.reason);
        SUCCEED("skipped");
        return nullptr;
    }
    pg_store::pg_options o;
    o.url = *lookup.url;
    o.statement_timeout_ms = statement_timeout_ms;
    return pg_store::connect(o);
}

std::int64_t scalar(sql::connection& c, const std::string& text) {
    auto s = c.prepare(text);
    REQUIRE(s->executeStep());
    return s->column_int64(0);
}

std::string text_of(sql::connection& c, const std::string& text) {
    auto s = c.prepare(text);
    REQUIRE(s->executeStep());
    return s->column_text(0);
}

// A table name no other run of this test uses (for the tests that need two sessions; the others
// use temporary tables, private to their session).
std::string unique_table(const char* stem) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return std::string("pg_driver_") + stem + "_" + std::to_string(::getpid()) + "_" +
           std::to_string(now % 1000000007);
}

}  // namespace

TEST_CASE("pg driver: ?N and ? become $N", "[pg_driver]") {
    CHECK(to_postgres_parameters("SELECT ?1, ?2") == "SELECT $1, $2");
    CHECK(to_postgres_parameters("? ? ?") == "$1 $2 $3");
    CHECK(to_postgres_parameters("?3 ?") == "$3 $4");
    CHECK(to_postgres_parameters("?2 ?1 ?") == "$2 $1 $3");
    CHECK(to_postgres_parameters("x=?12") == "x=$12");
    CHECK(to_postgres_parameters("no parameters") == "no parameters");
    CHECK(to_postgres_parameters("") == "");
    CHECK(rewrite_parameters("SELECT ?3").parameters == 3);
    CHECK(rewrite_parameters("SELECT ?, ?1, ?").parameters == 2);
    CHECK(rewrite_parameters("SELECT 1").parameters == 0);
}

TEST_CASE("pg driver: quoted text and comments keep their question marks", "[pg_driver]") {
    CHECK(to_postgres_parameters("SELECT '?', \"a?\", ?") == "SELECT '?', \"a?\", $1");
    CHECK(to_postgres_parameters("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1");
    CHECK(to_postgres_parameters("SELECT \"a\"\"?\", ?") == "SELECT \"a\"\"?\", $1");
    CHECK(to_postgres_parameters("SELECT ? -- what? ?\n, ?") == "SELECT $1 -- what? ?\n, $2");
    CHECK(to_postgres_parameters("SELECT ? -- ?") == "SELECT $1 -- ?");
    CHECK(to_postgres_parameters("/* ? /* ? */ ? */ ?") == "/* ? /* ? */ ? */ $1");
    CHECK(to_postgres_parameters("SELECT E'\\'?', ?") == "SELECT E'\\'?', $1");
    // Outside an E'' string a backslash is an ordinary character.
    CHECK(to_postgres_parameters("SELECT '\\', ?") == "SELECT '\\', $1");
    CHECK(to_postgres_parameters("SELECT $$ ? $$, ?") == "SELECT $$ ? $$, $1");
    CHECK(to_postgres_parameters("SELECT $fn$ ?' $fn$, ?") == "SELECT $fn$ ?' $fn$, $1");
    CHECK(to_postgres_parameters("SELECT a$b, $1, ?") == "SELECT a$b, $1, $1");
    // Unterminated quotes and comments run to the end.
    CHECK(to_postgres_parameters("SELECT ?, 'abc ?") == "SELECT $1, 'abc ?");
    CHECK(to_postgres_parameters("SELECT ? /* ?") == "SELECT $1 /* ?");
    // UTF-8 passes through.
    CHECK(to_postgres_parameters("SELECT '民生?', ?") == "SELECT '民生?', $1");
}

TEST_CASE("pg driver: parameter numbers out of range are refused", "[pg_driver]") {
    CHECK_THROWS_AS(to_postgres_parameters("SELECT ?0"), sql::error);
    CHECK_THROWS_AS(to_postgres_parameters("SELECT ?32767"), sql::error);
    CHECK_THROWS_AS(to_postgres_parameters("SELECT ?99999999999999999999"), sql::error);
    CHECK(to_postgres_parameters("SELECT ?32766") == "SELECT $32766");
}

TEST_CASE("pg driver: URLs are described without their password", "[pg_driver]") {
    CHECK(pg_store::describe_url("postgresql://u:s3cretpw@db.example:6543/minsheng") ==
          "db.example:6543/minsheng");
    CHECK(pg_store::describe_url("postgres://u@h/d") == "h:5432/d");
    CHECK(pg_store::describe_url("postgresql://u:pw@[::1]:5/d") == "[::1]:5/d");
    CHECK(pg_store::describe_url("postgresql://u:s3cret%zz@h/d") == "(invalid PostgreSQL URL)");
    CHECK(pg_store::is_postgres_url("postgresql://h/d"));
    CHECK(pg_store::is_postgres_url("postgres://h/d"));
    CHECK_FALSE(pg_store::is_postgres_url("/var/lib/minsheng/minsheng.db"));
}

TEST_CASE("pg driver: a failed connection names the server, never the password", "[pg_driver]") {
    pg_store::pg_options o;
    o.url = "postgresql://minsheng:s3cretpw@127.0.0.1:1/minsheng?connect_timeout=5";
    try {
        pg_store::connect(o);
        FAIL("connected to port 1");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::connection);
        const std::string m = e.what();
        CHECK(m.find("127.0.0.1:1/minsheng") != std::string::npos);
        CHECK(m.find("s3cretpw") == std::string::npos);
    }
    // A URL libpq cannot parse: its message quotes the part it refuses, which may hold the
    // password.
    o.url = "postgresql://minsheng:s3cret%zz@127.0.0.1:1/minsheng";
    try {
        pg_store::connect(o);
        FAIL("connected with an invalid URL");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::connection);
        CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
    }
}

TEST_CASE("pg driver: the session is UTF8, UTC, and describes itself", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    CHECK(c->dialect() == sql::dialect::postgres);
    CHECK(text_of(*c, "SHOW TimeZone") == "UTC");
    CHECK(text_of(*c, "SHOW client_encoding") == "UTF8");
    CHECK(text_of(*c, "SELECT current_setting('application_name')") == "minsheng");
    const auto url = *minsheng::test::find_pg_url().url;
    CHECK(c->describe() == pg_store::describe_url(url));
}

TEST_CASE("pg driver: integers, reals and text go in and come back", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    c->exec("CREATE TEMP TABLE t (i BIGINT, d DOUBLE PRECISION, s TEXT)");
    auto insert = c->prepare("INSERT INTO t (i, d, s) VALUES (?1, ?2, ?3)");
    CHECK(insert->getBindParameterCount() == 3);
    const std::string tricky = "民生 'quoted' \"double\" ?1 $1 \\ -- /*";
    insert->bind(1, std::numeric_limits<std::int64_t>::max());
    insert->bind(2, 0.1);
    insert->bind(3, tricky);
    CHECK(insert->exec() == 1);
    insert->reset();
    insert->bind(1, std::numeric_limits<std::int64_t>::min());
    insert->bind(2, -1.5e300);
    insert->bind(3, std::string_view("x"));
    CHECK(insert->exec() == 1);
    insert->reset();
    insert->bind(1, 7);
    insert->bind(2, 2.5);
    insert->bind(3, "");
    CHECK(insert->exec() == 1);

    auto read = c->prepare("SELECT i, d, s FROM t ORDER BY i DESC");
    REQUIRE(read->executeStep());
    CHECK(read->getColumn(0).getInt64() == std::numeric_limits<std::int64_t>::max());
    CHECK(read->getColumn(1).getDouble() == 0.1);
    CHECK(read->getColumn(2).getString() == tricky);
    REQUIRE(read->executeStep());
    CHECK(read->getColumn(0).getInt() == 7);
    CHECK(read->getColumn(1).getDouble() == 2.5);
    CHECK(read->getColumn(2).getString().empty());
    CHECK_FALSE(read->getColumn(2).isNull());
    REQUIRE(read->executeStep());
    CHECK(read->getColumn(0).getInt64() == std::numeric_limits<std::int64_t>::min());
    CHECK(read->getColumn(1).getDouble() == -1.5e300);
    CHECK_FALSE(read->executeStep());

    // Numbers read across types as SQLite would: numeric sums, reals as integers, text numbers.
    CHECK(scalar(*c, "SELECT sum(i) FROM t WHERE i > 100") ==
          std::numeric_limits<std::int64_t>::max());
    CHECK(scalar(*c, "SELECT 2.9::double precision") == 2);
    CHECK(scalar(*c, "SELECT '42'") == 42);
    auto avg = c->prepare("SELECT avg(x) FROM (VALUES (1), (2)) v(x)");
    REQUIRE(avg->executeStep());
    CHECK(avg->column_double(0) == 1.5);
}

TEST_CASE("pg driver: NULL binds and reads as 0 or empty", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    c->exec("CREATE TEMP TABLE n (i BIGINT, d DOUBLE PRECISION, s TEXT)");
    auto insert = c->prepare("INSERT INTO n (i, d, s) VALUES (?, ?, ?)");
    insert->bind(1);
    insert->bind(2);
    // ?3 left unbound: NULL, as in SQLite.
    CHECK(insert->exec() == 1);
    // A NULL goes with no type, for the server to infer: where the first use of the parameter
    // gives no type (IS NULL), the text must give one (CAST, portable to SQLite).
    auto read = c->prepare(
        "SELECT i, d, s, CAST(?1 AS BIGINT) IS NULL FROM n WHERE coalesce(i, 0) = coalesce(?1, 0)");
    read->bind(1);
    REQUIRE(read->executeStep());
    for (int k = 0; k < 3; ++k) {
        CHECK(read->column_is_null(k));
        CHECK(read->column_int64(k) == 0);
        CHECK(read->column_double(k) == 0);
        CHECK(read->column_text(k).empty());
    }
    CHECK(read->column_int64(3) == 1);
    CHECK_FALSE(read->executeStep());

    auto untyped = c->prepare("SELECT i FROM n WHERE (?1 IS NULL OR i = ?1)");
    untyped->bind(1);
    try {
        untyped->executeStep();
        FAIL("the server inferred a type for a NULL first met in IS NULL");
    } catch (const sql::error& e) {
        // "could not determine data type of parameter $1" (42P08 from a protocol-level prepare,
        // 42P18 from the SQL PREPARE)
        CHECK((e.sqlstate == "42P08" || e.sqlstate == "42P18"));
        CHECK(std::string(e.what()).find("could not determine data type") != std::string::npos);
    }
    untyped->reset();
    untyped->bind(1, 5);  // typed: fine
    CHECK_FALSE(untyped->executeStep());
}

TEST_CASE("pg driver: booleans read as 0/1", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    auto s = c->prepare(
        "SELECT 1 < 2, EXISTS (SELECT 1 WHERE false), ?1 = 'a', ?2 > 1.0, NULL::boolean");
    s->bind(1, "a");
    s->bind(2, 0.5);
    REQUIRE(s->executeStep());
    CHECK(s->column_int64(0) == 1);
    CHECK(s->column_int64(1) == 0);
    CHECK(s->column_int64(2) == 1);
    CHECK(s->column_int64(3) == 0);
    CHECK(s->column_text(0) == "1");
    CHECK(s->column_text(1) == "0");
    CHECK(s->column_double(0) == 1.0);
    CHECK(s->column_is_null(4));
    CHECK(s->column_int64(4) == 0);
}

TEST_CASE("pg driver: RETURNING and ON CONFLICT", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    c->exec("CREATE TEMP TABLE r (id BIGSERIAL PRIMARY KEY, k TEXT UNIQUE, n BIGINT NOT NULL)");
    auto upsert = c->prepare(
        "INSERT INTO r (k, n) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET n = r.n + excluded.n "
        "RETURNING id, n");
    upsert->bind(1, "a");
    upsert->bind(2, 5);
    REQUIRE(upsert->executeStep());
    const auto id = upsert->column_int64(0);
    CHECK(upsert->column_int64(1) == 5);
    CHECK_FALSE(upsert->executeStep());
    upsert->reset();
    upsert->bind(2, 3);
    REQUIRE(upsert->executeStep());
    CHECK(upsert->column_int64(0) == id);
    CHECK(upsert->column_int64(1) == 8);
}

TEST_CASE("pg driver: a unique violation says which kind, and no row values", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    c->exec("CREATE TEMP TABLE people (phone TEXT UNIQUE, name TEXT NOT NULL)");
    auto insert = c->prepare("INSERT INTO people (phone, name) VALUES (?1, ?2)");
    insert->bind(1, "13812345678");
    insert->bind(2, "张三");
    CHECK(insert->exec() == 1);
    insert->reset();
    try {
        insert->exec();
        FAIL("inserted the same phone twice");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::unique_violation);
        CHECK(e.sqlstate == "23505");
        const std::string m = e.what();
        INFO(m);
        CHECK(m.find("13812345678") == std::string::npos);
        CHECK(m.find("张三") == std::string::npos);
        CHECK(m.find("people_phone_key") != std::string::npos);
    }
    insert->reset();
    insert->bind(1, "13900000000");
    insert->bind(2);
    try {
        insert->exec();
        FAIL("inserted a NULL name");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::constraint);
        CHECK(e.sqlstate == "23502");
        CHECK(std::string(e.what()).find("13900000000") == std::string::npos);
    }
    // A value the server refuses to read is not quoted back either.
    auto cast = c->prepare("SELECT ?1::bigint");
    cast->bind(1, "1381234567x");
    try {
        cast->executeStep();
        FAIL("read a phone as a number");
    } catch (const sql::error& e) {
        CHECK(e.sqlstate == "22P02");
        CHECK(std::string(e.what()).find("1381234567x") == std::string::npos);
    }
}

TEST_CASE("pg driver: a statement timeout and a lock timeout are busy", "[pg_driver]") {
    auto c = connect_or_skip(50);
    if (!c) return;
    auto sleep = c->prepare("SELECT pg_sleep(1)");
    try {
        sleep->executeStep();
        FAIL("slept past the statement timeout");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::busy);
        CHECK(e.sqlstate == "57014");
    }

    auto other = connect_or_skip();
    const std::string table = unique_table("lock");
    c->exec("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, n BIGINT)");
    c->exec("INSERT INTO " + table + " VALUES (1, 0)");
    other->begin_write();
    other->exec("UPDATE " + table + " SET n = 1 WHERE id = 1");
    c->exec("SET statement_timeout = 0; SET lock_timeout = 50");
    try {
        c->exec("UPDATE " + table + " SET n = 2 WHERE id = 1");
        FAIL("updated a locked row");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::busy);
        CHECK(e.sqlstate == "55P03");
    }
    other->exec("ROLLBACK");
    c->exec("DROP TABLE " + table);
}

TEST_CASE("pg driver: a lost race under REPEATABLE READ is a serialization failure",
          "[pg_driver]") {
    auto a = connect_or_skip();
    if (!a) return;
    auto b = connect_or_skip();
    const std::string table = unique_table("race");
    a->exec("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, n BIGINT)");
    a->exec("INSERT INTO " + table + " VALUES (1, 0)");
    a->exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    CHECK(scalar(*a, "SELECT n FROM " + table + " WHERE id = 1") == 0);
    b->exec("UPDATE " + table + " SET n = 1 WHERE id = 1");
    auto update = a->prepare("UPDATE " + table + " SET n = ?1 WHERE id = 1");
    update->bind(1, 2);
    try {
        update->exec();
        FAIL("updated a row another transaction changed");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::serialization);
        CHECK(e.sqlstate == "40001");
    }
    a->exec("ROLLBACK");
    b->exec("DROP TABLE " + table);
}

TEST_CASE("pg driver: statements are prepared once per text and types", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    const std::string text = "SELECT ?1 AS reuse_probe_" + std::to_string(::getpid());
    const std::string rewritten = to_postgres_parameters(text);
    auto count = c->prepare("SELECT count(*) FROM pg_prepared_statements WHERE statement = ?1");
    count->bind(1, rewritten);
    const auto prepared = [&] {
        count->reset();
        REQUIRE(count->executeStep());
        return count->column_int64(0);
    };

    auto s = c->prepare(text);
    CHECK(prepared() == 0);  // prepared when it first runs, with the types of its binds
    s->bind(1, 1);
    REQUIRE(s->executeStep());
    CHECK(s->column_int64(0) == 1);
    CHECK(prepared() == 1);
    s->reset();
    s->bind(1, 2);
    REQUIRE(s->executeStep());
    CHECK(s->column_int64(0) == 2);
    s->reset();
    auto again = c->prepare(text);  // another statement object, the same server statement
    again->bind(1, 3);
    REQUIRE(again->executeStep());
    CHECK(again->column_int64(0) == 3);
    CHECK(prepared() == 1);
    // Other types: another server statement.
    s->bind(1, "text");
    REQUIRE(s->executeStep());
    CHECK(s->column_text(0) == "text");
    CHECK(prepared() == 2);

    // A rollback does not take a prepared statement with it.
    c->exec("BEGIN");
    auto fresh = c->prepare("SELECT ?1 + 1 AS after_rollback");
    fresh->bind(1, 1);
    REQUIRE(fresh->executeStep());
    fresh->reset();
    c->exec("ROLLBACK");
    REQUIRE(fresh->executeStep());
    CHECK(fresh->column_int64(0) == 2);
}

TEST_CASE("pg driver: exec() returns the rows changed, and wants a reset", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    c->exec("CREATE TEMP TABLE e (n BIGINT)");
    CHECK(c->prepare("INSERT INTO e VALUES (1), (2), (3)")->exec() == 3);
    auto update = c->prepare("UPDATE e SET n = n * 10 WHERE n >= ?1");
    update->bind(1, 2);
    CHECK(update->exec() == 2);
    // As SQLiteCpp: run again only after a reset.
    CHECK_THROWS_AS(update->exec(), sql::error);
    update->reset();
    update->bind(1, 1000);
    CHECK(update->exec() == 0);
    CHECK(c->prepare("DELETE FROM e")->exec() == 3);
    // As SQLiteCpp: exec() is not for statements that return rows.
    c->exec("INSERT INTO e VALUES (1)");
    CHECK_THROWS_AS(c->prepare("SELECT n FROM e")->exec(), sql::error);
    // A step past the end needs a reset too, and there is no row to read.
    auto select = c->prepare("SELECT n FROM e");
    REQUIRE(select->executeStep());
    CHECK_FALSE(select->executeStep());
    CHECK_THROWS_AS(select->column_int64(0), sql::error);
    CHECK_THROWS_AS(select->executeStep(), sql::error);
    select->reset();
    REQUIRE(select->executeStep());
    CHECK_THROWS_AS(select->column_int64(1), sql::error);
    CHECK_THROWS_AS(select->bind(2, 1), sql::error);
}

TEST_CASE("pg driver: several statements in one exec()", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    c->exec(
        "CREATE TEMP TABLE m (x BIGINT); -- a comment; with a semicolon\n"
        "INSERT INTO m VALUES (1); INSERT INTO m VALUES (2);");
    CHECK(scalar(*c, "SELECT count(*) FROM m") == 2);
    CHECK_THROWS_AS(c->exec("INSERT INTO m VALUES (3); SELECT * FROM nowhere"), sql::error);
    // Without an explicit transaction the statements of one exec() are one transaction.
    CHECK(scalar(*c, "SELECT count(*) FROM m") == 2);
}

TEST_CASE("pg driver: a failed statement aborts the transaction until ROLLBACK", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    c->exec("CREATE TEMP TABLE a (x BIGINT UNIQUE)");
    c->begin_write();
    c->exec("INSERT INTO a VALUES (1)");
    CHECK_THROWS_AS(c->exec("INSERT INTO a VALUES (1)"), sql::error);
    try {
        c->prepare("SELECT count(*) FROM a")->executeStep();
        FAIL("ran a statement in an aborted transaction");
    } catch (const sql::error& e) {
        CHECK(e.sqlstate == "25P02");
        CHECK(e.what_kind == kind::other);
    }
    c->exec("ROLLBACK");
    CHECK(scalar(*c, "SELECT count(*) FROM a") == 0);
}

TEST_CASE("pg driver: BEGIN and savepoints travel with the next statement, same meaning",
          "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    c->exec("CREATE TEMP TABLE v (x BIGINT UNIQUE)");
    auto insert = c->prepare("INSERT INTO v VALUES (?1)");
    const auto put = [&](std::int64_t x) {
        insert->reset();
        insert->bind(1, x);
        return insert->exec();
    };
    c->begin_write();
    c->exec("SAVEPOINT u");
    CHECK(put(1) == 1);  // BEGIN, SAVEPOINT and the insert in one pipeline
    c->exec("RELEASE SAVEPOINT u");
    c->exec("SAVEPOINT u");
    // RELEASE, SAVEPOINT and a failing insert: the insert's own error, and only the savepoint
    // is lost.
    try {
        put(1);
        FAIL("a duplicate was inserted");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::unique_violation);
    }
    c->exec("ROLLBACK TO SAVEPOINT u");
    c->exec("RELEASE SAVEPOINT u");
    c->exec("SAVEPOINT u");
    CHECK(put(2) == 1);
    c->exec("RELEASE SAVEPOINT u");
    c->exec("COMMIT");  // with the deferred RELEASE
    CHECK(scalar(*c, "SELECT count(*) FROM v") == 2);
    CHECK(text_of(*c, "SELECT string_agg(x::text, ',' ORDER BY x) FROM v") == "1,2");

    // A deferred command that fails is reported by the statement that carried it, and what came
    // after it in the pipeline did not run.
    c->exec("SAVEPOINT outside");  // no transaction: PostgreSQL refuses it
    try {
        put(3);
        FAIL("a savepoint outside a transaction was accepted");
    } catch (const sql::error& e) {
        CHECK(e.sqlstate == "25P01");
    }
    CHECK(scalar(*c, "SELECT count(*) FROM v") == 2);
    // The connection is usable afterwards, in and out of pipelines.
    c->begin_write();
    CHECK(put(3) == 1);
    c->exec("ROLLBACK");
    CHECK(scalar(*c, "SELECT count(*) FROM v") == 2);
}

TEST_CASE("pg driver: exec_later travels with the next command and fails there", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    c->exec("CREATE TEMP TABLE w (x BIGINT UNIQUE)");
    auto insert = c->prepare("INSERT INTO w VALUES (?1)");
    const auto later = [&](std::int64_t x) {
        insert->reset();
        insert->bind(1, x);
        insert->exec_later();
    };
    const auto count = [&] { return scalar(*c, "SELECT count(*) FROM w"); };

    // Held back until the next statement, which then sees it (same order as written).
    c->begin_write();
    later(1);
    later(2);
    CHECK(count() == 2);
    // A statement that needs a reset says so, as after exec().
    CHECK_THROWS_AS(insert->exec_later(), sql::error);
    c->exec("COMMIT");
    CHECK(count() == 2);

    // Held back until COMMIT: committed with it.
    c->begin_write();
    later(3);
    c->exec("COMMIT");
    CHECK(count() == 3);

    // Its failure is reported by the next statement, with its kind, and the transaction is
    // aborted as after any failure.
    c->begin_write();
    later(1);
    try {
        auto read = c->prepare("SELECT count(*) FROM w");
        read->executeStep();
        FAIL("a duplicate held back was not reported");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::unique_violation);
    }
    c->exec("ROLLBACK");
    CHECK(count() == 3);

    // A RELEASE with statements waiting goes at once: a failure is reported by the RELEASE,
    // inside the savepoint it belongs to, which can still be rolled back.
    c->begin_write();
    c->exec("SAVEPOINT u");
    later(4);
    c->exec("RELEASE SAVEPOINT u");
    c->exec("SAVEPOINT u");
    later(4);
    try {
        c->exec("RELEASE SAVEPOINT u");
        FAIL("a duplicate held back was released");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::unique_violation);
    }
    c->exec("ROLLBACK TO SAVEPOINT u");
    c->exec("RELEASE SAVEPOINT u");
    c->exec("COMMIT");
    CHECK(count() == 4);

    // A rollback to a savepoint discards, unsent, what was held back after the savepoint, and
    // keeps what came before it.
    c->begin_write();
    later(5);
    c->exec("SAVEPOINT u");
    later(1);  // would fail if it were sent
    later(6);
    c->exec("ROLLBACK TO SAVEPOINT u");
    c->exec("RELEASE SAVEPOINT u");
    c->exec("COMMIT");
    CHECK(count() == 5);
    CHECK(text_of(*c, "SELECT string_agg(x::text, ',' ORDER BY x) FROM w") == "1,2,3,4,5");

    // ROLLBACK discards all of it.
    c->begin_write();
    later(1);
    later(7);
    c->exec("ROLLBACK");
    CHECK(count() == 5);

    // A long run is sent in pieces and keeps its order.
    c->begin_write();
    for (std::int64_t x = 100; x < 300; ++x) later(x);
    c->exec("COMMIT");
    CHECK(count() == 205);
}

TEST_CASE("pg driver: a connection the server ended is a connection error", "[pg_driver]") {
    auto c = connect_or_skip();
    if (!c) return;
    auto admin = connect_or_skip();
    const auto pid = scalar(*c, "SELECT pg_backend_pid()");
    auto kill = admin->prepare("SELECT pg_terminate_backend(CAST(?1 AS INTEGER))");
    kill->bind(1, pid);
    REQUIRE(kill->executeStep());
    CHECK(kill->column_int64(0) == 1);
    try {
        // The server may need a moment: the first statements can still be sent.
        for (int k = 0; k < 50; ++k) {
            c->exec("SELECT 1");
            ::usleep(20000);
        }
        FAIL("the connection outlived its backend");
    } catch (const sql::error& e) {
        CHECK(e.what_kind == kind::connection);
    }
    CHECK_THROWS_AS(c->prepare("SELECT ?1")->exec(), sql::error);
}
