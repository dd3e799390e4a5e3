// oa_endpoint and oa_client_codec: what a caller gets for every kind of bad request, and the
// full request/reply round trip in each security mode.

#include "adapters/wechat_oa/oa_endpoint.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "adapters/http/query_string.hpp"
#include "adapters/wechat_oa/client_codec.hpp"
#include "adapters/wechat_oa/detail/base64.hpp"
#include "adapters/wechat_oa/envelope.hpp"
#include "adapters/wechat_oa/msg_crypto.hpp"
#include "adapters/wechat_oa/signature.hpp"
#include "dialog/utf8.hpp"

using namespace minsheng::adapters::wechat_oa;
using minsheng::adapters::http::decode_query;
using minsheng::adapters::http::encode_query;
using minsheng::dialog::inbound_kind;
using minsheng::dialog::reply;

namespace {

constexpr std::int64_t now = 1700000000;
constexpr const char* account = "gh_minsheng";
constexpr const char* openid = "oResident0001";
constexpr const char* fixed_random = "0123456789abcdef";

oa_config make_config(security_mode mode) {
    oa_config c;
    c.token = "minsheng-token";
    c.encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    c.appid = "wxb11529c136998cb6";
    c.mode = mode;
    c.max_clock_skew = 300;
    return c;
}

user_text_message text_from_resident(std::string content) {
    user_text_message m;
    m.to_user = account;
    m.from_user = openid;
    m.content = std::move(content);
    m.create_time = now;
    m.msg_id = "6074746557628292943";
    return m;
}

reject_reason reason_of(const std::variant<decoded_push, rejection>& r) {
    REQUIRE(std::holds_alternative<rejection>(r));
    return std::get<rejection>(r).reason;
}

decoded_push push_of(const std::variant<decoded_push, rejection>& r) {
    if (auto* rej = std::get_if<rejection>(&r)) FAIL(rej->detail);
    return std::get<decoded_push>(r);
}

// A safe-mode request whose Encrypt is `encrypt`, correctly signed, so that the tests reach
// the decryption checks.
client_request signed_safe_request(const oa_config& c, const std::string& encrypt) {
    client_request r;
    r.query = {{"timestamp", "1700000000"},
               {"nonce", "42"},
               {"encrypt_type", "aes"},
               {"msg_signature", msg_signature(c.token, "1700000000", "42", encrypt)}};
    r.body = "<xml><ToUserName><![CDATA[gh_minsheng]]></ToUserName><Encrypt><![CDATA[" + encrypt +
             "]]></Encrypt></xml>";
    return r;
}

}  // namespace

TEST_CASE("the endpoint refuses a configuration that would let anyone sign or cannot decrypt",
          "[adapters]") {
    auto c = make_config(security_mode::plain);
    c.token.clear();
    CHECK_THROWS_AS(oa_endpoint(c), std::invalid_argument);

    c = make_config(security_mode::safe);
    c.encoding_aes_key.pop_back();
    CHECK_THROWS_AS(oa_endpoint(c), std::invalid_argument);
    c = make_config(security_mode::compat);
    c.encoding_aes_key[5] = '*';
    CHECK_THROWS_AS(oa_endpoint(c), std::invalid_argument);
    c = make_config(security_mode::safe);
    c.appid.clear();
    CHECK_THROWS_AS(oa_endpoint(c), std::invalid_argument);
    CHECK_THROWS_AS(oa_client_codec(c), std::invalid_argument);

    // Plain mode needs neither key nor appid.
    c = make_config(security_mode::plain);
    c.encoding_aes_key.clear();
    c.appid.clear();
    CHECK_NOTHROW(oa_endpoint(c));
}

