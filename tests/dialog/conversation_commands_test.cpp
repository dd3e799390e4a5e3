// The explicit command forms and short answers, recognised on the real engine's understanding of
// Simplified and Traditional text; and the pending-state JSON.
#include "dialog/conversation/detail/commands.hpp"

#include <catch2/catch.hpp>

#include "conversation_fixture.hpp"
#include "dialog/conversation/detail/state.hpp"

using namespace conversation_tests;
namespace detail = minsheng::dialog::detail;
using detail::verb;

namespace {

detail::command parse(const std::string& text) {
    auto u = nlu().understand(text);
    return detail::parse_command(u, text);
}

}  // namespace

TEST_CASE("volunteer commands are recognised in Simplified and Traditional script", "[dialog]") {
    struct row {
        const char* text;
        verb what;
        const char* number;
    };
    const row rows[] = {
        {"认领 WX20261123-0001", verb::claim, "WX20261123-0001"},
        {"认领WX20261123-0001", verb::claim, "WX20261123-0001"},
        {"我想認領 WX20261123-0001", verb::claim, "WX20261123-0001"},
        {"放弃 WX20261123-0001", verb::release, "WX20261123-0001"},
        {"取消认领 WX20261123-0001", verb::release, "WX20261123-0001"},
        {"取消認領 WX20261123-0001", verb::release, "WX20261123-0001"},
        {"开始 WX20261123-0001", verb::start, "WX20261123-0001"},
        {"開始 WX20261123-0001", verb::start, "WX20261123-0001"},
        {"完成 WX20261123-0001", verb::report_done, "WX20261123-0001"},
        {"已完成 WX20261123-0001", verb::report_done, "WX20261123-0001"},
        {"我的认领", verb::my_claims, ""},
        {"我的認領", verb::my_claims, ""},
        {"积分", verb::points, ""},
        {"我的積分", verb::points, ""},
        {"排行榜", verb::ranking, ""},
        {"排行", verb::ranking, ""},
        {"本月之星", verb::stars, ""},
        {"心愿墙", verb::wall, ""},
        {"心願牆", verb::wall, ""},
        {"看看心愿", verb::wall, ""},
        {"附近心愿", verb::near_wall, ""},
        {"附近心願", verb::near_wall, ""},
        {"附近的心愿", verb::near_wall, ""},
        {"附近的微心愿", verb::near_wall, ""},
        {"附近的微心願", verb::near_wall, ""},
        {"我附近有什么心愿？", verb::near_wall, ""},
        {"我附近有什麼心願", verb::near_wall, ""},
        {"注册志愿者", verb::register_volunteer, ""},
        {"註冊志願者", verb::register_volunteer, ""},
        {"我要当志愿者", verb::register_volunteer, ""},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto c = parse(r.text);
        CHECK(c.what == r.what);
        CHECK(c.number == r.number);
    }
}

TEST_CASE("resident commands are recognised in Simplified and Traditional script", "[dialog]") {
    struct row {
        const char* text;
        verb what;
        int rating;
        const char* rest;
    };
    const row rows[] = {
        {"查询", verb::progress, 0, ""},
        {"我的诉求怎么样了", verb::progress, 0, ""},
        {"我的訴求怎麼樣了", verb::progress, 0, ""},
        {"取消", verb::cancel, 0, ""},
        {"撤销", verb::cancel, 0, ""},
        {"撤銷", verb::cancel, 0, ""},
        {"算了，取消吧", verb::cancel, 0, ""},
        {"已解决", verb::confirm_done, 0, ""},
        {"已解決", verb::confirm_done, 0, ""},
        {"解决了", verb::confirm_done, 0, ""},
        {"确认", verb::confirm_done, 0, ""},
        {"还没解决", verb::not_solved, 0, ""},
        {"還沒解決", verb::not_solved, 0, ""},
        {"没解决", verb::not_solved, 0, ""},
        {"5分", verb::rate, 5, ""},
        {"５分", verb::rate, 5, ""},
        {"五星", verb::rate, 5, ""},
        {"五星好評", verb::rate, 5, ""},
        {"打4分", verb::rate, 4, ""},
        {"满意", verb::rate, 5, ""},
        {"滿意", verb::rate, 5, ""},
        {"不满意", verb::rate, 1, ""},
        {"評價 4 服務很好", verb::rate, 4, "服務很好"},
        {"评价 4 服务很好", verb::rate, 4, "服务很好"},
        {"评价3分，来得有点慢", verb::rate, 3, "来得有点慢"},
        {"满意，谢谢你们", verb::rate, 5, "谢谢你们"},
        {"补充一下，是3栋2单元", verb::add_detail, 0, ""},
        {"帮助", verb::help, 0, ""},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto c = parse(r.text);
        CHECK(c.what == r.what);
        CHECK(c.rating == r.rating);
        CHECK(c.rest == r.rest);
    }
    // A bare number is no rating, and 评价一下 names no score.
    CHECK(parse("5").what == verb::none);
    CHECK(parse("评价一下").what != verb::rate);
    // A long appeal that mentions 没解决 is an appeal, not "not solved".
    CHECK(parse("小区门口的路灯坏了一个多月了，反映了好几次都没解决").what == verb::none);
}

