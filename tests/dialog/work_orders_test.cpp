// Grid workers answer their work orders by chat (dialog/conversation/detail/grid_flows.cpp), on
// the real store and the real NLU: 我的工单, 接单, 到场 + a location, 处理中 with a note, a photo,
// 办结 with the result, 退回 with a reason. A stranger and another grid's worker are refused and
// nothing changes.
#include <catch2/catch.hpp>

#include "adapters/db/staff.hpp"
#include "tests/dialog/conversation_fixture.hpp"

using namespace conversation_tests;

namespace {

namespace store_ns = minsheng::adapters::db;

store_ns::staff_member grid_worker(const std::string& id, const std::string& grid) {
    store_ns::staff_member m;
    m.id = id;
    m.name = "网格员" + id;
    m.role = "worker";
    m.community = "光明社区";
    m.grid = grid;
    return m;
}

// Binds `user`'s WeChat to staff member m through the chat (绑定工号).
void bind(fixture& f, const std::string& user, const store_ns::staff_member& m) {
    store_ns::save_staff(f.db, m, t0 - 100);
    const auto code =
        store_ns::issue_bind_code(f.db, *f.service->settings().codes, m.id, t0 + 86400, t0 - 50);
    REQUIRE(has(f.reply(user, "绑定工号 " + code.code, t0 - 40), m.name));
}

// A resident's complaint, assigned by an operator to `worker`; its number.
std::string order_for(fixture& f, const std::string& worker, std::int64_t now = t0) {
    const auto number = f.open_complaint("resident-" + std::to_string(now), now);
    f.with([&](dialog::unit_of_work& uow) {
        dialog::cases::act_args args;
        args.assignee = worker;
        const auto c = uow.find_case(number);
        REQUIRE(c);
        REQUIRE(f.service
                    ->act(uow, c->id, dialog::cases::action::assign,
                          dialog::cases::actor::op("operator-1"), args, now + 1)
                    .ok());
    });
    return number;
}

dialog::step_outcome send_location(fixture& f, const std::string& user, double lat, double lng,
                                   std::int64_t now) {
    auto m = f.message(user, "", inbound_kind::location);
    m.latitude = lat;
    m.longitude = lng;
    m.label = "光明社区5栋";
    return f.step(m, nullptr, now);
}

dialog::step_outcome send_photo(fixture& f, const std::string& user, const std::string& url,
                                std::int64_t now) {
    auto m = f.message(user, "", inbound_kind::image);
    m.url = url;
    m.media_id = "media-1";
    return f.step(m, nullptr, now);
}

std::vector<std::string> actions(fixture& f, const std::string& number) {
    std::vector<std::string> out;
    for (const auto& e : f.events(number)) out.push_back(e.action);
    return out;
}

}  // namespace

TEST_CASE("a bound grid worker takes an order from acceptance to done by chat", "[dialog]") {
    fixture f;
    bind(f, "grid-1", grid_worker("w-grid-1", "一网格"));
    const auto number = order_for(f, "w-grid-1");

    CHECK(has(f.reply("grid-1", "我的工单", t0 + 10), number));
    CHECK(has(f.reply("grid-1", "接单 " + number, t0 + 20), "已接单"));
    // 到场 asks for the location; the location message completes it.
    CHECK(has(f.reply("grid-1", "到场 " + number, t0 + 30), "位置"));
    CHECK(f.status_of(number) == "assigned");
    CHECK(has(send_location(f, "grid-1", 23.0123, 113.7456, t0 + 40).answer.text, "已记录到场"));
    CHECK(f.status_of(number) == "in_progress");
    CHECK(
        has(f.reply("grid-1", "处理中 " + number + " 已联系物业，灯泡明天到货", t0 + 50), "进展"));
    CHECK(has(send_photo(f, "grid-1", "https://example.invalid/p1.jpg", t0 + 60).answer.text,
              "照片"));
    // 办结 without a result asks for it; with one the order is done.
    CHECK(has(f.reply("grid-1", "办结 " + number, t0 + 70), "办理结果"));
    CHECK(f.status_of(number) == "in_progress");
    CHECK(has(f.reply("grid-1", "办结 " + number + "：路灯已更换，今晚起正常照明", t0 + 80),
              "已办结"));
    CHECK(f.status_of(number) == "done");
    CHECK(actions(f, number) == std::vector<std::string>{"opened", "assign", "order_accepted",
                                                         "start", "order_progress", "order_photo",
                                                         "report_done"});
    const auto ev = f.events(number);
    CHECK(ev[4].note == "已联系物业，灯泡明天到货");
    CHECK(ev[5].note == "https://example.invalid/p1.jpg");
    CHECK(ev[6].note == "路灯已更换，今晚起正常照明");
    CHECK(has(f.reply("grid-1", "我的工单", t0 + 90), "没有待办"));
}

