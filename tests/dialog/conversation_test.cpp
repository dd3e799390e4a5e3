#include "dialog/conversation/conversation.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

#include "conversation_fixture.hpp"

using namespace conversation_tests;

// ---- filing an appeal, with a fake understanding (the point is the flow, not the model)

TEST_CASE("a complete appeal with its place opens a case at once and the reply names it",
          "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "城乡建设", "complaint", true);
    auto out = f.say_as("openid-1", "幸福小区3栋的路灯坏了好几天了", u);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].category == "城乡建设");
    CHECK(out.opened[0].address == "幸福小区3栋");
    CHECK(out.opened[0].status == "received");
    CHECK(has(out.answer.text, out.opened[0].number));
    CHECK(has(out.answer.text, "城乡建设"));
    // Complaints are due in 15 working days: 2026-11-23 (Mon) + 15 = 12月14日.
    CHECK(has(out.answer.text, "12月14日"));
}

TEST_CASE("a place-bound appeal without a place asks where, then opens on the answer", "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "环境保护", "complaint");
    auto first = f.say_as("openid-1", "路边垃圾堆了一个星期没人清理，臭得很", u);
    CHECK(first.opened.empty());
    CHECK(has(first.answer.text, "地点"));

    auto where = understood("other", "", "", true);
    auto second = f.say_as("openid-1", "幸福小区3栋后面", where, t0 + 60);
    REQUIRE(second.opened.size() == 1);
    CHECK(second.opened[0].description == "路边垃圾堆了一个星期没人清理，臭得很");
    CHECK(second.opened[0].category == "环境保护");
    CHECK(has(second.answer.text, second.opened[0].number));
}

TEST_CASE("a location message answers the question where", "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "交通运输", "complaint");
    f.say_as("openid-1", "公交站的顶棚塌了", u);
    auto loc = f.message("openid-1", "", inbound_kind::location);
    loc.label = "东城区光明路12号";
    loc.latitude = 23.0;
    loc.longitude = 113.7;
    auto out = f.step(loc, nullptr, t0 + 30);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].address == "东城区光明路12号");
    REQUIRE(out.opened[0].location);  // the coordinates go with the case (the wall sorts by them)
    CHECK(out.opened[0].location->lat == Approx(23.0));
    CHECK(out.opened[0].location->lng == Approx(113.7));
}

TEST_CASE("an urgent personal need opens as urgent, by express, without asking where", "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "劳动和社会保障", "wish", false, "urgent");
    u.entities.push_back({"phone", "13812345678", "13812345678", {0, 1}});
    auto out = f.say_as("openid-1", "我家老人独居，腿摔伤了，想找人帮忙买菜，电话13812345678", u);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].urgency == "urgent");
    CHECK(out.opened[0].handling_mode == "express");
    CHECK(out.opened[0].contact_phone == "13812345678");
    CHECK(has(out.answer.text, "紧急"));
    CHECK(has(out.answer.text, "速递"));
}

TEST_CASE("the reply to a wish names its wall mode and its deadline date", "[dialog]") {
    fixture f;
    auto number = f.open_wish("resident-1");
    auto c = f.find(number);
    REQUIRE(c);
    CHECK(number.substr(0, 2) == "WX");
    CHECK(c->status == "accepted");  // wall modes are accepted at once
    CHECK((c->handling_mode == "direct" || c->handling_mode == "station"));
    CHECK(c->contact_phone == "13812345678");
    // Asking again shows the same: the reply to the opening is what we check here.
    auto u = understood("file_appeal", "劳动和社会保障", "wish");
    u.entities.push_back({"phone", "13812345678", "13812345678", {0, 1}});
    auto out = f.say_as("resident-1", "想请志愿者每周陪老人聊聊天，电话13812345678", u);
    REQUIRE(out.opened.size() == 1);
    const auto mode = dialog::cases::mode_label(out.opened[0].handling_mode);
    CHECK(has(out.answer.text, std::string(mode)));
    CHECK(has(out.answer.text, "心愿墙"));
    // A wish is due in 5 working days: 2026-11-23 (Mon) → 11月30日.
    CHECK(has(out.answer.text, "11月30日"));
    CHECK(has(out.answer.text, out.opened[0].number));
}

TEST_CASE("a wish without any phone asks for one; the answer fills it", "[dialog]") {
    fixture f;
    auto ask = f.say("resident-1", "家里老人想找人陪着聊聊天");
    CHECK(ask.opened.empty());
    CHECK(has(ask.answer.text, "联系电话"));
    auto out = f.say("resident-1", "我的电话是13912345678", t0 + 60);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].kind == "wish");
    CHECK(out.opened[0].contact_phone == "13912345678");
    CHECK(out.opened[0].description == "家里老人想找人陪着聊聊天");
}

TEST_CASE("a resident may answer 不方便 and the wish opens without a phone", "[dialog]") {
    fixture f;
    f.say("resident-1", "家裡老人想找人陪著聊聊天");  // Traditional
    auto out = f.say("resident-1", "不方便", t0 + 60);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].contact_phone.empty());
    CHECK(has(out.answer.text, out.opened[0].number));
}

