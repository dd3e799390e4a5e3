// One problem, one case in chat: a resident reporting an open case's problem follows that case
// (told so), hears its progress and rates it; "不是同一个问题" gives them their own case.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dialog/intake/call_filing.hpp"
#include "dialog/intake/same_problem.hpp"
#include "tests/dialog/duplicates_fixture.hpp"

namespace {

using namespace conversation_tests;
using dialog::channel;

const std::string first = "幸福路的路灯坏了，晚上一片漆黑，走路很不安全";

}  // namespace

TEST_CASE("A resident reporting an open case's problem follows it instead of opening another",
          "[dialog][duplicates]") {
    with_duplicates f;
    const auto opened = f.tell("oAlice", first);
    REQUIRE(opened.opened.size() == 1);
    const auto number = opened.opened[0].number;

    const auto joined = f.tell("oBob", "幸福路路灯不亮好几天了，请派人修一下", t0 + 600);
    CHECK(joined.opened.empty());
    CHECK(has(joined.answer.text, "附近已有同类问题 " + number));
    CHECK(has(joined.answer.text, "已将您加入关注"));
    auto rows = f.followers(number);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].who == dialog::person_ref{channel::wechat_oa, "oBob"});
    CHECK(rows[0].via == "chat");
    // The follower's reply names neither the reporter nor their words.
    CHECK_FALSE(has(joined.answer.text, "oAlice"));
    CHECK_FALSE(has(joined.answer.text, "一片漆黑"));

    SECTION("another problem on the same street opens its own case") {
        const auto other = f.tell("oCarol", "幸福路有个井盖不见了，留下一个大洞", t0 + 900);
        CHECK(other.opened.size() == 1);
        CHECK(f.followers(number).size() == 1);
    }
    SECTION("the same report long after opens its own case") {
        const auto later = f.tell("oCarol", "幸福路路灯不亮好几天了", t0 + 40 * 86400);
        CHECK(later.opened.size() == 1);
    }
    SECTION("\"不是同一个问题\" right after gives the follower their own case") {
        const auto own = f.tell("oBob", "不是同一个问题", t0 + 700);
        REQUIRE(own.opened.size() == 1);
        CHECK(own.opened[0].number != number);
        CHECK(own.opened[0].description == "幸福路路灯不亮好几天了，请派人修一下");
        CHECK(own.opened[0].reporter_id == "oBob");
        rows = f.followers(number);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].left_at == t0 + 700);
        // Saying it again is a message of its own: nothing more is opened.
        CHECK(f.tell("oBob", "不是同一个问题", t0 + 800).opened.empty());
    }
    SECTION("the follower hears the progress, is asked to rate when done, and rates") {
        f.operator_act(number, dialog::cases::action::assign);
        f.operator_act(number, dialog::cases::action::report_done, t0 + 7200);
        const auto to_bob = f.outbox_to("oBob");
        REQUIRE(to_bob.size() == 2);
        CHECK(to_bob[0].template_key == "notify/case_assigned");
        CHECK(to_bob[1].template_key == "notify/follower_done");
        CHECK(has(to_bob[1].text, number));
        CHECK(f.outbox_to("oAlice").back().template_key != "notify/follower_done");

        const auto rated = f.tell("oBob", "5分", t0 + 8000);
        CHECK(has(rated.answer.text, "您关注的事项 " + number));
        CHECK(f.followers(number)[0].rating == 5);
        CHECK(f.status_of(number) == "done");  // the follower's rating is theirs alone
    }
    SECTION("a follower who left hears nothing more") {
        f.tell("oBob", "我说的不是这个问题", t0 + 700);
        f.operator_act(number, dialog::cases::action::assign);
        CHECK_FALSE(f.outbox_to("oAlice").empty());
        CHECK(f.outbox_to("oBob").empty());
    }
}

