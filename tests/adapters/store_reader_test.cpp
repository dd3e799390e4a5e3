#include "adapters/db/store.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/adapters/store_test_support.hpp"

namespace {

using namespace minsheng;
using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;

// Opens the given drafts, one message each, keys "<prefix><i>".
std::vector<dialog::case_record> open_all(store& s, const std::vector<dialog::case_draft>& drafts,
                                          const std::string& prefix = "m") {
    std::vector<dialog::case_record> out;
    for (std::size_t i = 0; i < drafts.size(); ++i) {
        const auto key = prefix + std::to_string(i);
        auto h = s.handle_once(drafts[i].from, key, text_message(drafts[i].reporter_id, key),
                               [&](dialog::unit_of_work& uow) {
                                   uow.open_case(drafts[i]);
                                   return std::string();
                               });
        out.push_back(h.opened.at(0));
    }
    return out;
}

std::vector<std::string> numbers_of(const std::vector<dialog::case_record>& cases) {
    std::vector<std::string> out;
    for (const auto& c : cases) out.push_back(c.number);
    return out;
}

dialog::case_draft draft(const std::string& kind, const std::string& category,
                         dialog::channel from = dialog::channel::wechat_oa) {
    auto d = draft_for("u", nov23_china_0030, kind, category);
    d.from = from;
    return d;
}

}  // namespace

TEST_CASE("A reader refuses a database file that does not exist, and does not create it",
          "[adapters]") {
    if (on_postgres()) {
        // A database the server does not have.
        std::string url = pg_base_url();
        const auto query = url.find('?');
        const auto slash = url.rfind('/', query == std::string::npos ? url.size() : query);
        REQUIRE(slash != std::string::npos);
        url.replace(slash + 1, (query == std::string::npos ? url.size() : query) - slash - 1,
                    "minsheng_no_such_database");
        CHECK_THROWS_AS(reader(url), store_error);
        // An empty schema is refused, and left empty.
        temp_db empty;
        CHECK_THROWS_AS(reader(empty.path()), store_error);
        CHECK_FALSE(table_exists(*raw_connection(empty.path()), "schema_migrations"));
        return;
    }
    temp_db file;
    CHECK_THROWS_AS(reader(file.path()), store_error);
    CHECK_THROWS_WITH(reader(file.path()), Catch::Contains("open reader"));
    CHECK_FALSE(std::filesystem::exists(file.path()));
}

TEST_CASE("A reader refuses a database no store has migrated", "[adapters]") {
    temp_db file;
    raw_connection(file.path())->exec("CREATE TABLE unrelated (x INTEGER)");
    CHECK_THROWS_WITH(reader(file.path()), Catch::Contains("has no schema"));
}

TEST_CASE("A reader lists cases newest first, filtered by status, kind, category and channel",
          "[adapters]") {
    temp_db file;
    store s(file.path());
    auto opened = open_all(s, {
                                  draft("complaint", "城管"),                               // 0
                                  draft("wish", "民政"),                                    // 1
                                  draft("complaint", "住建"),                               // 2
                                  draft("complaint", "城管", dialog::channel::hotline),     // 3
                                  draft("consultation", "", dialog::channel::miniprogram),  // 4
                                  draft("complaint", "城管"),                               // 5
                              });
    auto n = numbers_of(opened);
    reader r(file.path());

    CHECK(numbers_of(r.list_cases(case_filter{})) ==
          std::vector{n[5], n[4], n[3], n[2], n[1], n[0]});

    case_filter f;
    f.kind = "complaint";
    CHECK(numbers_of(r.list_cases(f)) == std::vector{n[5], n[3], n[2], n[0]});
    CHECK(r.count_cases(f) == 4);

    f.category = "城管";
    CHECK(numbers_of(r.list_cases(f)) == std::vector{n[5], n[3], n[0]});

    f.from = dialog::channel::hotline;
    CHECK(numbers_of(r.list_cases(f)) == std::vector{n[3]});
    CHECK(r.count_cases(f) == 1);

    case_filter by_channel;
    by_channel.from = dialog::channel::miniprogram;
    CHECK(numbers_of(r.list_cases(by_channel)) == std::vector{n[4]});

    case_filter empty_category;
    empty_category.category = "";
    CHECK(numbers_of(r.list_cases(empty_category)) == std::vector{n[4]});

    case_filter received;
    received.status = "received";
    CHECK(r.list_cases(received).size() == 6);
    received.status = "closed";
    CHECK(r.list_cases(received).empty());
    CHECK(r.count_cases(received) == 0);

    case_filter wish;
    wish.kind = "wish";
    auto wishes = r.list_cases(wish);
    REQUIRE(wishes.size() == 1);
    CHECK(wishes[0].id == opened[1].id);
    CHECK(wishes[0].category == "民政");
    CHECK(wishes[0].description == opened[1].description);
}

TEST_CASE("A reader pages through cases with before_id without gaps or overlaps", "[adapters]") {
    temp_db file;
    store s(file.path());
    std::vector<dialog::case_draft> drafts(25, draft("complaint", "城管"));
    auto opened = open_all(s, drafts);
    reader r(file.path());

    std::vector<std::int64_t> seen;
    case_filter f;
    f.limit = 10;
    std::vector<std::size_t> page_sizes;
    for (;;) {
        auto page = r.list_cases(f);
        page_sizes.push_back(page.size());
        for (const auto& c : page) seen.push_back(c.id);
        if (page.size() < f.limit) break;
        f.before_id = page.back().id;
    }
    CHECK(page_sizes == std::vector<std::size_t>{10, 10, 5});
    REQUIRE(seen.size() == 25);
    for (std::size_t i = 0; i < seen.size(); ++i)
        CHECK(seen[i] == opened[opened.size() - 1 - i].id);

    case_filter negative;
    negative.before_id = -5;  // treated as "from the newest"
    CHECK(r.list_cases(negative).size() == 25);
}

