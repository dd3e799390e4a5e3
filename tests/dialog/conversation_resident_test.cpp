// Residents after filing: details, progress, cancel, confirm, rate, "not solved" — typed as
// residents type them, understood by the real engine.
#include "dialog/conversation/conversation.hpp"

#include <catch2/catch.hpp>

#include "conversation_fixture.hpp"

using namespace conversation_tests;
using dialog::cases::action;

namespace {

// A complaint of `user` that case workers report done.
std::string done_case(fixture& f, const std::string& user) {
    auto number = f.open_complaint(user);
    f.operator_act(number, action::assign);
    f.operator_act(number, action::start);
    f.operator_act(number, action::report_done);
    REQUIRE(f.status_of(number) == "done");
    return number;
}

bool has_event(fixture& f, const std::string& number, const std::string& action,
               const std::string& note_part = "") {
    for (const auto& e : f.events(number))
        if (e.action == action && has(e.note, note_part)) return true;
    return false;
}

}  // namespace

TEST_CASE("a photo goes to the resident's most recent open case as a detail", "[dialog]") {
    fixture f;
    f.open_complaint("resident-1");
    auto number = f.open_complaint("resident-1", t0 + 10);
    auto img = f.message("resident-1", "", inbound_kind::image);
    img.url = "http://mmbiz.example/pic1.jpg";
    img.media_id = "media-1";
    auto out = f.step(img, nullptr, t0 + 60);
    CHECK(has(out.answer.text, number));
    CHECK(has(out.answer.text, "补充"));
    CHECK(has_event(f, number, "detail", "[图片] http://mmbiz.example/pic1.jpg"));
}

TEST_CASE("a text 补充 adds to the open case; a number picks which one", "[dialog]") {
    fixture f;
    auto first = f.open_complaint("resident-1");
    auto second = f.open_complaint("resident-1", t0 + 10);
    auto out = f.say("resident-1", "补充一下，是3栋2单元门口", t0 + 60);
    CHECK(out.opened.empty());
    CHECK(has(out.answer.text, second));
    CHECK(has_event(f, second, "detail", "3栋2单元"));
    auto named =
        f.say("resident-1", "補充 " + first + " 晚上十点以後最黑", t0 + 90);  // Traditional
    CHECK(has(named.answer.text, first));
    CHECK(has_event(f, first, "detail", "最黑"));
    // A location goes to the most recent case too.
    auto loc = f.message("resident-1", "", inbound_kind::location);
    loc.label = "幸福小区3栋";
    f.step(loc, nullptr, t0 + 120);
    CHECK(has_event(f, second, "detail", "[位置] 幸福小区3栋"));
}

TEST_CASE("with no open case a photo gets the media reply and changes nothing", "[dialog]") {
    fixture f;
    auto img = f.message("resident-1", "", inbound_kind::image);
    img.url = "http://mmbiz.example/pic1.jpg";
    auto out = f.step(img, nullptr);
    CHECK(has(out.answer.text, "文字"));
    CHECK(out.opened.empty());
}

TEST_CASE("progress lists open and recently closed cases with status and deadline", "[dialog]") {
    fixture f;
    auto open = f.open_complaint("resident-1");
    auto cancelled = f.open_complaint("resident-1", t0 + 10);
    f.operator_act(cancelled, action::cancel);
    auto out = f.say("resident-1", "我的诉求怎么样了", t0 + 7200);
    CHECK(has(out.answer.text, open));
    CHECK(has(out.answer.text, cancelled));
    CHECK(has(out.answer.text, "已撤销"));
    CHECK(has(out.answer.text, "12月14日"));  // the complaint's deadline
    CHECK(has(f.reply("resident-1", "我的訴求怎麼樣了", t0 + 7200), open));  // Traditional
    // The menu item does the same; someone else sees none of it.
    CHECK(has(f.click("resident-1", "MY_CASES", t0 + 7200).answer.text, open));
    CHECK_FALSE(has(f.reply("resident-2", "查询", t0 + 7200), open));
    // Long after closing, a cancelled case drops off the list.
    auto later = f.reply("resident-1", "查询", t0 + 40 * 86400);
    CHECK_FALSE(has(later, cancelled));
}

TEST_CASE("progress of one case shows its status and its last event", "[dialog]") {
    fixture f;
    auto number = f.open_complaint("resident-1");
    f.operator_act(number, action::assign);
    f.operator_act(number, action::start);
    auto out = f.reply("resident-1", "查詢 " + number, t0 + 7200);
    CHECK(has(out, number));
    CHECK(has(out, "办理中"));
    CHECK(has(out, "开始办理"));
    // Another resident cannot read it.
    auto other = f.reply("resident-2", "查询 " + number, t0 + 7200);
    CHECK(has(other, "没有找到"));
    CHECK_FALSE(has(other, "办理中"));
}

TEST_CASE("撤销 with exactly one open case asks first; yes cancels it", "[dialog]") {
    fixture f;
    auto number = f.open_complaint("resident-1");
    auto ask = f.reply("resident-1", "撤销", t0 + 60);
    CHECK(has(ask, "确定撤销"));
    CHECK(has(ask, number));
    CHECK(f.status_of(number) == "received");
    auto done = f.reply("resident-1", "是", t0 + 90);
    CHECK(has(done, "已为您撤销"));
    CHECK(f.status_of(number) == "cancelled");
}

TEST_CASE("a no to the cancel question keeps the case", "[dialog]") {
    fixture f;
    auto number = f.open_complaint("resident-1");
    f.reply("resident-1", "取消", t0 + 60);
    auto kept = f.reply("resident-1", "不", t0 + 90);
    CHECK(has(kept, "不撤销"));
    CHECK(f.status_of(number) == "received");
}

