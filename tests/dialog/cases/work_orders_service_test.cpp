// Work orders of grid workers on the case service (dialog/cases/work_orders.hpp), on the real
// store: only the assigned worker acts; each step is an event; the resident hears acceptance,
// arrival and the result; a returned order goes back to the community's queue.
#include "dialog/cases/work_orders.hpp"

#include <catch2/catch.hpp>

#include "dialog/cases/assignment.hpp"
#include "tests/dialog/cases/service_test_support.hpp"

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;
using namespace minsheng::dialog::cases::testing;

namespace {

const person_ref resident_ref = resident("oLampResident");

bound_staff grid_worker(std::string id, std::string community = "光明社区") {
    return {std::move(id), "网格员", "worker", std::move(community), ""};
}

// A complaint in 光明社区 assigned to worker `who`.
case_record assigned_order(world& w, std::int64_t t, const std::string& who,
                           const std::string& text = "5栋门口的路灯坏了") {
    auto c = w.open(draft(resident_ref, "complaint", text, t), t);
    act_args args;
    args.assignee = who;
    REQUIRE(w.act(c.id, action::assign, actor::op("operator-1"), t + 1, args).ok());
    return w.get(c.id);
}

order_result step(world& w, const bound_staff& s, const std::string& number, order_step st,
                  std::string text, std::int64_t t, std::optional<geo_point> at = std::nullopt) {
    return w.tx(
        [&](unit_of_work& u) { return w.service.order_act(u, s, number, st, text, at, t); });
}

}  // namespace

TEST_CASE("a grid worker accepts, arrives, reports progress and a photo, and completes an order",
          "[dialog]") {
    world w;
    const auto t = at("2026-03-02T10:00:00+08:00");
    const auto me = grid_worker("w-grid-1");
    const auto c = assigned_order(w, t, me.id);

    auto r = step(w, me, c.number, order_step::accept, "", t + 10);
    REQUIRE(r.what == order_outcome::done);
    CHECK(r.after.status == "assigned");
    CHECK(sent_to(w.outbox(c.id), "notify/order_accepted", resident_ref));
    // Twice is refused, nothing written.
    CHECK(step(w, me, c.number, order_step::accept, "", t + 11).what ==
          order_outcome::wrong_status);

    // Arriving needs the worker's location; without one nothing changes.
    CHECK(step(w, me, c.number, order_step::arrive, "", t + 20).what ==
          order_outcome::needs_location);
    CHECK(step(w, me, c.number, order_step::arrive, "", t + 20, geo_point{123.0, 113.7}).what ==
          order_outcome::needs_location);
    CHECK(w.get(c.id).status == "assigned");
    r = step(w, me, c.number, order_step::arrive, "", t + 30, geo_point{23.0123, 113.7456});
    REQUIRE(r.what == order_outcome::done);
    CHECK(r.after.status == "in_progress");
    CHECK(sent_to(w.outbox(c.id), "notify/case_in_progress", resident_ref));

    CHECK(step(w, me, c.number, order_step::progress, "", t + 40).what ==
          order_outcome::needs_text);
    CHECK(step(w, me, c.number, order_step::progress, "已联系物业，灯泡明天到货", t + 40).what ==
          order_outcome::done);
    CHECK(step(w, me, c.number, order_step::photo, "https://example.invalid/p1.jpg", t + 50).what ==
          order_outcome::done);

    CHECK(step(w, me, c.number, order_step::done, "", t + 60).what == order_outcome::needs_text);
    r = step(w, me, c.number, order_step::done, "路灯已更换，今晚起正常照明", t + 70);
    REQUIRE(r.what == order_outcome::done);
    CHECK(r.after.status == "done");
    // The resident reads the result in the done notice.
    const auto done = with_template(w.outbox(c.id), "notify/case_done_result");
    REQUIRE(done.size() == 1);
    CHECK(done[0].text.find("路灯已更换，今晚起正常照明") != std::string::npos);
    CHECK(with_template(w.outbox(c.id), "notify/case_done").empty());

    const auto events = w.events(c.id);
    const auto acts = actions_of(events);
    CHECK(acts == std::vector<std::string>{"opened", "assign", "order_accepted", "start",
                                           "order_progress", "order_photo", "report_done"});
    CHECK(events[3].actor == "operator:w-grid-1");
    CHECK(events[3].note.find("23.012300,113.745600") != std::string::npos);
    CHECK(events[4].note == "已联系物业，灯泡明天到货");
    CHECK(events[5].note == "https://example.invalid/p1.jpg");
    CHECK(events[6].note == "路灯已更换，今晚起正常照明");

    // Past done, every step is refused.
    CHECK(step(w, me, c.number, order_step::progress, "再看看", t + 80).what ==
          order_outcome::wrong_status);
    // The resident rates as usual.
    CHECK(w.rate(c.id, resident_ref, 5, t + 90).ok());
}

