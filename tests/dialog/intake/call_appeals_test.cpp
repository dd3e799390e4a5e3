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

namespace {
// A long letter as citizens write them: a title, the complaint, rhetorical questions, a closing
// formula, a date and a signature. One problem, whatever its length.
const std::string letter =
    "关于阳光花园小区垃圾站长期无人管理的投诉！"
    "尊敬的领导：您好！我是阳光花园小区的一名业主。我们小区东门旁边的垃圾站已经有三个多月没有"
    "人认真管理了，垃圾桶满了也没人清运，垃圾堆到了路中间。夏天一到，苍蝇蚊子到处飞，臭味飘进"
    "了附近每一户人家。同时，垃圾站旁边就是小区的儿童游乐场，孩子们每天都在那里玩。"
    "我们多次向物业反映，物业总是说已经安排了，可是一直没有人来。我们也打过社区的电话，社区说"
    "这是物业的事情。难道就没有人管了吗？我们每年交的物业费都去哪里了？"
    "大家觉得可笑不可笑？希望有关部门尽快督促物业整改，还我们一个干净的环境。"
    "此致\n敬礼！\n一位阳光花园的业主\n2018年2月23日";

std::vector<intake::agent_line> lines(
    std::initializer_list<std::pair<std::size_t, std::string_view>> l) {
    std::vector<intake::agent_line> out;
    for (const auto& [at, text] : l) out.push_back({at, text});
    return out;
}
}  // namespace

TEST_CASE("a long letter with rhetorical questions, 此致 and a date is one appeal", "[intake]") {
    auto a = intake::find_appeals(engine(), letter);
    REQUIRE(a.size() == 1);
    CHECK(a[0].begin == 0);
    CHECK(a[0].text.find("2018年2月23日") != std::string::npos);  // nothing stands alone
    CHECK(a[0].cue == intake::appeal_cue::first);
}

TEST_CASE("还有一件事 starts a second appeal with the right spans", "[intake]") {
    const std::string first = "幸福小区3栋门口的路灯坏了一个星期了，晚上特别黑。";
    const std::string second = "还有一件事，我们楼下的烧烤摊每天营业到凌晨两点，油烟很大。";
    const std::string text = first + second;
    auto a = intake::find_appeals(engine(), text);
    REQUIRE(a.size() == 2);
    CHECK(a[0].text == first);
    CHECK(a[1].begin == first.size());
    CHECK(a[1].text == second);
    CHECK(a[1].cue == intake::appeal_cue::marker);

    // Said in one breath, in the middle of a sentence.
    const std::string breath =
        "幸福小区3栋门口的路灯坏了一个星期了，还有一件事，我们楼下的烧烤摊"
        "每天营业到凌晨两点，油烟很大。";
    auto b = intake::find_appeals(engine(), breath);
    REQUIRE(b.size() == 2);
    CHECK(b[1].text.starts_with("还有一件事"));
}

TEST_CASE("a call raising three problems is three appeals in order", "[intake]") {
    const std::string text =
        "我在一家装修公司干了半年，老板拖欠了我三个月工资一直不给。\n"
        "另外还有一个问题，我们小区门口的垃圾好几天没人清运了，臭得不行。\n"
        "嗯，我再反映一个事，88路公交车改线以后我们这边的站点取消了，老人看病很不方便。";
    auto a = intake::find_appeals(engine(), text);
    REQUIRE(a.size() == 3);
    CHECK(a[0].text.find("工资") != std::string::npos);
    CHECK(a[1].text.find("垃圾") != std::string::npos);
    CHECK(a[2].text.find("公交") != std::string::npos);
    CHECK(a[0].end <= a[1].begin);
    CHECK(a[1].end <= a[2].begin);
}