TEST_CASE("rejection reasons have stable names and map signatures to 401, the rest to 400",
          "[adapters]") {
    CHECK(to_string(reject_reason::bad_signature) == "bad_signature");
    CHECK(to_string(reject_reason::missing_parameter) == "missing_parameter");
    CHECK(to_string(reject_reason::stale_timestamp) == "stale_timestamp");
    CHECK(to_string(reject_reason::malformed_xml) == "malformed_xml");
    CHECK(to_string(reject_reason::bad_ciphertext) == "bad_ciphertext");
    CHECK(to_string(reject_reason::wrong_appid) == "wrong_appid");
    CHECK(to_string(reject_reason::mode_mismatch) == "mode_mismatch");
    CHECK(http_status(reject_reason::bad_signature) == 401);
    for (auto r : {reject_reason::missing_parameter, reject_reason::stale_timestamp,
                   reject_reason::malformed_xml, reject_reason::bad_ciphertext,
                   reject_reason::wrong_appid, reject_reason::mode_mismatch})
        CHECK(http_status(r) == 400);
}

TEST_CASE("URL verification answers the echostr verbatim in every mode and checks the window",
          "[adapters]") {
    for (auto mode : {security_mode::plain, security_mode::compat, security_mode::safe}) {
        const auto c = make_config(mode);
        const oa_endpoint ep(c);
        const oa_client_codec client(c);
        auto req = client.url_verification(now, "4375120948345356249", "1514711492");
        CHECK(req.body.empty());
        CHECK(req.target("/wechat/oa").starts_with("/wechat/oa?echostr=4375120948345356249&"));

        auto ok = ep.verify_url(req.query, now + 10);
        REQUIRE(std::holds_alternative<std::string>(ok));
        CHECK(std::get<std::string>(ok) == "4375120948345356249");

        auto stale = ep.verify_url(req.query, now + 301);
        REQUIRE(std::holds_alternative<rejection>(stale));
        CHECK(std::get<rejection>(stale).reason == reject_reason::stale_timestamp);

        auto tampered = req.query;
        tampered["nonce"] = "1514711493";
        auto bad = ep.verify_url(tampered, now);
        REQUIRE(std::holds_alternative<rejection>(bad));
        CHECK(std::get<rejection>(bad).reason == reject_reason::bad_signature);

        for (const char* name : {"signature", "timestamp", "nonce", "echostr"}) {
            auto q = req.query;
            q.erase(name);
            auto missing = ep.verify_url(q, now);
            REQUIRE(std::holds_alternative<rejection>(missing));
            CHECK(std::get<rejection>(missing).reason == reject_reason::missing_parameter);
            CHECK(std::get<rejection>(missing).detail.find(name) != std::string::npos);
        }
    }
}

TEST_CASE("a text message round-trips through client and endpoint in every mode", "[adapters]") {
    for (auto mode : {security_mode::plain, security_mode::compat, security_mode::safe}) {
        INFO(static_cast<int>(mode));
        const auto c = make_config(mode);
        const oa_endpoint ep(c);
        const oa_client_codec client(c);

        auto req =
            client.text(text_from_resident("小区路灯坏了，请尽快修理"), now, "98765", fixed_random);
        CHECK(req.query.count("signature") == 1);
        CHECK(req.query.at("openid") == openid);
        if (mode == security_mode::plain) {
            CHECK(req.query.count("msg_signature") == 0);
            CHECK(req.body.find("<Encrypt>") == std::string::npos);
        } else {
            CHECK(req.query.at("encrypt_type") == "aes");
            CHECK(req.body.find("<Encrypt>") != std::string::npos);
            // safe mode carries no plaintext; compat carries both, as WeChat does.
            CHECK((req.body.find("请尽快修理") != std::string::npos) ==
                  (mode == security_mode::compat));
        }
        // The query string decodes back to the same parameters.
        auto decoded_query = decode_query(req.query_string);
        REQUIRE(decoded_query);
        CHECK(*decoded_query == req.query);

        const auto& push = push_of(ep.decode(req.query, req.body, now + 2));
        CHECK(push.message.kind == inbound_kind::text);
        CHECK(push.message.text == "小区路灯坏了，请尽快修理");
        CHECK(push.message.user_id == openid);
        CHECK(push.message.dedup_key == "6074746557628292943");
        CHECK(push.from_user == openid);
        CHECK(push.to_user == account);
        CHECK(push.nonce == "98765");
        CHECK(push.encrypted == (mode != security_mode::plain));

        const std::string body =
            ep.encode(push, reply::of_text("已收到，编号 MS-0001"), now + 3, fixed_random);
        CHECK((body.find("<Encrypt>") != std::string::npos) == push.encrypted);
        auto back = client.decode_reply(body, "98765");
        if (auto* rej = std::get_if<rejection>(&back)) FAIL(rej->detail);
        const auto& r = std::get<client_reply>(back);
        CHECK(r.encrypted == push.encrypted);
        CHECK(r.msg_type == "text");
        CHECK(r.reply.kind == reply::type::text);
        CHECK(r.reply.text == "已收到，编号 MS-0001");
        CHECK(r.header.to_user == openid);
        CHECK(r.header.from_user == account);
        CHECK(r.header.create_time == now + 3);
    }
}

