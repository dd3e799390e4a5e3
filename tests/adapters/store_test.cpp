#include "adapters/db/store.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using minsheng::adapters::sqlite_store::latest_schema_version;
namespace sql = minsheng::adapters::sql;
using namespace minsheng::adapters::db::testing;

store_options at_time(std::int64_t t) {
    store_options o;
    o.clock = std::make_shared<fixed_clock>(t);
    return o;
}

// Opens one case per call, each in its own message, and returns its number.
std::string open_one(store& s, const std::string& key, const dialog::case_draft& d) {
    auto h = s.handle_once(d.from, key, text_message(d.reporter_id, key),
                           [&](dialog::unit_of_work& uow) {
                               uow.open_case(d);
                               return std::string("ok");
                           });
    REQUIRE(h.opened.size() == 1);
    return h.opened.front().number;
}

struct recorded_step {
    int version;
    std::string name;
    std::int64_t applied_at;
};

// The rows of schema_migrations; none when the table does not exist.
std::vector<recorded_step> recorded_steps(const std::string& location) {
    auto db = raw_connection(location);
    std::vector<recorded_step> out;
    if (!table_exists(*db, "schema_migrations")) return out;
    auto q =
        db->prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
    while (q->executeStep())
        out.push_back(
            {q->getColumn(0).getInt(), q->getColumn(1).getString(), q->getColumn(2).getInt64()});
    return out;
}

}  // namespace

TEST_CASE("A fresh database is migrated to the latest schema, step by step in order",
          "[adapters]") {
    temp_db file;
    {
        store s(file.path(), at_time(1000));
        CHECK(s.schema_version() == latest_schema_version());
        CHECK(s.path() == file.path());
    }
    const auto known = engine_migrations();
    auto steps = recorded_steps(file.path());
    REQUIRE(steps.size() == known.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        // Increasing; a number may wait for the merge of the branch that adds its step.
        if (i > 0) CHECK(steps[i].version > steps[i - 1].version);
        CHECK(steps[i].version == known[i].version);
        CHECK(steps[i].name == known[i].name);
        CHECK(steps[i].applied_at == 1000);
    }
    CHECK(steps.back().version == latest_schema_version());

    auto db = raw_connection(file.path());
    if (db->dialect() == sql::dialect::sqlite) {
        auto mode = db->prepare("PRAGMA journal_mode");
        REQUIRE(mode->executeStep());
        CHECK(mode->getColumn(0).getString() == "wal");
    }
    for (const char* table :
         {"messages", "conversations", "cases", "case_events", "case_numbers", "people",
          "ledger_postings", "ledger_entries", "proposals", "votes", "outbox"})
        CHECK(table_exists(*db, table));
}

TEST_CASE("Opening an up-to-date database applies no migration and keeps its data", "[adapters]") {
    temp_db file;
    {
        store s(file.path(), at_time(1000));
        open_one(s, "m1", draft_for("alice", nov23_china_0030));
    }
    auto before = recorded_steps(file.path());
    {
        store s(file.path(), at_time(2000));
        CHECK(s.schema_version() == latest_schema_version());
        // The counter continues: the data survived the reopen.
        CHECK(open_one(s, "m2", draft_for("alice", nov23_china_0030)) == "MS20261123-0002");
    }
    auto after = recorded_steps(file.path());
    REQUIRE(after.size() == before.size());
    for (std::size_t i = 0; i < after.size(); ++i) CHECK(after[i].applied_at == 1000);
}

TEST_CASE("A database part-way through its migrations gets only the missing steps", "[adapters]") {
    // On PostgreSQL, whose list starts with one baseline step, "part-way" is "after the baseline"
    // and nothing is missing until a later step is added to both lists.
    const auto known = engine_migrations();
    if (!on_postgres()) REQUIRE(known.size() >= 2);
    temp_db file;
    {
        auto db = raw_connection(file.path());
        db->exec(db->dialect() == sql::dialect::sqlite
                     ? "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
                       "NULL, applied_at INTEGER NOT NULL) STRICT"
                     : "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT "
                       "NULL, applied_at BIGINT NOT NULL)");
        db->exec(known[0].sql);
        auto rec = db->prepare("INSERT INTO schema_migrations VALUES (?1, ?2, 5)");
        rec->bind(1, known[0].version);
        rec->bind(2, known[0].name);
        rec->exec();
    }
    {
        store s(file.path(), at_time(7));
        CHECK(s.schema_version() == latest_schema_version());
    }
    auto steps = recorded_steps(file.path());
    REQUIRE(steps.size() == known.size());
    CHECK(steps[0].applied_at == 5);
    for (std::size_t i = 1; i < steps.size(); ++i) CHECK(steps[i].applied_at == 7);
}

