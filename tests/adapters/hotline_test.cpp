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

namespace {

constexpr std::string_view text_type = "text/plain; charset=utf-8";
constexpr std::string_view text_body = "[00:00:05] 市民：井盖丢了\n";

// The text/plain request of docs/hotline.md: its call comes from the query.
request_parts text_request() {
    return {"POST",
            "/hotline/transcripts",
            {{"call_id", "T-1"}, {"caller_phone", "13700137000"}, {"caller_name", "张 三~x+y"}},
            text_type,
            text_body};
}

std::string upper_hex(std::string sig) {
    for (std::size_t i = sig.find('=') + 1; i < sig.size(); ++i)
        sig[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(sig[i])));
    return sig;
}

}  // namespace

TEST_CASE("a v2 signature covers method, path, sorted query, content type, timestamp and body",
          "[hotline]") {
    const std::string secret = "hotline-secret";
    const std::int64_t now = 1795400000;
    const std::string ts = std::to_string(now);
    const auto r = text_request();
    CHECK(canonical_v2(r, ts) ==
          "POST\n/hotline/transcripts\n"
          "call_id=T-1&caller_name=%E5%BC%A0%20%E4%B8%89~x%2By&caller_phone=13700137000\n"
          "text/plain; charset=utf-8\n1795400000\n[00:00:05] 市民：井盖丢了\n");
    const auto sig = sign_v2(secret, r, ts);
    // Computed by the Python snippet of docs/hotline.md: what a hotline system sends.
    CHECK(sig == "v2=0c77ce754c54ee4befb9f942899667bcc5bbe85e6869c1fb2b8075500524f8f8");
    CHECK(sign_v2(secret,
                  request_parts{
                      "POST", "/hotline/transcripts", {}, "application/json", R"({"call_id":"x"})"},
                  ts) == "v2=e2c88969b954a4e5910a39e7896152bb5cd3d2055411ba6cca0fefd8c132d263");
    // The query as the client happened to write it: another order, '+' for a space, lower-case
    // escapes. The gateway decodes it and signs the canonical form, so the signature is the same.
    CHECK(sign_v2(secret, "POST",
                  "/hotline/transcripts?caller_phone=13700137000&caller_name=%e5%bc%a0+%e4%b8%89"
                  "%7Ex%2by&call_id=T-1",
                  text_type, ts, text_body) == sig);
    CHECK_THROWS_AS(sign_v2(secret, "POST", "/hotline/transcripts?a=1&a=2", text_type, ts, ""),
                    std::invalid_argument);

    auto check = [&](const request_parts& parts, const std::string& signature,
                     std::int64_t at = 1795400000) {
        return verify(secret, ts, signature, parts, at, 300, false).failure;
    };
    const auto good = verify(secret, ts, sig, r, now, 300, false);
    CHECK(good.failure == auth_failure::none);
    CHECK(good.form == signature_form::v2);
    CHECK(good.timestamp == now);
    CHECK(good.mac == sig.substr(3));
    // Upper-case hex is the same signature, and the same MAC to remember.
    const auto upper = verify(secret, ts, upper_hex(sig), r, now, 300, false);
    CHECK(upper.failure == auth_failure::none);
    CHECK(upper.mac == good.mac);

    // Each part is covered: the query (another caller), a dropped or added parameter, the content
    // type, the method, the path, the body, the timestamp, the secret.
    auto other = r;
    other.query["caller_phone"] = "13900139000";
    CHECK(check(other, sig) == auth_failure::bad_signature);
    other = r;
    other.query.erase("caller_name");
    CHECK(check(other, sig) == auth_failure::bad_signature);
    other = r;
    other.query["hotline"] = "12345";
    CHECK(check(other, sig) == auth_failure::bad_signature);
    other = r;
    other.content_type = "application/json";
    CHECK(check(other, sig) == auth_failure::bad_signature);
    other = r;
    other.content_type = "text/plain";
    CHECK(check(other, sig) == auth_failure::bad_signature);
    other = r;
    other.method = "PUT";
    CHECK(check(other, sig) == auth_failure::bad_signature);
    other = r;
    other.path = "/hotline/transcripts/";
    CHECK(check(other, sig) == auth_failure::bad_signature);
    other = r;
    other.body = "[00:00:05] 市民：井盖丢了 \n";
    CHECK(check(other, sig) == auth_failure::bad_signature);
    CHECK(verify(secret, std::to_string(now + 1), sig, r, now, 300, false).failure ==
          auth_failure::bad_signature);
    CHECK(verify("other-secret-0123", ts, sig, r, now, 300, false).failure ==
          auth_failure::bad_signature);
    // A part moved across the line breaks is another request.
    other = r;
    other.query.clear();
    other.path = "/hotline/transcripts\ncall_id=T-1";
    CHECK(check(other, sig) == auth_failure::bad_signature);

    // The window and the headers.
    CHECK(check(r, sig, now + 301) == auth_failure::stale);
    CHECK(check(r, sig, now - 301) == auth_failure::stale);
    CHECK(verify(secret, "12a", sig, r, now, 300, false).failure == auth_failure::bad_timestamp);
    CHECK(verify(secret, "", sig, r, now, 300, false).failure == auth_failure::missing);
    CHECK(check(r, "") == auth_failure::missing);
    CHECK(check(r, sig.substr(3)) == auth_failure::bad_signature);  // no version
    CHECK(check(r, "v3=" + sig.substr(3)) == auth_failure::bad_signature);
    CHECK(check(r, "V2=" + sig.substr(3)) == auth_failure::bad_signature);
    CHECK(check(r, sig + "0") == auth_failure::bad_signature);
    CHECK(check(r, sig.substr(0, sig.size() - 1)) == auth_failure::bad_signature);
    CHECK(verify("", ts, sign_v2("", r, ts), r, now, 300, false).failure ==
          auth_failure::bad_signature);
    // A refused signature leaves nothing to remember.
    CHECK(verify(secret, ts, sig, other, now, 300, false).mac.empty());
}