TEST_CASE("A report finds the open case of its place among many newer ones of its category",
          "[dialog][duplicates]") {
    with_duplicates f;
    const auto opened = f.tell("oAlice", first);
    REQUIRE(opened.opened.size() == 1);
    const auto number = opened.opened[0].number;
    // A busy city: more newer open cases of the category elsewhere than the newest the search
    // reads (20), none with a community or coordinates.
    const std::vector<std::string> streets = {
        "人民路", "解放路", "建设路", "中山路", "东风路", "和平路", "胜利路", "新华路", "文化路",
        "青年路", "光明路", "朝阳路", "长江路", "黄河路", "北京路", "上海路", "南京路", "广州路",
        "友谊路", "迎宾路", "花园路", "学院路", "工业路", "环城路", "滨江路"};
    for (std::size_t i = 0; i < streets.size(); ++i) {
        const auto other = f.tell("oNeighbour" + std::to_string(i),
                                  streets[i] + "的路灯坏了，晚上一片漆黑，走路很不安全",
                                  t0 + 60 + static_cast<std::int64_t>(i) * 60);
        INFO(streets[i] << ": " << other.answer.text);
        REQUIRE(other.opened.size() == 1);
    }
    const auto joined = f.tell("oBob", "幸福路路灯不亮好几天了，请派人修一下", t0 + 3600);
    CHECK(joined.opened.empty());
    CHECK(has(joined.answer.text, "附近已有同类问题 " + number));
    REQUIRE(f.followers(number).size() == 1);
    CHECK(f.followers(number)[0].who == dialog::person_ref{channel::wechat_oa, "oBob"});
    // The district named as well: the same street.
    const auto carol = f.tell("oCarol", "东城区幸福路的路灯也不亮了，晚上很黑", t0 + 3700);
    CHECK(carol.opened.empty());
    CHECK(f.followers(number).size() == 2);

    // A street whose name differs between the scripts: reported in Traditional, then in
    // Simplified after more cases elsewhere.
    const auto dave = f.tell("oDave", "龍華路的路燈壞了，晚上一片漆黑，走路很不安全", t0 + 3800);
    REQUIRE(dave.opened.size() == 1);
    const auto longhua = dave.opened[0].number;
    for (std::size_t i = 0; i < streets.size(); ++i)
        REQUIRE(f.tell("oLater" + std::to_string(i),
                       streets[i] + "有个井盖不见了，留下一个大洞，晚上很危险",
                       t0 + 3900 + static_cast<std::int64_t>(i) * 60)
                    .opened.size() == 1);  // another problem of the same category
    const auto erin = f.tell("oErin", "龙华路路灯不亮好几天了，请派人修一下", t0 + 6000);
    CHECK(erin.opened.empty());
    CHECK(has(erin.answer.text, longhua));
    REQUIRE(f.followers(longhua).size() == 1);
    CHECK(f.followers(longhua)[0].who == dialog::person_ref{channel::wechat_oa, "oErin"});
}

TEST_CASE("Without an engine the conversation looks for no duplicates", "[dialog][duplicates]") {
    fixture f;
    CHECK(f.say("oAlice", first).opened.size() == 1);
    CHECK(f.say("oBob", "幸福路路灯不亮好几天了，请派人修一下", t0 + 600).opened.size() == 1);
}