TEST_CASE("events round-trip through client and endpoint with their dedup keys", "[adapters]") {
    const auto c = make_config(security_mode::safe);
    const oa_endpoint ep(c);
    const oa_client_codec client(c);
    user_event e{account, openid, "subscribe", "qrscene_community_7", now};
    auto req = client.event(e, now);
    const auto& sub = push_of(ep.decode(req.query, req.body, now));
    CHECK(sub.message.kind == inbound_kind::subscribe);
    CHECK(sub.message.event_key == "community_7");
    CHECK(sub.message.dedup_key ==
          std::string(openid) + "#1700000000#subscribe#qrscene_community_7");

    e = {account, openid, "CLICK", "MENU_WISH", now};
    req = client.event(e, now);
    const auto& click = push_of(ep.decode(req.query, req.body, now));
    CHECK(click.message.kind == inbound_kind::menu_click);
    CHECK(click.message.event_key == "MENU_WISH");

    e = {account, openid, "unsubscribe", "", now};
    req = client.event(e, now);
    CHECK(req.body.empty() == false);
    const auto& unsub = push_of(ep.decode(req.query, req.body, now));
    CHECK(unsub.message.kind == inbound_kind::unsubscribe);
    CHECK(unsub.message.dedup_key == std::string(openid) + "#1700000000#unsubscribe#");
}

TEST_CASE("random nonces, prefixes and message ids make every client request distinct",
          "[adapters]") {
    const auto c = make_config(security_mode::safe);
    const oa_endpoint ep(c);
    const oa_client_codec client(c);
    user_text_message m = text_from_resident("你好");
    m.msg_id.clear();
    auto a = client.text(m, now);
    auto b = client.text(m, now);
    CHECK(a.query.at("nonce") != b.query.at("nonce"));
    CHECK(a.body != b.body);
    const auto& pa = push_of(ep.decode(a.query, a.body, now));
    const auto& pb = push_of(ep.decode(b.query, b.body, now));
    CHECK(pa.message.dedup_key.size() == 19);
    CHECK(pa.message.dedup_key != pb.message.dedup_key);
    CHECK(pa.message.text == "你好");
}

TEST_CASE("a wrong signature is refused with 401 in every mode", "[adapters]") {
    for (auto mode : {security_mode::plain, security_mode::compat, security_mode::safe}) {
        INFO(static_cast<int>(mode));
        const auto c = make_config(mode);
        const oa_endpoint ep(c);
        auto req = oa_client_codec(c).text(text_from_resident("hi"), now, "1", fixed_random);

        auto q = req.query;
        q["signature"][0] = q["signature"][0] == 'a' ? 'b' : 'a';
        CHECK(reason_of(ep.decode(q, req.body, now)) == reject_reason::bad_signature);

        // Signed with another token.
        auto other = c;
        other.token = "not-the-token";
        auto forged = oa_client_codec(other).text(text_from_resident("hi"), now, "1", fixed_random);
        CHECK(reason_of(ep.decode(forged.query, forged.body, now)) == reject_reason::bad_signature);

        // Uppercase hex of a correct signature is still the same signature.
        q = req.query;
        for (auto& ch : q["signature"]) ch = static_cast<char>(std::toupper(ch));
        if (mode != security_mode::plain) {
            for (auto& ch : q["msg_signature"]) ch = static_cast<char>(std::toupper(ch));
        }
        CHECK(std::holds_alternative<decoded_push>(ep.decode(q, req.body, now)));

        if (mode != security_mode::plain) {
            q = req.query;
            q["msg_signature"][5] = q["msg_signature"][5] == '0' ? '1' : '0';
            CHECK(reason_of(ep.decode(q, req.body, now)) == reject_reason::bad_signature);
            // msg_signature alone (no `signature`) is enough, as the doc says.
            q = req.query;
            q.erase("signature");
            CHECK(std::holds_alternative<decoded_push>(ep.decode(q, req.body, now)));
            // Another ciphertext under the same msg_signature is refused.
            auto body = req.body;
            body.replace(body.find("<![CDATA[", body.find("<Encrypt>")) + 9, 1, "A");
            auto r = ep.decode(req.query, body, now);
            if (body != req.body) CHECK(reason_of(r) == reject_reason::bad_signature);
        }
    }
}

