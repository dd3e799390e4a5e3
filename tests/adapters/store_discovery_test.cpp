#include "adapters/db/discovery.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "adapters/db/discovery_months.hpp"
#include "adapters/db/store.hpp"
#include "store_test_support.hpp"

namespace {

using namespace minsheng::adapters::db;
using namespace minsheng::adapters::db::testing;
namespace dd = minsheng::dialog::discovery;
namespace dialog = minsheng::dialog;

constexpr std::int64_t t0 = nov23_china_0030;
const discovery_keys keys("a test secret of enough length, 0123456789");

discovery_row row(const std::string& id, const std::string& indicator,
                  const std::string& phone = "", const std::string& day = "2026-10-01") {
    discovery_row r;
    r.household = keys.household_key(id);
    if (!phone.empty()) {
        r.phone_key = keys.phone_key(phone);
        r.phone_masked = phone.substr(0, 3) + "****" + phone.substr(7);
    }
    r.indicator = indicator;
    r.day = day;
    r.amount_fen = 1234500;
    r.community = "东城社区";
    return r;
}

void wish_from(store& s, const std::string& user, const std::string& text, std::int64_t at,
               const std::string& kind = "wish") {
    s.run([&](dialog::unit_of_work& uow) {
        auto d = draft_for(user, at, kind, "民政");
        d.description = text;
        d.community = "东城社区";
        uow.open_case(d);
    });
}

void person_with_phone(store& s, const std::string& user, const std::string& phone, bool verified) {
    s.run([&](dialog::unit_of_work& uow) {
        dialog::person p;
        p.who = {dialog::channel::wechat_oa, user};
        p.phone = phone;
        p.phone_verified_at = verified ? t0 - 100 : 0;
        p.community = "东城社区";
        uow.save_person(p);
    });
}

const dd::household* find(const std::vector<dd::household>& hs, const std::string& key) {
    for (const auto& h : hs)
        if (h.key == key) return &h;
    return nullptr;
}

}  // namespace

TEST_CASE("household keys are keyed hashes: stable, distinct, and secret-dependent",
          "[adapters][discovery]") {
    const std::string id = "110105194912310021";
    CHECK(keys.household_key(id) == keys.household_key(id));
    CHECK(keys.household_key(id).starts_with("id:"));
    CHECK(keys.household_key(id).size() == 3 + 64);
    CHECK(keys.household_key(id).find(id) == std::string::npos);
    CHECK(keys.household_key(id) != keys.household_key("11010519491231002X"));
    const discovery_keys other("another secret of enough length, 9876543210");
    CHECK(other.household_key(id) != keys.household_key(id));
    CHECK(keys.phone_key("13800138000").starts_with("phone:"));
    CHECK_THROWS_AS(discovery_keys("short"), std::invalid_argument);
}

TEST_CASE("importing a department's rows twice changes nothing", "[adapters][discovery]") {
    temp_db db;
    store s(db.path(), options_at(t0));
    const std::vector<discovery_row> rows = {
        row("110105194912310021", "大病支出", "13900001111"),
        row("110105194912310021", "大病支出", "13900001111", "2026-11-01"),
        row("11010519491231002X", "在册")};
    const auto first = import_discovery_rows(s, "医保", rows, t0);
    CHECK(first.rows == 3);
    CHECK(first.added == 3);
    CHECK(first.links == 1);
    const auto again = import_discovery_rows(s, "医保", rows, t0 + 60);
    CHECK(again.added == 0);
    CHECK(again.links == 0);
    CHECK(count_rows(db.path(), "discovery_records") == 3);
    CHECK(count_rows(db.path(), "discovery_phone_links") == 1);
    // The same rows from another department are that department's.
    CHECK(import_discovery_rows(s, "民政", rows, t0).added == 3);
    CHECK_THROWS_AS(import_discovery_rows(s, "", rows, t0), std::invalid_argument);
}

