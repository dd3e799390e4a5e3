#include "dialog/cases/duplicates.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dialog/intake/appeal_sketch.hpp"
#include "dialog/nlu/nlu.hpp"

using namespace minsheng::dialog;
using cases::appeal_sketch;
using cases::duplicate_policy;
using cases::duplicate_verdict;
using cases::judge_duplicate;

namespace {

const std::int64_t t0 = 1772416800;  // Mon 2026-03-02 10:00 China time

const nlu::engine& engine() {
    static const auto e = nlu::engine::load(MINSHENG_SOURCE_DIR "/models");
    return *e;
}

appeal_sketch light(std::optional<geo_point> at, std::string place, std::int64_t when) {
    return {"城乡建设", at, std::move(place), "路灯坏了，晚上一片漆黑，走路不安全",
            when,       "", nullptr};
}

}  // namespace

TEST_CASE("An appeal near an open case of the same category and words is the same problem",
          "[dialog][duplicates]") {
    const duplicate_policy policy;
    const auto open_case = light(geo_point{22.5170, 113.3920}, "", t0);
    auto appeal = light(geo_point{22.5180, 113.3920}, "", t0 + 3600);  // about 111 m north
    appeal.words = "路灯不亮好几天了，请派人修一下";
    const auto d = judge_duplicate(appeal, open_case, policy);
    CHECK(d.same_category);
    CHECK(d.same_place);
    CHECK(d.recent);
    CHECK(d.distance_m == Approx(111.2).margin(1.0));
    CHECK(d.similarity >= policy.attach_at);
    CHECK(d.verdict == duplicate_verdict::same);

    SECTION("farther than the radius it is another place") {
        appeal.location = geo_point{22.5200, 113.3920};  // about 334 m
        CHECK(judge_duplicate(appeal, open_case, policy).verdict == duplicate_verdict::different);
        auto wide = policy;
        wide.radius_by["城乡建设"] = 500.0;
        CHECK(judge_duplicate(appeal, open_case, wide).verdict == duplicate_verdict::same);
    }
    SECTION("another category is another problem, unless the classifier confuses the two") {
        appeal.category = "劳动和社会保障";
        CHECK(judge_duplicate(appeal, open_case, policy).verdict == duplicate_verdict::different);
        appeal.category = "";
        CHECK(judge_duplicate(appeal, open_case, policy).verdict == duplicate_verdict::different);
        // 城乡建设 and 交通运输 are a confusable pair; both name a street light.
        appeal.category = "交通运输";
        const auto cross = judge_duplicate(appeal, open_case, policy);
        CHECK_FALSE(cross.same_category);
        CHECK(cross.cross_category);
        CHECK(cross.verdict == duplicate_verdict::same);
        auto strict = policy;
        strict.confusable.clear();
        CHECK(judge_duplicate(appeal, open_case, strict).verdict == duplicate_verdict::different);
    }
    SECTION("a case opened too long before is not recent, nor one opened after the appeal") {
        appeal.at = t0 + policy.max_age_seconds + 1;
        CHECK_FALSE(judge_duplicate(appeal, open_case, policy).recent);
        appeal.at = t0 - 3600;
        CHECK_FALSE(judge_duplicate(appeal, open_case, policy).recent);
    }
    SECTION("the same thing with another fault is not the same problem") {
        appeal.words = "路灯白天也一直亮着，浪费电";
        const auto other = judge_duplicate(appeal, open_case, policy);
        CHECK(other.conflict == cases::duplicate_conflict::fault);  // a light on all day
        CHECK(other.verdict != duplicate_verdict::same);
    }
    SECTION("words in between make a possible duplicate for operators") {
        auto p = policy;
        p.attach_at = 0.99;
        CHECK(judge_duplicate(appeal, open_case, p).verdict == duplicate_verdict::possible);
    }
}

