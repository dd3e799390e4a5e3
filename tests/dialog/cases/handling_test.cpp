#include "dialog/cases/handling.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog;

namespace {

case_draft wish(std::string description, std::string urgency = "normal",
                std::string kind = "wish") {
    case_draft d;
    d.kind = std::move(kind);
    d.urgency = std::move(urgency);
    d.category = "民政";
    d.description = std::move(description);
    return d;
}

// The name of the rule that chooses d ("(none)" when none does).
std::string chosen(const handling_rules& rules, const case_draft& d,
                   std::string_view normalised = "") {
    const handling_rule* r = rules.choose(d, normalised.empty() ? d.description : normalised);
    return r ? r->name : "(none)";
}

std::string message_of(const std::vector<handling_rule>& rules) {
    try {
        handling_rules{rules};
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("the default rules send urgent wishes to express and home services to the station",
          "[dialog]") {
    const auto rules = handling_rules::defaults();
    REQUIRE(rules.rules().size() == 4);
    CHECK(chosen(rules, wish("家里老人突发重病，急需救助", "urgent")) == "urgent-wish");
    CHECK(chosen(rules, wish("我奶奶行动不便，想请人上门理发")) == "station-service");
    CHECK(chosen(rules, wish("独居老人想找人陪伴聊聊天")) == "station-service");
    CHECK(chosen(rules, wish("孩子数学跟不上，希望有人辅导功课")) == "station-service");
    CHECK(chosen(rules, wish("家里的水龙头坏了，希望有人帮忙维修")) == "station-service");
    CHECK(chosen(rules, wish("腿脚不方便，希望每天有人送餐")) == "station-service");
    CHECK(chosen(rules, wish("孩子上学缺一台电脑，希望有爱心人士帮助")) == "wish-pool");
    CHECK(chosen(rules, wish("小区路灯坏了", "normal", "complaint")) == "default");
    CHECK(chosen(rules, wish("有人上门理发吗", "normal", "consultation")) == "default");
    CHECK(chosen(rules, wish("路面塌陷很危险", "urgent", "complaint")) == "default");
    CHECK(chosen(rules, wish("社区想建一个健身角", "normal", "project")) == "default");

    const auto& r = rules.rules();
    CHECK(r[0].mode == mode::express);
    CHECK(r[1].mode == mode::station);
    CHECK(r[2].mode == mode::direct);
    CHECK(r[3].mode == mode::workers);
    for (const char* k : {"陪伴", "陪护", "理发", "剪发", "维修", "修理", "辅导", "送餐", "助浴",
                          "打扫", "探访", "代购", "读报"})
        CHECK(std::find(r[1].keywords.begin(), r[1].keywords.end(), k) != r[1].keywords.end());
}

TEST_CASE("the first matching rule wins", "[dialog]") {
    const auto rules = handling_rules::defaults();
    // Urgent and a home service: urgent-wish comes first.
    CHECK(chosen(rules, wish("老人摔倒了急需有人陪护", "urgent")) == "urgent-wish");

    handling_rules custom({
        {"repairs", std::string(mode::station), {}, {}, {"城建"}, {"维修"}},
        {"all-wishes", std::string(mode::direct), {"wish"}, {}, {}, {}},
        {"repairs-again", std::string(mode::express), {}, {}, {}, {"维修"}},
    });
    auto d = wish("门锁需要维修");
    CHECK(chosen(custom, d) == "all-wishes");  // category 民政 does not match "repairs"
    d.category = "城建";
    CHECK(chosen(custom, d) == "repairs");
    d.kind = "complaint";
    d.category = "民政";
    CHECK(chosen(custom, d) == "repairs-again");
    d.description = "门锁坏了";
    CHECK(chosen(custom, d) == "(none)");  // nothing matches: the service records "none"
    CHECK(handling_rules({}).choose(d, d.description) == nullptr);
}

TEST_CASE("keywords are sought in the normalised text", "[dialog]") {
    const auto rules = handling_rules::defaults();
    const auto d = wish("想請人上門理髮");  // Traditional, as the resident typed it
    CHECK(chosen(rules, d, "想请人上门理发") == "station-service");
    CHECK(chosen(rules, d, "想请人帮忙搬家") == "wish-pool");
}

TEST_CASE("a bad rule list is a configuration error naming the rule", "[dialog]") {
    CHECK(message_of({{"", "direct", {}, {}, {}, {}}}).find("name is empty") != std::string::npos);
    CHECK(message_of({{"a", "direct", {}, {}, {}, {}}, {"a", "station", {}, {}, {}, {}}})
              .find("\"a\"") != std::string::npos);
    const auto unknown = message_of({{"fast-lane", "teleport", {}, {}, {}, {}}});
    CHECK(unknown.find("fast-lane") != std::string::npos);
    CHECK(unknown.find("teleport") != std::string::npos);
    CHECK(message_of({{"ok", "", {}, {}, {}, {}}, {"ok2", "express", {}, {}, {}, {}}}) ==
          "(no error)");
}

TEST_CASE("modes have their program names and the wall takes direct and station", "[dialog]") {
    CHECK(mode_label(mode::express) == "速递");
    CHECK(mode_label(mode::direct) == "直达");
    CHECK(mode_label(mode::station) == "驿站");
    CHECK(mode_label(mode::workers).empty());
    CHECK(on_wish_wall(mode::direct));
    CHECK(on_wish_wall(mode::station));
    CHECK_FALSE(on_wish_wall(mode::express));
    CHECK_FALSE(on_wish_wall(mode::workers));
}