TEST_CASE("stale and non-numeric timestamps are refused at the edges of the window", "[adapters]") {
    for (auto mode : {security_mode::plain, security_mode::safe}) {
        const auto c = make_config(mode);
        const oa_endpoint ep(c);
        auto req = oa_client_codec(c).text(text_from_resident("hi"), now, "1", fixed_random);
        CHECK(std::holds_alternative<decoded_push>(ep.decode(req.query, req.body, now + 300)));
        CHECK(std::holds_alternative<decoded_push>(ep.decode(req.query, req.body, now - 300)));
        CHECK(reason_of(ep.decode(req.query, req.body, now + 301)) ==
              reject_reason::stale_timestamp);
        CHECK(reason_of(ep.decode(req.query, req.body, now - 301)) ==
              reject_reason::stale_timestamp);
        CHECK(reason_of(ep.decode(req.query, req.body, 0)) == reject_reason::stale_timestamp);
    }
    // A correctly signed but non-numeric timestamp is refused as stale, not crashed on.
    const auto c = make_config(security_mode::plain);
    const oa_endpoint ep(c);
    for (std::string ts : {"", "abc", "-1700000000", "1700000000x", "99999999999999999999999"}) {
        INFO(ts);
        query_params q{
            {"timestamp", ts}, {"nonce", "n"}, {"signature", plain_signature(c.token, ts, "n")}};
        auto body = render_text_push(text_from_resident("hi"));
        CHECK(reason_of(ep.decode(q, body, now)) == reject_reason::stale_timestamp);
    }
}

TEST_CASE("each missing query parameter is named in the rejection", "[adapters]") {
    for (auto mode : {security_mode::plain, security_mode::compat, security_mode::safe}) {
        const auto c = make_config(mode);
        const oa_endpoint ep(c);
        auto req = oa_client_codec(c).text(text_from_resident("hi"), now, "1", fixed_random);
        std::vector<std::string> required{"timestamp", "nonce"};
        if (mode == security_mode::plain) {
            required.push_back("signature");
        } else {
            required.push_back("msg_signature");
            required.push_back("encrypt_type");
        }
        for (const auto& name : required) {
            INFO(name);
            auto q = req.query;
            q.erase(name);
            auto r = ep.decode(q, req.body, now);
            CHECK(reason_of(r) == reject_reason::missing_parameter);
            CHECK(std::get<rejection>(r).detail == "missing query parameter: " + name);
        }
    }
}

