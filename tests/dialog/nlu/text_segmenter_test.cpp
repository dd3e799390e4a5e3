#include "dialog/nlu/segmenter.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "dialog/nlu/normalizer.hpp"
#include "dialog/utf8.hpp"

namespace nlu = minsheng::dialog::nlu;
using tokens = std::vector<std::string>;

namespace {

// The shipped lexicon, read as the engine reads it.
std::vector<std::string> shipped_lexicon() {
    std::ifstream in(MINSHENG_SOURCE_DIR "/models/lexicon.txt");
    REQUIRE(in);
    std::vector<std::string> words;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        words.push_back(line);
    }
    return words;
}

const nlu::segmenter& seg() {
    static const auto s = nlu::segmenter::create(shipped_lexicon());
    return *s;
}

bool contains(const tokens& t, std::string_view word) {
    return std::find(t.begin(), t.end(), word) != t.end();
}

std::string joined(const tokens& t) {
    std::string s;
    for (const auto& w : t) s += w;
    return s;
}

}  // namespace

TEST_CASE("program words from the lexicon are kept whole", "[dialog]") {
    for (std::string word :
         {"微心愿", "微实事", "莞家速递", "莞家直达", "莞家驿站", "民生大莞家", "共享小屋",
          "网格员", "爱心积分", "五微", "志愿者", "居委会", "物业"}) {
        INFO(word);
        CHECK(contains(seg().segment("我想了解" + word + "怎么参加"), word));
    }
    CHECK(contains(seg().segment("打12345投诉"), "12345"));
    // An ASCII lexicon word never cuts a longer number.
    CHECK_FALSE(contains(seg().segment("电话123456789"), "12345"));
}

TEST_CASE("Chinese text is split into dictionary words", "[dialog]") {
    auto t = seg().segment("我们社区的路灯坏了");
    CHECK(joined(t) == "我们社区的路灯坏了");
    CHECK(contains(t, "我们"));
    CHECK(contains(t, "社区"));
    CHECK(contains(t, "路灯"));
    auto u = seg().segment("请尽快派人维修");
    CHECK(contains(u, "维修"));
}

TEST_CASE("a lexicon without program words still splits the text", "[dialog]") {
    auto plain = nlu::segmenter::create({});
    auto t = plain->segment("我想认领微心愿");
    CHECK(joined(t) == "我想认领微心愿");
    CHECK_FALSE(contains(t, "微心愿"));
    auto upper = nlu::segmenter::create({"ABC站", ""});
    CHECK(contains(upper->segment("去abc站"), "abc站"));
}

TEST_CASE("whitespace and punctuation are dropped, numbers and Latin words kept whole",
          "[dialog]") {
    auto t = seg().segment("你好, 电话13812345678! 花了1.5万 hello world?");
    CHECK_FALSE(contains(t, ","));
    CHECK_FALSE(contains(t, " "));
    CHECK_FALSE(contains(t, "!"));
    CHECK(contains(t, "13812345678"));
    CHECK(contains(t, "1.5"));
    CHECK(contains(t, "hello"));
    CHECK(contains(t, "world"));
    CHECK(contains(seg().segment("ms20261123-0007"), "ms20261123"));
}

TEST_CASE("segmenting normalised Traditional text gives the Simplified words", "[dialog]") {
    auto n = nlu::normalizer::create();
    auto t = seg().segment(n->normalise("我們社區的路燈壞了，請網格員來看看").text);
    CHECK(contains(t, "路灯"));
    CHECK(contains(t, "网格员"));
}

TEST_CASE("empty, invalid and huge inputs are handled", "[dialog]") {
    CHECK(seg().segment("").empty());
    CHECK(seg().segment(" ,.!").empty());
    auto bad = seg().segment("路灯\xFF\xE4\xB8坏了");
    CHECK(joined(bad) == "路灯坏了");
    std::string big;
    while (big.size() < 100 * 1024) big += "我们社区的路灯坏了已经三天了,请网格员尽快处理. ";
    auto t = seg().segment(big);
    CHECK(t.size() > 10000);
    for (const auto& w : t) REQUIRE(minsheng::dialog::is_valid_utf8(w));
}

TEST_CASE("every prefix of a multi-byte text segments into valid UTF-8 tokens", "[dialog]") {
    const std::string text = "我想认领微心愿,电话13812345678,莞家速递😀很好";
    for (std::size_t n = 0; n <= text.size(); ++n) {
        for (const auto& w : seg().segment(text.substr(0, n))) {
            REQUIRE_FALSE(w.empty());
            REQUIRE(minsheng::dialog::is_valid_utf8(w));
        }
    }
}
