// Group commit: several messages in one transaction, each in its own savepoint.

#include <catch2/catch.hpp>
#include <stdexcept>

#include "adapters/db/store.hpp"
#include "tests/adapters/store_test_support.hpp"

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;

namespace {

handled handle(store& s, const std::string& key, bool open = true, bool fail = false) {
    return s.handle_once(dialog::channel::wechat_oa, key, text_message("alice", key),
                         [&](dialog::unit_of_work& uow) {
                             if (open) uow.open_case(draft_for("alice", nov23_china_0030));
                             uow.save_state(dialog::channel::wechat_oa, "alice", key);
                             if (fail) throw std::runtime_error("handler failed");
                             return "reply " + key;
                         });
}

}  // namespace

TEST_CASE("A committed batch keeps every message, and a failing message rolls back only itself",
          "[adapters]") {
    temp_db db;
    {
        store s(db.path());
        s.begin_batch();
        CHECK(handle(s, "m1").opened.size() == 1);
        CHECK_THROWS_AS(handle(s, "m2", true, true), std::runtime_error);
        CHECK(handle(s, "m3").opened.at(0).number == "MS20261123-0002");
        // A retry inside the same batch already sees the first one.
        auto again = handle(s, "m1");
        CHECK(again.duplicate);
        CHECK(again.reply == "reply m1");
        s.commit_batch();
    }
    reader r(db.path());
    CHECK(r.count_cases() == 2);
    store s(db.path());
    CHECK(handle(s, "m1").duplicate);
    CHECK(handle(s, "m3").duplicate);
    CHECK_FALSE(handle(s, "m2").duplicate);  // the failed message was not recorded
}

TEST_CASE("A rolled-back batch leaves nothing, not even case numbers", "[adapters]") {
    temp_db db;
    {
        store s(db.path());
        s.begin_batch();
        handle(s, "m1");
        handle(s, "m2");
        s.rollback_batch();
        CHECK_FALSE(handle(s, "m1").duplicate);  // outside a batch again: own transaction
        CHECK(handle(s, "m1").duplicate);
    }
    reader r(db.path());
    REQUIRE(r.count_cases() == 1);
    CHECK(r.list_cases(case_filter{}).at(0).number == "MS20261123-0001");
}

TEST_CASE("Batches cannot nest and cannot be committed when none is open", "[adapters]") {
    temp_db where;
    store s(where.path());
    CHECK_THROWS_AS(s.commit_batch(), store_error);
    s.begin_batch();
    CHECK_THROWS_AS(s.begin_batch(), store_error);
    s.commit_batch();
}

// ---- store::run: units of work that are not inbound messages

TEST_CASE("run commits what its unit of work wrote", "[adapters]") {
    temp_db db;
    store s(db.path());
    dialog::case_record opened;
    s.run([&](dialog::unit_of_work& uow) {
        opened = uow.open_case(draft_for("alice", nov23_china_0030));
        uow.save_state(dialog::channel::wechat_oa, "alice", "after run");
    });
    reader r(db.path());
    REQUIRE(r.get_case(opened.id));
    CHECK(r.get_case(opened.id)->number == "MS20261123-0001");
    // No message was recorded: the same key is still new to handle_once.
    CHECK_FALSE(handle(s, "m1", false).duplicate);
}

TEST_CASE("run keeps nothing when its callback throws or swallows a storage failure",
          "[adapters]") {
    temp_db db;
    store s(db.path());
    CHECK_THROWS_AS(s.run([](dialog::unit_of_work& uow) {
        uow.open_case(draft_for("alice", nov23_china_0030));
        uow.save_state(dialog::channel::wechat_oa, "alice", "lost");
        throw std::runtime_error("engine bug");
    }),
                    std::runtime_error);
    CHECK_THROWS_AS(s.run([](dialog::unit_of_work& uow) {
        uow.open_case(draft_for("alice", nov23_china_0030));
        try {
            uow.add_event({0, 999, 1, "system", "note", "", "", ""});
        } catch (const store_error&) {
        }
    }),
                    store_error);
    reader r(db.path());
    CHECK(r.count_cases() == 0);
    s.run([](dialog::unit_of_work& uow) {
        CHECK(uow.load_state(dialog::channel::wechat_oa, "alice").empty());
        // The numbers were not used either.
        CHECK(uow.open_case(draft_for("alice", nov23_china_0030)).number == "MS20261123-0001");
    });
}