TEST_CASE("own cases join a department's household through a verified phone",
          "[adapters][discovery]") {
    temp_db db;
    store s(db.path(), options_at(t0));
    const std::string id = "110105194912310021";
    import_discovery_rows(s, "医保", {row(id, "大病支出", "13900001111")}, t0);
    import_discovery_rows(s, "民政", {row("11010519491231002X", "低保在册", "13900002222")}, t0);

    person_with_phone(s, "o-verified", "13900001111", true);
    person_with_phone(s, "o-unverified", "13900003333", false);
    person_with_phone(s, "o-listed", "13900002222", true);
    wish_from(s, "o-verified", "孩子的学费交不上", t0 - 86400);
    wish_from(s, "o-unverified", "住院的医药费太多了", t0 - 86400);
    wish_from(s, "o-listed", "住院的医药费太多了", t0 - 86400);
    // A hotline caller's number is the channel's word for it.
    s.run([&](dialog::unit_of_work& uow) {
        auto d = draft_for("13900001111", t0 - 3600, "complaint", "人社");
        d.from = dialog::channel::hotline;
        d.description = "老板拖欠工资两个月了";
        d.community = "东城社区";
        uow.open_case(d);
    });

    reader r(db.path(), options_at(t0));
    const auto hs = gather_discovery(r, keys, t0 - 365 * 86400, 3);
    const auto* h = find(hs, keys.household_key(id));
    REQUIRE(h != nullptr);
    CHECK(h->community == "东城社区");
    CHECK(h->phone == "139****1111");
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& sg : h->signals) seen.insert({sg.source, sg.indicator});
    CHECK(seen == std::set<std::pair<std::string, std::string>>{{"医保", "大病支出"},
                                                                {"民生平台", "school_fees"},
                                                                {"12345热线", "lost_work"}});
    // The unverified phone is nobody's household.
    CHECK(find(hs, keys.phone_key("13900003333")) == nullptr);
    // The household on the 民政 list is gathered, marked, and ranked out.
    const auto* listed = find(hs, keys.household_key("11010519491231002X"));
    REQUIRE(listed != nullptr);
    CHECK(listed->on_assistance_list);

    const auto ranked = dd::rank(hs, dd::policy::defaults(), t0);
    REQUIRE_FALSE(ranked.empty());
    CHECK(ranked[0].key == keys.household_key(id));
    CHECK(ranked[0].overlap == 3);
    for (const auto& e : ranked) CHECK(e.key != listed->key);
}

TEST_CASE("three wishes are repeated wishes, and a visit is read back as the last one",
          "[adapters][discovery]") {
    temp_db db;
    store s(db.path(), options_at(t0));
    person_with_phone(s, "o-many", "13900004444", true);
    for (int i = 0; i < 3; ++i) wish_from(s, "o-many", "想要一套儿童绘本", t0 - (i + 1) * 86400);
    const auto key = keys.phone_key("13900004444");
    record_discovery_visit(s, key, dd::outcome::not_needed, "s-east", t0 - 3600);
    record_discovery_visit(s, key, dd::outcome::referred, "s-east", t0 - 60);

    reader r(db.path(), options_at(t0));
    const auto hs = gather_discovery(r, keys, t0 - 365 * 86400, 3);
    const auto* h = find(hs, key);
    REQUIRE(h != nullptr);
    REQUIRE(h->signals.size() == 1);
    CHECK(h->signals[0].indicator == dd::repeated_wishes);
    CHECK(h->signals[0].ref == "3");
    REQUIRE(h->last_visit);
    CHECK(h->last_visit->result == dd::outcome::referred);
    CHECK(h->last_visit->at == t0 - 60);
    // Two wishes are not repeated wishes.
    CHECK(find(gather_discovery(r, keys, t0 - 365 * 86400, 4), key) == nullptr);
}

TEST_CASE("the monthly list is kept once per month, with its notifications, and read back",
          "[adapters][discovery]") {
    temp_db db;
    store s(db.path(), options_at(t0));
    import_discovery_rows(s, "医保", {row("110105194912310021", "大病支出", "13900001111")}, t0);
    person_with_phone(s, "o-verified", "13900001111", true);
    wish_from(s, "o-verified", "孩子的学费交不上", t0 - 86400);
    person_with_phone(s, "o-other", "13900004444", true);
    wish_from(s, "o-other", "房租交不起了", t0 - 86400);

    int asked = 0;
    const auto notices = [&](const std::vector<dd::ranked>& list) {
        ++asked;
        dialog::notification n;
        n.audience = "supervisor";
        n.community = "东城社区";
        n.template_key = "notify/discovery_ready";
        n.text = "名单已生成：" + std::to_string(list.size());
        n.idempotency_key = "discovery:2026-11:东城街道";
        n.created_at = t0;
        return std::vector<dialog::notification>{n};
    };
    const auto kept =
        keep_monthly_discovery(s, keys, "2026-11", dd::policy::defaults(), t0, notices);
    REQUIRE(kept);
    REQUIRE(kept->size() == 2);
    CHECK((*kept)[0].key == keys.household_key("110105194912310021"));  // two sources
    CHECK(asked == 1);
    // Again (another sweep, another gateway): nothing is computed or written.
    CHECK_FALSE(
        keep_monthly_discovery(s, keys, "2026-11", dd::policy::defaults(), t0 + 60, notices));
    CHECK(asked == 1);

    reader r(db.path(), options_at(t0));
    const auto month = monthly_discovery(r, "2026-11");
    REQUIRE(month);
    CHECK(month->computed_at == t0);
    REQUIRE(month->entries.size() == 2);
    CHECK(month->entries[0].household == keys.household_key("110105194912310021"));
    CHECK(month->entries[0].position == 1);
    CHECK(month->entries[0].community == "东城社区");
    CHECK(month->entries[0].overlap == 2);
    CHECK(month->entries[0].weight == Approx((*kept)[0].weight));
    CHECK(month->entries[1].position == 2);
    CHECK_FALSE(monthly_discovery(r, "2026-10"));
    const auto outbox = r.list_outbox(outbox_filter{});
    REQUIRE(outbox.size() == 1);
    CHECK(outbox[0].n.text == "名单已生成：2");
}
