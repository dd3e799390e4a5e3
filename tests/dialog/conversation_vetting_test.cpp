// Vetted volunteers by chat (docs/security.md): an applicant sees no phone and no address and
// cannot claim; bound staff list and decide applications of their own communities only; an
// approved volunteer sees the contact only while holding the claim, each reveal audited.
#include <catch2/catch.hpp>

#include "adapters/db/staff.hpp"
#include "tests/dialog/conversation_fixture.hpp"

using namespace conversation_tests;

namespace {

namespace store_ns = minsheng::adapters::db;

// A staff member whose WeChat `user` is bound through the chat with a one-time code.
void bind_staff(fixture& f, const std::string& user, store_ns::staff_member m) {
    store_ns::save_staff(f.db, m, t0 - 100);
    const auto code =
        store_ns::issue_bind_code(f.db, *f.service->settings().codes, m.id, t0 + 86400, t0 - 50);
    REQUIRE(has(f.reply(user, "绑定工号 " + code.code, t0 - 40), m.name));
}

store_ns::staff_member worker(const std::string& id, const std::string& community) {
    store_ns::staff_member m;
    m.id = id;
    m.name = "工作人员" + id;
    m.role = "worker";
    m.community = community;
    return m;
}

std::optional<dialog::person> person_of(fixture& f, const std::string& user) {
    std::optional<dialog::person> p;
    f.with([&](dialog::unit_of_work& uow) {
        p = uow.get_person({dialog::channel::wechat_oa, user});
    });
    return p;
}

std::size_t count_action(const std::vector<dialog::case_event>& events, const std::string& a) {
    std::size_t n = 0;
    for (const auto& e : events) n += e.action == a ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("a self-registered volunteer sees no phone and no address and cannot claim", "[dialog]") {
    fixture f;
    const auto number = f.open_wish("resident-1");
    f.apply_volunteer("harvester");
    const auto events_before = f.events(number).size();

    for (const std::string& text :
         {"认领 " + number, std::string("我的认领"), std::string("心愿墙")}) {
        const auto reply = f.reply("harvester", text, t0 + 60);
        INFO(text << " → " << reply);
        CHECK_FALSE(has(reply, "13812345678"));
        CHECK_FALSE(has(reply, "5栋"));
    }
    CHECK(has(f.reply("harvester", "认领 " + number, t0 + 70), "审核"));
    CHECK(f.status_of(number) == "accepted");
    CHECK(f.find(number)->claimer.empty());
    CHECK(f.events(number).size() == events_before);
}

TEST_CASE("bound staff list and decide applications of their community; others cannot",
          "[dialog]") {
    fixture f;
    const auto zy = std::to_string(f.apply_volunteer("applicant", "光明社区"));
    bind_staff(f, "staff-gm", worker("w-gm", "光明社区"));
    bind_staff(f, "staff-xf", worker("w-xf", "幸福社区"));

    // Not staff: told so, nothing changes.
    CHECK(has(f.reply("resident-1", "同意志愿者 ZY" + zy, t0), "工作人员"));
    CHECK(has(f.reply("applicant", "同意志愿者 ZY" + zy, t0), "工作人员"));
    CHECK(has(f.reply("resident-1", "志愿者申请", t0), "工作人员"));
    // Another community's worker sees nothing and cannot decide.
    CHECK(has(f.reply("staff-xf", "志愿者申请", t0), "没有待审核"));
    CHECK(has(f.reply("staff-xf", "同意志愿者 ZY" + zy, t0), "不属于"));
    CHECK(person_of(f, "applicant")->volunteer_status == "applied");

    // Their own worker lists and approves it.
    CHECK(has(f.reply("staff-gm", "志愿者申请", t0), "ZY" + zy));
    CHECK(has(f.reply("staff-gm", "同意志愿者 zy" + zy, t0 + 10), "已同意"));
    const auto p = person_of(f, "applicant");
    CHECK(p->volunteer);
    CHECK(p->volunteer_decided_by == "operator:w-gm");
    CHECK(has(f.reply("staff-gm", "同意志愿者 ZY" + zy, t0 + 20), "已经同意过"));
    CHECK(has(f.reply("staff-gm", "同意志愿者", t0 + 20), "编号"));
    CHECK(has(f.reply("staff-gm", "婉拒志愿者 ZY999", t0 + 20), "没有找到"));
}

TEST_CASE("an approved volunteer sees the contact only while holding the claim, each audited",
          "[dialog]") {
    fixture f;
    const auto number = f.open_wish("resident-1");
    f.register_volunteer("vol-1");
    auto claimed = f.reply("vol-1", "认领 " + number, t0 + 60);
    CHECK(has(claimed, "13812345678"));
    CHECK(has(f.reply("vol-1", "我的认领", t0 + 70), "13812345678"));
    auto events = f.events(number);
    CHECK(count_action(events, "contact_shown") == 2);
    CHECK(events.back().actor == "wechat_oa:vol-1");
    // The wall never shows it; after release neither the list nor the wall does.
    CHECK_FALSE(has(f.reply("vol-1", "放弃 " + number, t0 + 80), "13812345678"));
    CHECK_FALSE(has(f.reply("vol-1", "我的认领", t0 + 90), "13812345678"));
    CHECK_FALSE(has(f.reply("vol-1", "心愿墙", t0 + 90), "13812345678"));
    CHECK(count_action(f.events(number), "contact_shown") == 2);
}

TEST_CASE("a moved resident votes once bound staff of the new community confirm the move",
          "[dialog]") {
    fixture f;
    bind_staff(f, "staff-gm", worker("w-gm", "光明社区"));
    bind_staff(f, "staff-xf", worker("w-xf", "幸福社区"));
    std::string number;
    f.with([&](dialog::unit_of_work& uow) {
        const dialog::person_ref proposer{dialog::channel::wechat_oa, "proposer"};
        f.service->set_community(uow, proposer, "幸福社区", t0 - 100);
        number = f.service->propose(uow, proposer, "幸福社区", "充电桩", "门口加装充电桩", t0)
                     .after.number;
    });
    REQUIRE(number.size() == 15);
    // Lived in 光明社区, says 幸福社区 just before the vote.
    f.verify_phone("mover");
    f.with([&](dialog::unit_of_work& uow) {
        f.service->set_community(uow, {dialog::channel::wechat_oa, "mover"}, "光明社区", t0 - 10);
        f.service->set_community(uow, {dialog::channel::wechat_oa, "mover"}, "幸福社区", t0);
    });
    const auto move = std::to_string(person_of(f, "mover")->community_move);
    auto cooling = f.reply("mover", "投票 " + number, t0 + 60);
    CHECK(has(cooling, "12月23日"));  // 30 days after 2026-11-23
    CHECK(has(cooling, "确认"));

    // Not staff, or staff of another community: nothing changes.
    CHECK(has(f.reply("mover", "确认迁入 " + move, t0 + 70), "工作人员"));
    CHECK(has(f.reply("staff-gm", "确认迁入 " + move, t0 + 80), "不属于"));
    CHECK(person_of(f, "mover")->community_confirmed_at == 0);
    CHECK(has(f.reply("staff-xf", "确认迁入", t0 + 90), "编号"));
    CHECK(has(f.reply("staff-xf", "确认迁入 999", t0 + 90), "没有找到"));

    CHECK(has(f.reply("staff-xf", "确认迁入 " + move, t0 + 100), "已确认"));
    CHECK(has(f.reply("staff-xf", "确认迁入 " + move, t0 + 110), "已经确认过"));
    CHECK(has(f.reply("mover", "投票 " + number, t0 + 120), "投票成功"));
}