TEST_CASE("A migration step that fails keeps the steps before it and nothing of itself",
          "[adapters]") {
    // An unrecorded table in the way of the step that creates case_numbers: step 2 (cases) on
    // SQLite, the baseline on PostgreSQL.
    const auto known = engine_migrations();
    std::size_t failing = 0;
    while (failing < known.size() &&
           known[failing].sql.find("CREATE TABLE case_numbers") == std::string::npos)
        ++failing;
    REQUIRE(failing < known.size());
    if (!on_postgres()) REQUIRE(failing == 1);
    temp_db file;
    raw_connection(file.path())->exec("CREATE TABLE case_numbers (x INTEGER)");
    CHECK_THROWS_WITH(store(file.path()),
                      Catch::Contains("migration " + std::to_string(known[failing].version) + " (" +
                                      known[failing].name + ")"));
    auto steps = recorded_steps(file.path());
    REQUIRE(steps.size() == failing);
    for (std::size_t i = 0; i < failing; ++i) CHECK(steps[i].version == known[i].version);
    auto db = raw_connection(file.path());
    CHECK(table_exists(*db, "messages") == (failing > 0));  // step 1 made it, if it ran
    CHECK_FALSE(table_exists(*db, "cases"));
    CHECK_FALSE(table_exists(*db, "case_events"));
}

TEST_CASE("A database with a newer schema than this build is refused with a clear error",
          "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    {
        auto db = raw_connection(file.path());
        auto rec = db->prepare("INSERT INTO schema_migrations VALUES (?1, 'from_the_future', 1)");
        rec->bind(1, latest_schema_version() + 1);
        rec->exec();
    }
    CHECK_THROWS_AS(store(file.path()), store_error);
    CHECK_THROWS_WITH(store(file.path()), Catch::Contains("newer than this build"));
    CHECK_THROWS_WITH(reader(file.path()), Catch::Contains("newer than this build"));
    // Refusing changed nothing.
    CHECK(recorded_steps(file.path()).size() == engine_migrations().size() + 1);
}

TEST_CASE("A database whose recorded migration differs from this build's is refused",
          "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    {
        auto db = raw_connection(file.path());
        auto rename =
            db->prepare("UPDATE schema_migrations SET name = 'something_else' WHERE version = ?1");
        rename->bind(1, engine_migrations().front().version);
        REQUIRE(rename->exec() == 1);
    }
    CHECK_THROWS_WITH(store(file.path()), Catch::Contains("another branch"));
}

TEST_CASE("A store on a path that cannot be opened throws store_error naming the operation",
          "[adapters]") {
    CHECK_THROWS_AS(store("/nonexistent-minsheng-dir/sub/x.db"), store_error);
    CHECK_THROWS_WITH(store("/nonexistent-minsheng-dir/sub/x.db"),
                      Catch::Contains("open database"));
    if (on_postgres()) {
        // A server nobody listens for.
        const std::string nowhere = "postgresql://minsheng@127.0.0.1:1/minsheng";
        CHECK_THROWS_AS(store(nowhere), store_error);
        CHECK_THROWS_WITH(store(nowhere), Catch::Contains("open database"));
    }
}

TEST_CASE("A store is durable by default: synchronous=FULL, read back from a real file",
          "[adapters]") {
    CHECK(store_options{}.sync == durability::full);
    temp_db file;
    {
        store s(file.path());
        CHECK(s.synchronous_mode() == "full");
        CHECK(open_one(s, "k", draft_for("alice", nov23_china_0030)) == "MS20261123-0001");
    }
    store again(file.path(), at_time(2000));
    CHECK(again.synchronous_mode() == "full");
    store in_memory(":memory:");
    CHECK(in_memory.synchronous_mode() == "full");
}

