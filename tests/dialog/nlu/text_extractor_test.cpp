#include "dialog/nlu/extractor.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "dialog/nlu/detail/chinese_number.hpp"
#include "dialog/nlu/detail/civil_days.hpp"
#include "dialog/nlu/normalizer.hpp"

namespace nlu = minsheng::dialog::nlu;
using nlu::entity;

namespace {

const nlu::normalizer& norm() {
    static const auto n = nlu::normalizer::create();
    return *n;
}
const nlu::extractor& ex() {
    static const auto e = nlu::extractor::create();
    return *e;
}

// Tuesday 2026-03-10, 12:00 in China.
const std::int64_t now = nlu::detail::days_from_civil(2026, 3, 10) * 86400 + 4 * 3600;

std::vector<entity> all(const std::string& text) {
    return ex().extract(norm().normalise(text), text, now);
}

std::vector<entity> of_type(const std::string& text, std::string_view type) {
    std::vector<entity> out;
    for (auto& e : all(text))
        if (e.type == type) out.push_back(e);
    return out;
}

// The value of the only entity of `type` in `text`, or "" when there is not exactly one.
std::string value(const std::string& text, std::string_view type) {
    auto found = of_type(text, type);
    return found.size() == 1 ? found[0].value : std::string();
}

// Every entity's span covers exactly its text, in order, without overlap.
void check_spans(const std::string& text) {
    std::size_t last = 0;
    for (const auto& e : all(text)) {
        INFO(text << " / " << e.type << " " << e.text);
        REQUIRE(e.where.begin >= last);
        REQUIRE(e.where.begin < e.where.end);
        REQUIRE(e.where.end <= text.size());
        CHECK(text.substr(e.where.begin, e.where.end - e.where.begin) == e.text);
        last = e.where.end;
    }
}

}  // namespace

TEST_CASE("mobile numbers are found however they are written", "[dialog]") {
    CHECK(value("我的电话13812345678谢谢", "phone") == "13812345678");
    CHECK(value("电话 138 1234 5678", "phone") == "13812345678");
    CHECK(value("电话138-1234-5678", "phone") == "13812345678");
    CHECK(value("+86 138 1234 5678", "phone") == "13812345678");
    CHECK(value("+8613812345678", "phone") == "13812345678");
    CHECK(value("1 3 8 1 2 3 4 5 6 7 8", "phone") == "13812345678");
    CHECK(value("電話：１３８１２３４５６７８", "phone") == "13812345678");
    CHECK(value("１３８　１２３４　５６７８", "phone") == "13812345678");
    CHECK(value("138\u200B1234\u200B5678", "phone") == "13812345678");
}

TEST_CASE("mobile-like digits inside longer numbers are no phone", "[dialog]") {
    CHECK(of_type("订单号213812345678999", "phone").empty());
    CHECK(of_type("12812345678", "phone").empty());  // 12x is no mobile prefix
    CHECK(of_type("1381234567", "phone").empty());   // ten digits
    CHECK(of_type("ms13812345678", "phone").empty());
}

TEST_CASE("a phone entity points at exactly what was written", "[dialog]") {
    const std::string text = "我們社區的路燈壞了，電話１３８１２３４５６７８";
    auto phones = of_type(text, "phone");
    REQUIRE(phones.size() == 1);
    CHECK(phones[0].text == "１３８１２３４５６７８");
    CHECK(phones[0].where.begin == text.find("１"));
    CHECK(phones[0].where.end == text.size());
    const std::string emoji = "电话13812345678🙏🙏";
    auto e = of_type(emoji, "phone");
    REQUIRE(e.size() == 1);
    CHECK(e[0].text == "13812345678");
}

TEST_CASE("landlines keep area code and number", "[dialog]") {
    CHECK(value("办公室电话0769-22223333", "landline") == "076922223333");
    CHECK(value("(010)12345678", "landline") == "01012345678");
    CHECK(value("（０２０）８７６５４３２１", "landline") == "02087654321");
    CHECK(value("打0755 2345 6789", "landline") == "075523456789");
    CHECK(of_type("0769-22223333", "phone").empty());
}

TEST_CASE("ID numbers need a valid checksum and birth date", "[dialog]") {
    CHECK(nlu::valid_id_number("11010519491231002X"));
    CHECK(nlu::valid_id_number("11010519491231002x"));
    CHECK(nlu::valid_id_number("441900199003071238"));
    CHECK_FALSE(nlu::valid_id_number("441900199003071237"));  // wrong checksum
    CHECK_FALSE(nlu::valid_id_number("441900199013071235"));  // month 13
    CHECK_FALSE(nlu::valid_id_number("44190019900307123"));   // too short
    CHECK(value("身份证11010519491231002x", "id_number") == "11010519491231002X");
    CHECK(value("身份證號：４４１９００１９９００３０７１２３８。", "id_number") ==
          "441900199003071238");
    CHECK(value("身份证 441900 19900307 1238", "id_number") == "441900199003071238");
    // A wrong checksum is no entity of any kind.
    CHECK(all("身份证441900199003071237").empty());
}