TEST_CASE("Without coordinates, the same normalised address is the same place",
          "[dialog][duplicates]") {
    CHECK(cases::place_key("人民路12号3栋") == "人民路");
    CHECK(cases::place_key("翠苑小区3栋2单元301室") == "翠苑小区");
    CHECK(cases::place_key("和平街3巷") == "和平街3巷");
    CHECK(cases::place_key("12号") == "");
    CHECK(cases::same_place("中山市人民路", "人民路"));
    CHECK(cases::same_place("人民路", "人民路"));
    CHECK_FALSE(cases::same_place("人民路", "解放路"));
    CHECK_FALSE(cases::same_place("中山市人民路", "中山市"));  // a city is too wide a place
    CHECK_FALSE(cases::same_place("K2区", "A市K2区幸福路"));
    CHECK_FALSE(cases::same_place("", ""));

    const duplicate_policy policy;
    const auto open_case = light(std::nullopt, "人民路", t0);
    auto appeal = light(std::nullopt, "中山市人民路", t0 + 60);
    CHECK(judge_duplicate(appeal, open_case, policy).verdict == duplicate_verdict::same);
    appeal.place = "";  // no place at all: never attached
    CHECK(judge_duplicate(appeal, open_case, policy).verdict == duplicate_verdict::different);
    // One side located, the other not: the addresses decide.
    appeal.place = "人民路";
    appeal.location = geo_point{22.5, 113.4};
    CHECK(judge_duplicate(appeal, open_case, policy).same_place);
}

TEST_CASE("A place key's core drops the units it starts with, and is in every key of its place",
          "[dialog][duplicates]") {
    CHECK(cases::place_core("东城区幸福路") == "幸福路");
    CHECK(cases::place_core("A市东城街道光明社区") == "光明社区");
    CHECK(cases::place_core("中山市石岐区人民路") == "人民路");
    CHECK(cases::place_core("幸福路") == "幸福路");
    // Names that only contain a unit's character keep it: a market, a supermarket, a compound.
    CHECK(cases::place_core("幸福农贸市场") == "幸福农贸市场");
    CHECK(cases::place_core("华润超市门口") == "华润超市门口");
    CHECK(cases::place_core("翠苑小区") == "翠苑小区");
    CHECK(cases::place_core("东湖社区") == "东湖社区");
    // Only a unit, or less than two characters left: no core.
    CHECK(cases::place_core("中山市") == "");
    CHECK(cases::place_core("A市K2区") == "");
    CHECK(cases::place_core("") == "");
    // Keys of one place share the core: what the store's search by place looks for.
    for (const auto& [a, b] :
         std::vector<std::pair<std::string, std::string>>{{"中山市人民路", "人民路"},
                                                          {"A市东城区幸福路", "东城区幸福路"},
                                                          {"东城街道光明社区", "光明社区"}}) {
        INFO(a << " / " << b);
        REQUIRE(cases::same_place(a, b));
        CHECK(b.find(cases::place_core(a)) != std::string::npos);
        CHECK(a.find(cases::place_core(b)) != std::string::npos);
    }
}

TEST_CASE("Words similarity leaves out places, common words and bad bytes",
          "[dialog][duplicates]") {
    CHECK(cases::words_similarity("", "路灯坏了") == 0.0);
    CHECK(cases::words_similarity("谢谢，麻烦了", "谢谢，麻烦了") == 0.0);  // nothing to compare
    CHECK(cases::words_similarity("井盖丢了", "井盖丢了") == Approx(1.0));
    CHECK(cases::words_similarity("\xff\xfe路灯", "路灯\xc0") >= 0.0);
    CHECK(cases::words_similarity("井盖丢了", "路面有个坑") < 0.15);
}

TEST_CASE("Sketches of an appeal in Traditional script and of a case match the Simplified one",
          "[dialog][duplicates]") {
    const auto simplified = intake::sketch_of(
        engine().understand("幸福路的路灯坏了，晚上黑漆漆的，请尽快修理"), std::nullopt, t0);
    const auto traditional = intake::sketch_of(
        engine().understand("幸福路的路燈壞了，晚上黑漆漆的，請儘快修理"), std::nullopt, t0 + 60);
    CHECK(simplified.place == "幸福路");
    CHECK(traditional.place == simplified.place);
    CHECK(traditional.words.find("幸福路") == std::string::npos);  // the place left the words
    CHECK(traditional.category == simplified.category);
    CHECK(judge_duplicate(traditional, simplified, duplicate_policy{}).verdict ==
          duplicate_verdict::same);

    case_record c;
    c.description = "幸福路12号旁边的路灯不亮了";
    c.category = "城乡建设";
    c.address = "幸福路12号";
    c.created_at = t0;
    const auto of_case = intake::sketch_of(engine(), c);
    CHECK(of_case.place == "幸福路");
    CHECK(of_case.category == "城乡建设");
    CHECK(of_case.at == t0);
}