TEST_CASE("A store opened with durability normal uses synchronous=NORMAL", "[adapters]") {
    temp_db file;
    store_options o;
    o.sync = durability::normal;
    store s(file.path(), o);
    CHECK(s.synchronous_mode() == "normal");
    CHECK(open_one(s, "k", draft_for("alice", nov23_china_0030)) == "MS20261123-0001");
}

TEST_CASE("Durability reads and writes the config names full and normal only", "[adapters]") {
    CHECK(to_string(durability::full) == "full");
    CHECK(to_string(durability::normal) == "normal");
    CHECK(durability_from_string("full") == durability::full);
    CHECK(durability_from_string("normal") == durability::normal);
    CHECK_FALSE(durability_from_string("FULL"));
    CHECK_FALSE(durability_from_string("off"));
    CHECK_FALSE(durability_from_string(""));
}

namespace {

// The permission bits of `path`; -1 when it cannot be stat()ed.
int mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 07777);
}

// Sets the process umask for a scope.
class umask_scope {
public:
    explicit umask_scope(mode_t m) : old_(::umask(m)) {}
    ~umask_scope() { ::umask(old_); }
    umask_scope(const umask_scope&) = delete;
    umask_scope& operator=(const umask_scope&) = delete;

private:
    mode_t old_;
};

}  // namespace

// File modes are SQLite's: a PostgreSQL server keeps its own files.
TEST_CASE("The database, -wal and -shm files a store creates are 0600 whatever the umask",
          "[adapters][sqlite-only]") {
    for (const mode_t mask : {mode_t{0}, mode_t{022}, mode_t{077}}) {
        INFO("umask " << mask);
        temp_db file;
        umask_scope scope(mask);
        store s(file.path());
        open_one(s, "k", draft_for("alice", nov23_china_0030));  // the -wal file has a commit
        CHECK(mode_of(file.path()) == 0600);
        CHECK(mode_of(file.path() + "-wal") == 0600);
        CHECK(mode_of(file.path() + "-shm") == 0600);
        // A reader next to it changes nothing.
        reader r(file.path());
        CHECK(r.count_cases() == 1);
        CHECK(mode_of(file.path() + "-wal") == 0600);
    }
}

TEST_CASE("A store keeps the mode of a database file that already exists",
          "[adapters][sqlite-only]") {
    temp_db file;
    { store s(file.path()); }
    REQUIRE(::chmod(file.path().c_str(), 0640) == 0);
    store s(file.path());
    CHECK(mode_of(file.path()) == 0640);
}

TEST_CASE("Handling the same message twice calls the handler once and replays its reply",
          "[adapters]") {
    temp_db where;
    store s(where.path());
    int calls = 0;
    auto fn = [&](dialog::unit_of_work& uow) {
        ++calls;
        uow.open_case(draft_for("alice", nov23_china_0030));
        return std::string("reply #") + std::to_string(calls);
    };
    auto m = text_message("alice", "msg-1");

    auto first = s.handle_once(dialog::channel::wechat_oa, "msg-1", m, fn);
    CHECK_FALSE(first.duplicate);
    CHECK(first.reply == "reply #1");
    CHECK(first.opened.size() == 1);

    auto second = s.handle_once(dialog::channel::wechat_oa, "msg-1", m, fn);
    CHECK(second.duplicate);
    CHECK(second.reply == "reply #1");
    CHECK(second.opened.empty());
    CHECK(calls == 1);

    // Nothing new happened: the next case still gets the next number.
    CHECK(open_one(s, "msg-2", draft_for("alice", nov23_china_0030)) == "MS20261123-0002");
}

