#include <catch2/catch.hpp>
#include <cctype>

#include "adapters/hotline/auth.hpp"
#include "adapters/hotline/transcript.hpp"

using namespace minsheng::adapters::hotline;

namespace {

std::vector<parsed_call> calls(std::string_view body, std::string_view type = "application/json",
                               const std::map<std::string, std::string, std::less<>>& params = {}) {
    auto r = parse_batch(body, type, params);
    if (auto* e = std::get_if<batch_error>(&r)) FAIL("batch refused: " << e->message);
    return std::get<std::vector<parsed_call>>(std::move(r));
}

constexpr std::string_view one_call = R"({
  "call_id": "HL-20261123-0001",
  "hotline": "12345",
  "caller": {"phone": "+86 138-0013-8000", "name": "张先生"},
  "operator_id": "A017",
  "started_at": "2026-11-23T09:01:00+08:00",
  "operator_category": "城乡建设",
  "turns": [
    {"speaker": "agent", "text": "您好，12345热线，请问有什么可以帮您？"},
    {"speaker": "caller", "text": "我们幸福小区3栋门口的路灯坏了一个星期了。", "at": "00:00:05"},
    {"speaker": "agent", "text": "好的，已为您记录。"},
    {"speaker": "caller", "text": "还有小区门口的垃圾好几天没人收。"}
  ]
})";

}  // namespace

TEST_CASE("a JSON call is read with its caller, times and turns", "[hotline]") {
    auto c = calls(one_call);
    REQUIRE(c.size() == 1);
    REQUIRE(c[0].call);
    const auto& t = *c[0].call;
    CHECK(t.call_id == "HL-20261123-0001");
    CHECK(t.caller_phone == "13800138000");
    CHECK(t.caller_name == "张先生");
    CHECK(t.hotline == "12345");
    CHECK(t.operator_category == "城乡建设");
    CHECK(t.started_at == 1795395660);
    REQUIRE(t.turns.size() == 4);
    CHECK(t.turns[1].at == "00:00:05");

    auto words = caller_words(t);
    REQUIRE(words.pieces.size() == 2);
    CHECK(words.text.find("您好") == std::string::npos);  // not the agent's lines
    CHECK(words.pieces[1].turn_index == 3);
    CHECK(words.text.substr(words.pieces[0].begin, words.pieces[0].end - words.pieces[0].begin) ==
          t.turns[1].text);
}

TEST_CASE("a batch answers per call: one bad call does not sink the others", "[hotline]") {
    std::string batch = "[" + std::string(one_call) + R"(,
      {"call_id": "HL-2", "caller": {"phone": "12"}, "turns": [{"speaker":"caller","text":"x"}]},
      {"call_id": "HL-3", "caller": {"phone": "13900139000"}, "turns": []},
      {"call_id": "HL-4", "caller": {"phone": "13900139000"},
       "turns": [{"speaker": "robot", "text": "hi"}]},
      {"call_id": "HL-5", "caller": {"phone": "13900139000"},
       "turns": [{"speaker": "agent", "text": "您好"}]},
      {"caller": {"phone": "13900139000"}, "turns": [{"speaker":"caller","text":"x"}]},
      "not an object"
    ])";
    auto c = calls(batch);
    REQUIRE(c.size() == 7);
    CHECK(c[0].call);
    CHECK(c[1].error.find("caller.phone") != std::string::npos);
    CHECK(c[1].call_id == "HL-2");
    CHECK(c[2].error.find("turns") != std::string::npos);
    CHECK(c[3].error.find("speaker") != std::string::npos);
    CHECK(c[4].error.find("caller says nothing") != std::string::npos);
    CHECK(c[5].error.find("call_id") != std::string::npos);
    CHECK(c[6].error.find("object") != std::string::npos);
    for (std::size_t i = 1; i < c.size(); ++i) CHECK_FALSE(c[i].call);
}

TEST_CASE("NDJSON batches read line by line, a broken line refused alone", "[hotline]") {
    std::string nd =
        R"({"call_id":"A1","caller":{"phone":"13800138000"},"turns":[{"speaker":"caller","text":"路灯坏了"}]})"
        "\n\n{broken\n"
        R"({"call_id":"A2","caller":{"phone":"13800138001"},"turns":[{"speaker":"caller","text":"井盖丢了"}]})"
        "\n";
    auto c = calls(nd, "application/x-ndjson");
    REQUIRE(c.size() == 3);
    CHECK(c[0].call);
    CHECK(c[1].error == "this line is not valid JSON");
    REQUIRE(c[2].call);
    CHECK(c[2].call->call_id == "A2");
}

