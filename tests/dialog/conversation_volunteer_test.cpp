// Volunteers and party members: registration, the wish wall, claims and their refusals,
// release, start, report done, their claims, points, ranking and stars.
#include "dialog/conversation/conversation.hpp"

#include <catch2/catch.hpp>

#include "conversation_fixture.hpp"

using namespace conversation_tests;

namespace {

std::optional<dialog::person> person_of(fixture& f, const std::string& user) {
    std::optional<dialog::person> p;
    f.with([&](dialog::unit_of_work& uow) {
        p = uow.get_person({dialog::channel::wechat_oa, user});
    });
    return p;
}

}  // namespace

TEST_CASE("注册志愿者 asks the community, then the skills, then registers", "[dialog]") {
    fixture f;
    auto ask = f.reply("vol-1", "注册志愿者");
    CHECK(has(ask, "哪个社区"));
    auto skills = f.reply("vol-1", "光明社区", t0 + 10);
    CHECK(has(skills, "特长"));
    CHECK_FALSE(person_of(f, "vol-1").has_value());
    auto welcome = f.reply("vol-1", "会修家电，也能陪老人聊天", t0 + 20);
    CHECK(has(welcome, "欢迎"));
    CHECK(has(welcome, "心愿墙"));
    auto p = person_of(f, "vol-1");
    REQUIRE(p);
    CHECK(p->volunteer);
    CHECK(p->community == "光明社区");
    CHECK(p->skills == "修家电，也能陪老人聊天");
}

TEST_CASE("a registration given in one message registers at once, in Traditional too", "[dialog]") {
    fixture f;
    auto out = f.reply("vol-1", "我要當志願者，我是光明社區的，會修家電");
    CHECK(has(out, "欢迎"));
    auto p = person_of(f, "vol-1");
    REQUIRE(p);
    CHECK(p->volunteer);
    CHECK(p->community == "光明社区");
    CHECK(has(p->skills, "修家"));
    // The answer to the community question may carry the skills as well.
    f.reply("vol-2", "我要当志愿者");
    f.reply("vol-2", "我是光明社区的，会修家电", t0 + 10);
    auto q = person_of(f, "vol-2");
    REQUIRE(q);
    CHECK(q->community == "光明社区");
    CHECK(q->skills == "修家电");
    // Registering again says they already are one.
    CHECK(has(f.reply("vol-2", "注册志愿者", t0 + 20), "已经是"));
}

TEST_CASE("a registration can be cancelled half-way", "[dialog]") {
    fixture f;
    f.reply("vol-1", "注册志愿者");
    auto out = f.reply("vol-1", "取消", t0 + 10);
    CHECK(has(out, "取消注册"));
    CHECK_FALSE(person_of(f, "vol-1").has_value());
}

TEST_CASE("the wish wall lists number, summary, community and mode; no personal data", "[dialog]") {
    fixture f;
    auto wish = f.open_wish("resident-1");
    f.register_volunteer("vol-1");
    auto out = f.reply("vol-1", "心愿墙", t0 + 60);
    CHECK(has(out, wish));
    CHECK(has(out, "光明社区"));
    auto c = f.find(wish);
    REQUIRE(c);
    CHECK(has(out, std::string(dialog::cases::mode_label(c->handling_mode))));
    CHECK_FALSE(has(out, "13812345678"));
    CHECK_FALSE(has(out, "5栋"));
    // The menu and the Traditional form show the same.
    CHECK(has(f.click("vol-1", "WISH_WALL", t0 + 60).answer.text, wish));
    CHECK(has(f.reply("vol-1", "心願牆", t0 + 60), wish));
    // A complaint is never on the wall.
    auto complaint = f.open_complaint("resident-2");
    CHECK_FALSE(has(f.reply("vol-1", "看看心愿", t0 + 60), complaint));
}