TEST_CASE("the legacy signature over timestamp and body is let in only where it is allowed",
          "[hotline]") {
    const std::string secret = "hotline-secret";
    const std::string body = R"({"call_id":"x"})";
    const std::int64_t now = 1795400000;
    const std::string ts = std::to_string(now);
    const request_parts r{"POST", "/hotline/transcripts", {}, "application/json", body};
    auto sig = sign_legacy(secret, ts, body);
    CHECK(sig.rfind("sha256=", 0) == 0);
    CHECK(sig.size() == 7 + 64);
    // Cross-checked with Python's hmac module: what a hotline system computes.
    CHECK(sig == "sha256=d3a116ba52003a5a6fd54185e866e665922ea332c55f97aafbddb5b443149c00");

    auto legacy = [&](const std::string& t, const std::string& signature, const std::string& b,
                      std::int64_t at = 1795400000, const std::string& key = "hotline-secret") {
        auto parts = r;
        parts.body = b;
        return verify(key, t, signature, parts, at, 300, true).failure;
    };
    const auto good = verify(secret, ts, sig, r, now, 300, true);
    CHECK(good.failure == auth_failure::none);
    CHECK(good.form == signature_form::legacy);
    CHECK(good.mac == sig.substr(7));
    CHECK(legacy(ts, upper_hex(sig), body) == auth_failure::none);
    // Not allowed for this system: refused whatever it signs, before any MAC is computed.
    const auto refused = verify(secret, ts, sig, r, now, 300, false);
    CHECK(refused.failure == auth_failure::legacy_refused);
    CHECK(refused.form == signature_form::legacy);
    CHECK(refused.mac.empty());
    CHECK(to_string(auth_failure::legacy_refused) == "legacy_signature");

    // What it does not cover: the query and the content type (why v2 exists).
    auto tampered = r;
    tampered.query["caller_phone"] = "13900139000";
    tampered.content_type = "text/plain";
    CHECK(verify(secret, ts, sig, tampered, now, 300, true).failure == auth_failure::none);

    CHECK(legacy(ts, sig, body + " ") == auth_failure::bad_signature);
    CHECK(legacy(ts, sig, body, now, "other-secret") == auth_failure::bad_signature);
    CHECK(legacy(ts, sig, body, now + 301) == auth_failure::stale);
    CHECK(legacy(ts, sig, body, now - 301) == auth_failure::stale);
    CHECK(legacy("12a", sig, body) == auth_failure::bad_timestamp);
    CHECK(legacy("", sig, body) == auth_failure::missing);
    CHECK(legacy(ts, "", body) == auth_failure::missing);
    CHECK(legacy(ts, sign_legacy("", ts, body), body, now, "") == auth_failure::bad_signature);
    // The timestamp is signed too: another timestamp with the same signature fails.
    CHECK(legacy(std::to_string(now + 1), sig, body) == auth_failure::bad_signature);
    // A v2 signature is never read as a legacy one, nor the other way round.
    CHECK(legacy(ts, "sha256=" + sign_v2(secret, r, ts).substr(3), body) ==
          auth_failure::bad_signature);
    CHECK(legacy(ts, "v2=" + sig.substr(7), body) == auth_failure::bad_signature);
}