// Found by fuzz_oa_endpoint: a signed push whose nonce held a carriage return decoded, and the
// encrypted reply echoed and signed that nonce in XML, which reads a CR as a line feed, so the
// reply did not verify on WeChat's side. Nonces that are not plain words are now refused first.
TEST_CASE("a nonce XML would not carry unchanged is refused before anything else", "[adapters]") {
    for (auto mode : {security_mode::plain, security_mode::compat, security_mode::safe}) {
        const auto c = make_config(mode);
        const oa_endpoint ep(c);
        for (std::string nonce :
             {std::string("1\r2"), std::string("1\n2"), std::string("a]]>b"), std::string("1 2"),
              std::string("\x01"), std::string(65, '7'), std::string("\xE4\xBD\xA0")}) {
            INFO(nonce.size());
            // Signed with that nonce by someone holding the token: still refused.
            auto req = oa_client_codec(c).text(text_from_resident("hi"), now, nonce, fixed_random);
            const auto r = ep.decode(req.query, req.body, now);
            CHECK(reason_of(r) == reject_reason::missing_parameter);
            CHECK(std::get<rejection>(r).detail.find("nonce") != std::string::npos);
            CHECK(http_status(std::get<rejection>(r).reason) == 400);
        }
        // WeChat's own nonces, and the longest word taken, pass and are echoed in the reply.
        for (std::string nonce :
             {std::string("1514711492"), std::string(64, 'a'), std::string("Ab-_9")}) {
            auto req = oa_client_codec(c).text(text_from_resident("hi"), now, nonce, fixed_random);
            const auto push = push_of(ep.decode(req.query, req.body, now));
            CHECK(push.nonce == nonce);
            const auto body = ep.encode(push, reply::of_text("好的"), now, fixed_random);
            const auto back = oa_client_codec(c).decode_reply(
                body, mode == security_mode::plain ? std::string() : nonce);
            REQUIRE(std::holds_alternative<client_reply>(back));
            CHECK(std::get<client_reply>(back).reply.text == "好的");
        }
    }
}

TEST_CASE("safe and compat mode refuse a body without Encrypt and a non-aes encrypt_type",
          "[adapters]") {
    for (auto mode : {security_mode::compat, security_mode::safe}) {
        const auto c = make_config(mode);
        const oa_endpoint ep(c);
        const std::string plain = render_text_push(text_from_resident("hi"));
        query_params q{{"timestamp", "1700000000"},
                       {"nonce", "1"},
                       {"encrypt_type", "aes"},
                       {"signature", plain_signature(c.token, "1700000000", "1")},
                       {"msg_signature", msg_signature(c.token, "1700000000", "1", "")}};
        CHECK(reason_of(ep.decode(q, plain, now)) == reject_reason::mode_mismatch);

        auto req = oa_client_codec(c).text(text_from_resident("hi"), now, "1", fixed_random);
        q = req.query;
        q["encrypt_type"] = "raw";
        CHECK(reason_of(ep.decode(q, req.body, now)) == reject_reason::mode_mismatch);

        CHECK(reason_of(ep.decode(req.query, "not xml", now)) == reject_reason::malformed_xml);
        CHECK(reason_of(ep.decode(req.query, "", now)) == reject_reason::malformed_xml);
    }
    // A plain-mode account that receives an encrypted body says so instead of "malformed".
    const auto safe = make_config(security_mode::safe);
    auto req = oa_client_codec(safe).text(text_from_resident("hi"), now, "1", fixed_random);
    const oa_endpoint plain_ep(make_config(security_mode::plain));
    CHECK(reason_of(plain_ep.decode(req.query, req.body, now)) == reject_reason::mode_mismatch);
}