TEST_CASE("Texts naming other things or other faults of one thing are never the same problem",
          "[dialog][duplicates]") {
    duplicate_policy eager;  // every similarity would attach: only the conflicts keep apart
    eager.attach_at = 0.0;
    eager.review_at = 0.0;
    auto sketch = [](std::string words) {
        return appeal_sketch{"城乡建设", std::nullopt, "民族路", std::move(words), t0, "", nullptr};
    };
    auto appeal = [&](std::string words) {
        auto s = sketch(std::move(words));
        s.at = t0 + 3600;
        return s;
    };

    SECTION("a sewer and the manhole cover over it are other things") {
        const auto d = judge_duplicate(appeal("下水道堵了，污水漫到路上"),
                                       sketch("下水道井盖破了个洞，踩上去晃"), eager);
        CHECK(d.conflict == cases::duplicate_conflict::object);
        CHECK(d.verdict == duplicate_verdict::possible);
    }
    SECTION("a lamp post and the street light on it are other things") {
        CHECK(judge_duplicate(appeal("路灯杆被车撞歪了"), sketch("路灯晚上不亮"), eager).conflict ==
              cases::duplicate_conflict::object);
        CHECK(judge_duplicate(appeal("楼道灯坏了"), sketch("路灯坏了"), eager).conflict ==
              cases::duplicate_conflict::object);
    }
    SECTION("a lift that traps people is not a lift out of use") {
        const auto d =
            judge_duplicate(appeal("电梯困人了，快来人"), sketch("电梯坏了好几天不能用"), eager);
        CHECK(d.conflict == cases::duplicate_conflict::fault);
        CHECK(d.verdict != duplicate_verdict::same);
        CHECK(judge_duplicate(appeal("路灯白天一直亮着"), sketch("路灯晚上不亮"), eager).conflict ==
              cases::duplicate_conflict::fault);
        CHECK(judge_duplicate(appeal("自来水管爆了"), sketch("水管堵了"), eager).conflict ==
              cases::duplicate_conflict::fault);
    }
    SECTION("broken and out fit each other, and other words for one thing are one thing") {
        for (const auto& [a, b] :
             {std::pair{"电梯坏了没人修", "电梯又停运了"}, std::pair{"路灯坏了", "街灯不亮"},
              std::pair{"电梯突然下坠把人困住", "电梯关门夹人"},
              std::pair{"窨井盖丢了", "下水道井盖不见了"}}) {
            INFO(a << " / " << b);
            const auto d = judge_duplicate(appeal(a), sketch(b), eager);
            CHECK(d.conflict == cases::duplicate_conflict::none);
            CHECK(d.verdict == duplicate_verdict::same);
        }
    }
    SECTION("a fault word names its fault only where it says it") {
        // 撞 as in 差点撞车 knocks nothing over; a lamp post 被撞 is knocked over.
        CHECK(judge_duplicate(appeal("路口信号灯不工作，车都乱开"),
                              sketch("路口红绿灯坏了，差点撞车"), eager)
                  .conflict == cases::duplicate_conflict::none);
        CHECK(judge_duplicate(appeal("灯杆被车撞了"), sketch("灯杆生锈了要换"), eager).conflict ==
              cases::duplicate_conflict::none);
        CHECK(judge_duplicate(appeal("灯杆被车撞了"), sketch("灯杆底座松了，一直晃"), eager)
                  .conflict == cases::duplicate_conflict::fault);
        // A fire lane blocked by cars is a fire lane occupied.
        CHECK(judge_duplicate(appeal("消防通道被车堵死了"), sketch("消防通道有车乱停"), eager)
                  .conflict == cases::duplicate_conflict::none);
        // 白天 alone is not a light on all day; 亮着 is.
        CHECK(judge_duplicate(appeal("工地白天晚上都在打桩，吵得要命"), sketch("工地夜里施工太吵"),
                              eager)
                  .conflict == cases::duplicate_conflict::none);
        CHECK(judge_duplicate(appeal("路灯白天亮着"), sketch("路灯晚上不亮"), eager).conflict ==
              cases::duplicate_conflict::fault);
        // 困 as in 上下楼很困难 (hard going) traps nobody; 困人 and 困在里面 do.
        CHECK(judge_duplicate(appeal("电梯又坏了，一直停运"),
                              sketch("电梯坏了，停运好几天，老人上下楼很困难"), eager)
                  .conflict == cases::duplicate_conflict::none);
        CHECK(
            judge_duplicate(appeal("电梯又坏了，一直停运"), sketch("电梯困人了"), eager).conflict ==
            cases::duplicate_conflict::fault);
        CHECK(judge_duplicate(appeal("电梯停运了"), sketch("电梯突然下坠把人困在里面"), eager)
                  .conflict == cases::duplicate_conflict::fault);
    }
    SECTION("one restaurant's fumes and its noise, a stray dog and a dog off its lead, are two") {
        CHECK(judge_duplicate(appeal("川菜馆油烟太大"), sketch("川菜馆晚上噪音扰民"), eager)
                  .conflict == cases::duplicate_conflict::fault);
        CHECK(judge_duplicate(appeal("烧烤档油烟呛人"), sketch("那家烧烤店排油烟扰民"), eager)
                  .verdict == duplicate_verdict::same);
        CHECK(judge_duplicate(appeal("有流浪狗咬人"), sketch("有人遛狗不牵绳"), eager).conflict ==
              cases::duplicate_conflict::fault);
        CHECK(judge_duplicate(appeal("流浪狗追着小孩咬"), sketch("流浪狗太多了，很吓人"), eager)
                  .verdict == duplicate_verdict::same);
    }
    SECTION("near by the coordinates but naming another street is another place") {
        auto a = appeal("路灯坏了，晚上很黑");
        auto b = sketch("路灯不亮");
        a.location = geo_point{22.5170, 113.3920};
        b.location = geo_point{22.5173, 113.3921};  // about 35 m
        b.place = "解放路";
        const auto d = judge_duplicate(a, b, eager);
        CHECK(d.same_place);  // by the distance
        CHECK(d.conflict == cases::duplicate_conflict::place);
        CHECK(d.verdict != duplicate_verdict::same);
        b.place = "中山市民族路";  // the same street, written longer
        CHECK(judge_duplicate(a, b, eager).verdict == duplicate_verdict::same);
    }
}

