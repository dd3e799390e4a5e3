// 微实事 proposals by chat: propose, vote (and each refusal), the vote that passes, the list.
#include "dialog/conversation/conversation.hpp"

#include <catch2/catch.hpp>

#include "conversation_fixture.hpp"

using namespace conversation_tests;

namespace {

// The YS number in a reply, "" when none.
std::string proposal_number(const std::string& text) {
    auto at = text.find("YS");
    return at == std::string::npos ? "" : text.substr(at, 15);
}

std::optional<dialog::proposal> proposal_of(fixture& f, const std::string& number) {
    std::optional<dialog::proposal> p;
    f.with([&](dialog::unit_of_work& uow) { p = uow.find_proposal(number); });
    return p;
}

}  // namespace

TEST_CASE("提议 by a resident of a community opens a proposal with its threshold", "[dialog]") {
    fixture f;
    f.register_volunteer("resident-1");
    auto out = f.reply("resident-1", "提议 小区门口加装一排电动车充电桩", t0 + 60);
    auto number = proposal_number(out);
    REQUIRE(number.size() == 15);
    CHECK(has(out, "5位"));  // the default threshold
    CHECK(has(out, "投票 " + number));
    auto p = proposal_of(f, number);
    REQUIRE(p);
    CHECK(p->community == "光明社区");
    CHECK(p->status == "open");
    CHECK(p->description == "小区门口加装一排电动车充电桩");
    CHECK(p->title == "小区门口加装一排电动车充电桩");
}

TEST_CASE("提议 without a community asks for it first", "[dialog]") {
    fixture f;
    auto ask = f.reply("resident-1", "我提議在小區門口加裝充電樁");  // Traditional
    CHECK(has(ask, "哪个社区"));
    CHECK(proposal_number(ask).empty());
    auto out = f.reply("resident-1", "东坑村", t0 + 60);
    auto number = proposal_number(out);
    REQUIRE(number.size() == 15);
    auto p = proposal_of(f, number);
    REQUIRE(p);
    CHECK(p->community == "东坑村");
    CHECK(p->description == "在小區門口加裝充電樁");
}

TEST_CASE("建议小区… is a proposal; 提议 alone lists and explains", "[dialog]") {
    fixture f;
    f.register_volunteer("resident-1");
    auto out = f.reply("resident-1", "建议小区增加健身器材");
    CHECK(proposal_number(out).size() == 15);
    auto listed = f.reply("resident-1", "提议", t0 + 60);
    CHECK(has(listed, proposal_number(out)));
    CHECK(has(listed, "健身器材"));
}

TEST_CASE("votes count; a second vote, another community and an unknown number are refused",
          "[dialog]") {
    fixture f;
    f.register_volunteer("resident-1");
    f.register_volunteer("neighbour-1");
    f.verify_phone("neighbour-1");
    f.register_volunteer("outsider", "东城社区");
    auto number = proposal_number(f.reply("resident-1", "提议 小区门口加装电动车充电桩"));
    REQUIRE(number.size() == 15);

    auto counted = f.reply("neighbour-1", "投票 " + number, t0 + 60);
    CHECK(has(counted, "投票成功"));
    CHECK(has(counted, "1票"));
    auto twice = f.reply("neighbour-1", "支持 " + number, t0 + 70);
    CHECK(has(twice, "投过票"));
    auto outsider = f.reply("outsider", "投票 " + number, t0 + 80);
    CHECK(has(outsider, "只有本社区居民"));
    CHECK(has(f.reply("neighbour-1", "投票 YS20261123-0099", t0 + 90), "没有找到"));
    CHECK(proposal_of(f, number)->votes == 1);
}

TEST_CASE("the vote that reaches the threshold makes it a project with a case number", "[dialog]") {
    fixture f;
    f.register_volunteer("resident-1");
    auto number = proposal_number(f.reply("resident-1", "提议 小区门口加装电动车充电桩"));
    REQUIRE(number.size() == 15);
    for (int i = 1; i <= 4; ++i) {
        const std::string voter = "neighbour-" + std::to_string(i);
        f.register_volunteer(voter);
        f.verify_phone(voter);
        CHECK(has(f.reply(voter, "投票 " + number, t0 + 60 * i), "投票成功"));
    }
    f.register_volunteer("neighbour-5");
    f.verify_phone("neighbour-5");
    auto passed = f.reply("neighbour-5", "支持" + number, t0 + 600);
    CHECK(has(passed, "立项"));
    auto p = proposal_of(f, number);
    REQUIRE(p);
    CHECK(p->status == "passed");
    REQUIRE(p->case_id != 0);
    std::optional<dialog::case_record> project;
    f.with([&](dialog::unit_of_work& uow) { project = uow.get_case(p->case_id); });
    REQUIRE(project);
    CHECK(project->kind == "project");
    CHECK(has(passed, project->number));
    // It takes no more votes.
    f.register_volunteer("neighbour-6");
    f.verify_phone("neighbour-6");
    CHECK(has(f.reply("neighbour-6", "投票 " + number, t0 + 700), "不需要再投票"));
}