TEST_CASE("The same dedup key on another channel is a different message", "[adapters]") {
    temp_db where;
    store s(where.path());
    int calls = 0;
    auto fn = [&](dialog::unit_of_work&) { return std::to_string(++calls); };
    auto m = text_message("alice", "k");
    CHECK_FALSE(s.handle_once(dialog::channel::wechat_oa, "k", m, fn).duplicate);
    CHECK_FALSE(s.handle_once(dialog::channel::hotline, "k", m, fn).duplicate);
    CHECK(s.handle_once(dialog::channel::hotline, "k", m, fn).reply == "2");
    CHECK(calls == 2);
}

TEST_CASE("A handled message is still a duplicate after the database is reopened", "[adapters]") {
    temp_db file;
    auto m = text_message("alice", "msg-1");
    {
        store s(file.path());
        s.handle_once(m.from, m.dedup_key, m, [](dialog::unit_of_work&) { return "first"; });
    }
    store s(file.path());
    bool called = false;
    auto h = s.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work&) {
        called = true;
        return "second";
    });
    CHECK(h.duplicate);
    CHECK(h.reply == "first");
    CHECK_FALSE(called);
}

TEST_CASE("A stored reply payload is replayed byte for byte", "[adapters]") {
    temp_db where;
    store s(where.path());
    const std::string payload =
        "<xml><Content><![CDATA[已受理\r\n\t\"'\\ \x01\x7f 🙂]]></Content></xml>\n";
    auto m = text_message("alice", "k");
    s.handle_once(m.from, "k", m, [&](dialog::unit_of_work&) { return payload; });
    CHECK(s.handle_once(m.from, "k", m, [](dialog::unit_of_work&) { return ""; }).reply == payload);
}

TEST_CASE("A payload with a NUL is kept whole or refused whole, never cut", "[adapters]") {
    temp_db where;
    store s(where.path());
    using namespace std::string_literals;
    const std::string payload = "{\"text\":\"已受理\"}\0tail"s;
    REQUIRE(payload.size() == 25);
    auto m = text_message("alice", "k");
    bool kept = true;
    try {
        s.handle_once(m.from, "k", m, [&](dialog::unit_of_work&) { return payload; });
    } catch (const store_error& e) {
        // PostgreSQL's text cannot hold a NUL: refused, nothing recorded.
        kept = false;
        CHECK(std::string(e.what()).find("NUL") != std::string::npos);
    }
    CHECK(kept == !on_postgres());
    const auto again = s.handle_once(m.from, "k", m, [](dialog::unit_of_work&) { return "new"; });
    CHECK(again.duplicate == kept);
    CHECK(again.reply == (kept ? payload : "new"));
}

TEST_CASE("When the handler throws, nothing it wrote is kept and the number is not used",
          "[adapters]") {
    temp_db where;
    store s(where.path());
    auto m = text_message("alice", "msg-1");
    CHECK_THROWS_AS(s.handle_once(m.from, m.dedup_key, m,
                                  [](dialog::unit_of_work& uow) -> std::string {
                                      uow.save_state(dialog::channel::wechat_oa, "alice", "{}");
                                      uow.open_case(draft_for("alice", nov23_china_0030));
                                      throw std::logic_error("engine bug");
                                  }),
                    std::logic_error);

    bool called = false;
    auto h = s.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
        called = true;
        CHECK(uow.load_state(dialog::channel::wechat_oa, "alice").empty());
        CHECK(uow.cases_of(dialog::channel::wechat_oa, "alice", 10).empty());
        auto c = uow.open_case(draft_for("alice", nov23_china_0030));
        CHECK(c.number == "MS20261123-0001");
        // The number has no gap; the id may (a PostgreSQL sequence does not roll back), but
        // this is the only case there is.
        CHECK(c.id > 0);
        CHECK(uow.cases_of(dialog::channel::wechat_oa, "alice", 10).size() == 1);
        return std::string("ok");
    });
    CHECK(called);
    CHECK_FALSE(h.duplicate);
}

