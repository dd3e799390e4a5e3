#include "dialog/templates.hpp"

#include <catch2/catch.hpp>

#include "dialog/conversation/conversation.hpp"

using minsheng::dialog::template_set;

TEST_CASE("a template renders its placeholders and leaves other text alone", "[dialog]") {
    auto t = template_set::from({{"a", "编号 {{number}}，{{unknown}}谢谢 {{number}}"}});
    CHECK(t->render("a", {{"number", "MS1"}}) == "编号 MS1，谢谢 MS1");
}

TEST_CASE("an unknown template key is an error, and require() names every missing key",
          "[dialog]") {
    auto t = template_set::from({{"a", "x"}});
    CHECK_THROWS_AS(t->render("b"), std::out_of_range);
    try {
        t->require({"a", "b", "c"});
        FAIL("require should throw");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("b, c") != std::string::npos);
    }
}

TEST_CASE("an unterminated placeholder fails at load time", "[dialog]") {
    CHECK_THROWS(template_set::from({{"a", "hello {{name"}}));
}

TEST_CASE("the shipped templates load and hold every text the conversation needs", "[dialog]") {
    auto t = template_set::load(MINSHENG_SOURCE_DIR "/templates");
    CHECK_NOTHROW(t->require(minsheng::dialog::conversation::required_templates()));
    CHECK(t->render("reply/case_opened", {{"number", "MS20261123-0001"}, {"category", "城乡建设"}})
              .find("MS20261123-0001") != std::string::npos);
}
