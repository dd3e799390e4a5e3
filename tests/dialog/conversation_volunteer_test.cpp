// Volunteers and party members: registration, the wish wall (also nearest first from a location),
// claims and their refusals, release, start, report done, their claims, points, ranking and stars.
#include "dialog/conversation/conversation.hpp"

#include <catch2/catch.hpp>

#include "conversation_fixture.hpp"
#include "dialog/conversation/detail/turn.hpp"

using namespace conversation_tests;

namespace {

std::optional<dialog::person> person_of(fixture& f, const std::string& user) {
    std::optional<dialog::person> p;
    f.with([&](dialog::unit_of_work& uow) {
        p = uow.get_person({dialog::channel::wechat_oa, user});
    });
    return p;
}

const dialog::geo_point dongguan{23.0430, 113.7633};

// A wish filed with coordinates (as the mini program files them), on the wall; its number.
std::string located_wish(fixture& f, const std::string& user, const std::string& text,
                         dialog::geo_point where, std::int64_t now,
                         const std::string& address = "光明社区5栋") {
    std::string number;
    f.with([&](dialog::unit_of_work& uow) {
        dialog::case_draft d;
        d.reporter_id = user;
        d.kind = "wish";
        d.category = "民政";
        d.category_confidence = 0.9;
        d.urgency = "normal";
        d.description = text;
        d.address = address;
        d.source_key = "located-" + user;
        d.created_at = now;
        d.location = where;
        number = f.service->open(uow, d, text, now).number;
    });
    return number;
}

dialog::inbound_message location(fixture& f, const std::string& user, dialog::geo_point p,
                                 const std::string& label = "东城区光明路12号") {
    auto m = f.message(user, "", inbound_kind::location);
    m.latitude = p.lat;
    m.longitude = p.lng;
    m.label = label;
    return m;
}

}  // namespace

TEST_CASE("注册志愿者 asks the community, then the skills, then files an application", "[dialog]") {
    fixture f;
    auto ask = f.reply("vol-1", "注册志愿者");
    CHECK(has(ask, "哪个社区"));
    auto skills = f.reply("vol-1", "光明社区", t0 + 10);
    CHECK(has(skills, "特长"));
    CHECK_FALSE(person_of(f, "vol-1").has_value());
    auto applied = f.reply("vol-1", "会修家电，也能陪老人聊天", t0 + 20);
    CHECK(has(applied, "审核"));
    CHECK(has(applied, "ZY1"));
    auto p = person_of(f, "vol-1");
    REQUIRE(p);
    CHECK_FALSE(p->volunteer);
    CHECK(p->volunteer_status == "applied");
    CHECK(p->volunteer_number == 1);
    CHECK(p->community == "光明社区");
    CHECK(p->skills == "修家电，也能陪老人聊天");
    // Once approved, they are welcomed when they register again.
    f.approve(p->volunteer_number, t0 + 30);
    CHECK(person_of(f, "vol-1")->volunteer);
    CHECK(has(f.reply("vol-1", "注册志愿者", t0 + 40), "已经是"));
}

