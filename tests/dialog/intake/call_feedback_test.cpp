// The 12345 centre's return visit (dialog/intake/call_feedback.hpp): a caller's rating reaches
// only a case their phone reported by a call or follows by one; a caller who bound that phone
// on the official account may also rate in chat.

#include "dialog/intake/call_feedback.hpp"

#include <catch2/catch.hpp>

#include "dialog/intake/call_filing.hpp"
#include "tests/dialog/duplicates_fixture.hpp"

namespace {

using namespace conversation_tests;
using dialog::channel;
using dialog::intake::call_rating_outcome;

const std::string caller = "13900139000";

// A 12345 call about `said` from `phone`, filed with the engine (so it may join an open case).
std::vector<dialog::case_record> call_in(with_duplicates& f, const std::string& id,
                                         const std::string& phone, const std::string& said,
                                         std::int64_t at) {
    dialog::intake::call_report call;
    call.system = "default";
    call.call_id = id;
    call.caller_phone = phone;
    call.dedup_key = "call:default:" + id;
    dialog::intake::call_appeal a;
    a.text = said;
    a.understood = nlu().understand(said);
    call.appeals.push_back(a);
    std::vector<dialog::case_record> out;
    f.with([&](dialog::unit_of_work& uow) {
        out = dialog::intake::file_call(*f.service, *shipped_templates(), uow, call, at, &nlu());
    });
    return out;
}

call_rating_outcome rate(with_duplicates& f, const std::string& number, const std::string& phone,
                         int rating, std::int64_t at, const std::string& comment = "") {
    call_rating_outcome out{};
    f.with([&](dialog::unit_of_work& uow) {
        out = dialog::intake::rate_by_call(*f.service, uow, {number, phone, rating, comment}, at)
                  .outcome;
    });
    return out;
}

}  // namespace

TEST_CASE("A caller rates on the return visit the case their call reported or follows",
          "[dialog][hotline][duplicates]") {
    with_duplicates f;
    const auto number =
        f.tell("oAlice", "幸福路的路灯坏了，晚上一片漆黑，走路很不安全").opened.at(0).number;
    REQUIRE(call_in(f, "c1", caller, "幸福路那边路灯不亮了，晚上很黑，走路不安全", t0 + 600)
                .at(0)
                .number == number);
    REQUIRE(f.followers(number).size() == 1);

    // Not before it is done; nobody else's phone; a rating 1-5; no such case.
    CHECK(rate(f, number, caller, 4, t0 + 700) == call_rating_outcome::not_ratable);
    f.operator_act(number, dialog::cases::action::assign);
    f.operator_act(number, dialog::cases::action::report_done, t0 + 7200);
    CHECK(rate(f, number, "13700137000", 4, t0 + 8000) == call_rating_outcome::not_the_caller);
    CHECK(rate(f, number, caller, 6, t0 + 8000) == call_rating_outcome::invalid);
    CHECK(rate(f, "MS20261123-9999", caller, 4, t0 + 8000) == call_rating_outcome::no_case);
    CHECK(f.followers(number)[0].rating == 0);

    // The follower by a call was told the centre would ask.
    const auto told = f.outbox_to(caller);
    REQUIRE_FALSE(told.empty());
    CHECK(told.back().template_key == "notify/follower_done_call");
    CHECK(has(told.back().text, "回访"));

    SECTION("on the return visit: stored on the follower row, once, the case untouched") {
        CHECK(rate(f, number, caller, 4, t0 + 8000, "修好了") ==
              call_rating_outcome::rated_as_follower);
        CHECK(f.followers(number)[0].rating == 4);
        CHECK(f.status_of(number) == "done");
        CHECK(rate(f, number, caller, 2, t0 + 8100) == call_rating_outcome::already_rated);
        CHECK(f.followers(number)[0].rating == 4);
    }
    SECTION("in chat, by the resident who verified that phone on the official account") {
        CHECK(has(f.tell("oCaller", "5分", t0 + 8000).answer.text, "没有"));  // not yet bound
        f.with([&](dialog::unit_of_work& uow) {
            dialog::person p;
            p.who = {channel::wechat_oa, "oCaller"};
            p.phone = caller;
            p.phone_verified_at = t0;
            uow.save_person(p);
        });
        CHECK(has(f.tell("oCaller", "5分", t0 + 8100).answer.text, "您关注的事项 " + number));
        CHECK(f.followers(number)[0].rating == 5);
        CHECK(rate(f, number, caller, 3, t0 + 8200) == call_rating_outcome::already_rated);
    }
    SECTION("a phone merely typed (not verified) does not rate in chat") {
        f.with([&](dialog::unit_of_work& uow) {
            dialog::person p;
            p.who = {channel::wechat_oa, "oTyped"};
            p.phone = caller;
            uow.save_person(p);
        });
        f.tell("oTyped", "5分", t0 + 8100);
        CHECK(f.followers(number)[0].rating == 0);
    }
}