TEST_CASE("A residential compound is a place, a district is not", "[dialog][duplicates]") {
    CHECK(cases::same_place("翠苑小区", "翠苑小区"));
    CHECK(cases::same_place("东湖社区", "中山市东湖社区"));
    CHECK(cases::same_place("火炬开发区科技园区", "科技园区"));
    CHECK_FALSE(cases::same_place("翠苑小区", "银湾小区"));
    CHECK_FALSE(cases::same_place("石岐区", "石岐区"));
    CHECK_FALSE(cases::same_place("小区", "翠苑小区"));  // a bare word, no name
}

TEST_CASE("Lights of two buildings of one compound are two problems; the same building is one",
          "[dialog][duplicates]") {
    CHECK(cases::building_of("光明社区3栋门口") == "3#");
    CHECK(cases::building_of("光明社区3号楼2单元") == "3#");
    CHECK(cases::building_of("幸福路12号3栋") == "12#");
    CHECK(cases::building_of("光明社区5楼") == "");  // a floor, not a building
    CHECK(cases::building_of("光明社区") == "");
    const duplicate_policy policy;
    const auto said = [](const std::string& text, std::int64_t at) {
        return intake::sketch_of(engine().understand(text), std::nullopt, at);
    };
    const auto first = said("光明社区3栋门口的路灯坏了一个星期了，晚上很黑", t0);
    const auto other = said("光明社区5栋门口的路灯也不亮了，晚上走路很危险", t0 + 600);
    const auto same = said("光明社区3号楼门口的路灯一直不亮，晚上走路很危险", t0 + 600);
    REQUIRE(first.building == "3#");
    const auto apart = judge_duplicate(other, first, policy);
    CHECK(apart.conflict == cases::duplicate_conflict::place);
    CHECK(apart.verdict != duplicate_verdict::same);
    const auto joined = judge_duplicate(same, first, policy);
    CHECK(joined.conflict == cases::duplicate_conflict::none);
    CHECK(joined.verdict == duplicate_verdict::same);
}