TEST_CASE("议题 lists the community's open proposals with votes and threshold", "[dialog]") {
    fixture f;
    CHECK(has(f.reply("resident-1", "议题"), "暂时没有"));
    f.register_volunteer("resident-1");
    auto number = proposal_number(f.reply("resident-1", "提议 小区门口加装电动车充电桩"));
    f.register_volunteer("neighbour-1");
    f.verify_phone("neighbour-1");
    f.reply("neighbour-1", "投票 " + number, t0 + 60);
    auto listed = f.reply("neighbour-1", "議題", t0 + 120);  // Traditional
    CHECK(has(listed, number));
    CHECK(has(listed, "1/5"));
    // Another community does not see it.
    f.register_volunteer("outsider", "东城社区");
    CHECK_FALSE(has(f.reply("outsider", "提议列表", t0 + 120), number));
}

TEST_CASE("a resident's first vote asks their community once, remembers it, then counts",
          "[dialog]") {
    fixture f;
    for (const char* who : {"proposer", "neighbour"}) f.verify_phone(who);
    auto ask = f.reply("proposer", "提议 小区门口加装电动车充电桩");
    CHECK(has(ask, "哪个社区"));
    auto number = proposal_number(f.reply("proposer", "光明社区", t0 + 10));
    REQUIRE(number.size() == 15);

    // A resident who never said where they live is asked before the vote counts.
    auto asked = f.reply("neighbour", "投票 " + number, t0 + 60);
    CHECK(has(asked, "哪个社区"));
    CHECK(proposal_of(f, number)->votes == 0);
    auto counted = f.reply("neighbour", "光明社区", t0 + 70);
    CHECK(has(counted, "投票成功"));
    CHECK(proposal_of(f, number)->votes == 1);
    // Remembered: the next vote is not asked again, only refused as a second vote.
    CHECK(has(f.reply("neighbour", "投票 " + number, t0 + 80), "投过票"));
    // The proposer's community was remembered too: they vote without being asked.
    CHECK(has(f.reply("proposer", "投票 " + number, t0 + 90), "投票成功"));
    // Someone from elsewhere answers with their own community and is refused.
    f.reply("outsider", "投票 " + number, t0 + 100);
    CHECK(has(f.reply("outsider", "东城社区", t0 + 110), "只有本社区居民"));
    // Cancelling the question leaves no vote behind.
    f.reply("undecided", "投票 " + number, t0 + 120);
    f.reply("undecided", "取消", t0 + 130);
    CHECK(proposal_of(f, number)->votes == 2);
}

TEST_CASE("a sixth 提议 on one day is declined politely, and the next day is taken", "[dialog]") {
    fixture f;
    f.register_volunteer("resident-1");
    for (int i = 1; i <= 5; ++i) {
        auto out = f.reply("resident-1", "提议 小区第" + std::to_string(i) + "排加装电动车充电桩",
                           t0 + 60 * i);
        CHECK(proposal_number(out).size() == 15);
    }
    auto declined = f.reply("resident-1", "提议 小区门口加装一排长椅", t0 + 600);
    CHECK(proposal_number(declined).empty());
    CHECK(has(declined, "每人每天最多提5条"));
    CHECK(has(declined, "明天"));
    std::int64_t made = 0;
    f.with([&](dialog::unit_of_work& uow) {
        made = uow.count_proposals({dialog::channel::wechat_oa, "resident-1"}, 0);
    });
    CHECK(made == 5);
    // A neighbour is not held to it, and the proposer may propose again the next day.
    f.register_volunteer("neighbour-1");
    f.verify_phone("neighbour-1");
    CHECK(proposal_number(f.reply("neighbour-1", "提议 小区门口加装一排长椅", t0 + 700)).size() ==
          15);
    CHECK(proposal_number(f.reply("resident-1", "提议 小区门口加装一排长椅", t0 + 86400)).size() ==
          15);
}

TEST_CASE("a vote without a verified phone is refused with how to bind one, and not counted",
          "[dialog]") {
    fixture f;
    f.register_volunteer("resident-1");
    auto number = proposal_number(f.reply("resident-1", "提议 小区门口加装电动车充电桩"));
    REQUIRE(number.size() == 15);
    f.register_volunteer("neighbour-1");
    auto refused = f.reply("neighbour-1", "投票 " + number, t0 + 60);
    CHECK(has(refused, "绑定手机"));
    CHECK(has(refused, number));
    CHECK(proposal_of(f, number)->votes == 0);
    f.verify_phone("neighbour-1");
    CHECK(has(f.reply("neighbour-1", "投票 " + number, t0 + 120), "投票成功"));
}