TEST_CASE("bad base64, block size, padding, length and appid are refused after the signature",
          "[adapters]") {
    const auto c = make_config(security_mode::safe);
    const oa_endpoint ep(c);
    const msg_cipher cipher(c.encoding_aes_key);
    auto check = [&](const std::string& encrypt, reject_reason want) {
        auto req = signed_safe_request(c, encrypt);
        auto r = ep.decode(req.query, req.body, now);
        CHECK(reason_of(r) == want);
        // The detail never echoes the ciphertext.
        if (!encrypt.empty())
            CHECK(std::get<rejection>(r).detail.find(encrypt) == std::string::npos);
    };
    const std::string good =
        cipher.encrypt(render_text_push(text_from_resident("hi")), c.appid, fixed_random);
    REQUIRE(std::holds_alternative<decoded_push>(
        ep.decode(signed_safe_request(c, good).query, signed_safe_request(c, good).body, now)));

    check("not base64!", reject_reason::bad_ciphertext);
    check(good.substr(0, good.size() - 1), reject_reason::bad_ciphertext);
    check("", reject_reason::bad_ciphertext);
    check(detail::base64_encode(std::string(17, 'x')), reject_reason::bad_ciphertext);
    check(detail::base64_encode(std::string(48, 'x')), reject_reason::bad_ciphertext);

    // Bad padding: a message whose last block is all padding (32 x 0x20); flipping the last
    // byte of the previous ciphertext block flips the last plaintext byte.
    const std::string msg(64 - 20 - c.appid.size(), 'm');  // random|len|msg|appid = 64 bytes
    auto raw = *detail::base64_decode(cipher.encrypt(msg, c.appid, fixed_random));
    REQUIRE(raw.size() == 96);  // 64 bytes of content + one 32-byte pad block
    for (int delta : {0x01, 0x20, 0x3f}) {
        auto broken = raw;
        broken[broken.size() - 17] = static_cast<char>(broken[broken.size() - 17] ^ delta);
        check(detail::base64_encode(broken), reject_reason::bad_ciphertext);
    }
    // Padding bytes that disagree with the pad value.
    {
        auto broken = raw;
        broken[broken.size() - 20] = static_cast<char>(broken[broken.size() - 20] ^ 0x01);
        check(detail::base64_encode(broken), reject_reason::bad_ciphertext);
    }
    // Bad length: flipping ciphertext byte 0 flips plaintext byte 16, the length's top byte
    // (only the random prefix is garbled besides).
    {
        auto broken = raw;
        broken[0] = static_cast<char>(broken[0] ^ 0x80);
        check(detail::base64_encode(broken), reject_reason::bad_ciphertext);
        auto r = cipher.decrypt(detail::base64_encode(broken));
        REQUIRE(std::holds_alternative<crypto_error>(r));
        CHECK(std::get<crypto_error>(r) == crypto_error::bad_length);
    }

    // Encrypted for another appid.
    check(cipher.encrypt(render_text_push(text_from_resident("hi")), "wx0000000000000000",
                         fixed_random),
          reject_reason::wrong_appid);
    // Decrypts fine but the payload is not a message.
    check(cipher.encrypt("hello", c.appid, fixed_random), reject_reason::malformed_xml);
}

TEST_CASE("truncated or bit-flipped encrypted requests are refused and never crash", "[adapters]") {
    const auto c = make_config(security_mode::safe);
    const oa_endpoint ep(c);
    const msg_cipher cipher(c.encoding_aes_key);
    const std::string xml = render_text_push(text_from_resident("请帮忙看看楼道的灯"));
    const std::string good = cipher.encrypt(xml, c.appid, fixed_random);

    // The request body cut at every byte: refused (the signature covers a value that no
    // longer matches, or the XML is incomplete), except the complete body.
    const auto req = signed_safe_request(c, good);
    for (std::size_t n = 0; n < req.body.size(); ++n) {
        auto r = ep.decode(req.query, std::string_view(req.body).substr(0, n), now);
        REQUIRE(std::holds_alternative<rejection>(r));
    }
    // The ciphertext cut at every length and re-signed: refused as bad ciphertext.
    for (std::size_t n = 0; n < good.size(); ++n) {
        auto cut = signed_safe_request(c, good.substr(0, n));
        auto r = ep.decode(cut.query, cut.body, now);
        REQUIRE(std::holds_alternative<rejection>(r));
        CHECK(std::get<rejection>(r).reason == reject_reason::bad_ciphertext);
    }
    // Every single-bit flip of the ciphertext, re-signed (which only the token holder can
    // do: CBC has no integrity of its own, msg_signature provides it). The result is refused,
    // or parses into a message whose strings are still valid UTF-8; never a crash.
    const auto raw = *detail::base64_decode(good);
    int refused = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto broken = raw;
            broken[i] = static_cast<char>(broken[i] ^ (1 << bit));
            auto flipped = signed_safe_request(c, detail::base64_encode(broken));
            auto r = ep.decode(flipped.query, flipped.body, now);
            if (auto* p = std::get_if<decoded_push>(&r)) {
                CHECK(minsheng::dialog::is_valid_utf8(p->message.text));
                CHECK(minsheng::dialog::is_valid_utf8(p->message.user_id));
                CHECK(minsheng::dialog::is_valid_utf8(p->message.dedup_key));
            } else {
                ++refused;
            }
        }
    }
    CHECK(refused > 0);
}