TEST_CASE("case numbers in commands: progress, cancel and details of one case", "[dialog]") {
    auto c = parse("查询 MS20261123-0007");
    CHECK(c.what == verb::progress);
    CHECK(c.number == "MS20261123-0007");
    CHECK(parse("MS20261123-0007").what == verb::progress);
    auto x = parse("撤銷 MS20261123-0007");
    CHECK(x.what == verb::cancel);
    CHECK(x.number == "MS20261123-0007");
    CHECK(parse("补充 MS20261123-0007 是3栋").what == verb::add_detail);
}

TEST_CASE("微实事 commands: propose, vote and list", "[dialog]") {
    auto p = parse("提议 小区门口加装一排电动车充电桩");
    CHECK(p.what == verb::propose);
    CHECK(p.rest == "小区门口加装一排电动车充电桩");
    auto t = parse("我提議在小區門口加裝充電樁");
    CHECK(t.what == verb::propose);
    CHECK(t.rest == "在小區門口加裝充電樁");  // as written
    auto s = parse("建议小区增加健身器材");
    CHECK(s.what == verb::propose);
    CHECK(s.rest == "小区增加健身器材");
    auto v = parse("投票 YS20261123-0001");
    CHECK(v.what == verb::vote);
    CHECK(v.number == "YS20261123-0001");
    CHECK(parse("支持YS20261123-0001").what == verb::vote);
    CHECK(parse("支持 ys20261123-0001").number == "YS20261123-0001");
    CHECK(parse("议题").what == verb::list_proposals);
    CHECK(parse("議題").what == verb::list_proposals);
    CHECK(parse("提议列表").what == verb::list_proposals);
    CHECK(parse("提議列表").what == verb::list_proposals);
}

TEST_CASE("short answers: yes, no, skip the phone, a rating, a community, skills", "[dialog]") {
    auto u = [](const std::string& text) { return nlu().understand(text); };
    for (auto yes : {"对", "對", "是", "好的", "是的", "确认", "對的"}) {
        INFO(yes);
        CHECK(detail::is_yes(u(yes)));
        CHECK_FALSE(detail::is_no(u(yes)));
    }
    for (auto no : {"不对", "不對", "不是", "错了", "不"}) {
        INFO(no);
        CHECK(detail::is_no(u(no)));
        CHECK_FALSE(detail::is_yes(u(no)));
    }
    CHECK(detail::is_skip_phone(u("不方便")));
    CHECK(detail::is_skip_phone(u("沒有電話")));
    CHECK_FALSE(detail::is_skip_phone(u("13812345678")));
    CHECK(detail::rating_answer(u("4")) == 4);
    CHECK(detail::rating_answer(u("四分")) == 4);
    CHECK(detail::rating_answer(u("一般")) == 3);
    CHECK(detail::rating_answer(u("6")) == 0);
    CHECK(detail::community_in(u("我是光明社区的,会修家电")) == "光明社区");
    CHECK(detail::community_in(u("我是光明社區的")) == "光明社区");
    CHECK(detail::community_in(u("东城区光明社区3栋")) == "光明社区");
    CHECK(detail::community_in(u("我们社区")).empty());
    CHECK(detail::community_answer(u("光明社区")) == "光明社区");
    CHECK(detail::community_answer(u("我住在东坑村")) == "东坑村");
    CHECK(detail::community_answer(u("你好吗，我不知道")).empty());
    auto skills = [&](const std::string& text) { return detail::skills_in(u(text), text); };
    CHECK(skills("我是光明社区的,会修家电") == "修家电");
    CHECK(skills("我是光明社區的，會修家電，也能陪老人") == "修家電，也能陪老人");  // as written
    CHECK(skills("擅长理发和陪老人聊天") == "理发和陪老人聊天");
    CHECK(skills("光明社区").empty());
    CHECK(detail::no_skills(u("没有")));
}

