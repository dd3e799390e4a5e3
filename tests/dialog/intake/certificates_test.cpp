// The certificate list loader and matcher (dialog/intake/certificates.hpp).

#include "dialog/intake/certificates.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

using minsheng::dialog::intake::certificate_catalogue;

namespace {

std::string refusal(const std::string& text) {
    try {
        (void)certificate_catalogue::from_text(text, "list.toml");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

const std::string moved = R"(
[[item]]
id = "residence"
name = "居住证明"
aliases = ["居住证明", "住址证明"]
community_issues = false
department = "派出所"
where = "派出所户籍窗口"
bring = "身份证"
)";

}  // namespace

TEST_CASE("the shipped certificate list loads, is marked as an example, and matches its aliases",
          "[dialog][certificates]") {
    const auto c = certificate_catalogue::load(MINSHENG_SOURCE_DIR "/data/certificates.toml");
    CHECK(c.example());
    CHECK(c.items().size() >= 10);
    int kept = 0;
    for (const auto& it : c.items()) kept += it.community_issues ? 1 : 0;
    CHECK(kept == 4);
    REQUIRE(c.match("我想开个住址证明"));
    CHECK(c.match("我想开个住址证明")->id == "residence");
    CHECK(c.match("住改商要去哪里办")->id == "residential_to_commercial");
    // The longest alias wins: 家庭经济困难证明 over 困难证明 (same item), 无犯罪记录证明 exact.
    CHECK(c.match("无犯罪记录证明")->id == "no_criminal_record");
    CHECK(c.match("路灯坏了") == nullptr);
    CHECK(c.find("hardship")->community_issues);
    CHECK_FALSE(c.find("hardship")->procedure.empty());
    // Every item carries the file's policy unless it gives its own.
    for (const auto& it : c.items()) CHECK_FALSE(it.policy.empty());
}

TEST_CASE("a malformed certificate list is refused with the file and the item",
          "[dialog][certificates]") {
    CHECK(refusal(moved).empty());
    CHECK(refusal("").find("list.toml: no [[item]]") != std::string::npos);
    CHECK(refusal("[[item]\n").find("list.toml") != std::string::npos);
    CHECK(refusal(moved + moved).find("item residence: the id is used twice") != std::string::npos);
    std::string other = moved;
    other.replace(other.find("\"residence\""), 11, "\"home\"");
    CHECK(refusal(moved + other).find("alias \"居住证明\" is also an alias of item residence") !=
          std::string::npos);
    std::string no_where = moved;
    no_where.erase(no_where.find("where ="), no_where.find("bring") - no_where.find("where ="));
    CHECK(refusal(no_where).find("needs where") != std::string::npos);
    std::string kept = moved;
    kept.replace(kept.find("community_issues = false"), 24, "community_issues = true");
    CHECK(refusal(kept).find("needs procedure") != std::string::npos);
    std::string bad_id = moved;
    bad_id.replace(bad_id.find("\"residence\""), 11, "\"Residence!\"");
    CHECK(refusal(bad_id).find("must be 1-40 lower-case") != std::string::npos);
    std::string short_alias = moved;
    short_alias.replace(short_alias.find("\"住址证明\""), 14, "\"证\"");
    CHECK(refusal(short_alias).find("2 characters or more") != std::string::npos);
    CHECK(refusal("[[item]]\nid = \"x\"\n").find("item x: name is missing") != std::string::npos);
}