TEST_CASE("A 12345 caller reporting an open case's problem follows it, and is told so",
          "[dialog][duplicates]") {
    with_duplicates f;
    const auto number = f.tell("oAlice", first).opened.at(0).number;

    dialog::intake::call_report call;
    call.system = "default";
    call.call_id = "c1";
    call.caller_phone = "13900139000";
    call.dedup_key = "call:default:c1";
    const std::string said = "幸福路那边路灯不亮了，晚上很黑，走路不安全";
    dialog::intake::call_appeal a;
    a.text = said;
    a.understood = nlu().understand(said);
    call.appeals.push_back(a);

    SECTION("with the engine the call joins the case") {
        std::vector<std::int64_t> joined;
        std::vector<dialog::case_record> out;
        f.with([&](dialog::unit_of_work& uow) {
            out = dialog::intake::file_call(*f.service, *shipped_templates(), uow, call, t0 + 600,
                                            &nlu(), &joined);
        });
        REQUIRE(out.size() == 1);
        CHECK(out[0].number == number);
        CHECK(joined == std::vector<std::int64_t>{out[0].id});
        const auto rows = f.followers(number);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].who == dialog::person_ref{channel::hotline, "13900139000"});
        CHECK(rows[0].via == "hotline");
        const auto told = f.outbox_to("13900139000");
        REQUIRE(told.size() == 1);
        CHECK(told[0].template_key == "hotline/case_joined");
        CHECK(has(told[0].text, "附近已有同类问题 " + number));

        // The caller rings again about it: no second row, no case, told they follow it.
        auto again = call;
        again.call_id = "c2";
        again.dedup_key = "call:default:c2";
        std::vector<std::int64_t> joined2, repeated;
        f.with([&](dialog::unit_of_work& uow) {
            out = dialog::intake::file_call(*f.service, *shipped_templates(), uow, again, t0 + 7200,
                                            &nlu(), &joined2, nullptr, &repeated);
        });
        REQUIRE(out.size() == 1);
        CHECK(out[0].number == number);
        CHECK(joined2.empty());
        CHECK(repeated == std::vector<std::int64_t>{out[0].id});
        CHECK(f.followers(number).size() == 1);
        const auto told2 = f.outbox_to("13900139000");
        REQUIRE(told2.size() == 2);
        CHECK(told2[1].template_key == "hotline/case_repeated");
        CHECK(has(told2[1].text, "事项编号 " + number));
    }
    SECTION("a caller ringing again about their own case: its detail, no second case") {
        std::vector<dialog::case_record> first_call, second_call;
        std::vector<std::int64_t> repeated;
        auto own = call;
        own.caller_phone = "13700137000";
        const std::string elsewhere = "东湖路的井盖不见了，留下一个大洞，很危险";
        own.appeals[0].text = elsewhere;
        own.appeals[0].understood = nlu().understand(elsewhere);
        f.with([&](dialog::unit_of_work& uow) {
            first_call = dialog::intake::file_call(*f.service, *shipped_templates(), uow, own,
                                                   t0 + 600, &nlu());
        });
        REQUIRE(first_call.size() == 1);
        CHECK(first_call[0].number != number);
        auto again = own;
        again.call_id = "c3";
        again.dedup_key = "call:default:c3";
        const std::string said_again = "东湖路那个井盖还是没有，大洞很危险，请尽快处理";
        again.appeals[0].text = said_again;
        again.appeals[0].understood = nlu().understand(said_again);
        f.with([&](dialog::unit_of_work& uow) {
            second_call = dialog::intake::file_call(*f.service, *shipped_templates(), uow, again,
                                                    t0 + 7200, &nlu(), nullptr, nullptr, &repeated);
        });
        REQUIRE(second_call.size() == 1);
        CHECK(second_call[0].number == first_call[0].number);
        CHECK(repeated == std::vector<std::int64_t>{first_call[0].id});
        const auto events = f.events_of(first_call[0].number);
        REQUIRE_FALSE(events.empty());
        CHECK(events.back().action == "detail");
        CHECK(events.back().note == said_again);
        CHECK(f.followers(first_call[0].number).empty());
        CHECK(f.outbox_to("13700137000").back().template_key == "hotline/case_repeated");
    }
    SECTION("without it the call opens a case of its own") {
        std::vector<dialog::case_record> out;
        f.with([&](dialog::unit_of_work& uow) {
            out = dialog::intake::file_call(*f.service, *shipped_templates(), uow, call, t0 + 600);
        });
        REQUIRE(out.size() == 1);
        CHECK(out[0].number != number);
        CHECK(f.followers(number).empty());
    }
}

namespace {

// A case opened straight in the store, as a grid worker's private report is, or any other.
std::string open_directly(with_duplicates& f, const std::string& user, const std::string& text,
                          const std::string& category, bool is_private,
                          std::int64_t at = t0 + 300) {
    std::string number;
    f.with([&](dialog::unit_of_work& uow) {
        dialog::case_draft d;
        d.reporter_id = user;
        d.kind = "complaint";
        d.category = category;
        d.urgency = "normal";
        d.description = text;
        d.source_key = "direct-" + user;
        d.created_at = at;
        d.is_private = is_private;
        d.place = dialog::intake::place_of(nlu(), text, "", nullptr);  // as a channel would
        number = uow.open_case(d).number;
    });
    return number;
}

dialog::cases::act_result merge_case(with_duplicates& f, const std::string& from,
                                     const std::string& into, std::int64_t now = t0 + 3000) {
    const auto a = f.find(from);
    const auto b = f.find(into);
    REQUIRE(a);
    REQUIRE(b);
    dialog::cases::act_result r;
    f.with([&](dialog::unit_of_work& uow) {
        dialog::cases::act_args args;
        args.merge_into = b->id;
        r = f.service->act(uow, a->id, dialog::cases::action::merge,
                           dialog::cases::actor::op("tester"), args, now);
    });
    return r;
}

std::size_t count_key(const std::vector<dialog::notification>& ns, const std::string& key) {
    return static_cast<std::size_t>(
        std::count_if(ns.begin(), ns.end(), [&](const auto& n) { return n.template_key == key; }));
}

}  // namespace

