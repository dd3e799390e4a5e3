// Certificates (证明事项) answered by chat from the city's list (data/certificates.toml, the
// shipped example): 20 requests written for this test, half in Traditional script or colloquial
// (Cantonese, dialect, voice-input style), each get the right item's answer and open no case; a
// resident who still needs the community's help says so and a case opens. Each answer is counted
// per item and month in the real store (SQLite file), escalations apart.

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/db/certificate_stats.hpp"
#include "adapters/db/store.hpp"
#include "dialog/intake/certificates.hpp"
#include "tests/dialog/conversation_fixture.hpp"

using namespace minsheng;
using namespace conversation_tests;

namespace {

std::shared_ptr<const dialog::intake::certificate_catalogue> shipped_catalogue() {
    static const auto c = std::make_shared<const dialog::intake::certificate_catalogue>(
        dialog::intake::certificate_catalogue::load(MINSHENG_SOURCE_DIR "/data/certificates.toml"));
    return c;
}

// The conversation with the shipped certificate list, on a real SQLite file (the statistics
// read it back through a reader).
struct certificate_fixture {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("minsheng-certificates-" + std::to_string(::getpid()) + ".db"))
                           .string();
    adapters::db::store db{path};
    std::shared_ptr<const dialog::cases::case_service> service = make_service();
    dialog::conversation talk{shipped_templates(), service, shipped_catalogue()};
    int sequence = 0;

    ~certificate_fixture() {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    }

    dialog::step_outcome say(const std::string& user, const std::string& text) {
        inbound_message m;
        m.user_id = user;
        m.dedup_key = user + "-" + std::to_string(++sequence);
        m.kind = inbound_kind::text;
        m.text = text;
        m.create_time = t0;
        auto u = nlu().understand(text);
        dialog::step_outcome out;
        db.handle_once(m.from, m.dedup_key, m, [&](dialog::unit_of_work& uow) {
            out = talk.step(m, &u, uow, t0);
            return out.answer.text;
        });
        return out;
    }

    std::int64_t cases() {
        adapters::db::reader r(path);
        return r.count_cases();
    }
    std::vector<adapters::db::certificate_month> counted() {
        adapters::db::reader r(path);
        return adapters::db::certificate_answers_by_month(r, "2026-01", "2026-12");
    }
};

struct request {
    const char* text;
    const char* item;
};

// Written for this test (not in any training set): 10 standard Simplified, 5 Traditional, 5
// colloquial (Cantonese, northern dialect, no punctuation as voice input arrives).
const request requests[] = {
    {"我想开个居住证明，去哪里开", "residence"},
    {"请问无犯罪记录证明在哪里办", "no_criminal_record"},
    {"社区能开亲属关系证明吗", "kinship"},
    {"我家住宅想改成小店，住改商证明找社区开吗", "residential_to_commercial"},
    {"孩子的出生证明丢了，社区能补开吗", "birth"},
    {"单位让我开一个单身证明", "marital_status"},
    {"办贷款要收入证明，社区能盖章吗", "income"},
    {"买房要无房证明怎么开", "property"},
    {"孩子申请助学金要家庭困难证明，怎么办", "hardship"},
    {"学校要社会实践证明，社区能开吗", "social_practice"},
    {"請問居住證明去哪裡開", "residence"},
    {"無犯罪記錄證明怎麼辦理", "no_criminal_record"},
    {"我要開親屬關係證明", "kinship"},
    {"住改商證明要去哪裡辦", "residential_to_commercial"},
    {"請問志願服務證明怎麼開", "volunteer_service"},
    {"开个住址证明要带啥", "residence"},
    {"想搞个良民证咋弄", "no_criminal_record"},
    {"我阿妈要开生存证明点样搞", "alive"},
    {"冇工作嘅证明喺边度开", "unemployment"},
    {"屋企人喺屋企过身 死亡证明点开", "home_death"},
};

}  // namespace

