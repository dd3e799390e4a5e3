// The XML layer of the official-account adapter: the inbound parser fed every prefix of real
// messages, required elements, CDATA escaping, the 2048-byte text limit, and the small codecs
// (base64, query strings) underneath.

#include "adapters/wechat_oa/xml_message.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>

#include "adapters/http/query_string.hpp"
#include "adapters/wechat_oa/client_codec.hpp"
#include "adapters/wechat_oa/detail/base64.hpp"
#include "adapters/wechat_oa/msg_crypto.hpp"
#include "adapters/wechat_oa/oa_endpoint.hpp"
#include "adapters/wechat_oa/reply_xml.hpp"
#include "adapters/wechat_oa/signature.hpp"

using namespace minsheng::adapters::wechat_oa;
using minsheng::adapters::http::decode_query;
using minsheng::adapters::http::encode_query;
using minsheng::dialog::inbound_kind;
using minsheng::dialog::reply;
using json = nlohmann::json;

namespace {

std::vector<std::pair<std::string, std::string>> xml_samples() {
    std::ifstream in(MINSHENG_SHARED_DIR "/wechat/vectors.json");
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    const json v = json::parse(ss.str());
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& m : v["sample_messages"])
        if (m["format"] == "xml") out.emplace_back(m["id"], m["body"]);
    return out;
}

std::string text_message(std::string_view extra, std::string_view content_element) {
    std::string s =
        "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o_user]]>"
        "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>";
    s += content_element;
    s += extra;
    s += "</xml>";
    return s;
}

bool valid_utf8(std::string_view s) { return fit_utf8(s, s.size()) == s; }

std::string element_text(const pugi::xml_node& n) {
    std::string out;
    for (auto c : n.children()) out += c.value();
    return out;
}

}  // namespace

TEST_CASE("every prefix of every sample message is refused or parses to the same message",
          "[adapters]") {
    std::size_t prefixes = 0;
    for (const auto& [id, body] : xml_samples()) {
        INFO(id);
        auto full = parse_xml_message(body);
        REQUIRE(std::holds_alternative<oa_xml_message>(full));
        const auto want = to_inbound(std::get<oa_xml_message>(full));
        for (std::size_t n = 0; n <= body.size(); ++n) {
            auto r = parse_xml_message(std::string_view(body).substr(0, n));
            ++prefixes;
            if (auto* m = std::get_if<oa_xml_message>(&r)) {
                // Only the complete document (or it minus trailing whitespace) parses.
                INFO(n);
                CHECK(body.find_first_not_of(" \r\n\t", n) == std::string::npos);
                const auto got = to_inbound(*m);
                CHECK(got.dedup_key == want.dedup_key);
                CHECK(got.text == want.text);
                CHECK(got.kind == want.kind);
            }
        }
    }
    CHECK(prefixes > 5000);
}

TEST_CASE("every prefix of a plain-mode request is refused by the endpoint without crashing",
          "[adapters]") {
    oa_config c;
    c.token = "t";
    const oa_endpoint ep(c);
    query_params q{{"timestamp", "1700000000"},
                   {"nonce", "1"},
                   {"signature", plain_signature("t", "1700000000", "1")}};
    for (const auto& [id, body] : xml_samples()) {
        for (std::size_t n = 0; n + 6 < body.size(); ++n) {
            auto r = ep.decode(q, std::string_view(body).substr(0, n), 1700000000);
            REQUIRE(std::holds_alternative<rejection>(r));
            CHECK(std::get<rejection>(r).reason == reject_reason::malformed_xml);
        }
    }
}