TEST_CASE("A merge makes the merged case's reporter and followers followers of the target",
          "[dialog][duplicates]") {
    with_duplicates f;
    const auto a = f.tell("oAlice", first).opened.at(0);
    REQUIRE(f.tell("oBob", "幸福路路灯不亮好几天了，请派人修一下", t0 + 600).opened.empty());
    // Another report, on another street: its own case, until an operator sees it is the same.
    const auto d = f.tell("oDave", "光明路的路灯坏了，晚上很黑", t0 + 900).opened.at(0);
    REQUIRE(d.number != a.number);

    const auto merged = merge_case(f, a.number, d.number);
    REQUIRE(merged.ok());
    CHECK(f.status_of(a.number) == "merged");
    const auto rows = f.followers(d.number);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].who == dialog::person_ref{channel::wechat_oa, "oAlice"});
    CHECK(rows[1].who == dialog::person_ref{channel::wechat_oa, "oBob"});
    CHECK(rows[0].via == "merge");
    CHECK(rows[1].via == "merge");
    // Each of them told once, naming the case that goes on; the target's reporter not at all.
    for (const char* user : {"oAlice", "oBob"}) {
        INFO(user);
        const auto to = f.outbox_to(user);
        CHECK(count_key(to, "notify/case_merged") == 1);
        CHECK(has(to.back().text, d.number));
    }
    CHECK(count_key(f.outbox_to("oDave"), "notify/case_merged") == 0);

    SECTION("merging again changes nothing and tells no one") {
        const auto again = merge_case(f, a.number, d.number, t0 + 3100);
        CHECK_FALSE(again.ok());
        CHECK(f.followers(d.number).size() == 2);
        CHECK(count_key(f.outbox_to("oBob"), "notify/case_merged") == 1);
    }
    SECTION("they hear the target's progress and are asked for their own rating") {
        f.operator_act(d.number, dialog::cases::action::assign);
        f.operator_act(d.number, dialog::cases::action::report_done, t0 + 7200);
        const auto to_bob = f.outbox_to("oBob");
        CHECK(count_key(to_bob, "notify/case_assigned") == 1);
        CHECK(to_bob.back().template_key == "notify/follower_done");
        CHECK(has(to_bob.back().text, d.number));
        // The merged case's reporter hears it once, as a reporter of the target.
        const auto to_alice = f.outbox_to("oAlice");
        CHECK(count_key(to_alice, "notify/case_assigned") == 1);
        CHECK(to_alice.back().template_key == "notify/case_done");
        const auto rated = f.tell("oBob", "4分", t0 + 8000);
        CHECK(has(rated.answer.text, d.number));
        CHECK(f.followers(d.number)[1].rating == 4);
        CHECK(f.status_of(d.number) == "done");
    }
}

TEST_CASE("A private case is never merged, nor merged into", "[dialog][duplicates]") {
    with_duplicates f;
    const auto a = f.tell("oAlice", first).opened.at(0);
    REQUIRE(f.tell("oBob", "幸福路路灯不亮好几天了，请派人修一下", t0 + 600).opened.empty());
    const auto p =
        open_directly(f, "worker-grid", "幸福路独居老人家里路灯线路坏了", a.category, true);
    const auto into_private = merge_case(f, a.number, p);
    CHECK(into_private.why == dialog::cases::refusal::invalid);
    CHECK(has(into_private.detail, "private"));
    const auto of_private = merge_case(f, p, a.number);
    CHECK(of_private.why == dialog::cases::refusal::invalid);
    CHECK(has(of_private.detail, "private"));
    // Nothing changed: both open, nobody moved, nobody told.
    CHECK(f.status_of(a.number) == "received");
    CHECK(f.status_of(p) == "received");
    CHECK(f.followers(p).empty());
    CHECK(f.followers(a.number).size() == 1);
    CHECK(count_key(f.outbox_to("oBob"), "notify/case_merged") == 0);
}