TEST_CASE("20 certificate requests get their item's answer by chat and open no case",
          "[dialog][conversation][certificates]") {
    certificate_fixture f;
    const auto& list = *shipped_catalogue();
    int n = 0;
    for (const auto& r : requests) {
        const auto* item = list.find(r.item);
        REQUIRE(item);
        const std::string user = "o_cert_" + std::to_string(++n);
        auto out = f.say(user, r.text);
        INFO(r.text << " → " << out.answer.text);
        CHECK(out.opened.empty());
        CHECK(has(out.answer.text, item->name));
        if (item->community_issues) {
            CHECK(has(out.answer.text, "仍由社区开具"));
            CHECK(has(out.answer.text, item->procedure));
        } else {
            CHECK(has(out.answer.text, "社区已不再开具" + item->name));
            CHECK(has(out.answer.text, "请到" + item->where + "办理"));
            CHECK(has(out.answer.text, "需要带" + item->bring));
            CHECK(has(out.answer.text, item->policy));
        }
        CHECK(has(out.answer.text, "还是需要社区帮忙"));
    }
    CHECK(f.cases() == 0);
    // Counted per item for the month (2026-11), none escalated.
    const auto rows = f.counted();
    std::int64_t answered = 0;
    for (const auto& row : rows) {
        CHECK(row.month == "2026-11");
        CHECK(row.escalated == 0);
        answered += row.answered;
    }
    CHECK(answered == 20);
    const auto residence = std::find_if(rows.begin(), rows.end(),
                                        [](const auto& row) { return row.item == "residence"; });
    REQUIRE(residence != rows.end());
    CHECK(residence->answered == 3);
}

TEST_CASE("still needing the community's help after the answer opens a case",
          "[dialog][conversation][certificates]") {
    certificate_fixture f;
    SECTION("还是需要社区帮忙, in its words and variants") {
        const char* variants[] = {"还是需要社区帮忙", "還是需要社區幫忙", "去了派出所也办不了",
                                  "我还是想要社区帮我开", "仲系需要社区帮手"};
        int n = 0;
        for (const char* v : variants) {
            const std::string user = "o_help_" + std::to_string(++n);
            auto first = f.say(user, "请问居住证明去哪里开");
            REQUIRE(first.opened.empty());
            auto second = f.say(user, v);
            INFO(v << " → " << second.answer.text);
            REQUIRE(second.opened.size() == 1);
            CHECK(second.opened[0].kind == "consultation");
            CHECK(has(second.opened[0].description, "居住证明"));
            CHECK(has(second.answer.text, second.opened[0].number));
        }
        CHECK(f.cases() == 5);
        const auto rows = f.counted();
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].item == "residence");
        CHECK(rows[0].answered == 5);
        CHECK(rows[0].escalated == 5);
        CHECK(rows[0].deflected() == 0);
    }
    SECTION("a thank-you afterwards opens nothing, and the question is over") {
        f.say("o_thanks", "无犯罪记录证明在哪里开");
        auto thanks = f.say("o_thanks", "好的谢谢");
        CHECK(thanks.opened.empty());
        auto later = f.say("o_thanks", "还是需要社区帮忙");
        CHECK(later.opened.empty());  // nothing pending any more: not a case by itself
        CHECK(f.cases() == 0);
        const auto rows = f.counted();
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].deflected() == 1);
    }
}

TEST_CASE("without a certificate list, or for a text naming no item, nothing changes",
          "[dialog][conversation][certificates]") {
    fixture plain;  // the conversation_fixture's conversation has no list
    auto out = plain.say("o_plain", "请问居住证明去哪里开");
    CHECK_FALSE(has(out.answer.text, "社区已不再开具"));
    certificate_fixture f;
    auto appeal = f.say("o_lamp", "幸福小区3栋的路灯坏了好几天了");
    CHECK_FALSE(has(appeal.answer.text, "证明"));
    CHECK(f.counted().empty());
}