TEST_CASE("a registration given in one message applies at once, in Traditional too", "[dialog]") {
    fixture f;
    auto out = f.reply("vol-1", "我要當志願者，我是光明社區的，會修家電");
    CHECK(has(out, "审核"));
    auto p = person_of(f, "vol-1");
    REQUIRE(p);
    CHECK(p->volunteer_status == "applied");
    CHECK(p->community == "光明社区");
    CHECK(has(p->skills, "修家"));
    // The answer to the community question may carry the skills as well.
    f.reply("vol-2", "我要当志愿者");
    f.reply("vol-2", "我是光明社区的，会修家电", t0 + 10);
    auto q = person_of(f, "vol-2");
    REQUIRE(q);
    CHECK(q->community == "光明社区");
    CHECK(q->skills == "修家电");
    // Registering again says the application is waiting.
    CHECK(has(f.reply("vol-2", "注册志愿者", t0 + 20), "正在由光明社区工作人员审核"));
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

TEST_CASE("附近心愿 asks for the location; the location lists the nearest wishes with distances",
          "[dialog]") {
    fixture f;
    const auto far = located_wish(f, "resident-1", "想请人教老人用智能手机", {23.1291, 113.2644},
                                  t0, "广州市天河区某小区");  // Guangzhou, 51.9 km
    const auto plain =
        f.open_wish("resident-2", "光明社区的老人想请人理发，电话13812345678", t0 + 1);
    const auto km = located_wish(f, "resident-3", "想请人帮忙修一下水龙头", {23.0538, 113.7633},
                                 t0 + 2);  // 1.2 km
    const auto near = located_wish(f, "resident-4", "独居老人想找人陪着下楼散步，电话13812345678",
                                   {23.0457, 113.7633}, t0 + 3);  // 300 m
    f.register_volunteer("vol-1");

    auto ask = f.reply("vol-1", "附近心愿", t0 + 60);
    CHECK(has(ask, "位置"));
    CHECK(has(ask, "+"));
    auto out = f.step(location(f, "vol-1", dongguan), nullptr, t0 + 90).answer.text;
    INFO(out);
    CHECK(has(out, "离您最近"));
    // Nearest first, each with its distance; the wish without coordinates after them.
    const auto a = out.find(near), b = out.find(km), c = out.find(far), d = out.find(plain);
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    REQUIRE(c != std::string::npos);
    REQUIRE(d != std::string::npos);
    CHECK(a < b);
    CHECK(b < c);
    CHECK(c < d);
    CHECK(has(out, near + "（约300米 · 光明社区"));
    CHECK(has(out, km + "（约1.2公里 · "));
    CHECK(has(out, far + "（约52公里 · "));
    CHECK(has(out, plain + "（光明社区 · "));
    CHECK(has(out, "认领"));
    // The same masked summary as the wall: no phone, no address.
    CHECK_FALSE(has(out, "13812345678"));
    CHECK_FALSE(has(out, "5栋"));
    CHECK(out.size() <= 2048);
    // The question is answered: a later location is a bare one (still near wishes for a
    // volunteer without an open case of their own).
    CHECK(has(f.step(location(f, "vol-1", dongguan), nullptr, t0 + 120).answer.text, near));
}

TEST_CASE("附近心願 in Traditional and the other forms ask a volunteer for the location",
          "[dialog]") {
    fixture f;
    f.register_volunteer("vol-1");
    for (const char* text : {"附近心願", "附近的微心愿", "我附近有什麼心願？", "附近的心愿"}) {
        INFO(text);
        CHECK(has(f.reply("vol-1", text, t0 + 60), "选择“位置”"));
    }
}

TEST_CASE("a volunteer's bare location lists the wishes near them", "[dialog]") {
    fixture f;
    const auto near =
        located_wish(f, "resident-1", "想请人陪老人下楼散散步", {23.0457, 113.7633}, t0);
    f.register_volunteer("vol-1");
    auto out = f.step(location(f, "vol-1", dongguan), nullptr, t0 + 60);
    CHECK(out.opened.empty());
    CHECK(has(out.answer.text, near));
    CHECK(has(out.answer.text, "约300米"));
    // Nothing on the wall: the empty-wall reply.
    f.register_volunteer("vol-2");
    f.reply("vol-2", "认领 " + near, t0 + 70);
    CHECK(has(f.step(location(f, "vol-1", dongguan), nullptr, t0 + 80).answer.text, "暂时没有"));
}

TEST_CASE("wishes without coordinates are listed community first when none is located",
          "[dialog]") {
    fixture f;
    const auto wish = f.open_wish("resident-1");
    f.register_volunteer("vol-1");
    f.reply("vol-1", "附近的心愿", t0 + 60);
    auto out = f.step(location(f, "vol-1", dongguan), nullptr, t0 + 90).answer.text;
    CHECK(has(out, "没有标注位置"));
    CHECK(has(out, wish));
    CHECK_FALSE(has(out, "约"));
}

TEST_CASE("a location still goes to the sender's open case, or answers the question where",
          "[dialog]") {
    fixture f;
    located_wish(f, "resident-9", "想请人陪老人下楼散散步", {23.0457, 113.7633}, t0);
    // A resident (not a volunteer) with an open case: a detail of it, as before.
    const auto number = f.open_complaint("resident-1");
    auto out = f.step(location(f, "resident-1", dongguan, "幸福小区3栋"), nullptr, t0 + 60);
    CHECK(has(out.answer.text, number));
    CHECK(has(out.answer.text, "补充"));
    // A volunteer who reported a case of their own: the location is a detail of it too.
    f.register_volunteer("vol-1");
    const auto theirs = f.open_complaint("vol-1", t0 + 100);
    out = f.step(location(f, "vol-1", dongguan, "幸福小区3栋"), nullptr, t0 + 160);
    CHECK(has(out.answer.text, theirs));
    CHECK(has(out.answer.text, "补充"));
    bool detail = false;
    for (const auto& e : f.events(theirs)) detail = detail || has(e.note, "[位置] 幸福小区3栋");
    CHECK(detail);
    // A volunteer asked where their new matter is: the location is the place.
    f.register_volunteer("vol-2");
    auto u = understood("file_appeal", "交通运输", "complaint");
    f.say_as("vol-2", "公交站的顶棚塌了", u, t0 + 200);
    out = f.step(location(f, "vol-2", dongguan, "东城区光明路12号"), nullptr, t0 + 230);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].address == "东城区光明路12号");
    // A resident with nothing open and no question: the media reply, as before.
    CHECK(has(f.step(location(f, "resident-2", dongguan), nullptr, t0 + 300).answer.text, "文字"));
}