TEST_CASE("a reply of none is exactly success and never encrypted", "[adapters]") {
    for (auto mode : {security_mode::plain, security_mode::compat, security_mode::safe}) {
        const auto c = make_config(mode);
        const oa_endpoint ep(c);
        auto req = oa_client_codec(c).text(text_from_resident("hi"), now, "1", fixed_random);
        const auto& push = push_of(ep.decode(req.query, req.body, now));
        CHECK(ep.encode(push, reply::none(), now, fixed_random) == "success");
        CHECK(ep.encode(push, reply::none(), now) == "success");
        // An empty text is no reply: the platform shows an error for an empty Content.
        CHECK(ep.encode(push, reply::of_text(""), now, fixed_random) == "success");
        CHECK(ep.encode(push, reply::of_text("\x01\x02"), now, fixed_random) == "success");
        auto back = oa_client_codec(c).decode_reply("success");
        REQUIRE(std::holds_alternative<client_reply>(back));
        CHECK(std::get<client_reply>(back).reply.kind == reply::type::none);
        CHECK(std::get<client_reply>(back).msg_type.empty());
    }
}

TEST_CASE("an encrypted reply is signed over token, now, the request nonce and Encrypt",
          "[adapters]") {
    const auto c = make_config(security_mode::safe);
    const oa_endpoint ep(c);
    auto req = oa_client_codec(c).text(text_from_resident("hi"), now, "555", fixed_random);
    const auto& push = push_of(ep.decode(req.query, req.body, now));
    const std::string body = ep.encode(push, reply::of_text("收到"), now + 1, fixed_random);

    auto env = parse_envelope(body);
    REQUIRE(env);
    CHECK(env->timestamp == "1700000001");
    CHECK(env->nonce == "555");
    CHECK(env->msg_signature == msg_signature(c.token, "1700000001", "555", env->encrypt));
    CHECK(body == render_envelope(*env));
    // Deterministic for a fixed prefix and time; a fresh prefix changes the ciphertext.
    CHECK(ep.encode(push, reply::of_text("收到"), now + 1, fixed_random) == body);
    CHECK(ep.encode(push, reply::of_text("收到"), now + 1) != body);
    CHECK_THROWS_AS(ep.encode(push, reply::of_text("收到"), now + 1, "short"),
                    std::invalid_argument);

    auto dec = msg_cipher(c.encoding_aes_key).decrypt(env->encrypt, std::string_view(c.appid));
    REQUIRE(std::holds_alternative<decrypted_message>(dec));
    CHECK(std::get<decrypted_message>(dec).random == fixed_random);
    CHECK(std::get<decrypted_message>(dec).message ==
          "<xml><ToUserName><![CDATA[oResident0001]]></ToUserName><FromUserName><![CDATA["
          "gh_minsheng]]></FromUserName><CreateTime>1700000001</CreateTime><MsgType><![CDATA["
          "text]]></MsgType><Content><![CDATA[收到]]></Content></xml>");
}

