#include "dialog/nlu/nlu.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "dialog/utf8.hpp"

using minsheng::dialog::nlu::mask_id_number;
using minsheng::dialog::nlu::mask_personal_data;
using minsheng::dialog::nlu::mask_phone;

TEST_CASE("a mobile number keeps its first three and last four digits", "[dialog]") {
    CHECK(mask_phone("13812345678") == "138****5678");
    CHECK(mask_phone("8613812345678") == "86138****5678");
    CHECK(mask_phone("138 1234 5678") == "138 **** 5678");
}

TEST_CASE("a landline keeps its area code and last two digits", "[dialog]") {
    CHECK(mask_phone("076922223333") == "0769******33");
    CHECK(mask_phone("01012345678") == "010******78");
    CHECK(mask_phone("0769-22223333") == "0769-******33");
}

TEST_CASE("short or odd numbers are still masked", "[dialog]") {
    CHECK(mask_phone("12345") == "***45");
    CHECK(mask_phone("12") == "**");
    CHECK(mask_phone("") == "");
}

TEST_CASE("an ID number keeps its first three and last four characters", "[dialog]") {
    CHECK(mask_id_number("110105194912311234") == "110***********1234");
    CHECK(mask_id_number("11010519491231002X") == "110***********002X");
    CHECK(mask_id_number("11010519491231002X").size() == 18);
    CHECK(mask_id_number("1234") == "****");
}

TEST_CASE("free text has its phones, IDs and detailed addresses masked in place", "[dialog]") {
    CHECK(mask_personal_data("我的电话13812345678，谢谢") == "我的电话138****5678，谢谢");
    CHECK(mask_personal_data("电话 138 1234 5678 找王先生") == "电话 138 **** 5678 找王先生");
    CHECK(mask_personal_data("身份证11010519491231002X") == "身份证110***********002X");
    CHECK(mask_personal_data("我住幸福小区3栋2单元501") == "我住幸福小区*栋*单元***");
    CHECK(mask_personal_data("东城路12号门口有坑") == "东城路**号门口有坑");
    CHECK(mask_personal_data("办公室0769-22223333") == "办公室0769-******33");
    CHECK(mask_personal_data("路灯坏了，请处理") == "路灯坏了，请处理");
    CHECK(mask_personal_data("") == "");
}

TEST_CASE("masking works on Traditional and full-width text and keeps its script", "[dialog]") {
    CHECK(mask_personal_data("「我們社區的路燈壞了，電話１３８１２３４５６７８」") ==
          "「我們社區的路燈壞了，電話１３８****５６７８」");
    CHECK(mask_personal_data("住在幸福小區３棟２單元５０１") == "住在幸福小區*棟*單元***");
    CHECK(mask_personal_data("身份證號：４４１９００１９９００３０７１２３８") ==
          "身份證號：４４１***********１２３８");
}

TEST_CASE("a wrong-checksum ID is left alone, a case number is not personal data", "[dialog]") {
    CHECK(mask_personal_data("441900199003071237") == "441900199003071237");
    CHECK(mask_personal_data("案件MS20261123-0007") == "案件MS20261123-0007");
}

TEST_CASE("masking any prefix of a text gives valid UTF-8", "[dialog]") {
    const std::string text = "住在幸福小區３棟２單元５０１，電話１３８ １２３４ ５６７８😀";
    for (std::size_t n = 0; n <= text.size(); ++n) {
        const std::string prefix = text.substr(0, n);
        const std::string masked = mask_personal_data(prefix);
        // Masking only replaces whole characters, so it never breaks what was valid.
        if (minsheng::dialog::is_valid_utf8(prefix)) CHECK(minsheng::dialog::is_valid_utf8(masked));
    }
}