TEST_CASE("认领 gives the claimer the wish and the resident's contact", "[dialog]") {
    fixture f;
    auto wish = f.open_wish("resident-1");
    f.register_volunteer("vol-1");
    auto out = f.reply("vol-1", "认领 " + wish, t0 + 60);
    CHECK(has(out, "认领成功"));
    CHECK(has(out, wish));
    CHECK(has(out, "13812345678"));
    CHECK(has(out, "光明社区5栋"));
    auto c = f.find(wish);
    REQUIRE(c);
    CHECK(c->status == "claimed");
    CHECK(c->claimer == "wechat_oa:vol-1");
    // While the claim lasts the claimer sees the contact under 我的认领.
    auto mine = f.reply("vol-1", "我的认领", t0 + 120);
    CHECK(has(mine, wish));
    CHECK(has(mine, "13812345678"));
}

TEST_CASE("認領 in Traditional, 认领 without a space and the menu key all claim", "[dialog]") {
    fixture f;
    auto a = f.open_wish("resident-1");
    auto b = f.open_wish("resident-2", "光明社区的老人想请人理发，电话13812345678", t0 + 1);
    auto c = f.open_wish("resident-3", "光明社区的孩子想找人辅导功课，电话13812345678", t0 + 2);
    f.register_volunteer("vol-1");
    CHECK(has(f.reply("vol-1", "我想認領 " + a, t0 + 60), "认领成功"));
    CHECK(has(f.reply("vol-1", "认领" + b, t0 + 60), "认领成功"));
    CHECK(has(f.click("vol-1", "CLAIM_" + c, t0 + 60).answer.text, "认领成功"));
    for (const auto& n : {a, b, c}) CHECK(f.status_of(n) == "claimed");
}

TEST_CASE("claim refusals get polite replies: taken, not a volunteer, not found, not on the wall",
          "[dialog]") {
    fixture f;
    auto wish = f.open_wish("resident-1");
    f.register_volunteer("vol-1");
    f.register_volunteer("vol-2");
    REQUIRE(has(f.reply("vol-1", "认领 " + wish, t0 + 60), "认领成功"));

    auto taken = f.reply("vol-2", "认领 " + wish, t0 + 70);
    CHECK(taken == "这个心愿已经被其他志愿者认领了，谢谢您的爱心！可以看看心愿墙上的其他心愿。");
    CHECK_FALSE(has(taken, "13812345678"));

    auto again = f.reply("vol-1", "认领 " + wish, t0 + 80);
    CHECK(has(again, "已经认领"));

    auto other = f.open_wish("resident-2", "光明社区的老人想请人理发，电话13812345678", t0 + 1);
    auto stranger = f.reply("resident-9", "认领 " + other, t0 + 90);
    CHECK(has(stranger, "注册志愿者"));
    CHECK(f.status_of(other) == "accepted");

    CHECK(has(f.reply("vol-2", "认领 WX20261123-0999", t0 + 90), "没有找到"));

    auto complaint = f.open_complaint("resident-3");
    CHECK(has(f.reply("vol-2", "认领 " + complaint, t0 + 90), "不在心愿墙上"));
    CHECK(f.status_of(complaint) == "received");
}

TEST_CASE("放弃 and 取消认领 give a claim up and the wish goes back to the wall", "[dialog]") {
    fixture f;
    auto wish = f.open_wish("resident-1");
    f.register_volunteer("vol-1");
    f.register_volunteer("vol-2");
    f.reply("vol-1", "认领 " + wish, t0 + 60);
    // Only the claimer can give it up.
    CHECK(has(f.reply("vol-2", "放弃 " + wish, t0 + 70), "不是您认领的"));
    CHECK(f.status_of(wish) == "claimed");
    auto out = f.reply("vol-1", "放弃 " + wish, t0 + 80);
    CHECK(has(out, "放弃认领"));
    CHECK(f.status_of(wish) == "accepted");
    CHECK(f.find(wish)->claimer.empty());
    // The released claimer no longer sees the contact.
    CHECK_FALSE(has(f.reply("vol-1", "我的认领", t0 + 90), "13812345678"));
    // Claimed again by the other, then given up in the other form.
    f.reply("vol-2", "认领 " + wish, t0 + 100);
    f.reply("vol-2", "取消認領 " + wish, t0 + 110);
    CHECK(f.status_of(wish) == "accepted");
}