TEST_CASE("Possible duplicates are the intake's decision, never a private case",
          "[dialog][duplicates]") {
    with_duplicates f;
    const auto a = f.tell("oAlice", first).opened.at(0);
    // Someone who said it is not the same: two open cases of one problem, not joined.
    REQUIRE(f.tell("oCarol", "幸福路路灯不亮好几天了，请派人修一下", t0 + 600).opened.empty());
    const auto c = f.tell("oCarol", "不是同一个问题", t0 + 700).opened.at(0);
    // Another problem of the category on the same street, and a private case of the same words.
    CHECK(f.tell("oErin", "幸福路有个井盖不见了，留下一个大洞", t0 + 800).opened.size() == 1);
    const auto p = open_directly(f, "worker-grid", "幸福路的路灯坏了，晚上一片漆黑", a.category,
                                 true, t0 + 900);

    const auto subject = *f.find(a.number);
    std::vector<dialog::case_record> candidates;
    f.with([&](dialog::unit_of_work& uow) {
        candidates = uow.duplicate_candidates(
            dialog::intake::candidates_near(dialog::cases::duplicate_policy{}, subject));
    });
    // The store's candidates already leave the private case out; the decision would too.
    if (auto priv = f.find(p)) candidates.push_back(*priv);
    const auto misses = dialog::intake::near_misses(nlu(), dialog::cases::duplicate_policy{},
                                                    *f.find(a.number), candidates);
    REQUIRE(misses.size() == 1);
    CHECK(misses[0].c.number == c.number);
    CHECK(misses[0].decision.verdict == dialog::cases::duplicate_verdict::same);

    // Seen from Carol's case, Alice's is the one; a private case as the subject has none.
    const auto back = dialog::intake::near_misses(nlu(), dialog::cases::duplicate_policy{},
                                                  *f.find(c.number), candidates);
    REQUIRE(back.size() == 1);
    CHECK(back[0].c.number == a.number);
    CHECK(dialog::intake::near_misses(nlu(), dialog::cases::duplicate_policy{}, *f.find(p),
                                      candidates)
              .empty());
}

TEST_CASE(
    "An appeal the classifier files under a confusable category joins the open case of the "
    "same thing",
    "[dialog][duplicates]") {
    with_duplicates f;
    const dialog::cases::duplicate_policy policy;
    const std::string appeal = "幸福路有个大坑，一下雨就积水，电动车摔了好几辆";
    const auto category = nlu().understand(appeal).category.name;
    const auto searched = policy.categories_for(category);
    REQUIRE(searched.size() >= 2);  // the classifier puts a pit in a category of a confusable pair
    const auto& other = searched[1];
    REQUIRE(other != category);

    SECTION("the same pit, the case filed under the other category: one case") {
        const auto number =
            open_directly(f, "oAlice", "幸福路路面塌陷成一个大坑，车开过去很危险", other, false);
        const auto joined = f.tell("oBob", appeal, t0 + 600);
        CHECK(joined.opened.empty());
        CHECK(has(joined.answer.text, "附近已有同类问题 " + number));
        const auto rows = f.followers(number);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].who == dialog::person_ref{channel::wechat_oa, "oBob"});
    }
    SECTION("a category the classifier does not confuse with it: its own case") {
        const auto number = open_directly(f, "oAlice", "幸福路路面塌陷成一个大坑，车开过去很危险",
                                          "劳动和社会保障", false);
        CHECK(f.tell("oBob", appeal, t0 + 600).opened.size() == 1);
        CHECK(f.followers(number).empty());
    }
    SECTION("another thing on the same street under the other category: its own case") {
        const auto number =
            open_directly(f, "oAlice", "幸福路有个井盖不见了，留下一个大洞", other, false);
        CHECK(f.tell("oBob", appeal, t0 + 600).opened.size() == 1);
        CHECK(f.followers(number).empty());
    }
}