TEST_CASE("a wish whose resident bound a phone in the profile does not ask for one", "[dialog]") {
    fixture f;
    f.with([&](dialog::unit_of_work& uow) {
        dialog::person p;
        p.who = {dialog::channel::wechat_oa, "resident-1"};
        p.phone = "13700001111";
        uow.save_person(p);
    });
    auto out = f.say("resident-1", "家里老人想找人陪着聊聊天");
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].contact_phone == "13700001111");
}

TEST_CASE("a phone question keeps asking on an answer that is no phone", "[dialog]") {
    fixture f;
    f.say("resident-1", "家里老人想找人陪着聊聊天");
    auto again = f.say("resident-1", "嗯嗯嗯我想想", t0 + 10);
    CHECK(again.opened.empty());
    CHECK(has(again.answer.text, "不方便"));
    auto out = f.say("resident-1", "13912345678", t0 + 20);
    REQUIRE(out.opened.size() == 1);
}

TEST_CASE("an unsure appeal is read back; 对 files it", "[dialog]") {
    fixture f;
    understanding u = understood("other", "城乡建设", "complaint", true);
    u.intent.unsure = true;
    u.intent.confidence = 0.3;
    u.normalised = "幸福小区3栋门口那个东西好像不太对劲有点吓人";
    auto ask = f.say_as("resident-1", "幸福小区3栋门口那个东西好像不太对劲，有点吓人", u);
    CHECK(ask.opened.empty());
    CHECK(has(ask.answer.text, "您反映的是"));
    CHECK(has(ask.answer.text, "对吗"));
    auto out = f.say("resident-1", "对", t0 + 30);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].description == "幸福小区3栋门口那个东西好像不太对劲，有点吓人");
    CHECK(out.opened[0].address == "幸福小区3栋");
}

TEST_CASE("an unsure appeal read back and denied opens nothing and asks to say it again",
          "[dialog]") {
    fixture f;
    understanding u = understood("file_appeal", "城乡建设", "complaint", true);
    u.category.unsure = true;
    u.kind.unsure = true;
    auto ask = f.say_as("resident-1", "幸福小区3栋那边有点情况", u);
    CHECK(has(ask.answer.text, "对吗"));
    auto out = f.say("resident-1", "不對", t0 + 30);  // Traditional
    CHECK(out.opened.empty());
    CHECK(has(out.answer.text, "再说一遍"));
    // The draft is gone: 对 now files nothing.
    auto later = f.say("resident-1", "对", t0 + 60);
    CHECK(later.opened.empty());
}

TEST_CASE("cancel while the bot waits for the place drops the draft", "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "交通运输", "complaint");
    f.say_as("openid-1", "公交站的顶棚塌了", u);
    auto cancel = understood("cancel");
    auto out = f.say_as("openid-1", "算了，取消吧", cancel, t0 + 30);
    CHECK(out.opened.empty());
    CHECK(has(out.answer.text, "取消"));
    // The next plain sentence is not taken as a place any more.
    auto hello = understood("greet");
    auto again = f.say_as("openid-1", "你好", hello, t0 + 40);
    CHECK(again.opened.empty());
}

TEST_CASE("a pending appeal expires, so a much later message is not taken as its place",
          "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "城乡建设", "complaint");
    f.say_as("openid-1", "楼道的灯坏了", u);
    auto later = understood("greet");
    auto out =
        f.say_as("openid-1", "你好", later, t0 + dialog::conversation::pending_ttl_seconds + 1);
    CHECK(out.opened.empty());
    CHECK(has(out.answer.text, "您好"));
}

TEST_CASE("a command word beats the question where, and the question stays", "[dialog]") {
    fixture f;
    f.open_complaint("openid-1");
    auto u = understood("file_appeal", "城乡建设", "complaint");
    f.say_as("openid-1", "楼道的灯坏了", u);
    auto listed = f.say("openid-1", "查询", t0 + 10);
    CHECK(listed.opened.empty());
    CHECK(has(listed.answer.text, "MS"));
    auto where = understood("other", "", "", true);
    auto out = f.say_as("openid-1", "幸福小区3栋", where, t0 + 20);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].description == "楼道的灯坏了");
}

TEST_CASE("greeting, help and progress get useful answers and open nothing", "[dialog]") {
    fixture f;
    auto greet = understood("greet");
    CHECK(has(f.say_as("openid-1", "你好", greet).answer.text, "您好"));
    auto help = understood("help");
    CHECK(has(f.say_as("openid-1", "你能做什么", help).answer.text, "查询"));
    auto progress = understood("ask_progress");
    CHECK(has(f.say_as("openid-1", "我的诉求怎么样了", progress).answer.text, "还没有"));

    auto number = f.open_complaint("openid-1");
    auto listed = f.say_as("openid-1", "查询", progress);
    CHECK(has(listed.answer.text, number));
    CHECK(has(listed.answer.text, "已登记，等待受理"));
}