TEST_CASE("case and wish numbers are found in any case", "[dialog]") {
    CHECK(value("我的案件ms20261123-0007进度如何", "case_number") == "MS20261123-0007");
    CHECK(value("ＭＳ２０２６１１２３－０００７", "case_number") == "MS20261123-0007");
    CHECK(value("MS202611230007", "case_number") == "MS20261123-0007");
    CHECK(value("认领心愿WX20261123-0012", "wish_number") == "WX20261123-0012");
    CHECK(value("投票 YS20261123-0001", "proposal_number") == "YS20261123-0001");
    CHECK(value("支持ys202611230002吧", "proposal_number") == "YS20261123-0002");
    CHECK(value("投票ＹＳ２０２６１１２３－０００３", "proposal_number") == "YS20261123-0003");
    CHECK(of_type("投票 YS20261123-0001", "case_number").empty());
    CHECK(of_type("投票 YS20261123-0001", "wish_number").empty());
    CHECK(of_type("ms20261123-0007", "phone").empty());
}

TEST_CASE("money amounts become yuan", "[dialog]") {
    CHECK(value("花了两千元", "money") == "2000");
    CHECK(value("维修费1.5万", "money") == "15000");
    CHECK(value("要3000块", "money") == "3000");
    CHECK(value("收了¥200", "money") == "200");
    CHECK(value("收了￥２００", "money") == "200");
    CHECK(value("五百元", "money") == "500");
    CHECK(value("一万五千块钱", "money") == "15000");
    CHECK(value("1,200元", "money") == "1200");
    CHECK(value("12.50元", "money") == "12.5");
    CHECK(value("两千多元", "money") == "2000");
    CHECK(value("3千元", "money") == "3000");
    CHECK(value("一万五", "money").empty());
    CHECK(of_type("1.5万人参加", "money").empty());
    CHECK(of_type("一块地", "money").empty());
    CHECK(of_type("2单元", "money").empty());
}

TEST_CASE("absolute dates become ISO dates", "[dialog]") {
    CHECK(value("2026年3月5日", "date") == "2026-03-05");
    CHECK(value("3月5号来修", "date") == "2026-03-05");
    CHECK(value("三月五日", "date") == "2026-03-05");
    CHECK(value("十一月二十三日", "date") == "2026-11-23");
    CHECK(value("二〇二五年十二月一日", "date") == "2025-12-01");
    CHECK(value("去年8月1日", "date") == "2025-08-01");
    CHECK(value("2026-03-05", "date") == "2026-03-05");
    CHECK(value("2026/3/5", "date") == "2026-03-05");
    CHECK(value("3.5去的", "date") == "2026-03-05");
    CHECK(value("15号上门", "date") == "2026-03-15");
    CHECK(of_type("2月30日", "date").empty());
    CHECK(of_type("3.5万", "date").empty());
}

TEST_CASE("relative dates count from now in China time", "[dialog]") {
    CHECK(value("今天", "date") == "2026-03-10");
    CHECK(value("昨天停水了", "date") == "2026-03-09");
    CHECK(value("前天", "date") == "2026-03-08");
    CHECK(value("大前天", "date") == "2026-03-07");
    CHECK(value("明天", "date") == "2026-03-11");
    CHECK(value("三天前", "date") == "2026-03-07");
    CHECK(value("两天后", "date") == "2026-03-12");
    CHECK(value("10天以前", "date") == "2026-02-28");
    CHECK(value("上周", "date") == "2026-W10");
    CHECK(value("下周一", "date") == "2026-03-16");
    CHECK(value("上周日", "date") == "2026-03-08");
    CHECK(value("下星期三", "date") == "2026-03-18");
    CHECK(value("周五", "date") == "2026-03-13");
    CHECK(value("上个月", "date") == "2026-02");
    CHECK(value("三个月前", "date") == "2025-12");
    CHECK(value("去年", "date") == "2025");
    CHECK(value("两周前", "date") == "2026-W09");
    // 23:30 UTC on the 9th is already the 10th in China.
    const std::string text = "今天";
    const std::int64_t late = nlu::detail::days_from_civil(2026, 3, 9) * 86400 + 23 * 3600 + 1800;
    auto e = ex().extract(norm().normalise(text), text, late);
    REQUIRE(e.size() == 1);
    CHECK(e[0].value == "2026-03-10");
    CHECK(of_type("周边环境", "date").empty());
    CHECK(of_type("每周一", "date").empty());
}

TEST_CASE("times become HH:MM on a 24-hour clock", "[dialog]") {
    CHECK(value("晚上8点", "time") == "20:00");
    CHECK(value("20:30", "time") == "20:30");
    CHECK(value("２０：３０", "time") == "20:30");
    CHECK(value("8点半", "time") == "08:30");
    CHECK(value("下午三点十五分", "time") == "15:15");
    CHECK(value("凌晨2点", "time") == "02:00");
    CHECK(value("中午12点", "time") == "12:00");
    CHECK(value("晚上十点钟", "time") == "22:00");
    CHECK(value("早上7:05", "time") == "07:05");
    CHECK(of_type("快一点", "time").empty());
    CHECK(of_type("25:00", "time").empty());
    auto e = all("今晚8点停电");
    REQUIRE(e.size() == 2);
    CHECK(e[0].type == "date");
    CHECK(e[0].value == "2026-03-10");
    CHECK(e[1].type == "time");
    CHECK(e[1].value == "20:00");
    CHECK(e[1].text == "8点");
}