TEST_CASE("The queries for a case's candidates cover the categories confusable with its own",
          "[dialog][duplicates]") {
    with_duplicates f;
    dialog::cases::duplicate_policy policy;
    policy.radius_by["交通运输"] = 400.0;
    const auto pit = open_directly(f, "oAlice", "幸福路路面塌陷成一个大坑，车开过去很危险",
                                   "城乡建设", false, t0 + 300);
    const auto same = open_directly(f, "oBob", "幸福路有个大坑，一下雨就积水，电动车摔了好几辆",
                                    "交通运输", false, t0 + 600);
    const auto subject = *f.find(same);
    const auto queries = dialog::intake::candidates_near_all(policy, subject);
    REQUIRE(queries.size() == 2);
    CHECK(queries[0].category == "交通运输");
    CHECK(queries[1].category == "城乡建设");
    for (const auto& q : queries) CHECK(q.radius_m == 400.0);  // the subject's category's

    std::vector<dialog::case_record> candidates;
    f.with([&](dialog::unit_of_work& uow) {
        for (const auto& q : queries)
            for (auto& c : uow.duplicate_candidates(q)) candidates.push_back(std::move(c));
    });
    const auto misses = dialog::intake::near_misses(nlu(), policy, subject, candidates);
    REQUIRE(misses.size() == 1);
    CHECK(misses[0].c.number == pit);
    CHECK(misses[0].decision.cross_category);
    // Its own category alone finds nothing.
    f.with([&](dialog::unit_of_work& uow) {
        CHECK(dialog::intake::near_misses(
                  nlu(), policy, subject,
                  uow.duplicate_candidates(dialog::intake::candidates_near(policy, subject)))
                  .empty());
    });
}

TEST_CASE("A problem told again by its reporter or a follower opens no second case",
          "[dialog][duplicates]") {
    with_duplicates f;
    const auto opened = f.tell("oAlice", first);
    REQUIRE(opened.opened.size() == 1);
    const auto number = opened.opened[0].number;
    const std::string again = "幸福路路灯不亮好几天了，请派人修一下";

    SECTION("the reporter: what they said is added to their case, and they are told so") {
        const auto told = f.tell("oAlice", again, t0 + 3600);
        CHECK(told.opened.empty());
        CHECK(has(told.answer.text, "您之前已经反映过这个问题，事项编号 " + number));
        CHECK(f.followers(number).empty());  // no follower row on their own case
        const auto events = f.events_of(number);
        REQUIRE_FALSE(events.empty());
        CHECK(events.back().action == "detail");
        CHECK(events.back().note == again);
        SECTION("\"不是同一个问题\" right after gives them a case of its own") {
            const auto own = f.tell("oAlice", "不是同一个问题", t0 + 3700);
            REQUIRE(own.opened.size() == 1);
            CHECK(own.opened[0].number != number);
            CHECK(own.opened[0].description == again);
        }
    }
    SECTION("a follower: nothing written, told they follow it") {
        REQUIRE(f.tell("oBob", again, t0 + 600).opened.empty());
        REQUIRE(f.followers(number).size() == 1);
        const auto events = f.events_of(number).size();
        const auto told = f.tell("oBob", "幸福路的路灯坏了，晚上很黑，快来修修吧", t0 + 7200);
        CHECK(told.opened.empty());
        CHECK(has(told.answer.text, "您已在关注同一个问题的事项 " + number));
        CHECK(f.followers(number).size() == 1);
        CHECK(f.events_of(number).size() == events);
    }
    SECTION("a follower who left it has a case of their own, not a second row") {
        REQUIRE(f.tell("oBob", again, t0 + 600).opened.empty());
        const auto own = f.tell("oBob", "不是同一个问题", t0 + 700);
        REQUIRE(own.opened.size() == 1);
        // Told once more: the case of their own is the one they reported.
        const auto told = f.tell("oBob", again, t0 + 7200);
        CHECK(told.opened.empty());
        CHECK(has(told.answer.text, "您之前已经反映过这个问题，事项编号 " + own.opened[0].number));
        REQUIRE(f.followers(number).size() == 1);
        CHECK(f.followers(number)[0].left_at == t0 + 700);
    }
    SECTION("another problem of the same reporter on the same street is a case of its own") {
        const auto other = f.tell("oAlice", "幸福路有个井盖不见了，留下一个大洞", t0 + 900);
        CHECK(other.opened.size() == 1);
    }
    SECTION("long after, the same words open a case of their own") {
        const auto later = f.tell("oAlice", again, t0 + 40 * 86400);
        CHECK(later.opened.size() == 1);
    }
}