TEST_CASE("run cannot be nested in a unit of work, nor handle_once in run", "[adapters]") {
    temp_db where;
    store s(where.path());
    CHECK_THROWS_AS(s.run([&](dialog::unit_of_work&) { s.run([](dialog::unit_of_work&) {}); }),
                    store_error);
    CHECK_THROWS_AS(s.run([&](dialog::unit_of_work&) { handle(s, "inner"); }), store_error);
    CHECK_THROWS_AS(
        s.handle_once(dialog::channel::wechat_oa, "outer", text_message("alice", "outer"),
                      [&](dialog::unit_of_work&) {
                          s.run([](dialog::unit_of_work&) {});
                          return std::string();
                      }),
        store_error);
    // Usable afterwards; nothing of the refused units was kept.
    CHECK_FALSE(handle(s, "inner").duplicate);
    CHECK_FALSE(handle(s, "outer").duplicate);
}

TEST_CASE("Inside a batch, run is a savepoint: a failing run rolls back only itself",
          "[adapters]") {
    temp_db db;
    {
        store s(db.path());
        s.begin_batch();
        handle(s, "m1");  // MS…-0001
        s.run([](dialog::unit_of_work& uow) {
            uow.open_case(draft_for("bob", nov23_china_0030, "wish"));  // WX…-0001
        });
        CHECK_THROWS_AS(s.run([](dialog::unit_of_work& uow) {
            uow.open_case(draft_for("bob", nov23_china_0030));
            throw std::runtime_error("fails");
        }),
                        std::runtime_error);
        CHECK(handle(s, "m2").opened.at(0).number == "MS20261123-0002");
        s.commit_batch();
    }
    reader r(db.path());
    CHECK(r.count_cases() == 3);
    CHECK(r.get_case_by_number("WX20261123-0001"));
    CHECK(r.get_case_by_number("MS20261123-0002"));
    CHECK_FALSE(r.get_case_by_number("MS20261123-0003"));
}

TEST_CASE("A rolled-back batch discards what run wrote in it", "[adapters]") {
    temp_db db;
    store s(db.path());
    s.begin_batch();
    s.run([](dialog::unit_of_work& uow) { uow.open_case(draft_for("bob", nov23_china_0030)); });
    s.rollback_batch();
    reader r(db.path());
    CHECK(r.count_cases() == 0);
}

TEST_CASE("Work one process at a time may do runs in one store while another holds it",
          "[adapters]") {
    temp_db where;
    store first(where.path(), options_at(nov23_china_0030));
    bool ran = false;
    CHECK(first.run_alone("sweep", [&](dialog::unit_of_work&) { ran = true; }));
    CHECK(ran);
    if (!on_postgres()) return;  // SQLite: the write lock itself keeps a second process waiting
    store second(where.path(), options_at(nov23_china_0030));
    bool second_ran = false, other_name_ran = false;
    first.run_alone("sweep", [&](dialog::unit_of_work&) {
        CHECK_FALSE(second.run_alone("sweep", [&](dialog::unit_of_work&) { second_ran = true; }));
        CHECK(second.run_alone("other", [&](dialog::unit_of_work&) { other_name_ran = true; }));
    });
    CHECK_FALSE(second_ran);
    CHECK(other_name_ran);
    // Released with the first's transaction.
    CHECK(second.run_alone("sweep", [&](dialog::unit_of_work&) { second_ran = true; }));
    CHECK(second_ran);
}

TEST_CASE("A message another process recorded first is answered with that process's reply",
          "[adapters]") {
    if (!on_postgres()) {
        // SQLite: one writer at a time per file; a second process waits for the first's commit
        // and then finds the key (covered by the duplicate tests).
        SUCCEED("PostgreSQL only");
        return;
    }
    temp_db where;
    store a(where.path(), options_at(nov23_china_0030));
    store b(where.path(), options_at(nov23_china_0030));
    const auto m = text_message("alice", "msg-race");
    for (const bool batched : {false, true}) {
        const std::string key = batched ? "msg-race-batched" : "msg-race";
        if (batched) a.begin_batch();
        const auto won_by_a = a.handle_once(m.from, key, m, [&](dialog::unit_of_work& uow) {
            // Meanwhile the other gateway handles the same push and commits first. (Before a
            // opens its case: a's number allocation would hold the day's counter row, which b,
            // run on this same thread, would wait for forever.)
            const auto by_b = b.handle_once(m.from, key, m, [](dialog::unit_of_work& other) {
                other.open_case(draft_for("alice", nov23_china_0030));
                return std::string("reply of b");
            });
            CHECK_FALSE(by_b.duplicate);
            uow.open_case(draft_for("alice", nov23_china_0030));
            return std::string("reply of a");
        });
        if (batched) a.commit_batch();
        CHECK(won_by_a.duplicate);
        CHECK(won_by_a.reply == "reply of b");
        CHECK(won_by_a.opened.empty());
    }
    // One case per message: a's were rolled back.
    reader r(where.path());
    CHECK(r.count_cases() == 2);
}