TEST_CASE("a message without a required element is malformed and the element is named",
          "[adapters]") {
    const std::string content = "<Content><![CDATA[hi]]></Content>";
    const std::string msg_id = "<MsgId>42</MsgId>";
    REQUIRE(
        std::holds_alternative<oa_xml_message>(parse_xml_message(text_message(msg_id, content))));

    auto error_of = [](const std::string& body) {
        auto r = parse_xml_message(body);
        REQUIRE(std::holds_alternative<xml_error>(r));
        return std::get<xml_error>(r).detail;
    };
    CHECK(error_of(text_message("", content)).find("MsgId") != std::string::npos);
    CHECK(error_of(text_message(msg_id, "")).find("Content") != std::string::npos);
    for (const char* name : {"ToUserName", "FromUserName", "CreateTime", "MsgType"}) {
        INFO(name);
        std::string body = text_message(msg_id, content);
        const auto open = body.find(std::string("<") + name + ">");
        const auto close_tag = std::string("</") + name + ">";
        const auto close = body.find(close_tag);
        body.erase(open, close + close_tag.size() - open);
        CHECK(error_of(body).find(name) != std::string::npos);
    }
    // Present but unusable.
    std::string bad_time = text_message(msg_id, content);
    bad_time.replace(bad_time.find("1700000000"), 10, "soon");
    CHECK(error_of(bad_time).find("CreateTime") != std::string::npos);
    std::string empty_from = text_message(msg_id, content);
    empty_from.replace(empty_from.find("o_user"), 6, "");
    CHECK(error_of(empty_from).find("FromUserName") != std::string::npos);

    // An empty Content is present, hence a valid (empty) text.
    auto empty = parse_xml_message(text_message(msg_id, "<Content><![CDATA[]]></Content>"));
    REQUIRE(std::holds_alternative<oa_xml_message>(empty));
    CHECK(std::get<oa_xml_message>(empty).content.empty());
}