TEST_CASE("a stranger and another grid's worker are refused and nothing changes", "[dialog]") {
    fixture f;
    bind(f, "grid-1", grid_worker("w-grid-1", "一网格"));
    bind(f, "grid-2", grid_worker("w-grid-2", "二网格"));
    const auto number = order_for(f, "w-grid-1");
    const auto before = f.events(number).size();

    for (const std::string text : {"接单 ", "到场 ", "处理中 ", "办结 ", "退回 "}) {
        INFO(text);
        CHECK(has(f.reply("stranger", text + number + " 好了", t0 + 10), "工作人员"));
        CHECK(has(f.reply("grid-2", text + number + " 好了", t0 + 10), "不是指派给您"));
    }
    CHECK(has(f.reply("stranger", "我的工单", t0 + 10), "工作人员"));
    CHECK_FALSE(has(f.reply("grid-2", "我的工单", t0 + 10), number));
    // A stranger's photo is not an order's photo.
    send_photo(f, "grid-2", "https://example.invalid/x.jpg", t0 + 20);
    CHECK(f.events(number).size() == before);
    CHECK(f.status_of(number) == "assigned");
}

TEST_CASE("a worker returns an order with a reason; a bad location is asked again", "[dialog]") {
    fixture f;
    bind(f, "grid-1", grid_worker("w-grid-1", "一网格"));
    const auto number = order_for(f, "w-grid-1");
    CHECK(has(f.reply("grid-1", "到场 " + number, t0 + 10), "位置"));
    CHECK(has(send_location(f, "grid-1", 123.0, 113.7, t0 + 20).answer.text, "重新发送"));
    CHECK(f.status_of(number) == "assigned");
    CHECK(has(f.reply("grid-1", "退回 " + number, t0 + 30), "退回原因"));
    CHECK(has(f.reply("grid-1", "退回 " + number + " 不属于本网格", t0 + 40), "已退回"));
    CHECK(f.status_of(number) == "accepted");
    CHECK(f.find(number)->assignee.empty());
    CHECK(f.events(number).back().note == "不属于本网格");
    CHECK(has(f.reply("grid-1", "接单", t0 + 50), "编号"));
}

TEST_CASE("a worker's patrol report opens a case in the grid of its location; hardship is private",
          "[dialog]") {
    fixture f;
    {
        auto calendar = std::make_shared<const dialog::cases::working_calendar>(
            dialog::cases::working_calendar::load(MINSHENG_SOURCE_DIR "/calendar"));
        dialog::cases::program_settings settings;
        settings.codes = std::make_shared<readable_codes>();
        settings.communities = {"光明社区", "幸福社区"};
        settings.grid_areas = {
            {"光明社区",
             "一网格",
             {{{{{23.00, 113.70}, {23.00, 113.71}, {23.01, 113.71}, {23.01, 113.70}}, {}}}}},
            {"幸福社区",
             "三网格",
             {{{{{23.00, 113.72}, {23.00, 113.73}, {23.01, 113.73}, {23.01, 113.72}}, {}}}}}};
        f.service = std::make_shared<const dialog::cases::case_service>(
            shipped_templates(), calendar, dialog::cases::working_hours::standard(),
            std::move(settings));
        f.talk = dialog::conversation{shipped_templates(), f.service};
    }
    bind(f, "grid-1", grid_worker("w-grid-1", "一网格"));

    // Not staff: told so, nothing kept.
    CHECK(has(f.reply("stranger", "巡查上报 楼道堆放杂物", t0), "工作人员"));
    CHECK(has(f.reply("grid-1", "巡查上报", t0), "巡查上报"));

    CHECK(has(f.reply("grid-1", "巡查上报 5栋楼道堆放大量杂物，存在消防隐患", t0 + 10), "位置"));
    CHECK(has(send_photo(f, "grid-1", "https://example.invalid/stairs.jpg", t0 + 20).answer.text,
              "照片"));
    // The location is in 幸福社区's grid, not the worker's own community: the boundary decides.
    auto out = send_location(f, "grid-1", 23.005, 113.725, t0 + 30);
    REQUIRE(out.opened.size() == 1);
    CHECK(has(out.answer.text, "三网格"));
    const auto hazard = f.find(out.opened[0].number);
    REQUIRE(hazard);
    CHECK(hazard->from == dialog::channel::grid);
    CHECK(hazard->reporter_id == "grid-1");
    CHECK(hazard->community == "幸福社区");
    CHECK(hazard->description == "5栋楼道堆放大量杂物，存在消防隐患");
    CHECK_FALSE(hazard->is_private);
    REQUIRE(hazard->location);
    CHECK(hazard->location->lat == Approx(23.005));
    const auto ev = f.events(hazard->number);
    REQUIRE(ev.size() >= 2);
    CHECK(ev[0].actor == "grid:grid-1");
    CHECK(has(ev[1].note, "https://example.invalid/stairs.jpg"));

    // A resident in difficulty: a private case, for workers only.
    CHECK(has(f.reply("grid-1", "巡查上报 3栋独居老人行动不便，家中无人照顾", t0 + 40), "位置"));
    out = send_location(f, "grid-1", 23.005, 113.705, t0 + 50);
    REQUIRE(out.opened.size() == 1);
    const auto hidden = f.find(out.opened[0].number);
    REQUIRE(hidden);
    CHECK(hidden->is_private);
    CHECK(hidden->community == "光明社区");
    CHECK(hidden->handling_mode.empty());
    CHECK(hidden->status == "received");
    CHECK(has(out.answer.text, "保密"));
    // Never on the wish wall, even asked for by a volunteer.
    CHECK_FALSE(has(f.reply("grid-1", "心愿墙", t0 + 60), hidden->number));
}