TEST_CASE("a non-volunteer asking 附近心愿 is asked to register first", "[dialog]") {
    fixture f;
    auto out = f.reply("resident-1", "附近心愿");
    CHECK(has(out, "注册志愿者"));
    CHECK(has(out, "附近心愿"));
    // No question was left: their location afterwards is not read as an answer.
    CHECK(has(f.step(location(f, "resident-1", dongguan), nullptr, t0 + 30).answer.text, "文字"));
}

TEST_CASE("the question 附近心愿 can be dropped, and a location without coordinates is asked again",
          "[dialog]") {
    fixture f;
    f.register_volunteer("vol-1");
    f.reply("vol-1", "附近心愿", t0 + 10);
    auto blank = f.message("vol-1", "", inbound_kind::location);
    blank.label = "某处";
    CHECK(has(f.step(blank, nullptr, t0 + 20).answer.text, "再发送一次"));
    CHECK(has(f.reply("vol-1", "取消", t0 + 30), "不查附近"));
    // The question is gone; a wall command still works as always.
    CHECK(has(f.reply("vol-1", "心愿墙", t0 + 40), "暂时没有"));
}

TEST_CASE("a list of many long near wishes fits one passive reply", "[dialog]") {
    fixture f;
    for (int i = 0; i < 8; ++i)
        located_wish(f, "resident-" + std::to_string(i),
                     "光明社区的老人想找人帮忙买菜" + std::string(200, 'x'),
                     {23.0430 + 0.001 * i, 113.7633}, t0 + i);
    f.register_volunteer("vol-1");
    auto out = f.step(location(f, "vol-1", dongguan), nullptr, t0 + 60).answer.text;
    CHECK(out.size() <= 2048);
    CHECK(has(out, "约10米"));
    CHECK(has(out, "约110米"));
}

TEST_CASE("distances read in metres under a kilometre, then kilometres", "[dialog]") {
    const auto& texts = *shipped_templates();
    using dialog::detail::distance_text;
    CHECK(distance_text(texts, 0.0) == "约10米");
    CHECK(distance_text(texts, 0.3002) == "约300米");
    CHECK(distance_text(texts, 0.994) == "约990米");
    CHECK(distance_text(texts, 0.996) == "约1公里");
    CHECK(distance_text(texts, 1.2009) == "约1.2公里");
    CHECK(distance_text(texts, 9.96) == "约10公里");
    CHECK(distance_text(texts, 51.92) == "约52公里");
}