TEST_CASE(
    "A confusable category passes the gate only for the same things named, nothing conflicting",
    "[dialog][duplicates]") {
    const duplicate_policy policy;
    CHECK(policy.confusable_categories("城乡建设", "商贸旅游"));
    CHECK(policy.confusable_categories("商贸旅游", "城乡建设"));
    CHECK_FALSE(policy.confusable_categories("商贸旅游", "交通运输"));
    CHECK_FALSE(policy.confusable_categories("城乡建设", "城乡建设"));
    CHECK_FALSE(policy.confusable_categories("", "城乡建设"));
    const auto all = policy.categories_for("城乡建设");
    REQUIRE(all.size() == 5);
    CHECK(all.front() == "城乡建设");
    CHECK(policy.categories_for("交通运输") == std::vector<std::string>{"交通运输", "城乡建设"});
    CHECK(policy.categories_for("劳动和社会保障") == std::vector<std::string>{"劳动和社会保障"});
    CHECK(policy.categories_for("").empty());

    // One lift, classified 城乡建设 on one side and 商贸旅游 on the other.
    const appeal_sketch open_case{
        "城乡建设", std::nullopt, "锦绣家园", "电梯坏了三天，物业一直没人来修", t0, "", nullptr};
    appeal_sketch appeal{"商贸旅游", std::nullopt, "锦绣家园", "电梯又停了，老人只能爬楼梯",
                         t0 + 3600,  "",           nullptr};
    const auto same = judge_duplicate(appeal, open_case, policy);
    CHECK(same.cross_category);
    CHECK(same.verdict == duplicate_verdict::same);

    SECTION("one side naming no thing of the list is not enough") {
        appeal.words = "又停了，老人只能爬楼梯";
        const auto d = judge_duplicate(appeal, open_case, policy);
        CHECK_FALSE(d.cross_category);
        CHECK(d.verdict == duplicate_verdict::different);
    }
    SECTION("naming more things on one side is not the same things") {
        appeal.words = "电梯停了，楼道灯也不亮，老人只能爬楼梯";
        CHECK_FALSE(judge_duplicate(appeal, open_case, policy).cross_category);
    }
    SECTION("another fault of the same thing is not let through") {
        appeal.words = "电梯困人了，物业不来";
        const auto d = judge_duplicate(appeal, open_case, policy);
        CHECK(d.conflict == cases::duplicate_conflict::fault);
        CHECK_FALSE(d.cross_category);
        CHECK(d.verdict == duplicate_verdict::different);
    }
}

namespace {

void check_same_sketch(const appeal_sketch& a, const appeal_sketch& b) {
    CHECK(a.category == b.category);
    CHECK(a.location == b.location);
    CHECK(a.place == b.place);
    CHECK(a.words == b.words);
    CHECK(a.at == b.at);
    CHECK(a.building == b.building);
}

case_record open_light(std::int64_t id, std::string description) {
    case_record c;
    c.id = id;
    c.kind = "complaint";
    c.category = "城乡建设";
    c.description = std::move(description);
    c.address = "幸福路12号";
    c.location = geo_point{22.5170, 113.3920};
    c.created_at = t0;
    return c;
}

}  // namespace

