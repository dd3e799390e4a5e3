#include "dialog/intake/call_appeals.hpp"

#include <catch2/catch.hpp>

using namespace minsheng::dialog;

namespace {
const nlu::engine& engine() {
    static auto e = nlu::engine::load(MINSHENG_SOURCE_DIR "/models");
    return *e;
}
}  // namespace

TEST_CASE("one problem in a call is one appeal covering the caller's words about it", "[intake]") {
    std::string text =
        "我要反映一下，幸福小区3栋门口的路灯坏了一个星期了。\n晚上特别黑，老人出门不方便。";
    auto a = intake::find_appeals(engine(), text);
    REQUIRE(a.size() == 1);
    CHECK(a[0].text.find("路灯") != std::string::npos);
    CHECK(a[0].text.find("老人出门") != std::string::npos);
    CHECK(text.substr(a[0].begin, a[0].end - a[0].begin) == a[0].text);
}

TEST_CASE("a caller who turns to a second problem raises two appeals", "[intake]") {
    std::string text =
        "幸福小区3栋门口的路灯坏了一个星期了，晚上很黑。\n"
        "还有，我们小区门口的垃圾已经好几天没人清运了，臭得不行。";
    auto a = intake::find_appeals(engine(), text);
    REQUIRE(a.size() == 2);
    CHECK(a[0].text.find("路灯") != std::string::npos);
    CHECK(a[0].text.find("垃圾") == std::string::npos);
    CHECK(a[1].text.find("垃圾") != std::string::npos);
    CHECK(a[0].end <= a[1].begin);
}

TEST_CASE("greetings and thanks alone are no appeal", "[intake]") {
    CHECK(intake::find_appeals(engine(), "你好。\n好的，谢谢。").empty());
    CHECK(intake::find_appeals(engine(), "").empty());
}

TEST_CASE("thanks after the problem stay out of the appeal", "[intake]") {
    std::string text = "和平路12号旁边的下水道井盖丢了，很危险，请尽快处理。\n好的，谢谢。";
    auto a = intake::find_appeals(engine(), text);
    REQUIRE(a.size() == 1);
    CHECK(a[0].text.find("谢谢") == std::string::npos);
}