TEST_CASE("addresses are found in their usual forms", "[dialog]") {
    CHECK(value("我住幸福小区3栋2单元501", "address") == "幸福小区3栋2单元501");
    CHECK(value("东城路12号门口", "address") == "东城路12号");
    CHECK(value("我们村的路灯坏了", "address") == "我们村");
    CHECK(value("A市K2区", "address") == "a市k2区");
    CHECK(value("广东省东莞市南城区", "address") == "广东省东莞市南城区");
    CHECK(value("投诉幸福小区物业不作为", "address") == "幸福小区");
    CHECK(value("在万江街道金泰社区", "address") == "万江街道金泰社区");
    CHECK(value("3栋2单元501漏水", "address") == "3栋2单元501");
    CHECK(value("8号楼", "address") == "8号楼");
    CHECK(value("幸福小區３棟２單元５０１", "address") == "幸福小区3栋2单元501");
    CHECK(of_type("城市道路", "address").empty());
    CHECK(of_type("路灯坏了", "address").empty());
    CHECK(of_type("去超市买东西", "address").empty());
    CHECK(of_type("3号线地铁", "address").empty());
}

TEST_CASE("parks, markets, market towns, estates named as towns and bays are places", "[dialog]") {
    CHECK(value("岐江公园门口大树倒了", "address") == "岐江公园");
    CHECK(value("沙溪墟市场垃圾堆了三天", "address") == "沙溪墟市场");
    CHECK(value("沙岗墟的窨井盖被人撬走了", "address") == "沙岗墟");
    CHECK(value("远洋城8栋的电梯又停了", "address") == "远洋城8栋");
    CHECK(value("远洋城楼下那家KTV", "address") == "远洋城");
    CHECK(value("白沙湾的下水道堵咗", "address") == "白沙湾");
    CHECK(value("東門市場攤位亂收費", "address") == "东门市场");
    // The same words that are no place.
    CHECK(of_type("去菜市场买菜", "address").empty());
    CHECK(of_type("市场监管局不管", "address").empty());
    CHECK(of_type("我去县城看病", "address").empty());
    CHECK(of_type("城管天天来", "address").empty());
    CHECK(of_type("房子成了一片废墟", "address").empty());
    CHECK(of_type("扰乱市场秩序", "address").empty());
}

TEST_CASE("an address points at the original script", "[dialog]") {
    const std::string text = "住在幸福小區３棟２單元５０１，電話１３８１２３４５６７８";
    auto a = of_type(text, "address");
    REQUIRE(a.size() == 1);
    CHECK(a[0].text == "幸福小區３棟２單元５０１");
    check_spans(text);
}

TEST_CASE("entities come in order, without overlap, each pointing at its own text", "[dialog]") {
    for (std::string text :
         {"我們社區的路燈壞了，電話１３８１２３４５６７８", "昨天晚上8点幸福小区3栋停电，打了12345",
          "3月5号花了两千元，案件号MS20261123-0007", "  \t 東城路１２號😀😀 138 1234 5678\u200B ",
          "身份证11010519491231002X，住广东省东莞市南城区"}) {
        check_spans(text);
    }
}

TEST_CASE("extraction survives any prefix of a multi-byte text", "[dialog]") {
    const std::string text =
        "住在幸福小區３棟２單元５０１，電話１３８ １２３４ ５６７８，昨天晚上8点，兩千元😀";
    for (std::size_t n = 0; n <= text.size(); ++n) check_spans(text.substr(0, n));
}

TEST_CASE("empty and huge inputs are handled", "[dialog]") {
    CHECK(all("").empty());
    std::string big;
    while (big.size() < 100 * 1024) big += "我们小区3栋的路灯坏了,电话13812345678,昨天报修. ";
    auto e = all(big);
    CHECK(e.size() > 1000);
    std::size_t phones = 0;
    for (const auto& x : e) phones += x.type == "phone";
    CHECK(phones > 300);
}

TEST_CASE("Chinese numerals parse with units and colloquial abbreviations", "[dialog]") {
    using nlu::detail::parse_integer;
    CHECK(parse_integer("十一") == 11);
    CHECK(parse_integer("二十三") == 23);
    CHECK(parse_integer("两千") == 2000);
    CHECK(parse_integer("一百零五") == 105);
    CHECK(parse_integer("一万五千") == 15000);
    CHECK(parse_integer("一万五") == 15000);
    CHECK(parse_integer("三千五") == 3500);
    CHECK(parse_integer("二〇二六") == 2026);
    CHECK(parse_integer("3千") == 3000);
    CHECK(parse_integer("壹佰贰拾") == 120);
    CHECK(parse_integer("十万") == 100000);
    CHECK_FALSE(parse_integer("万"));
    CHECK_FALSE(parse_integer("abc"));
    CHECK_FALSE(parse_integer(""));
}