TEST_CASE("撤销 with several open cases asks which; the number cancels that one", "[dialog]") {
    fixture f;
    auto first = f.open_complaint("resident-1");
    auto second = f.open_complaint("resident-1", t0 + 10);
    auto ask = f.reply("resident-1", "撤销", t0 + 60);
    CHECK(has(ask, first));
    CHECK(has(ask, second));
    CHECK(f.status_of(first) == "received");
    auto done = f.reply("resident-1", first, t0 + 90);
    CHECK(has(done, first));
    CHECK(f.status_of(first) == "cancelled");
    CHECK(f.status_of(second) == "received");
}

TEST_CASE("撤銷 with a number cancels that case at once; only the resident's own", "[dialog]") {
    fixture f;
    auto mine = f.open_complaint("resident-1");
    auto theirs = f.open_complaint("resident-2");
    auto refused = f.reply("resident-1", "撤銷 " + theirs, t0 + 60);
    CHECK(has(refused, "没有找到"));
    CHECK(f.status_of(theirs) == "received");
    auto out = f.reply("resident-1", "撤銷 " + mine, t0 + 60);  // Traditional
    CHECK(has(out, mine));
    CHECK(f.status_of(mine) == "cancelled");
    CHECK(has(f.reply("resident-3", "取消", t0 + 60), "没有可以撤销"));
}

TEST_CASE("已解决 confirms a done case and asks for a rating; a bare 5 rates it", "[dialog]") {
    fixture f;
    auto number = done_case(f, "resident-1");
    auto ask = f.reply("resident-1", "已解决", t0 + 7200);
    CHECK(has(ask, number));
    CHECK(has(ask, "1到5分"));
    CHECK(f.status_of(number) == "confirmed");
    auto thanks = f.reply("resident-1", "5", t0 + 7300);
    CHECK(has(thanks, "谢谢您的评价"));
    auto c = f.find(number);
    REQUIRE(c);
    CHECK(c->status == "closed");
    CHECK(c->rating == 5);
}

TEST_CASE("已解決 in Traditional confirms too; with nothing done it says so", "[dialog]") {
    fixture f;
    auto open = f.open_complaint("resident-1");
    CHECK(has(f.reply("resident-1", "已解决", t0 + 60), "没有等待确认"));
    CHECK(f.status_of(open) == "received");
    auto number = done_case(f, "resident-2");
    f.reply("resident-2", "已解決", t0 + 7200);
    CHECK(f.status_of(number) == "confirmed");
}

TEST_CASE("评价 4 服务很好 rates the done case with its comment", "[dialog]") {
    fixture f;
    auto number = done_case(f, "resident-1");
    auto out = f.reply("resident-1", "评价 4 服务很好", t0 + 7200);
    CHECK(has(out, "4分"));
    auto c = f.find(number);
    REQUIRE(c);
    CHECK(c->status == "closed");
    CHECK(c->rating == 4);
    CHECK(c->rating_comment == "服务很好");
}

TEST_CASE("满意 rates 5 and 五星 too", "[dialog]") {
    fixture f;
    auto a = done_case(f, "resident-1");
    f.reply("resident-1", "滿意", t0 + 7200);  // Traditional
    CHECK(f.find(a)->rating == 5);
    auto b = done_case(f, "resident-2");
    f.reply("resident-2", "五星", t0 + 7200);
    CHECK(f.find(b)->rating == 5);
    CHECK(f.status_of(b) == "closed");
}

TEST_CASE("不满意 reopens the case and says it goes back to the handler", "[dialog]") {
    fixture f;
    auto number = done_case(f, "resident-1");
    auto out = f.reply("resident-1", "不满意", t0 + 7200);
    CHECK(has(out, number));
    CHECK(has(out, "退回"));
    CHECK(f.status_of(number) == "in_progress");
}

TEST_CASE("还没解决 reopens a done case", "[dialog]") {
    fixture f;
    auto number = done_case(f, "resident-1");
    auto out = f.reply("resident-1", "還沒解決", t0 + 7200);  // Traditional
    CHECK(has(out, number));
    CHECK(has(out, "退回"));
    CHECK(f.status_of(number) == "in_progress");
    CHECK(has_event(f, number, "not_solved"));
}

TEST_CASE("a rating with nothing to rate, and 没解决 on a case still open, change nothing",
          "[dialog]") {
    fixture f;
    CHECK(has(f.reply("resident-1", "5分"), "没有等待评价"));
    auto number = f.open_complaint("resident-1");
    auto out = f.reply("resident-1", "没解决", t0 + 60);
    CHECK(has(out, number));
    CHECK(has(out, "正在加紧办理"));
    CHECK(f.status_of(number) == "received");
}

TEST_CASE("a progress list stays within one passive reply", "[dialog]") {
    fixture f;
    for (int i = 0; i < 8; ++i) {
        auto u = understood("file_appeal", "城乡建设", "complaint", true);
        std::string text(300, 'x');
        text = "幸福小区3栋的路灯坏了" + text;
        REQUIRE(f.say_as("resident-1", text, u, t0 + i).opened.size() == 1);
    }
    auto out = f.reply("resident-1", "查询", t0 + 60);
    CHECK(out.size() <= 2048);
    CHECK(has(out, "MS"));
}

TEST_CASE("the rating question expires: a much later bare 5 rates nothing", "[dialog]") {
    fixture f;
    auto number = done_case(f, "resident-1");
    f.reply("resident-1", "已解决", t0 + 7200);
    REQUIRE(f.status_of(number) == "confirmed");
    f.reply("resident-1", "5", t0 + 7200 + dialog::conversation::pending_ttl_seconds + 1);
    CHECK(f.status_of(number) == "confirmed");
    CHECK(f.find(number)->rating == 0);
}