TEST_CASE("A storage failure the handler swallows still rolls the message back", "[adapters]") {
    temp_db where;
    store s(where.path());
    auto m = text_message("alice", "msg-1");
    CHECK_THROWS_AS(s.handle_once(m.from, m.dedup_key, m,
                                  [](dialog::unit_of_work& uow) {
                                      uow.save_state(dialog::channel::wechat_oa, "alice",
                                                     "pending");
                                      try {
                                          // Far outside the numbering's calendar: the store refuses
                                          // it.
                                          uow.open_case(draft_for("alice", -1'000'000'000'000));
                                      } catch (const store_error&) {
                                      }
                                      return std::string("pretend all is well");
                                  }),
                    store_error);
    auto h = s.handle_once(m.from, m.dedup_key, m, [](dialog::unit_of_work& uow) {
        CHECK(uow.load_state(dialog::channel::wechat_oa, "alice").empty());
        return std::string("ok");
    });
    CHECK_FALSE(h.duplicate);
}

TEST_CASE("handle_once cannot be nested inside a unit of work", "[adapters]") {
    temp_db where;
    store s(where.path());
    auto m = text_message("alice", "outer");
    CHECK_THROWS_AS(s.handle_once(m.from, "outer", m,
                                  [&](dialog::unit_of_work&) {
                                      auto inner = text_message("alice", "inner");
                                      s.handle_once(inner.from, "inner", inner,
                                                    [](dialog::unit_of_work&) { return ""; });
                                      return std::string();
                                  }),
                    store_error);
    // The store is usable afterwards and neither message was kept.
    int calls = 0;
    auto count = [&](dialog::unit_of_work&) { return std::to_string(++calls); };
    CHECK_FALSE(s.handle_once(m.from, "outer", m, count).duplicate);
    CHECK_FALSE(s.handle_once(m.from, "inner", m, count).duplicate);
}

TEST_CASE("An empty dedup key is rejected before anything happens", "[adapters]") {
    temp_db where;
    store s(where.path());
    auto m = text_message("alice", "");
    bool called = false;
    CHECK_THROWS_AS(s.handle_once(m.from, "", m,
                                  [&](dialog::unit_of_work&) {
                                      called = true;
                                      return std::string();
                                  }),
                    std::invalid_argument);
    CHECK_FALSE(called);
}

TEST_CASE("Case numbers follow the calendar day in China time (UTC+8)", "[adapters]") {
    temp_db where;
    store s(where.path());
    // 2026-11-22T15:59:59Z is 23:59:59 on the 22nd in China.
    CHECK(open_one(s, "a", draft_for("u", 1795363199)) == "MS20261122-0001");
    // 2026-11-22T16:30:00Z is 00:30 on the 23rd in China.
    CHECK(open_one(s, "b", draft_for("u", nov23_china_0030)) == "MS20261123-0001");
    // 2026-11-22T16:00:00Z is midnight on the 23rd.
    CHECK(open_one(s, "c", draft_for("u", 1795363200)) == "MS20261123-0002");
    // 2026-11-23T15:59:59Z is the last second of the 23rd.
    CHECK(open_one(s, "d", draft_for("u", 1795449599)) == "MS20261123-0003");
    CHECK(open_one(s, "e", draft_for("u", 1795449600)) == "MS20261124-0001");
    // 2026-12-31T16:00:00Z is New Year's Day 2027 in China.
    CHECK(open_one(s, "f", draft_for("u", 1798732800)) == "MS20270101-0001");
    // Back on a day that already has cases, the sequence continues.
    CHECK(open_one(s, "g", draft_for("u", 1795363000)) == "MS20261122-0002");
    // The first second of 1970-01-01 in China.
    CHECK(open_one(s, "h", draft_for("u", -28800)) == "MS19700101-0001");
}

TEST_CASE("Many cases on one day are numbered in sequence, across and within messages",
          "[adapters]") {
    temp_db where;
    store s(where.path());
    std::vector<std::string> numbers;
    for (int i = 0; i < 12; ++i)
        numbers.push_back(open_one(s, "m" + std::to_string(i), draft_for("u", nov23_china_0030)));
    auto h = s.handle_once(dialog::channel::wechat_oa, "batch", text_message("u", "batch"),
                           [](dialog::unit_of_work& uow) {
                               for (int i = 0; i < 3; ++i)
                                   uow.open_case(draft_for("u", nov23_china_0030 + i));
                               return std::string();
                           });
    REQUIRE(h.opened.size() == 3);
    for (const auto& c : h.opened) numbers.push_back(c.number);
    REQUIRE(numbers.size() == 15);
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        char expected[32];
        std::snprintf(expected, sizeof expected, "MS20261123-%04zu", i + 1);
        CHECK(numbers[i] == expected);
    }
    CHECK(h.opened[0].id < h.opened[1].id);
    CHECK(h.opened[1].id < h.opened[2].id);
}

