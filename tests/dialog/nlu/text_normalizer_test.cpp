#include "dialog/nlu/normalizer.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "dialog/utf8.hpp"

using minsheng::dialog::nlu::normalised_text;
using minsheng::dialog::nlu::normalizer;

namespace {

const normalizer& norm() {
    static const auto n = normalizer::create();
    return *n;
}

std::string normal(std::string_view s) { return norm().normalise(s).text; }

// The invariants every result must keep, whatever the input.
void check_invariants(const normalised_text& t, std::string_view original) {
    REQUIRE(minsheng::dialog::is_valid_utf8(t.text));
    REQUIRE(t.origin.size() == t.text.size() + 1);
    REQUIRE(t.origin.back() == original.size());
    for (std::size_t i = 0; i < t.text.size(); ++i) {
        REQUIRE(t.origin[i] < original.size());
        REQUIRE(t.origin[i] <= t.origin[i + 1]);
    }
    for (std::size_t k = 0; k < t.skipped.size(); ++k) {
        REQUIRE(t.skipped[k].first <= t.text.size());
        REQUIRE(t.skipped[k].second <= t.origin[t.skipped[k].first]);
        if (k) REQUIRE(t.skipped[k - 1].first < t.skipped[k].first);
    }
}

// The original bytes behind normalised bytes [begin, end).
std::string_view behind(const normalised_text& t, std::string_view original, std::size_t begin,
                        std::size_t end) {
    auto [b, e] = t.to_original(begin, end);
    return original.substr(b, e - b);
}

}  // namespace

TEST_CASE("full-width digits, letters and punctuation become half-width", "[dialog]") {
    CHECK(normal("１３８１２３４５６７８") == "13812345678");
    CHECK(normal("ＡＢＣ ｄｅｆ") == "abc def");
    CHECK(normal("（１）：真的吗？！") == "(1):真的吗?!");
    CHECK(normal("ＭＳ２０２６１１２３－０００７") == "ms20261123-0007");
    CHECK(normal("￥２００") == "¥200");
}

TEST_CASE("ASCII letters are lower-cased and digits are left alone", "[dialog]") {
    CHECK(normal("WX20261123-0007 Hello") == "wx20261123-0007 hello");
}

TEST_CASE("Traditional characters become Simplified", "[dialog]") {
    CHECK(normal("我們社區的路燈壞了") == "我们社区的路灯坏了");
    CHECK(normal("電話號碼") == "电话号码");
    CHECK(normal("東莞市萬江街道") == "东莞市万江街道");
    CHECK(normal("這裡的垃圾沒人處理，環境很髒") == "这里的垃圾没人处理,环境很脏");
    // Already Simplified text is unchanged.
    CHECK(normal("我们社区的路灯坏了") == "我们社区的路灯坏了");
}

TEST_CASE("compatibility ideographs become unified and then Simplified", "[dialog]") {
    // U+F900 is a compatibility form of 豈.
    CHECK(normal("\xEF\xA4\x80") == "岂");
}

TEST_CASE("to_simplified converts only the script", "[dialog]") {
    CHECK(norm().to_simplified("臺灣的電話１２３，ＡＢ") == "台湾的电话１２３，ＡＢ");
    CHECK(norm().to_simplified("a\xFF") == "a\xFF");
}

TEST_CASE("Chinese punctuation is unified to one form", "[dialog]") {
    CHECK(normal("你好，请问。真的吗？好的！") == "你好,请问.真的吗?好的!");
    CHECK(normal("苹果、香蕉") == "苹果,香蕉");
    CHECK(normal("「通知」『重要』“好”‘对’") == "\"通知\"\"重要\"\"好\"'对'");
    CHECK(normal("【紧急】〔说明〕") == "[紧急][说明]");
    CHECK(normal("等等……") == "等等......");
    CHECK(normal("8点～10点") == "8点~10点");
    CHECK(normal("138—1234—5678") == "138-1234-5678");
    CHECK(normal("｡") == ".");
}

TEST_CASE("whitespace of every kind collapses to one space and is trimmed", "[dialog]") {
    CHECK(normal("  a \t\n  b\u3000c  ") == "a b c");
    CHECK(normal("路灯\u00A0\u00A0坏了\r\n") == "路灯 坏了");
    CHECK(normal(" \t\u3000") == "");
}

TEST_CASE("emoji separate like spaces and invisible characters are dropped", "[dialog]") {
    CHECK(normal("路灯坏了😡😡电话") == "路灯坏了 电话");
    CHECK(normal("谢谢👍🏻") == "谢谢");
    CHECK(normal("好❤️好") == "好 好");
    CHECK(normal("家👨‍👩‍👧人") == "家 人");
    CHECK(normal("🇨🇳中国") == "中国");
    CHECK(normal("138\u200B1234\u200D5678") == "13812345678");
    CHECK(normal("\uFEFF你好\u200E") == "你好");
    CHECK(normal("a\x01\x7F"
                 "b") == "ab");
    CHECK(normal("1\uFE0F\u20E3号") == "1号");
}

