// What a message is beyond its labels (dialog/conversation/detail/reading.hpp), on the real
// engine's understanding.

#include <catch2/catch.hpp>

#include "dialog/conversation/detail/reading.hpp"
#include "tests/dialog/conversation_fixture.hpp"

using namespace minsheng;
using namespace minsheng::dialog::detail;

namespace {
dialog::nlu::understanding u(std::string_view text) {
    return conversation_tests::nlu().understand(text);
}
}  // namespace

TEST_CASE("contact details alone are not an appeal", "[conversation][reading]") {
    for (const char* text : {"我的电话是13800138000", "联系电话：13912345678", "手机 13912345678。",
                             "我住光明社区5栋302", "我的電話是13800138000，住在光明社區5棟",
                             "我嘅电话系13912345679", "电话13800138000 地址幸福小区3栋"}) {
        INFO(text);
        CHECK(contact_only(u(text)));
    }
    for (const char* text : {"光明社区5栋的路灯坏了", "我的电话是13800138000，家里水管爆了", "你好",
                             "幸福小区3栋门口垃圾没人收，电话13800138000"}) {
        INFO(text);
        CHECK_FALSE(contact_only(u(text)));
    }
}

TEST_CASE("a suggestion for a public improvement is told from a complaint",
          "[conversation][reading]") {
    for (const char* text : {"建议在小区门口加装几个电动车充电桩", "希望能在公园里多装几张长椅",
                             "能不能在光明社区东门增设一个快递柜", "建議在小區門口加裝充電樁"}) {
        INFO(text);
        CHECK(suggestion_like(u(text)));
    }
    for (const char* text :
         {"小区门口的路灯坏了", "建议你们快点来修路灯", "希望有好心人帮我买菜"}) {
        INFO(text);
        CHECK_FALSE(suggestion_like(u(text)));
    }
}

TEST_CASE("a policy question is a consultation, with its FAQ topic when known",
          "[conversation][reading]") {
    CHECK(consultation_question(u("请问老年人的高龄补贴怎么申请?")));
    CHECK(faq_topic(u("请问老年人的高龄补贴怎么申请?")) == "elderly_allowance");
    CHECK(faq_topic(u("請問老年人的高齡補貼怎麼申請？")) == "elderly_allowance");
    CHECK(consultation_question(u("办居住证需要带什么材料？")));
    CHECK(faq_topic(u("办居住证需要带什么材料？")) == "residence_permit");
    CHECK(faq_topic(u("小区门口的路灯坏了")).empty());
    // Questions about the service itself have their own flows.
    CHECK_FALSE(consultation_question(u("请问怎么认领心愿")));
    CHECK_FALSE(consultation_question(u("幸福小区3栋的路灯坏了")));
    // Every topic has its answer.
    for (const auto& key : faq_templates())
        CHECK_FALSE((*conversation_tests::shipped_templates()).render(key).empty());
}

TEST_CASE("a fallback names what was understood, personal data masked", "[conversation][reading]") {
    const auto said =
        understood_text((*conversation_tests::shipped_templates()), u("13800138000 明天下午"));
    CHECK(said.find("138****8000") != std::string::npos);
    CHECK(said.find("13800138000") == std::string::npos);
    const auto words = understood_text((*conversation_tests::shipped_templates()), u("嗯嗯那个"));
    CHECK(words.find("嗯嗯那个") != std::string::npos);
}