TEST_CASE("The sketch cache gives what understanding the case again gives, until it changes",
          "[dialog][duplicates]") {
    intake::sketch_cache cache(2);
    auto c = open_light(7, "幸福小区3栋门口的路灯坏了一个星期了，晚上一片漆黑");
    check_same_sketch(intake::sketch_of(engine(), c, &cache), intake::sketch_of(engine(), c));
    CHECK(cache.misses() == 1);
    // Met again: kept, and the record's own fields are still the record's.
    c.category = "交通运输";
    c.location = geo_point{22.6, 113.4};
    c.created_at = t0 + 60;
    check_same_sketch(intake::sketch_of(engine(), c, &cache), intake::sketch_of(engine(), c));
    CHECK(cache.hits() == 1);

    // A detail added to the description: understood afresh, never the stale sketch.
    c.description += "。另外，旁边的井盖也丢了";
    const auto grown = intake::sketch_of(engine(), c, &cache);
    check_same_sketch(grown, intake::sketch_of(engine(), c));
    CHECK(cache.misses() == 2);
    CHECK(grown.words.find("井盖") != std::string::npos);

    // Bounded: the least recently used goes first.
    const auto other = open_light(8, "光明路的下水道堵了，污水漫到路上");
    const auto third = open_light(9, "东城市场门口的垃圾好几天没人收了");
    intake::sketch_of(engine(), other, &cache);
    intake::sketch_of(engine(), c, &cache);  // 7 used again: 8 is now the oldest
    intake::sketch_of(engine(), third, &cache);
    CHECK(cache.size() == 2);
    CHECK(cache.find(8, other.description) == std::nullopt);
    CHECK(cache.find(7, c.description).has_value());
    CHECK(cache.find(9, third.description).has_value());
    // An appeal's own sketch, kept by its text, is adopted by the case it opened.
    const auto opened = open_light(10, "翠苑小区5栋的电梯坏了三天了，老人下不了楼");
    intake::sketch_cache fresh(4);
    fresh.keep_text(opened.description,
                    intake::sketch_of(engine().understand(opened.description), std::nullopt, 0));
    check_same_sketch(intake::sketch_of(engine(), opened, &fresh),
                      intake::sketch_of(engine(), opened));
    CHECK(fresh.hits() == 1);
    CHECK(fresh.misses() == 0);
    CHECK(fresh.find(10, opened.description).has_value());
    CHECK(fresh.size() == 1);
    // Another text is no case's sketch.
    CHECK(fresh.find(11, "翠苑小区5栋的电梯坏了三天了") == std::nullopt);
    // A case not stored yet (no id) is never kept.
    auto draft = open_light(0, "新的问题");
    intake::sketch_of(engine(), draft, &cache);
    CHECK(cache.find(0, draft.description) == std::nullopt);
}

TEST_CASE("A person's own wish told again is the same need wherever and whenever they tell it",
          "[dialog][duplicates]") {
    const duplicate_policy policy;
    const auto said = [](const std::string& text, std::int64_t at) {
        return intake::sketch_of(engine().understand(text), std::nullopt, at);
    };
    const auto wish = said("我孩子下学期的学费还差三千块，家里实在困难，希望有好心人帮帮忙", t0);
    // Forty days on, no place named by either: no complaint would be joined so.
    const auto again =
        said("孩子下学期的学费还是凑不齐，还差三千块，家里实在困难", t0 + 40 * 86400);
    REQUIRE(again.category == wish.category);
    CHECK(judge_duplicate(again, wish, policy).verdict == duplicate_verdict::different);
    const auto same = cases::judge_own_need(again, wish, policy);
    CHECK(same.verdict == duplicate_verdict::same);
    CHECK_FALSE(same.recent);
    CHECK_FALSE(same.same_place);

    // Another need of the same family is not the same wish.
    const auto other = said("家里老人腿脚不好，想申请一个轮椅，希望有好心人帮帮忙", t0 + 600);
    CHECK(cases::judge_own_need(other, wish, policy).verdict != duplicate_verdict::same);
    // Two places named that differ keep two wishes apart.
    auto here = wish;
    here.place = "光明社区";
    auto there = again;
    there.place = "幸福社区";
    CHECK(cases::judge_own_need(there, here, policy).verdict == duplicate_verdict::different);
    there.place = "光明社区";
    CHECK(cases::judge_own_need(there, here, policy).verdict == duplicate_verdict::same);
}