TEST_CASE("combining sequences are composed by NFKC", "[dialog]") {
    auto t = norm().normalise("cafe\u0301!");
    CHECK(t.text == "café!");
    check_invariants(t, "cafe\u0301!");
    // Both bytes of é come from the 'e' where the sequence begins.
    CHECK(t.origin[3] == 3);
    CHECK(t.origin[4] == 3);
    CHECK(t.origin[5] == 6);
    // Half-width katakana with a voiced mark become one full-width character.
    CHECK(normal("ｶﾞ") == "ガ");
}

TEST_CASE("invalid UTF-8 becomes U+FFFD, one per maximal invalid subsequence", "[dialog]") {
    CHECK(normal("a\xFF"
                 "b") ==
          "a\uFFFD"
          "b");
    CHECK(normal("\xE4\xB8") == "\uFFFD");
    CHECK(normal("\xE4\xB8"
                 "a") ==
          "\uFFFD"
          "a");
    CHECK(normal("\xED\xA0\x80") == "\uFFFD\uFFFD\uFFFD");  // a surrogate is never valid
    CHECK(normal("\xC0\xAF") == "\uFFFD\uFFFD");            // nor an overlong form
    auto t = norm().normalise("x\xF0\x9F\x98");
    check_invariants(t, "x\xF0\x9F\x98");
    CHECK(t.text == "x\uFFFD");
    CHECK(t.origin[1] == 1);
}

TEST_CASE("empty input gives empty output with one origin", "[dialog]") {
    auto t = norm().normalise("");
    CHECK(t.text.empty());
    REQUIRE(t.origin.size() == 1);
    CHECK(t.origin[0] == 0);
    CHECK(t.to_original(0, 0) == std::pair<std::size_t, std::size_t>{0, 0});
}

TEST_CASE("every output byte points back at the character that produced it", "[dialog]") {
    const std::string original = "  電話：１３８ １２３４ ５６７８😀 好";
    auto t = norm().normalise(original);
    check_invariants(t, original);
    REQUIRE(t.text == "电话:138 1234 5678 好");
    auto at = t.text.find("138");
    auto end = t.text.find(" 好");
    CHECK(behind(t, original, at, end) == "１３８ １２３４ ５６７８");
    CHECK(behind(t, original, 0, 6) == "電話");
    CHECK(behind(t, original, 0, t.text.size()) == "電話：１３８ １２３４ ５６７８😀 好");
    // A range that ends before dropped bytes does not take them in.
    auto z = std::string("号码13812345678\u200B\u200B。");
    auto tz = norm().normalise(z);
    CHECK(tz.text == "号码13812345678.");
    CHECK(behind(tz, z, 6, 17) == "13812345678");
}

TEST_CASE("every prefix of a multi-byte text normalises to valid UTF-8 with sane origins",
          "[dialog]") {
    const std::string text =
        "我們社區的路燈壞了，電話１３８１２３４５６７８"
        "\U0001F600\U0001F468\u200D\U0001F469\u200D\U0001F467 "
        "cafe\u0301 "
        "ｶﾞ\u200B【急】";
    for (std::size_t n = 0; n <= text.size(); ++n) {
        const std::string prefix = text.substr(0, n);
        auto t = norm().normalise(prefix);
        check_invariants(t, prefix);
        // Splitting anywhere and normalising the tail on its own is just as safe.
        const std::string suffix = text.substr(n);
        check_invariants(norm().normalise(suffix), suffix);
    }
}

TEST_CASE("a 100 kB text normalises in one piece", "[dialog]") {
    std::string big;
    while (big.size() < 100 * 1024) big += "我們社區的路燈壞了，電話１３８１２３４５６７８😀 ";
    auto t = norm().normalise(big);
    check_invariants(t, big);
    CHECK(t.text.size() < big.size());
    CHECK(t.text.rfind("我们社区的路灯坏了,电话13812345678", 0) == 0);
}

TEST_CASE("normalising is idempotent", "[dialog]") {
    for (std::string s :
         {"我們社區的路燈壞了，電話１３８１２３４５６７８", "  Hello\tＷＯＲＬＤ  😀 。。",
          "cafe\u0301 ｶﾞ ①②③ ㎡ ㈱", "「通知」……〜", "a\xFF\xE4\xB8"}) {
        auto once = normal(s);
        CHECK(normal(once) == once);
    }
}
