#include "dialog/discovery/scoring.hpp"

#include <catch2/catch.hpp>

namespace {

namespace dd = minsheng::dialog::discovery;

constexpr std::int64_t now = 1795365000;  // 2026-11-23 00:30 China time
constexpr std::int64_t day = 86400;

dd::signal sig(std::string source, std::string indicator, std::int64_t at = now - 10 * day) {
    dd::signal s;
    s.source = std::move(source);
    s.indicator = std::move(indicator);
    s.at = at;
    s.ref = "MS20261101-0001";
    return s;
}

dd::household house(std::string key, std::vector<dd::signal> signals) {
    dd::household h;
    h.key = std::move(key);
    h.community = "东城社区";
    h.signals = std::move(signals);
    return h;
}

std::vector<std::string> keys(const std::vector<dd::ranked>& r) {
    std::vector<std::string> out;
    for (const auto& e : r) out.push_back(e.key);
    return out;
}

}  // namespace

TEST_CASE("households rank by the number of distinct sources, then by weight", "[dialog]") {
    const auto p = dd::policy::defaults();
    std::vector<dd::household> hs = {
        // Many signals, one source: less overlap than two sources with one signal each.
        house("id:one-source", {sig("民生平台", "medical_bills"), sig("民生平台", "school_fees"),
                                sig("民生平台", "housing")}),
        house("id:two-sources", {sig("医保", "大病支出"), sig("民生平台", "medical_bills")}),
        house("id:three-sources",
              {sig("医保", "大病支出"), sig("教育", "助学申请"), sig("12345热线", "lost_work")}),
        house("id:two-heavier", {sig("医保", "大病支出"), sig("民生平台", "urgent_medical")}),
    };
    const auto r = dd::rank(hs, p, now);
    CHECK(keys(r) == std::vector<std::string>{"id:three-sources", "id:two-heavier",
                                              "id:two-sources", "id:one-source"});
    CHECK(r[0].overlap == 3);
    CHECK(r[0].weight == Approx(6.0));
    CHECK(r[0].why.size() == 3);
    CHECK(r[3].overlap == 1);
}

TEST_CASE("a repeated signal of one source counts once, and old signals not at all", "[dialog]") {
    const auto p = dd::policy::defaults();
    std::vector<dd::household> hs = {
        house("id:a",
              {sig("医保", "大病支出", now - 5 * day), sig("医保", "大病支出", now - 40 * day),
               sig("医保", "大病支出", now - 70 * day)}),
        house("id:old", {sig("医保", "大病支出", now - 400 * day)}),
    };
    const auto r = dd::rank(hs, p, now);
    REQUIRE(r.size() == 1);
    CHECK(r[0].weight == Approx(p.department_weight));
    REQUIRE(r[0].why.size() == 1);
    CHECK(r[0].why[0].at == now - 5 * day);  // the newest is the one shown
}

TEST_CASE("a household on an assistance list is not listed", "[dialog]") {
    auto h = house("id:on-list", {sig("医保", "大病支出"), sig("民生平台", "medical_bills")});
    h.on_assistance_list = true;
    CHECK(dd::rank({h}, dd::policy::defaults(), now).empty());
    CHECK(dd::marks_assistance("在册"));
    CHECK(dd::marks_assistance("低保在册"));
    CHECK_FALSE(dd::marks_assistance("大病支出"));
}

TEST_CASE("a visit's outcome feeds the next list", "[dialog]") {
    const auto p = dd::policy::defaults();
    const auto base = house(
        "id:v", {sig("医保", "大病支出", now - 30 * day), sig("教育", "助学申请", now - 30 * day)});
    const auto other = house("id:w", {sig("医保", "大病支出", now - 30 * day)});

    SECTION("granted or not needed: out for the quiet time, back only with new signals") {
        for (auto o : {dd::outcome::granted, dd::outcome::not_needed}) {
            auto h = base;
            h.last_visit = dd::visit{o, now - 20 * day};
            CHECK(keys(dd::rank({h, other}, p, now)) == std::vector<std::string>{"id:w"});
            // After the quiet time, the signals the visit saw still do not count...
            const auto later = now - 20 * day + p.quiet_seconds + day;
            CHECK(dd::rank({h}, p, later).empty());
            // ...a newer one does.
            h.signals.push_back(sig("民政", "临时救助申请", later - day));
            CHECK(keys(dd::rank({h}, p, later)) == std::vector<std::string>{"id:v"});
        }
    }
    SECTION("referred: stays, after the households not yet visited") {
        auto h = base;
        h.last_visit = dd::visit{dd::outcome::referred, now - 20 * day};
        const auto r = dd::rank({h, other}, p, now);
        CHECK(keys(r) == std::vector<std::string>{"id:w", "id:v"});
        CHECK(r[1].referred);
        CHECK(r[1].weight == Approx(2 * p.department_weight * p.referred_factor));
    }
}

TEST_CASE("a case's kinds of need come from its kind, urgency, channel and words", "[dialog]") {
    using V = std::vector<std::string_view>;
    CHECK(dd::needs_of_case("wish", "normal", "孩子的学费交不上了", false) == V{dd::school_fees});
    CHECK(dd::needs_of_case("wish", "normal", "老伴住院，醫藥費欠了好多", false) ==
          V{dd::medical_bills});
    CHECK(dd::needs_of_case("wish", "urgent", "妈妈要做手术，急需帮助", false) ==
          V{dd::urgent_medical});
    CHECK(dd::needs_of_case("consultation", "urgent", "孩子马上开学，入学手续办不了", false) ==
          V{dd::urgent_schooling});
    CHECK(dd::needs_of_case("wish", "normal", "房租交不起，快没地方住了", false) == V{dd::housing});
    CHECK(dd::needs_of_case("complaint", "normal", "老板拖欠工资三个月", true) == V{dd::lost_work});
    // A complaint about the neighbourhood is no hardship of the household.
    CHECK(dd::needs_of_case("complaint", "normal", "小区门口路灯不亮", false).empty());
    CHECK(dd::needs_of_case("complaint", "normal", "医院门口乱停车", false).empty());
    CHECK(dd::needs_of_case("wish", "normal", "想要一套儿童绘本", false).empty());
}

TEST_CASE("visit outcomes read back from their names only", "[dialog]") {
    for (auto o : {dd::outcome::granted, dd::outcome::referred, dd::outcome::not_needed})
        CHECK(dd::parse_outcome(dd::to_string(o)) == o);
    CHECK_FALSE(dd::parse_outcome("done"));
    CHECK_FALSE(dd::parse_outcome(""));
}