TEST_CASE("the pending state survives its JSON and expires after its TTL", "[dialog]") {
    detail::appeal_draft d;
    d.description = "路灯坏了";
    d.kind = "wish";
    d.phone_skipped = true;
    d.own_case = true;
    d.location = minsheng::dialog::geo_point{23.043, 113.7633};
    d.needs_address = true;
    auto s = detail::about_draft(detail::stage::await_phone, d);
    s.since = 1000;
    auto json = detail::write_state(s);
    auto back = detail::read_state(json, 1000 + 60, 1800);
    REQUIRE(back);
    CHECK(back->at == detail::stage::await_phone);
    CHECK(back->draft.description == "路灯坏了");
    CHECK(back->draft.phone_skipped);
    CHECK(back->draft.own_case);
    REQUIRE(back->draft.location);
    CHECK(back->draft.location->lat == Approx(23.043));
    CHECK(back->draft.location->lng == Approx(113.7633));
    CHECK(back->draft.needs_address);
    CHECK_FALSE(detail::read_state(json, 1000 + 1801, 1800));
    CHECK_FALSE(detail::read_state("", 1000, 1800));
    CHECK_FALSE(detail::read_state("{not json", 1000, 1800));
    CHECK_FALSE(detail::read_state(R"({"stage":"nonsense","since":1000})", 1000, 1800));

    auto c = detail::about_case(detail::stage::await_rating, 7, "MS20261123-0001");
    c.since = 5;
    auto cb = detail::read_state(detail::write_state(c), 10, 1800);
    REQUIRE(cb);
    CHECK(cb->case_id == 7);
    CHECK(cb->number == "MS20261123-0001");
    auto near = detail::about_near_wishes();
    near.since = 5;
    auto nb = detail::read_state(detail::write_state(near), 10, 1800);
    REQUIRE(nb);
    CHECK(nb->at == detail::stage::await_near_location);
    // The state written before this change (await_address with a draft) still reads.
    auto old = detail::read_state(
        R"({"stage":"await_address","since":100,"draft":{"description":"灯坏了","kind":"complaint"}})",
        200, 1800);
    REQUIRE(old);
    CHECK(old->draft.needs_address);
    CHECK(old->draft.normalised == "灯坏了");
}

TEST_CASE("绑定手机 sends a code by SMS and binds the phone only when it comes back", "[dialog]") {
    fixture f;
    auto who_has = [&](const std::string& phone) {
        std::optional<dialog::person> found;
        f.with([&](dialog::unit_of_work& uow) { found = uow.find_person_by_phone(phone); });
        return found ? found->who.user_id : std::string();
    };
    auto how = f.reply("resident-1", "绑定手机");
    CHECK(has(how, "绑定手机 13800138000"));
    CHECK(has(how, "验证码"));

    // In either script; the number is masked even to its owner.
    auto sent = f.reply("resident-1", "綁定手機 139-0013-9000", t0 + 60);
    CHECK(has(sent, "139****9000"));
    CHECK(has(sent, "验证码"));
    CHECK_FALSE(has(sent, "13900139000"));
    CHECK_FALSE(has(sent, "246810"));       // the code goes by SMS, never in the chat
    CHECK(who_has("13900139000").empty());  // nothing bound yet: anyone can type a number

    CHECK(has(f.reply("resident-1", "验证码 111111", t0 + 90), "不对"));
    CHECK(who_has("13900139000").empty());
    auto bound = f.reply("resident-1", "验证码 246810", t0 + 120);
    CHECK(has(bound, "验证成功"));
    CHECK(has(bound, "139****9000"));
    CHECK(who_has("13900139000") == "resident-1");
    // A used code does not work twice.
    CHECK(has(f.reply("resident-1", "验证码 246810", t0 + 130), "过期"));

    // Another account verifies the same phone: it moves, and resident-1 is told.
    CHECK(has(f.reply("resident-2", "绑定手机 13900139000", t0 + 200), "139****9000"));
    CHECK(has(f.reply("resident-2", "验证码 246810", t0 + 210), "验证成功"));
    CHECK(who_has("13900139000") == "resident-2");
    std::optional<dialog::person> first;
    f.with([&](dialog::unit_of_work& uow) {
        first = uow.get_person({dialog::channel::wechat_oa, "resident-1"});
    });
    REQUIRE(first);
    CHECK(first->phone.empty());
    CHECK(first->phone_verified_at == 0);
}

TEST_CASE("phone codes expire, lock after five wrong tries, and are limited per day", "[dialog]") {
    fixture f;
    // Expired: ten minutes.
    f.reply("resident-1", "绑定手机 13800138001", t0);
    CHECK(has(f.reply("resident-1", "验证码 246810", t0 + 601), "过期"));
    // Five wrong codes void the code, even if the right one follows.
    f.reply("resident-2", "绑定手机 13800138002", t0);
    for (int i = 0; i < 4; ++i)
        CHECK(has(f.reply("resident-2", "验证码 000000", t0 + 10 + i), "不对"));
    CHECK(has(f.reply("resident-2", "验证码 000000", t0 + 20), "作废"));
    CHECK(has(f.reply("resident-2", "验证码 246810", t0 + 30), "作废"));
    // Three codes a day per person, and per phone (whoever asks).
    f.reply("resident-3", "绑定手机 13800138003", t0);
    f.reply("resident-3", "绑定手机 13800138003", t0 + 1);
    f.reply("resident-3", "绑定手机 13800138003", t0 + 2);
    CHECK(has(f.reply("resident-3", "绑定手机 13800138003", t0 + 3), "明天"));
    CHECK(has(f.reply("resident-4", "绑定手机 13800138003", t0 + 4), "明天"));
    CHECK(has(f.reply("resident-3", "绑定手机 13800138003", t0 + 86400 + 5), "验证码"));
    // No code asked for; a number that is not a mobile.
    CHECK(has(f.reply("resident-5", "验证码 246810", t0), "还没有"));
    CHECK(has(f.reply("resident-5", "绑定手机 12345", t0), "格式"));
}
