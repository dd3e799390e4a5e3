#include "dialog/conversation/conversation.hpp"

#include <catch2/catch.hpp>

#include "adapters/sqlite_store/store.hpp"

using namespace minsheng;
using dialog::inbound_kind;
using dialog::inbound_message;
using dialog::nlu::understanding;

namespace {

constexpr std::int64_t t0 = 1795400000;  // 2026-11-23 (a Monday) around noon in China

understanding understood(std::string intent, std::string category = "", std::string kind = "",
                         bool with_address = false, std::string urgency = "normal") {
    understanding u;
    u.normalised = "我们小区的路灯坏了好几天了晚上很黑";
    u.intent = {std::move(intent), 0.9, false};
    u.category = {std::move(category), 0.9, false};
    u.kind = {std::move(kind), 0.8, false};
    u.urgency = {std::move(urgency), 0.9, false};
    if (with_address) u.entities.push_back({"address", "幸福小区3栋", "幸福小区3栋", {0, 1}});
    return u;
}

inbound_message text(std::string body, std::string key) {
    inbound_message m;
    m.user_id = "openid-1";
    m.dedup_key = std::move(key);
    m.kind = inbound_kind::text;
    m.text = std::move(body);
    m.create_time = t0;
    return m;
}

struct fixture {
    adapters::sqlite_store::store db{":memory:"};
    dialog::conversation talk{dialog::template_set::load(MINSHENG_SOURCE_DIR "/templates")};

    dialog::step_outcome say(const inbound_message& m, const understanding* u,
                             std::int64_t now = t0) {
        dialog::step_outcome out;
        db.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
            out = talk.step(m, u, uow, now);
            return out.answer.text;
        });
        return out;
    }
};

}  // namespace

TEST_CASE("a complete appeal with its place opens a case at once and the reply names it",
          "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "城乡建设", "complaint", true);
    auto out = f.say(text("幸福小区3栋的路灯坏了好几天了", "m1"), &u);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].category == "城乡建设");
    CHECK(out.opened[0].address == "幸福小区3栋");
    CHECK(out.answer.text.find(out.opened[0].number) != std::string::npos);
}

TEST_CASE("a place-bound appeal without a place asks where, then opens on the answer", "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "环境保护", "complaint");
    auto first = f.say(text("路边垃圾堆了一个星期没人清理，臭得很", "m1"), &u);
    CHECK(first.opened.empty());
    CHECK(first.answer.text.find("地点") != std::string::npos);

    auto where = understood("other", "", "", true);
    auto second = f.say(text("幸福小区3栋后面", "m2"), &where, t0 + 60);
    REQUIRE(second.opened.size() == 1);
    CHECK(second.opened[0].description == "路边垃圾堆了一个星期没人清理，臭得很");
    CHECK(second.opened[0].category == "环境保护");
    CHECK(second.answer.text.find(second.opened[0].number) != std::string::npos);
}

TEST_CASE("a personal need that is not bound to a place opens without asking where", "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "劳动和社会保障", "wish", false, "urgent");
    auto out = f.say(text("我家老人独居，腿摔伤了，想找人帮忙买菜", "m1"), &u);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].urgency == "urgent");
    CHECK(out.answer.text.find("紧急") != std::string::npos);
}

TEST_CASE("cancel while the bot waits for the place drops the draft", "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "交通运输", "complaint");
    f.say(text("公交站的顶棚塌了", "m1"), &u);
    auto cancel = understood("cancel");
    auto out = f.say(text("算了，取消吧", "m2"), &cancel, t0 + 30);
    CHECK(out.opened.empty());
    CHECK(out.answer.text.find("取消") != std::string::npos);
    // The next plain sentence is not taken as a place any more.
    auto hello = understood("greet");
    auto again = f.say(text("你好", "m3"), &hello, t0 + 40);
    CHECK(again.opened.empty());
}

TEST_CASE("a pending appeal expires, so a much later message is not taken as its place",
          "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "城乡建设", "complaint");
    f.say(text("楼道的灯坏了", "m1"), &u);
    auto later = understood("greet");
    auto out =
        f.say(text("你好", "m2"), &later, t0 + dialog::conversation::pending_ttl_seconds + 1);
    CHECK(out.opened.empty());
    CHECK(out.answer.text.find("您好") != std::string::npos);
}

TEST_CASE("greeting, help and progress get useful answers and open nothing", "[dialog]") {
    fixture f;
    auto greet = understood("greet");
    CHECK(f.say(text("你好", "m1"), &greet).answer.text.find("您好") != std::string::npos);
    auto help = understood("help");
    CHECK(f.say(text("你能做什么", "m2"), &help).answer.text.find("查询") != std::string::npos);
    auto progress = understood("ask_progress");
    CHECK(f.say(text("我的诉求怎么样了", "m3"), &progress).answer.text.find("还没有") !=
          std::string::npos);

    auto appeal = understood("file_appeal", "城乡建设", "complaint", true);
    auto opened = f.say(text("幸福小区3栋路灯坏了", "m4"), &appeal);
    REQUIRE(opened.opened.size() == 1);
    auto listed = f.say(text("查询", "m5"), &progress);
    CHECK(listed.answer.text.find(opened.opened[0].number) != std::string::npos);
    CHECK(listed.answer.text.find("已受理") != std::string::npos);
}

TEST_CASE("subscribing gets a welcome; other events get no reply", "[dialog]") {
    fixture f;
    auto sub = text("", "e1");
    sub.kind = inbound_kind::subscribe;
    CHECK(f.say(sub, nullptr).answer.text.find("欢迎") != std::string::npos);
    auto ev = text("", "e2");
    ev.kind = inbound_kind::other_event;
    CHECK(f.say(ev, nullptr).answer.kind == dialog::reply::type::none);
}

TEST_CASE("a vague place such as 我们小区 is not enough: the bot still asks where", "[dialog]") {
    fixture f;
    auto u = understood("file_appeal", "城乡建设", "complaint");
    u.entities.push_back({"address", "我们小区", "我们小区", {0, 12}});
    auto ask = f.say(text("我们小区的路灯坏了好几天了", "m1"), &u);
    CHECK(ask.opened.empty());
    CHECK(ask.answer.text.find("地点") != std::string::npos);
    auto where = understood("file_appeal", "城乡建设", "project", true);
    auto out = f.say(text("阳光花园5栋门口", "m2"), &where, t0 + 20);
    REQUIRE(out.opened.size() == 1);
    CHECK(out.opened[0].description == "我们小区的路灯坏了好几天了");
    CHECK(out.opened[0].address == "幸福小区3栋");
}