TEST_CASE("documents that are not one <xml> element are refused", "[adapters]") {
    const std::string good = text_message("<MsgId>1</MsgId>", "<Content>a</Content>");
    REQUIRE(std::holds_alternative<oa_xml_message>(parse_xml_message(good)));
    for (const std::string& body :
         {std::string(""), std::string("   "), std::string("success"), good + "trailing",
          good + "<xml/>", "<root>" + good.substr(5, good.size() - 11) + "</root>",
          std::string("{\"MsgType\":\"text\"}"), good.substr(0, good.size() - 1),
          std::string("<xml><ToUserName>a</ToUserName>") + std::string(1, '\0') + "</xml>",
          text_message("<MsgId>1</MsgId>", "<Content>\xE6\xB0</Content>"),
          text_message("<MsgId>1</MsgId>", "<Content>\xC0\xAF</Content>")}) {
        INFO(body);
        CHECK(std::holds_alternative<xml_error>(parse_xml_message(body)));
    }
    // An XML declaration, comments and surrounding whitespace are fine.
    CHECK(std::holds_alternative<oa_xml_message>(parse_xml_message(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- hi -->\n" + good + "\n")));
}

TEST_CASE("entities stay inert: no DOCTYPE expansion, predefined entities decode", "[adapters]") {
    const std::string lol =
        "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
        "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>" +
        text_message("<MsgId>1</MsgId>", "<Content>&b;&amp;&lt;&#x6C11;</Content>");
    auto r = parse_xml_message(lol);
    if (auto* m = std::get_if<oa_xml_message>(&r)) {
        CHECK(m->content.find("aaaaaaaaaa") == std::string::npos);
        CHECK(m->content.find("&<民") != std::string::npos);
    }
}

TEST_CASE("text split over several CDATA sections and entities is read whole", "[adapters]") {
    auto r = parse_xml_message(
        text_message("<MsgId>1</MsgId>", "<Content><![CDATA[a]]]]><![CDATA[>b]]>&amp;c</Content>"));
    REQUIRE(std::holds_alternative<oa_xml_message>(r));
    CHECK(std::get<oa_xml_message>(r).content == "a]]>b&c");
}

TEST_CASE("unknown message types are delivered as other events named msgtype:<type>",
          "[adapters]") {
    const std::string body =
        "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o_user]]>"
        "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[miniprogrampage]]>"
        "</MsgType><Title><![CDATA[t]]></Title></xml>";
    auto r = parse_xml_message(body);
    REQUIRE(std::holds_alternative<oa_xml_message>(r));
    const auto m = to_inbound(std::get<oa_xml_message>(r));
    CHECK(m.kind == inbound_kind::other_event);
    CHECK(m.event == "msgtype:miniprogrampage");
    CHECK(m.dedup_key == "o_user#1700000000#msgtype:miniprogrampage#");

    std::string with_id = body;
    with_id.insert(with_id.size() - 6, "<MsgId>77</MsgId>");
    auto r2 = parse_xml_message(with_id);
    REQUIRE(std::holds_alternative<oa_xml_message>(r2));
    CHECK(to_inbound(std::get<oa_xml_message>(r2)).dedup_key == "77");
}

TEST_CASE("voice maps to text only when the recognition is non-empty", "[adapters]") {
    auto voice = [](std::string_view recognition) {
        std::string body =
            "<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1"
            "</CreateTime><MsgType>voice</MsgType><MediaId>m</MediaId><MsgId>9</MsgId>";
        body += recognition;
        body += "</xml>";
        auto r = parse_xml_message(body);
        REQUIRE(std::holds_alternative<oa_xml_message>(r));
        return to_inbound(std::get<oa_xml_message>(r));
    };
    CHECK(voice("").kind == inbound_kind::voice);
    CHECK(voice("<Recognition><![CDATA[]]></Recognition>").kind == inbound_kind::voice);
    CHECK(voice("<Recognition>  </Recognition>").kind == inbound_kind::voice);
    const auto t = voice("<Recognition><![CDATA[路灯坏了]]></Recognition>");
    CHECK(t.kind == inbound_kind::text);
    CHECK(t.text == "路灯坏了");
    CHECK(t.media_id == "m");
}

TEST_CASE("locations must be numbers within range; event names match in any case", "[adapters]") {
    auto location = [](std::string_view x, std::string_view y) {
        std::string body =
            "<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1"
            "</CreateTime><MsgType>location</MsgType><MsgId>9</MsgId><Location_X>";
        body += x;
        body += "</Location_X><Location_Y>";
        body += y;
        body += "</Location_Y><Label>l</Label></xml>";
        return parse_xml_message(body);
    };
    CHECK(std::holds_alternative<oa_xml_message>(location("23.1", "-113.5")));
    CHECK(std::holds_alternative<xml_error>(location("91", "113")));
    CHECK(std::holds_alternative<xml_error>(location("23", "181")));
    CHECK(std::holds_alternative<xml_error>(location("north", "113")));
    CHECK(std::holds_alternative<xml_error>(location("", "113")));
    CHECK(std::holds_alternative<xml_error>(location("nan", "113")));

    auto event = [](std::string_view name, std::string_view extra = {}) {
        std::string body =
            "<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1"
            "</CreateTime><MsgType>event</MsgType><Event>";
        body += name;
        body += "</Event>";
        body += extra;
        body += "</xml>";
        return parse_xml_message(body);
    };
    auto click = event("click", "<EventKey>K</EventKey>");
    REQUIRE(std::holds_alternative<oa_xml_message>(click));
    CHECK(to_inbound(std::get<oa_xml_message>(click)).kind == inbound_kind::menu_click);
    CHECK(to_inbound(std::get<oa_xml_message>(click)).event == "click");
    CHECK(std::holds_alternative<xml_error>(event("")));
    CHECK(std::holds_alternative<xml_error>(event("LOCATION")));
    CHECK(std::holds_alternative<xml_error>(
        event("LOCATION", "<Latitude>100</Latitude><Longitude>1</Longitude>")));
}

TEST_CASE("]]> in reply content round-trips through an XML parser", "[adapters]") {
    for (std::string text : {"]]>", "a]]>b", "]]]]>>", "x]]>]]>y", "]]", "]>", "<![CDATA[ & <"}) {
        INFO(text);
        const std::string xml = render_text_reply({"to", "from", 1}, text);
        pugi::xml_document doc;
        REQUIRE(doc.load_string(xml.c_str()));
        CHECK(element_text(doc.child("xml").child("Content")) == text);
        auto parsed = parse_reply_xml(xml);
        REQUIRE(std::holds_alternative<parsed_reply>(parsed));
        CHECK(std::get<parsed_reply>(parsed).reply.text == text);

        // The same for inbound pushes rendered by the client.
        user_text_message m{"gh", "o", text, 1, "5"};
        auto in = parse_xml_message(render_text_push(m));
        REQUIRE(std::holds_alternative<oa_xml_message>(in));
        CHECK(std::get<oa_xml_message>(in).content == text);
    }
    CHECK(render_text_reply({"to", "from", 1}, "a]]>b").find("a]]]]><![CDATA[>b") !=
          std::string::npos);
}

TEST_CASE("a 3000-byte Chinese reply is cut below 2048 bytes at a character boundary",
          "[adapters]") {
    std::string text;
    for (int i = 0; i < 1000; ++i) text += "民";  // 3 bytes each
    REQUIRE(text.size() == 3000);

    oa_config c;
    c.token = "t";
    const oa_endpoint ep(c);
    decoded_push push;
    push.to_user = "gh";
    push.from_user = "o";
    auto parsed = parse_reply_xml(ep.encode(push, reply::of_text(text), 1, {}));
    REQUIRE(std::holds_alternative<parsed_reply>(parsed));
    const std::string& got = std::get<parsed_reply>(parsed).reply.text;
    CHECK(got.size() < 2048);
    CHECK(got.size() == 2046);
    CHECK(got.size() % 3 == 0);
    CHECK(valid_utf8(got));
    CHECK(text.starts_with(got));

    // Every cut position of a mix of 1-, 2-, 3- and 4-byte characters stays whole.
    const std::string mix = "a\xC3\xA9民😀b民😀\xC3\xA9";
    for (std::size_t max = 0; max <= mix.size(); ++max) {
        INFO(max);
        const std::string cut = fit_utf8(mix, max);
        CHECK(cut.size() <= max);
        CHECK(valid_utf8(cut));
        CHECK(mix.starts_with(cut));
        CHECK(max - cut.size() < 4);  // never gives up more than one character
    }
    CHECK(fit_utf8(mix, 1000) == mix);
}

TEST_CASE("reply text loses characters XML cannot carry and invalid UTF-8 is replaced",
          "[adapters]") {
    CHECK(fit_utf8("a\x01\x08"
                   "b\tc\nd\re\x7f",
                   100) == "ab\tc\nd\re\x7f");
    CHECK(fit_utf8("a\xEF\xBF\xBE"
                   "b",
                   100) == "ab");  // U+FFFE
    CHECK(fit_utf8("a\xFF"
                   "b",
                   100) ==
          "a\xEF\xBF\xBD"
          "b");                                                        // stray byte
    CHECK(fit_utf8("a\xE6\xB0", 100) == "a\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated char
    CHECK(fit_utf8("\xC0\xAF", 100) == "\xEF\xBF\xBD\xEF\xBF\xBD");    // overlong '/'
    CHECK(fit_utf8("\xED\xA0\x80", 100) == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    CHECK(fit_utf8("\xF4\x90\x80\x80", 100).find("\xF4") == std::string::npos);      // > U+10FFFF

    // Whatever bytes come in, the rendered reply is well-formed XML.
    std::string junk;
    for (int i = 0; i < 256; ++i) junk += static_cast<char>(i);
    const std::string xml = render_text_reply({"to", "from", 1}, fit_utf8(junk, 2048));
    pugi::xml_document doc;
    CHECK(doc.load_string(xml.c_str()));
}

TEST_CASE("the EncodingAESKey decodes to 32 bytes and nothing else is accepted", "[adapters]") {
    auto key = decode_encoding_aes_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    REQUIRE(key);
    for (auto b : *key) CHECK(b == 0);
    // Real keys have the unused low bits of the last character set.
    CHECK(decode_encoding_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"));
    CHECK(decode_encoding_aes_key("MinshengDevelopmentKeyDoNotUseInProduction0"));
    CHECK_FALSE(decode_encoding_aes_key(""));
    CHECK_FALSE(decode_encoding_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"));
    CHECK_FALSE(decode_encoding_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH"));
    CHECK_FALSE(decode_encoding_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF="));
    CHECK_FALSE(decode_encoding_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDE-G"));
    CHECK_THROWS_AS(msg_cipher("short"), std::invalid_argument);
}

TEST_CASE("base64 round-trips every length and refuses malformed input", "[adapters]") {
    std::string bytes;
    for (int n = 0; n < 70; ++n) {
        auto enc = detail::base64_encode(bytes);
        CHECK(enc.size() % 4 == 0);
        auto dec = detail::base64_decode(enc);
        REQUIRE(dec);
        CHECK(*dec == bytes);
        bytes += static_cast<char>(n * 37 + 11);
    }
    CHECK(detail::base64_encode("abc") == "YWJj");
    CHECK(detail::base64_encode("ab") == "YWI=");
    CHECK(detail::base64_encode("a") == "YQ==");
    for (const char* bad :
         {"Y", "YW", "YWJ", "YW=j", "Y===", "====", "YWJj\n", "YW J", "YWI-", "YWJjZA=", "=WJj"}) {
        INFO(bad);
        CHECK_FALSE(detail::base64_decode(bad));
    }
}

TEST_CASE("signatures sort their parts bytewise and compare without case", "[adapters]") {
    // Sorting is bytewise: uppercase before lowercase, shorter prefix first.
    CHECK(sha1_signature({"b", "B", "a"}) == sha1_signature({"B", "a", "b"}));
    CHECK(sha1_signature({"ab", "a"}) == sha1_signature({"a", "ab"}));
    CHECK(sha1_signature({"abc"}) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    // Bytes above 0x7f sort after ASCII (unsigned comparison).
    CHECK(sha1_signature({"\xE6\xB0\x91", "z"}) == sha1_signature({"z\xE6\xB0\x91"}));

    const std::string s = plain_signature("token", "1", "2");
    CHECK(signature_matches(s, s));
    std::string upper = s;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(ch));
    CHECK(signature_matches(s, upper));
    CHECK_FALSE(signature_matches(s, s.substr(1)));
    CHECK_FALSE(signature_matches(s, ""));
    CHECK_FALSE(signature_matches("", ""));
    std::string off = s;
    off.back() = off.back() == '0' ? '1' : '0';
    CHECK_FALSE(signature_matches(s, off));
}

TEST_CASE("query strings encode and decode strictly", "[adapters]") {
    query_params q{{"echostr", "a b+c/é"}, {"nonce", "1"}, {"timestamp", "2"}};
    const std::string enc = encode_query(q);
    CHECK(enc == "echostr=a%20b%2Bc%2F%C3%A9&nonce=1&timestamp=2");
    auto dec = decode_query(enc);
    REQUIRE(dec);
    CHECK(*dec == q);
    CHECK(decode_query("a=1+2&b=%41&c&&d=")->at("a") == "1 2");
    CHECK(decode_query("a=1+2&b=%41&c&&d=")->at("b") == "A");
    CHECK(decode_query("a=1+2&b=%41&c&&d=")->at("c").empty());
    CHECK(decode_query("")->empty());
    CHECK_FALSE(decode_query("a=%4"));
    CHECK_FALSE(decode_query("a=%zz"));
    CHECK_FALSE(decode_query("signature=a&signature=b"));
}

TEST_CASE("a client's location push parses back, whatever its label holds", "[adapters]") {
    const std::string label = "幸福小区]]><b>3栋</b> & 门口";
    auto xml = render_location_push(
        {"gh_a", "o_user", "23.134521", "113.358803", label, 1700000000, "6000000000000000001"});
    auto parsed = parse_xml_message(xml);
    auto* m = std::get_if<oa_xml_message>(&parsed);
    REQUIRE(m);
    auto in = to_inbound(*m);
    CHECK(in.kind == minsheng::dialog::inbound_kind::location);
    CHECK(in.label == label);
    REQUIRE(in.latitude);
    CHECK(*in.latitude == Approx(23.134521));
    REQUIRE(in.longitude);
    CHECK(*in.longitude == Approx(113.358803));
    CHECK(in.dedup_key == "6000000000000000001");
}