TEST_CASE("the client refuses tampered, misdirected or wrongly protected replies", "[adapters]") {
    const auto c = make_config(security_mode::safe);
    const oa_endpoint ep(c);
    const oa_client_codec client(c);
    auto req = client.text(text_from_resident("hi"), now, "555", fixed_random);
    const auto& push = push_of(ep.decode(req.query, req.body, now));
    const std::string body = ep.encode(push, reply::of_text("收到"), now, fixed_random);

    auto reason = [](const std::variant<client_reply, rejection>& r) {
        REQUIRE(std::holds_alternative<rejection>(r));
        return std::get<rejection>(r).reason;
    };
    CHECK(std::holds_alternative<client_reply>(client.decode_reply(body, "555")));
    CHECK(reason(client.decode_reply(body, "556")) == reject_reason::bad_signature);

    auto env = *parse_envelope(body);
    env.msg_signature[0] = env.msg_signature[0] == 'a' ? 'b' : 'a';
    CHECK(reason(client.decode_reply(render_envelope(env))) == reject_reason::bad_signature);

    // Encrypted for another appid (correctly signed).
    auto other = c;
    other.appid = "wx0000000000000000";
    const std::string foreign =
        oa_endpoint(other).encode(push, reply::of_text("x"), now, fixed_random);
    CHECK(reason(client.decode_reply(foreign)) == reject_reason::wrong_appid);

    // A plain XML reply to a safe-mode account; an envelope to a plain-mode client.
    const std::string plain_reply = render_text_reply({openid, account, now}, "x");
    CHECK(reason(client.decode_reply(plain_reply)) == reject_reason::mode_mismatch);
    CHECK(reason(oa_client_codec(make_config(security_mode::plain)).decode_reply(body)) ==
          reject_reason::mode_mismatch);
    // compat accepts both.
    const oa_client_codec compat(make_config(security_mode::compat));
    CHECK(std::holds_alternative<client_reply>(compat.decode_reply(plain_reply)));
    CHECK(std::holds_alternative<client_reply>(compat.decode_reply(body)));
    CHECK(reason(compat.decode_reply("<xml><oops>")) == reject_reason::malformed_xml);
}

TEST_CASE("a news reply carries exactly one article and parses back", "[adapters]") {
    const auto c = make_config(security_mode::safe);
    const oa_endpoint ep(c);
    const oa_client_codec client(c);
    auto req = client.text(text_from_resident("微心愿"), now, "7", fixed_random);
    const auto& push = push_of(ep.decode(req.query, req.body, now));
    reply news;
    news.kind = reply::type::news;
    news.title = "本周微心愿";
    news.description = "3 个心愿等待认领 ]]> 快来看看";
    news.pic_url = "https://example.org/p.png";
    news.url = "https://example.org/wishes?a=1&b=2";
    auto back = client.decode_reply(ep.encode(push, news, now, fixed_random));
    REQUIRE(std::holds_alternative<client_reply>(back));
    const auto& r = std::get<client_reply>(back);
    CHECK(r.msg_type == "news");
    CHECK(r.article_count == 1);
    CHECK(r.reply.kind == reply::type::news);
    CHECK(r.reply.title == news.title);
    CHECK(r.reply.description == news.description);
    CHECK(r.reply.pic_url == news.pic_url);
    CHECK(r.reply.url == news.url);
}

TEST_CASE("one endpoint decodes and encodes concurrently from several threads", "[adapters]") {
    const auto c = make_config(security_mode::safe);
    const auto ep = std::make_shared<const oa_endpoint>(c);
    const oa_client_codec client(c);
    std::vector<client_request> requests;
    for (int i = 0; i < 64; ++i) {
        auto m = text_from_resident("第 " + std::to_string(i) + " 条");
        m.msg_id = std::to_string(1000 + i);
        requests.push_back(client.text(m, now));
    }
    std::vector<std::future<int>> done;
    for (int t = 0; t < 4; ++t) {
        done.push_back(std::async(std::launch::async, [&, ep] {
            int ok = 0;
            for (std::size_t i = 0; i < requests.size(); ++i) {
                auto r = ep->decode(requests[i].query, requests[i].body, now);
                auto* p = std::get_if<decoded_push>(&r);
                if (!p || p->message.dedup_key != std::to_string(1000 + i)) continue;
                auto body = ep->encode(*p, reply::of_text(p->message.text), now);
                auto back = client.decode_reply(body, requests[i].query.at("nonce"));
                auto* cr = std::get_if<client_reply>(&back);
                if (cr && cr->reply.text == p->message.text) ++ok;
            }
            return ok;
        }));
    }
    for (auto& f : done) {
        REQUIRE(f.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
        CHECK(f.get() == 64);
    }
}