TEST_CASE("An opened case is returned as stored, in status received", "[adapters]") {
    temp_db where;
    store s(where.path());
    auto d = draft_for("alice", nov23_china_0030, "wish", "民政");
    d.from = dialog::channel::miniprogram;
    d.urgency = "urgent";
    dialog::case_record opened;
    std::vector<dialog::case_record> listed;
    s.handle_once(d.from, "k", text_message("alice", "k"), [&](dialog::unit_of_work& uow) {
        opened = uow.open_case(d);
        listed = uow.cases_of(dialog::channel::miniprogram, "alice", 5);
        return std::string();
    });
    CHECK(opened.id > 0);
    CHECK(opened.number == "WX20261123-0001");  // a wish: the public wish number
    CHECK(opened.from == dialog::channel::miniprogram);
    CHECK(opened.reporter_id == "alice");
    CHECK(opened.kind == "wish");
    CHECK(opened.category == "民政");
    CHECK(opened.category_confidence == Approx(0.8));
    CHECK(opened.urgency == "urgent");
    CHECK(opened.status == "received");
    CHECK(opened.description == d.description);
    CHECK(opened.address == d.address);
    CHECK(opened.contact_phone == d.contact_phone);
    CHECK(opened.created_at == nov23_china_0030);
    CHECK(opened.updated_at == nov23_china_0030);

    REQUIRE(listed.size() == 1);
    const auto& r = listed.front();
    CHECK(r.id == opened.id);
    CHECK(r.number == opened.number);
    CHECK(r.from == opened.from);
    CHECK(r.kind == opened.kind);
    CHECK(r.category == opened.category);
    CHECK(r.category_confidence == Approx(opened.category_confidence));
    CHECK(r.urgency == opened.urgency);
    CHECK(r.status == opened.status);
    CHECK(r.description == opened.description);
    CHECK(r.address == opened.address);
    CHECK(r.contact_phone == opened.contact_phone);
    CHECK(r.created_at == opened.created_at);
    CHECK(r.updated_at == opened.updated_at);
}

TEST_CASE("A case drafted without a creation time is stamped with the store's clock",
          "[adapters]") {
    temp_db where;
    store s(where.path(), at_time(nov23_china_0030));
    CHECK(open_one(s, "k", draft_for("u", 0)) == "MS20261123-0001");
}

TEST_CASE("Opening a case writes an opened event and the message row in the same commit",
          "[adapters]") {
    temp_db file;
    auto m = text_message("alice", "msg-7", "楼道灯坏了");
    {
        store s(file.path(), at_time(1795370000));
        s.handle_once(dialog::channel::wechat_oa, "msg-7", m, [](dialog::unit_of_work& uow) {
            uow.open_case(draft_for("alice", nov23_china_0030));
            return std::string("payload");
        });
    }
    auto db = raw_connection(file.path());

    auto ev = db->prepare(
        "SELECT case_id, at, actor, action, from_status, to_status "
        "FROM case_events");
    REQUIRE(ev->executeStep());
    CHECK(ev->getColumn(0).getInt64() == 1);
    CHECK(ev->getColumn(1).getInt64() == nov23_china_0030);
    CHECK(ev->getColumn(2).getString() == "wechat_oa:alice");  // the reporter's person_ref key
    CHECK(ev->getColumn(3).getString() == "opened");
    CHECK(ev->getColumn(4).isNull());
    CHECK(ev->getColumn(5).getString() == "received");
    CHECK_FALSE(ev->executeStep());

    auto msg = db->prepare(
        "SELECT channel, dedup_key, user_id, kind, text, create_time, "
        "received_at, reply FROM messages");
    REQUIRE(msg->executeStep());
    CHECK(msg->getColumn(0).getString() == "wechat_oa");
    CHECK(msg->getColumn(1).getString() == "msg-7");
    CHECK(msg->getColumn(2).getString() == "alice");
    CHECK(msg->getColumn(3).getString() == "text");
    CHECK(msg->getColumn(4).getString() == "楼道灯坏了");
    CHECK(msg->getColumn(5).getInt64() == nov23_china_0030);
    CHECK(msg->getColumn(6).getInt64() == 1795370000);
    CHECK(msg->getColumn(7).getString() == "payload");

    auto src = db->prepare("SELECT source_key FROM cases");
    REQUIRE(src->executeStep());
    CHECK(src->getColumn(0).getString() == "src");
}