TEST_CASE("after the agent asks for another problem, the caller's next turn is one", "[intake]") {
    const std::string first = "幸福小区3栋门口的路灯坏了一个星期了，晚上特别黑。";
    const std::string second = "我们楼道里的声控灯也全坏了，物业一直说要修就是不来。";
    const std::string text = first + "\n" + second;
    const auto asked = lines({{first.size() + 1, "好的，已经记录了。请问还有别的问题吗？"}});
    auto a = intake::find_appeals(engine(), text, asked);
    REQUIRE(a.size() == 2);
    CHECK(a[1].begin == first.size() + 1);
    CHECK(a[1].text == second);
    CHECK(a[1].cue == intake::appeal_cue::invited);
    // Without the agent's words the same caller text is one problem: nothing in it says two.
    CHECK(intake::find_appeals(engine(), text).size() == 1);
}

TEST_CASE("answers to the agent's questions about the problem stay with it", "[intake]") {
    const std::string first = "和平路12号旁边的下水道井盖丢了，很危险，请尽快处理。";
    const std::string where = "就在小区东门进去左手边那一栋楼下面。";
    const std::string more = "还有就是，这个问题已经影响到很多住户了，希望尽快处理。";
    const std::string none = "没有了，就这个事，谢谢。";
    const std::string back = "就是刚才说的那个事，麻烦你们尽快处理一下。";
    std::string text = first;
    std::vector<std::pair<std::size_t, std::string_view>> said;
    const auto add = [&](std::string_view agent, const std::string& caller) {
        text += "\n";
        said.emplace_back(text.size(), agent);
        text += caller;
    };
    add("请问具体是在什么位置？", where);
    add("请问还有什么要补充的吗？", more);
    add("请问还有别的问题吗？", none);
    add("好的，还有其他问题吗？", back);
    std::vector<intake::agent_line> agent;
    for (const auto& [at, t] : said) agent.push_back({at, t});
    auto a = intake::find_appeals(engine(), text, agent);
    REQUIRE(a.size() == 1);
    CHECK(a[0].text.find("东门") != std::string::npos);
    CHECK(a[0].text.find("麻烦你们") != std::string::npos);
}

TEST_CASE("the same calls in Traditional script are cut the same way", "[intake]") {
    const std::string letter_t =
        "關於陽光花園小區垃圾站長期無人管理的投訴！尊敬的領導：您好！我們小區東門旁邊的垃圾站已經"
        "有三個多月沒有人認真管理了，垃圾桶滿了也沒人清運。難道就沒有人管了嗎？大家覺得可笑不可笑？"
        "希望有關部門盡快督促物業整改。此致\n敬禮！\n2018年2月23日";
    CHECK(intake::find_appeals(engine(), letter_t).size() == 1);

    const std::string first = "幸福小區3棟門口的路燈壞了一個星期了，晚上特別黑。";
    const std::string second = "還有一件事，我們樓下的燒烤攤每天營業到凌晨兩點，油煙很大。";
    auto a = intake::find_appeals(engine(), first + second);
    REQUIRE(a.size() == 2);
    CHECK(a[1].begin == first.size());

    const std::string third = "我們樓道裡的聲控燈也全壞了，物業一直說要修就是不來。";
    const std::string call = first + "\n" + third;
    const auto asked = lines({{first.size() + 1, "好的，還有甚麼問題需要反映嗎？"}});
    CHECK(intake::find_appeals(engine(), call, asked).size() == 2);
}

TEST_CASE("the agent's invitation is told from a question about the same problem", "[intake]") {
    CHECK(intake::invites_another_problem(engine(), "好的，已经记录了。请问还有别的问题吗？"));
    CHECK(intake::invites_another_problem(engine(), "您还有其他需要反映的吗？"));
    CHECK(intake::invites_another_problem(engine(), "還有甚麼問題嗎？"));
    CHECK_FALSE(intake::invites_another_problem(engine(), "请问还有什么要补充的吗？"));
    CHECK_FALSE(intake::invites_another_problem(engine(), "请问具体是在什么位置？"));
}