TEST_CASE("A caller who reported the case by a call rates it as its reporter on the return visit",
          "[dialog][hotline]") {
    with_duplicates f;
    const auto opened = call_in(f, "c2", caller, "和平路12号旁边的下水道井盖丢了，很危险", t0);
    REQUIRE(opened.size() == 1);
    const auto number = opened[0].number;
    CHECK(rate(f, number, caller, 5, t0 + 60) == call_rating_outcome::not_ratable);
    f.operator_act(number, dialog::cases::action::assign);
    f.operator_act(number, dialog::cases::action::report_done, t0 + 7200);

    SECTION("a good rating closes it") {
        CHECK(rate(f, number, caller, 5, t0 + 8000) == call_rating_outcome::rated_as_reporter);
        CHECK(f.status_of(number) == "closed");
        CHECK(f.find(number)->rating == 5);
        // Closed: no second rating.
        CHECK(rate(f, number, caller, 1, t0 + 8100) == call_rating_outcome::not_ratable);
    }
    SECTION("a low one reopens it") {
        CHECK(rate(f, number, caller, 1, t0 + 8000) == call_rating_outcome::rated_as_reporter);
        CHECK(f.status_of(number) != "closed");
        CHECK(f.status_of(number) != "done");
    }
}

TEST_CASE("A caller joined to a case by a call says it is another problem: their own case opens",
          "[dialog][hotline][duplicates]") {
    using dialog::intake::call_split_outcome;
    with_duplicates f;
    const auto number =
        f.tell("oAlice", "幸福路的路灯坏了，晚上一片漆黑，走路很不安全").opened.at(0).number;
    const std::string said = "幸福路那边路灯不亮了，晚上很黑，走路不安全";
    REQUIRE(call_in(f, "c1", caller, said, t0 + 600).at(0).number == number);
    const auto split = [&](const std::string& n, const std::string& phone, const std::string& key) {
        dialog::intake::call_split_result out;
        f.with([&](dialog::unit_of_work& uow) {
            out = dialog::intake::split_by_call(*f.service, *shipped_templates(), uow, nlu(),
                                                {n, phone, key}, t0 + 900);
        });
        return out;
    };

    // Only the phone that follows it by a call, of a case that exists.
    CHECK(split(number, "13700137000", "k0").outcome == call_split_outcome::not_the_caller);
    CHECK(split("MS20261123-9999", caller, "k0").outcome == call_split_outcome::no_case);
    CHECK(f.followers(number)[0].left_at == 0);

    const auto r = split(number, caller, "k1");
    REQUIRE(r.outcome == call_split_outcome::split);
    CHECK(r.left.number == number);
    const auto& own = r.opened;
    CHECK(own.number != number);
    CHECK(own.from == channel::hotline);
    CHECK(own.reporter_id == caller);
    CHECK(own.description == said);  // what they said on the call
    CHECK(own.source_ref == "default:c1");
    CHECK(own.kind == "complaint");
    CHECK_FALSE(own.category.empty());
    CHECK(f.followers(number)[0].left_at == t0 + 900);
    CHECK_FALSE(f.followers(number)[0].report);
    // Told by SMS, naming both cases; operators see the split on the case they left.
    const auto told = f.outbox_to(caller);
    REQUIRE_FALSE(told.empty());
    CHECK(told.back().template_key == "hotline/case_split");
    CHECK(has(told.back().text, own.number));
    CHECK(has(told.back().text, number));
    bool noted = false;
    const auto left_id = f.find(number)->id;
    f.with([&](dialog::unit_of_work& uow) {
        for (const auto& e : uow.events_of(left_id))
            noted = noted || (e.action == "follower_split" && e.note == own.number);
    });
    CHECK(noted);

    // Once: they follow it no more, and a call about it later is not joined to it again.
    CHECK(split(number, caller, "k2").outcome == call_split_outcome::not_following);
    const auto again = call_in(f, "c2", caller, said, t0 + 1200);
    REQUIRE(again.size() == 1);
    CHECK(again[0].number != number);
}

TEST_CASE("A caller who follows a case by a merge, or a merged case, cannot split it off",
          "[dialog][hotline][duplicates]") {
    using dialog::intake::call_split_outcome;
    with_duplicates f;
    const auto a =
        f.tell("oAlice", "幸福路的路灯坏了，晚上一片漆黑，走路很不安全").opened.at(0).number;
    REQUIRE(call_in(f, "c1", caller, "幸福路那边路灯不亮了，晚上很黑，走路不安全", t0 + 600)
                .at(0)
                .number == a);
    const auto d = f.tell("oDave", "光明路的路灯坏了，晚上很黑", t0 + 900).opened.at(0).number;
    REQUIRE(d != a);
    const auto a_id = f.find(a)->id;
    const auto d_id = f.find(d)->id;
    f.with([&](dialog::unit_of_work& uow) {
        dialog::cases::act_args args;
        args.merge_into = d_id;
        REQUIRE(f.service
                    ->act(uow, a_id, dialog::cases::action::merge,
                          dialog::cases::actor::op("tester"), args, t0 + 1000)
                    .ok());
    });
    const auto split = [&](const std::string& n) {
        call_split_outcome out{};
        f.with([&](dialog::unit_of_work& uow) {
            out = dialog::intake::split_by_call(*f.service, *shipped_templates(), uow, nlu(),
                                                {n, caller, "k"}, t0 + 1100)
                      .outcome;
        });
        return out;
    };
    CHECK(split(a) == call_split_outcome::merged);
    CHECK(split(d) == call_split_outcome::no_report);  // their row there came by the merge
    CHECK(f.followers(d).at(0).left_at == 0);
}