TEST_CASE("A wish told again by the family that made it puts no second wish on the wall",
          "[dialog][duplicates]") {
    with_duplicates f;
    f.with([&](dialog::unit_of_work& uow) {
        dialog::person p;
        p.who = {channel::wechat_oa, "oMother"};
        p.phone = "13700001111";
        uow.save_person(p);
    });
    const std::string wish = "我孩子下学期的学费还差三千块，家里实在困难，希望有好心人帮帮忙";
    const auto opened = f.tell("oMother", wish);
    REQUIRE(opened.opened.size() == 1);
    REQUIRE(opened.opened[0].kind == "wish");
    const auto number = opened.opened[0].number;
    const std::string again = "孩子下学期的学费还是凑不齐，还差三千块，家里实在困难";

    SECTION("weeks later: what they said is added to their wish, and they are told so") {
        const auto told = f.tell("oMother", again, t0 + 40 * 86400);
        CHECK(told.opened.empty());
        CHECK(has(told.answer.text, "您之前已经提交过这个心愿，编号 " + number));
        const auto events = f.events_of(number);
        REQUIRE_FALSE(events.empty());
        CHECK(events.back().action == "detail");
        CHECK(events.back().note == again);
        SECTION("\"不是同一个\" right after gives them a wish of its own") {
            const auto own = f.tell("oMother", "不是同一个", t0 + 40 * 86400 + 60);
            REQUIRE(own.opened.size() == 1);
            CHECK(own.opened[0].number != number);
            CHECK(own.opened[0].kind == "wish");
            CHECK(own.opened[0].description == again);
        }
    }
    SECTION("another need of the same family is a wish of its own") {
        const auto other =
            f.tell("oMother", "家里老人腿脚不好，想申请一个轮椅，希望有好心人帮帮忙", t0 + 600);
        CHECK(other.opened.size() == 1);
    }
    SECTION("another family's same need is their own wish") {
        const auto theirs = f.tell("oNeighbour", again, t0 + 600);
        CHECK_FALSE(has(theirs.answer.text, number));
        CHECK_FALSE(has(theirs.answer.text, "您之前已经提交过"));
    }
}

TEST_CASE("A wish told again by someone with no phone on file is not asked for the phone first",
          "[dialog][duplicates]") {
    with_duplicates f;
    const std::string wish = "我孩子下学期的学费还差三千块，家里实在困难，希望有好心人帮帮忙";
    const auto asked = f.tell("oFather", wish);
    CHECK(asked.opened.empty());
    REQUIRE(has(asked.answer.text, "联系电话"));
    const auto opened = f.tell("oFather", "13700002222", t0 + 30);
    REQUIRE(opened.opened.size() == 1);
    REQUIRE(opened.opened[0].kind == "wish");
    const auto number = opened.opened[0].number;
    bool phone_on_file = true;  // the case has the phone; the person's profile has none
    f.with([&](dialog::unit_of_work& uow) {
        const auto p = uow.get_person({channel::wechat_oa, "oFather"});
        phone_on_file = p && !p->phone.empty();
    });
    REQUIRE_FALSE(phone_on_file);

    const std::string again = "孩子下学期的学费还是凑不齐，还差三千块，家里实在困难";
    const auto told = f.tell("oFather", again, t0 + 40 * 86400);
    CHECK(told.opened.empty());
    CHECK(has(told.answer.text, "您之前已经提交过这个心愿，编号 " + number));
    CHECK_FALSE(has(told.answer.text, "联系电话"));
    const auto events = f.events_of(number);
    REQUIRE_FALSE(events.empty());
    CHECK(events.back().note == again);

    SECTION("\"不是同一个\" then asks for the phone, and the answer opens a wish of its own") {
        const auto ask = f.tell("oFather", "不是同一个", t0 + 40 * 86400 + 60);
        CHECK(ask.opened.empty());
        CHECK(has(ask.answer.text, "联系电话"));
        const auto own = f.tell("oFather", "13700002222", t0 + 40 * 86400 + 90);
        REQUIRE(own.opened.size() == 1);
        CHECK(own.opened[0].number != number);
        CHECK(own.opened[0].description == again);
    }
}