TEST_CASE("cases_of lists one reporter's cases newest first, up to the limit", "[adapters]") {
    temp_db where;
    store s(where.path());
    std::vector<std::string> alice;
    for (int i = 0; i < 4; ++i)
        alice.push_back(
            open_one(s, "a" + std::to_string(i), draft_for("alice", nov23_china_0030 + i)));
    open_one(s, "b", draft_for("bob", nov23_china_0030));
    auto hotline = draft_for("alice", nov23_china_0030);
    hotline.from = dialog::channel::hotline;
    open_one(s, "h", hotline);

    s.handle_once(dialog::channel::wechat_oa, "q", text_message("alice", "q"),
                  [&](dialog::unit_of_work& uow) {
                      auto all = uow.cases_of(dialog::channel::wechat_oa, "alice", 10);
                      REQUIRE(all.size() == 4);
                      CHECK(all[0].number == alice[3]);
                      CHECK(all[1].number == alice[2]);
                      CHECK(all[2].number == alice[1]);
                      CHECK(all[3].number == alice[0]);
                      for (const auto& c : all) CHECK(c.reporter_id == "alice");

                      auto two = uow.cases_of(dialog::channel::wechat_oa, "alice", 2);
                      REQUIRE(two.size() == 2);
                      CHECK(two[0].number == alice[3]);
                      CHECK(two[1].number == alice[2]);

                      CHECK(uow.cases_of(dialog::channel::wechat_oa, "alice", 0).empty());
                      CHECK(uow.cases_of(dialog::channel::hotline, "alice", 10).size() == 1);
                      CHECK(uow.cases_of(dialog::channel::wechat_oa, "carol", 10).empty());
                      return std::string();
                  });
}

TEST_CASE("Conversation state is saved, replaced and cleared per channel and user", "[adapters]") {
    temp_db where;
    store s(where.path());
    auto step = [&](const std::string& key, auto&& body) {
        s.handle_once(dialog::channel::wechat_oa, key, text_message("alice", key),
                      [&](dialog::unit_of_work& uow) {
                          body(uow);
                          return std::string();
                      });
    };
    const auto oa = dialog::channel::wechat_oa;
    const auto mp = dialog::channel::miniprogram;
    step("1", [&](dialog::unit_of_work& uow) {
        CHECK(uow.load_state(oa, "alice").empty());
        uow.save_state(oa, "alice", R"({"pending":"address"})");
        // Visible inside the same transaction.
        CHECK(uow.load_state(oa, "alice") == R"({"pending":"address"})");
    });
    step("2", [&](dialog::unit_of_work& uow) {
        CHECK(uow.load_state(oa, "alice") == R"({"pending":"address"})");
        CHECK(uow.load_state(mp, "alice").empty());
        CHECK(uow.load_state(oa, "bob").empty());
        uow.save_state(oa, "alice", "second");
        uow.save_state(mp, "alice", "mini");
    });
    step("3", [&](dialog::unit_of_work& uow) {
        CHECK(uow.load_state(oa, "alice") == "second");
        CHECK(uow.load_state(mp, "alice") == "mini");
        uow.save_state(oa, "alice", "");
    });
    step("4", [&](dialog::unit_of_work& uow) {
        CHECK(uow.load_state(oa, "alice").empty());
        CHECK(uow.load_state(mp, "alice") == "mini");
    });
}