TEST_CASE("开始 and 完成 move the claimed wish on; the resident will be asked to confirm",
          "[dialog]") {
    fixture f;
    auto wish = f.open_wish("resident-1");
    f.register_volunteer("vol-1");
    f.reply("vol-1", "认领 " + wish, t0 + 60);
    CHECK(has(f.reply("vol-1", "开始 " + wish, t0 + 120), "开始"));
    CHECK(f.status_of(wish) == "in_progress");
    auto done = f.reply("vol-1", "已完成 " + wish, t0 + 3600);
    CHECK(has(done, "居民确认"));
    CHECK(f.status_of(wish) == "done");
}

TEST_CASE("完成 without a number means the only wish held; a stranger's 完成 is refused",
          "[dialog]") {
    fixture f;
    auto wish = f.open_wish("resident-1");
    f.register_volunteer("vol-1");
    f.register_volunteer("vol-2");
    f.reply("vol-1", "认领 " + wish, t0 + 60);
    CHECK(has(f.reply("vol-2", "完成 " + wish, t0 + 70), "不是您认领的"));
    CHECK(f.status_of(wish) == "claimed");
    CHECK(has(f.reply("vol-2", "完成了", t0 + 70), "没有认领"));
    auto out = f.reply("vol-1", "完成 " + wish, t0 + 3600);
    CHECK(has(out, "居民确认"));
    CHECK(f.status_of(wish) == "done");
}

TEST_CASE("points, ranking and stars after a resident confirms a volunteer's wish", "[dialog]") {
    fixture f;
    auto wish = f.open_wish("resident-1");
    f.register_volunteer("vol-1", "光明社区", "王阿姨");
    f.register_volunteer("vol-2", "光明社区", "李师傅");
    CHECK(has(f.reply("vol-1", "积分", t0 + 10), "0"));
    f.reply("vol-1", "认领 " + wish, t0 + 60);
    f.reply("vol-1", "完成 " + wish, t0 + 3600);
    auto ask = f.reply("resident-1", "已解决", t0 + 7200);
    CHECK(has(ask, "1到5分"));
    f.reply("resident-1", "5分", t0 + 7300);
    CHECK(f.status_of(wish) == "closed");

    auto points = f.reply("vol-1", "我的积分", t0 + 7400);
    CHECK(has(points, "10"));
    CHECK(has(points, "第1名"));
    auto ranking = f.reply("vol-2", "排行榜", t0 + 7400);
    CHECK(has(ranking, "王阿姨"));
    CHECK(has(ranking, "10"));
    CHECK(has(ranking, "光明社区"));
    auto stars = f.reply("vol-2", "本月之星", t0 + 7400);
    CHECK(has(stars, "王阿姨"));
    CHECK_FALSE(has(stars, "李师傅"));
}

TEST_CASE("an empty wall, no claims and an empty ranking each say what to do", "[dialog]") {
    fixture f;
    f.register_volunteer("vol-1");
    CHECK(has(f.reply("vol-1", "心愿墙"), "暂时没有"));
    CHECK(has(f.reply("vol-1", "我的认领"), "没有认领"));
    CHECK(has(f.reply("vol-1", "排行"), "还没有人"));
    CHECK(has(f.reply("vol-1", "本月之星"), "还没有产生"));
}

TEST_CASE("a wall of many long wishes fits one passive reply", "[dialog]") {
    fixture f;
    for (int i = 0; i < 8; ++i)
        f.open_wish("resident-" + std::to_string(i),
                    "光明社区的老人想找人帮忙买菜" + std::string(200, 'x') + "，电话13812345678",
                    t0 + i);
    f.register_volunteer("vol-1");
    auto out = f.reply("vol-1", "心愿墙", t0 + 60);
    CHECK(out.size() <= 2048);
    CHECK(has(out, "WX"));
}

TEST_CASE("开始 without a number means the only wish held", "[dialog]") {
    fixture f;
    auto wish = f.open_wish("resident-1");
    f.register_volunteer("vol-1");
    CHECK(has(f.reply("vol-1", "开始", t0 + 30), "没有认领"));
    f.reply("vol-1", "认领 " + wish, t0 + 60);
    auto out = f.reply("vol-1", "開始", t0 + 120);  // Traditional
    CHECK(has(out, wish));
    CHECK(f.status_of(wish) == "in_progress");
}