TEST_CASE("only the order's assigned worker acts on it; nothing is written for anyone else",
          "[dialog]") {
    world w;
    const auto t = at("2026-03-02T10:00:00+08:00");
    const auto c = assigned_order(w, t, "w-grid-1");
    const auto before = w.events(c.id).size();
    const auto outbox_before = w.outbox(c.id).size();

    const bound_staff other_grid = grid_worker("w-grid-2");  // same community, other grid
    const bound_staff other_place = grid_worker("w-far", "幸福社区");
    const bound_staff supervisor{"s-1", "督办", "supervisor", "", "东城街道"};
    const bound_staff same_id_not_worker{"w-grid-1", "管理员", "admin", "", ""};
    for (const auto* s : {&other_grid, &other_place, &supervisor, &same_id_not_worker}) {
        INFO(s->id << " " << s->role);
        for (auto st :
             {order_step::accept, order_step::progress, order_step::done, order_step::give_back}) {
            CHECK(step(w, *s, c.number, st, "某个说明", t + 10).what == order_outcome::not_yours);
        }
        CHECK(step(w, *s, c.number, order_step::arrive, "", t + 10, geo_point{23.0, 113.7}).what ==
              order_outcome::not_yours);
    }
    CHECK(w.events(c.id).size() == before);
    CHECK(w.outbox(c.id).size() == outbox_before);
    CHECK(w.get(c.id).status == "assigned");
    CHECK(
        step(w, grid_worker("w-grid-1"), "MS20990101-0001", order_step::accept, "", t + 10).what ==
        order_outcome::not_found);
}

TEST_CASE("a returned order goes back to the community's queue with the reason", "[dialog]") {
    world w;
    const auto t = at("2026-03-02T10:00:00+08:00");
    const auto me = grid_worker("w-grid-1");
    const auto c = assigned_order(w, t, me.id);
    CHECK(step(w, me, c.number, order_step::give_back, "", t + 10).what ==
          order_outcome::needs_text);
    auto r = step(w, me, c.number, order_step::give_back, "不属于本网格，在隔壁小区", t + 20);
    REQUIRE(r.what == order_outcome::done);
    const auto back = w.get(c.id);
    CHECK(back.status == "accepted");
    CHECK(back.assignee.empty());
    const auto ev = w.events(c.id).back();
    CHECK(ev.action == "return_order");
    CHECK(ev.from_status == "assigned");
    CHECK(ev.to_status == "accepted");
    CHECK(ev.note == "不属于本网格，在隔壁小区");
    const auto told = with_template(w.outbox(c.id), "notify/worker_order_returned");
    REQUIRE(told.size() == 1);
    CHECK(told[0].audience == "worker");
    CHECK(told[0].community == "光明社区");
    CHECK(told[0].text.find("不属于本网格") != std::string::npos);
    // Waiting for a worker again: auto-assignment lists it.
    const auto waiting =
        w.tx([&](unit_of_work& u) { return u.list_cases(assignment::waiting_cases()); });
    CHECK(std::any_of(waiting.begin(), waiting.end(),
                      [&](const case_record& x) { return x.id == c.id; }));
    // The worker no longer holds it.
    CHECK(step(w, me, c.number, order_step::accept, "", t + 30).what == order_outcome::not_yours);
}

TEST_CASE("a worker's orders come soonest due first, only open ones of their own", "[dialog]") {
    world w;
    const auto t = at("2026-03-02T10:00:00+08:00");
    const auto me = grid_worker("w-grid-1");
    // A consultation is due in 5 working days, a complaint in 15: opened later, listed first.
    const auto complaint = assigned_order(w, t, me.id);
    auto consult = w.open(draft(resident_ref, "consultation", "高龄补贴怎么申请", t + 5), t + 5);
    act_args args;
    args.assignee = me.id;
    REQUIRE(w.act(consult.id, action::assign, actor::op("operator-1"), t + 6, args).ok());
    const auto others = assigned_order(w, t, "w-grid-2", "井盖丢了");
    const auto finished = assigned_order(w, t, me.id, "垃圾桶满了");
    REQUIRE(step(w, me, finished.number, order_step::done, "已清运", t + 10).what ==
            order_outcome::done);

    const auto mine = w.tx([&](unit_of_work& u) { return w.service.orders_of(u, me, 10); });
    REQUIRE(mine.size() == 2);
    CHECK(mine[0].id == consult.id);
    CHECK(mine[1].id == complaint.id);
    (void)others;
    CHECK(w.tx([&](unit_of_work& u) {
               return w.service.orders_of(u, {"s-1", "", "supervisor", "", ""}, 10);
           }).empty());
}