TEST_CASE("A reader clamps the list limit to between 1 and 1000", "[adapters]") {
    temp_db file;
    store s(file.path());
    s.handle_once(dialog::channel::wechat_oa, "bulk", text_message("u", "bulk"),
                  [](dialog::unit_of_work& uow) {
                      for (int i = 0; i < 1005; ++i)
                          uow.open_case(draft_for("u", nov23_china_0030));
                      return std::string();
                  });
    reader r(file.path());
    case_filter f;
    f.limit = 0;
    CHECK(r.list_cases(f).size() == 1);
    f.limit = 5000;
    auto all = r.list_cases(f);
    CHECK(all.size() == 1000);
    CHECK(all.front().number == "MS20261123-1005");
    CHECK(r.count_cases() == 1005);
}

TEST_CASE("A reader finds a case by id and by number, and reports a missing one as empty",
          "[adapters]") {
    temp_db file;
    store s(file.path());
    auto opened = open_all(s, {draft("wish", "民政"), draft("complaint", "城管")});
    reader r(file.path());

    auto by_id = r.get_case(opened[1].id);
    REQUIRE(by_id);
    CHECK(by_id->number == opened[1].number);
    CHECK(by_id->kind == "complaint");

    auto by_number = r.get_case_by_number(opened[0].number);
    REQUIRE(by_number);
    CHECK(by_number->id == opened[0].id);
    CHECK(by_number->kind == "wish");

    CHECK_FALSE(r.get_case(999));
    CHECK_FALSE(r.get_case(0));
    CHECK_FALSE(r.get_case_by_number("MS20000101-0001"));
    // The cached statements are reusable after a miss.
    CHECK(r.get_case(opened[0].id));
    CHECK(r.get_case_by_number(opened[1].number));
}

TEST_CASE("A reader sees transactions committed after it was opened", "[adapters]") {
    temp_db file;
    store s(file.path());
    reader r(file.path());
    CHECK(r.count_cases() == 0);
    CHECK(r.list_cases(case_filter{}).empty());
    auto first = open_all(s, {draft("wish", "民政")}, "a");
    CHECK(r.count_cases() == 1);
    CHECK(r.list_cases(case_filter{}).size() == 1);
    CHECK(r.get_case(first[0].id));
    auto second = open_all(s, {draft("wish", "民政")}, "b");
    CHECK(r.count_cases() == 2);
    CHECK(r.list_cases(case_filter{}).front().id == second[0].id);
    CHECK(r.get_case_by_number(second[0].number));
}

TEST_CASE("A reader opens a database whose store has already closed", "[adapters]") {
    temp_db file;
    {
        store s(file.path());
        open_all(s, {draft("wish", "民政")});
    }
    reader r(file.path());
    CHECK(r.count_cases() == 1);
    // And a store opened afterwards writes while the reader stays usable.
    store s(file.path());
    open_all(s, {draft("wish", "民政")}, "later");
    CHECK(r.count_cases() == 2);
}

TEST_CASE("A store writing on one thread and readers on others never meet a busy error",
          "[adapters]") {
    temp_db file;
    auto writer_store = std::make_unique<store>(file.path());
    constexpr int messages = 300;

    std::atomic<bool> done{false};
    std::mutex errors_mu;
    std::vector<std::string> errors;
    auto record = [&](const std::string& e) {
        std::lock_guard lock(errors_mu);
        errors.push_back(e);
    };

    std::thread writing([&] {
        try {
            for (int i = 0; i < messages; ++i) {
                const auto key = "m" + std::to_string(i);
                writer_store->handle_once(
                    dialog::channel::wechat_oa, key, text_message("u" + std::to_string(i % 7), key),
                    [&](dialog::unit_of_work& uow) {
                        const auto user = "u" + std::to_string(i % 7);
                        uow.open_case(draft_for(user, nov23_china_0030));
                        uow.save_state(dialog::channel::wechat_oa, user, std::to_string(i));
                        return std::string("ok");
                    });
            }
        } catch (const std::exception& e) {
            record(std::string("writer: ") + e.what());
        }
        done = true;
    });

    auto read_loop = [&] {
        try {
            reader r(file.path());
            std::int64_t last_count = 0;
            do {
                const auto count = r.count_cases();
                if (count < last_count) record("count went backwards");
                last_count = count;
                case_filter f;
                f.limit = 20;
                auto page = r.list_cases(f);
                for (std::size_t i = 1; i < page.size(); ++i)
                    if (page[i - 1].id <= page[i].id) record("page not newest first");
                if (!page.empty() && !r.get_case_by_number(page.front().number))
                    record("a listed case could not be fetched");
            } while (!done);
        } catch (const std::exception& e) {
            record(std::string("reader: ") + e.what());
        }
    };
    std::thread reading_1(read_loop);
    std::thread reading_2(read_loop);
    writing.join();
    reading_1.join();
    reading_2.join();

    CHECK(errors.empty());
    for (const auto& e : errors) UNSCOPED_INFO(e);
    reader r(file.path());
    CHECK(r.count_cases() == messages);
    auto newest = r.list_cases(case_filter{});
    REQUIRE_FALSE(newest.empty());
    CHECK(newest.front().number == "MS20261123-0300");
}