TEST_CASE("subscribing gets a welcome; other events get no reply", "[dialog]") {
    fixture f;
    auto sub = f.message("openid-1", "", inbound_kind::subscribe);
    CHECK(has(f.step(sub, nullptr).answer.text, "欢迎"));
    auto ev = f.message("openid-1", "", inbound_kind::other_event);
    CHECK(f.step(ev, nullptr).answer.kind == dialog::reply::type::none);
    auto unknown = f.click("openid-1", "SOMETHING_ELSE");
    CHECK(unknown.answer.kind == dialog::reply::type::none);
}

TEST_CASE("a vague place such as 我们小区 is not enough: the bot still asks where", "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "城乡建设", "complaint");
    u.entities.push_back({"address", "我们小区", "我们小区", {0, 12}});
    auto ask = f.say_as("openid-1", "我们小区的路灯坏了好几天了", u);
    CHECK(ask.opened.empty());
    CHECK(has(ask.answer.text, "地点"));
    auto where = understood("file_appeal", "城乡建设", "project", true);
    auto out = f.say_as("openid-1", "阳光花园5栋门口", where, t0 + 20);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].description == "我们小区的路灯坏了好几天了");
    CHECK(out.opened[0].address == "幸福小区3栋");
}

TEST_CASE("unknown input gets the not-understood reply with the help hint", "[dialog]") {
    fixture f;
    auto u = understood("other");
    u.normalised = "嗯";
    u.category.unsure = true;
    u.kind.unsure = true;
    auto out = f.say_as("openid-1", "嗯", u);
    CHECK(out.opened.empty());
    CHECK(has(out.answer.text, "帮助"));
}

TEST_CASE("the conversation needs every reply template and the service's", "[dialog]") {
    auto keys = dialog::conversation::required_templates();
    // Every shipped reply template is one the conversation renders, and the reverse.
    auto all = shipped_templates();
    CHECK_NOTHROW(all->require(keys));
    namespace fs = std::filesystem;
    const fs::path dir = MINSHENG_SOURCE_DIR "/templates";
    for (const auto& e : fs::recursive_directory_iterator(dir / "reply")) {
        if (!e.is_regular_file()) continue;
        auto key = fs::relative(e.path(), dir).replace_extension().generic_string();
        INFO(key);
        CHECK(std::find(keys.begin(), keys.end(), key) != keys.end());
    }
    CHECK(std::find(keys.begin(), keys.end(), "reply/claim_taken") != keys.end());
    std::map<std::string, std::string> texts;
    for (const auto& k : keys) texts[k] = all->render(k);
    auto service = make_service();
    // Without the service's templates the constructor refuses to start.
    CHECK_THROWS_AS(dialog::conversation(dialog::template_set::from(texts), service),
                    std::runtime_error);
    for (const auto& k : dialog::cases::case_service::required_templates())
        texts[k] = all->render(k);
    texts.erase("reply/claim_taken");
    CHECK_THROWS_AS(dialog::conversation(dialog::template_set::from(texts), service),
                    std::runtime_error);
    texts["reply/claim_taken"] = "x";
    CHECK_NOTHROW(dialog::conversation(dialog::template_set::from(texts), service));
}

TEST_CASE("during a read-back 确认 is the answer it expects, 心愿墙 a command that beats it",
          "[dialog]") {
    fixture f;
    understanding u = understood("other", "城乡建设", "complaint", true);
    u.intent.unsure = true;
    u.normalised = "幸福小区3栋门口那个东西好像不太对劲有点吓人";
    f.say_as("resident-1", "幸福小区3栋门口那个东西好像不太对劲，有点吓人", u);
    auto wall = f.say("resident-1", "心愿墙", t0 + 10);
    CHECK(wall.opened.empty());
    CHECK(has(wall.answer.text, "心愿墙"));
    auto out = f.say("resident-1", "确认", t0 + 20);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].address == "幸福小区3栋");
}

TEST_CASE("an opener without content, then the matter told properly, make one draft", "[dialog]") {
    fixture f;
    auto opener = understood("file_appeal", "城乡建设", "complaint");
    opener.normalised = "我要反映一下";
    CHECK(has(f.say_as("resident-1", "我要反映一下", opener).answer.text, "地点"));
    auto story = understood("file_appeal", "环境保护", "complaint");
    story.normalised = "小区里那个东西一直响个不停吵得睡不着觉";
    auto again = f.say_as("resident-1", "小区里那个东西一直响个不停，吵得睡不着觉", story, t0 + 10);
    CHECK(again.opened.empty());
    CHECK(has(again.answer.text, "地点"));
    auto where = understood("other", "", "", true);
    auto out = f.say_as("resident-1", "幸福小区3栋", where, t0 + 20);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].description == "我要反映一下 小区里那个东西一直响个不停，吵得睡不着觉");
    CHECK(out.opened[0].category == "环境保护");
}

TEST_CASE("thanks get a warm answer, not a puzzled one", "[dialog]") {
    fixture f;
    auto out = f.reply("resident-1", "謝謝你們");  // Traditional
    CHECK(has(out, "不客气"));
    CHECK_FALSE(has(out, "没有完全听明白"));
}
