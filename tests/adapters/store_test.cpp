#include "adapters/db/store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/sqlite_store/migrations.hpp"
#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::sqlite_store;
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

std::vector<recorded_step> recorded_steps(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement q(db,
                        "SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
    std::vector<recorded_step> out;
    while (q.executeStep())
        out.push_back(
            {q.getColumn(0).getInt(), q.getColumn(1).getString(), q.getColumn(2).getInt64()});
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
    auto steps = recorded_steps(file.path());
    REQUIRE(steps.size() == migrations().size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        // Increasing; a number may wait for the merge of the branch that adds its step.
        if (i > 0) CHECK(steps[i].version > steps[i - 1].version);
        CHECK(steps[i].version == migrations()[i].version);
        CHECK(steps[i].name == migrations()[i].name);
        CHECK(steps[i].applied_at == 1000);
    }

    SQLite::Database db(file.path(), SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
    for (const char* table :
         {"messages", "conversations", "cases", "case_events", "case_numbers", "people",
          "ledger_postings", "ledger_entries", "proposals", "votes", "outbox"})
        CHECK(db.tableExists(table));
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
    REQUIRE(migrations().size() >= 2);
    temp_db file;
    {
        SQLite::Database db(file.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at INTEGER NOT NULL) STRICT");
        db.exec(std::string(migrations()[0].sql));
        SQLite::Statement rec(db, "INSERT INTO schema_migrations VALUES (1, ?, 5)");
        rec.bind(1, std::string(migrations()[0].name));
        rec.exec();
    }
    {
        store s(file.path(), at_time(7));
        CHECK(s.schema_version() == latest_schema_version());
    }
    auto steps = recorded_steps(file.path());
    REQUIRE(steps.size() == migrations().size());
    CHECK(steps[0].applied_at == 5);
    for (std::size_t i = 1; i < steps.size(); ++i) CHECK(steps[i].applied_at == 7);
}

TEST_CASE("A migration step that fails keeps the steps before it and nothing of itself",
          "[adapters]") {
    REQUIRE(migrations().size() >= 2);
    temp_db file;
    {
        SQLite::Database db(file.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        // An unrecorded table in the way of step 2.
        db.exec("CREATE TABLE case_numbers (x INTEGER)");
    }
    CHECK_THROWS_WITH(store(file.path()), Catch::Contains("migration 2 (cases)"));
    auto steps = recorded_steps(file.path());
    REQUIRE(steps.size() == 1);
    CHECK(steps[0].version == 1);
    SQLite::Database db(file.path(), SQLite::OPEN_READONLY);
    CHECK(db.tableExists("messages"));
    CHECK_FALSE(db.tableExists("cases"));
    CHECK_FALSE(db.tableExists("case_events"));
}

TEST_CASE("A database with a newer schema than this build is refused with a clear error",
          "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    {
        SQLite::Database db(file.path(), SQLite::OPEN_READWRITE);
        SQLite::Statement rec(db, "INSERT INTO schema_migrations VALUES (?, 'from_the_future', 1)");
        rec.bind(1, latest_schema_version() + 1);
        rec.exec();
    }
    CHECK_THROWS_AS(store(file.path()), store_error);
    CHECK_THROWS_WITH(store(file.path()), Catch::Contains("newer than this build"));
    CHECK_THROWS_WITH(reader(file.path()), Catch::Contains("newer than this build"));
    // Refusing changed nothing.
    CHECK(recorded_steps(file.path()).size() == migrations().size() + 1);
}

TEST_CASE("A database whose recorded migration differs from this build's is refused",
          "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    {
        SQLite::Database db(file.path(), SQLite::OPEN_READWRITE);
        db.exec("UPDATE schema_migrations SET name = 'something_else' WHERE version = 1");
    }
    CHECK_THROWS_WITH(store(file.path()), Catch::Contains("another branch"));
}

TEST_CASE("A store on a path that cannot be opened throws store_error naming the operation",
          "[adapters]") {
    CHECK_THROWS_AS(store("/nonexistent-minsheng-dir/sub/x.db"), store_error);
    CHECK_THROWS_WITH(store("/nonexistent-minsheng-dir/sub/x.db"),
                      Catch::Contains("open database"));
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

TEST_CASE("The database, -wal and -shm files a store creates are 0600 whatever the umask",
          "[adapters]") {
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

TEST_CASE("A store keeps the mode of a database file that already exists", "[adapters]") {
    temp_db file;
    { store s(file.path()); }
    REQUIRE(::chmod(file.path().c_str(), 0640) == 0);
    store s(file.path());
    CHECK(mode_of(file.path()) == 0640);
}

TEST_CASE("Handling the same message twice calls the handler once and replays its reply",
          "[adapters]") {
    store s(":memory:");
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
    store s(":memory:");
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
    store s(":memory:");
    using namespace std::string_literals;
    const std::string payload = "{\"text\":\"已受理\"}\0tail"s;
    REQUIRE(payload.size() == 25);
    auto m = text_message("alice", "k");
    s.handle_once(m.from, "k", m, [&](dialog::unit_of_work&) { return payload; });
    CHECK(s.handle_once(m.from, "k", m, [](dialog::unit_of_work&) { return ""; }).reply == payload);
}

TEST_CASE("When the handler throws, nothing it wrote is kept and the number is not used",
          "[adapters]") {
    store s(":memory:");
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
        CHECK(c.id == 1);
        return std::string("ok");
    });
    CHECK(called);
    CHECK_FALSE(h.duplicate);
}

TEST_CASE("A storage failure the handler swallows still rolls the message back", "[adapters]") {
    store s(":memory:");
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
    store s(":memory:");
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
    store s(":memory:");
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
    store s(":memory:");
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
    store s(":memory:");
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
    store s(":memory:");
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
    store s(":memory:", at_time(nov23_china_0030));
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
    SQLite::Database db(file.path(), SQLite::OPEN_READONLY);

    SQLite::Statement ev(db,
                         "SELECT case_id, at, actor, action, from_status, to_status "
                         "FROM case_events");
    REQUIRE(ev.executeStep());
    CHECK(ev.getColumn(0).getInt64() == 1);
    CHECK(ev.getColumn(1).getInt64() == nov23_china_0030);
    CHECK(ev.getColumn(2).getString() == "wechat_oa:alice");  // the reporter's person_ref key
    CHECK(ev.getColumn(3).getString() == "opened");
    CHECK(ev.getColumn(4).isNull());
    CHECK(ev.getColumn(5).getString() == "received");
    CHECK_FALSE(ev.executeStep());

    SQLite::Statement msg(db,
                          "SELECT channel, dedup_key, user_id, kind, text, create_time, "
                          "received_at, reply FROM messages");
    REQUIRE(msg.executeStep());
    CHECK(msg.getColumn(0).getString() == "wechat_oa");
    CHECK(msg.getColumn(1).getString() == "msg-7");
    CHECK(msg.getColumn(2).getString() == "alice");
    CHECK(msg.getColumn(3).getString() == "text");
    CHECK(msg.getColumn(4).getString() == "楼道灯坏了");
    CHECK(msg.getColumn(5).getInt64() == nov23_china_0030);
    CHECK(msg.getColumn(6).getInt64() == 1795370000);
    CHECK(msg.getColumn(7).getString() == "payload");

    SQLite::Statement src(db, "SELECT source_key FROM cases");
    REQUIRE(src.executeStep());
    CHECK(src.getColumn(0).getString() == "src");
}

TEST_CASE("cases_of lists one reporter's cases newest first, up to the limit", "[adapters]") {
    store s(":memory:");
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
    store s(":memory:");
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