TEST_CASE("plain speaker-tagged text, with or without times, becomes turns", "[hotline]") {
    std::string text =
        "[00:00:01] 坐席：您好，12345热线。\n"
        "[00:00:04] 市民：我要反映一下，幸福小区的路灯坏了，\n"
        "已经一个星期了。\n"
        "坐席:好的,请问具体位置?\n"
        "10:01:20 市民：3栋门口。\n";
    auto c = calls(text, "text/plain; charset=utf-8",
                   {{"call_id", "T-9"}, {"caller_phone", "13800138000"}});
    REQUIRE(c.size() == 1);
    REQUIRE(c[0].call);
    const auto& t = *c[0].call;
    REQUIRE(t.turns.size() == 4);
    CHECK(t.turns[0].speaker == "agent");
    CHECK(t.turns[0].at == "00:00:01");
    CHECK(t.turns[1].speaker == "caller");
    CHECK(t.turns[1].text == "我要反映一下，幸福小区的路灯坏了， 已经一个星期了。");
    CHECK(t.turns[2].speaker == "agent");
    CHECK(t.turns[2].at.empty());
    CHECK(t.turns[3].at == "10:01:20");
    CHECK(t.turns[3].text == "3栋门口。");

    auto missing = calls(text, "text/plain", {{"call_id", "T-9"}});
    CHECK(missing[0].error.find("caller_phone") != std::string::npos);
    auto untagged =
        calls("路灯坏了\n", "text/plain", {{"call_id", "T-9"}, {"caller_phone", "13800138000"}});
    CHECK(untagged[0].error.find("speaker tag") != std::string::npos);
}

TEST_CASE("a body that cannot be read at all refuses the whole batch", "[hotline]") {
    CHECK(std::holds_alternative<batch_error>(parse_batch("", "application/json", {})));
    CHECK(std::holds_alternative<batch_error>(parse_batch("{oops", "application/json", {})));
    CHECK(std::holds_alternative<batch_error>(parse_batch("[]", "application/json", {})));
    CHECK(std::holds_alternative<batch_error>(parse_batch("<xml/>", "application/xml", {})));
    CHECK(std::holds_alternative<batch_error>(
        parse_batch("{\"call_id\":\"\xff\"}", "application/json", {})));
    std::string big = "[";
    for (int i = 0; i <= 500; ++i) big += std::string(i ? "," : "") + "{}";
    big += "]";
    CHECK(std::holds_alternative<batch_error>(parse_batch(big, "application/json", {})));
}

TEST_CASE("hotline requests are signed with HMAC-SHA256 over timestamp and body", "[hotline]") {
    const std::string secret = "hotline-secret";
    const std::string body = R"({"call_id":"x"})";
    const std::int64_t now = 1795400000;
    const std::string ts = std::to_string(now);
    auto sig = sign(secret, ts, body);
    CHECK(sig.rfind("sha256=", 0) == 0);
    CHECK(sig.size() == 7 + 64);
    // Cross-checked with Python's hmac module: what a hotline system computes.
    CHECK(sig == "sha256=d3a116ba52003a5a6fd54185e866e665922ea332c55f97aafbddb5b443149c00");

    CHECK(verify(secret, ts, sig, body, now, 300) == auth_failure::none);
    std::string upper = sig;
    for (std::size_t i = 7; i < upper.size(); ++i)
        upper[i] = static_cast<char>(std::toupper(upper[i]));
    CHECK(verify(secret, ts, upper, body, now, 300) == auth_failure::none);
    CHECK(verify(secret, ts, sig, body + " ", now, 300) == auth_failure::bad_signature);
    CHECK(verify("other-secret", ts, sig, body, now, 300) == auth_failure::bad_signature);
    CHECK(verify(secret, ts, sig, body, now + 301, 300) == auth_failure::stale);
    CHECK(verify(secret, ts, sig, body, now - 301, 300) == auth_failure::stale);
    CHECK(verify(secret, "12a", sig, body, now, 300) == auth_failure::bad_timestamp);
    CHECK(verify(secret, "", sig, body, now, 300) == auth_failure::missing);
    CHECK(verify(secret, ts, "", body, now, 300) == auth_failure::missing);
    CHECK(verify("", ts, sign("", ts, body), body, now, 300) == auth_failure::bad_signature);
    // The timestamp is signed too: another timestamp with the same signature fails.
    CHECK(verify(secret, std::to_string(now + 1), sig, body, now, 300) ==
          auth_failure::bad_signature);
}
