// Conformance of the official-account adapter against the shared vectors
// (../shared/wechat/vectors.json): every signature, crypto, synthetic, sample-message and
// reply vector that applies to us.

#include "adapters/wechat_oa/oa_endpoint.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "adapters/wechat_oa/client_codec.hpp"
#include "adapters/wechat_oa/detail/base64.hpp"
#include "adapters/wechat_oa/envelope.hpp"
#include "adapters/wechat_oa/msg_crypto.hpp"
#include "adapters/wechat_oa/reply_xml.hpp"
#include "adapters/wechat_oa/signature.hpp"
#include "adapters/wechat_oa/xml_message.hpp"

using namespace minsheng::adapters::wechat_oa;
using minsheng::dialog::inbound_kind;
using minsheng::dialog::inbound_message;
using json = nlohmann::json;

namespace {

const json& vectors() {
    static const json v = [] {
        std::ifstream in(MINSHENG_SHARED_DIR "/wechat/vectors.json");
        REQUIRE(in.good());
        std::stringstream ss;
        ss << in.rdbuf();
        return json::parse(ss.str());
    }();
    return v;
}

std::string from_hex(std::string_view hex) {
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
    return out;
}

std::int64_t to_int(const std::string& s) { return std::stoll(s); }

// All crypto-shaped vectors: the crypto ones and the synthetic edge cases.
std::vector<json> all_crypto_vectors() {
    std::vector<json> out;
    for (const auto& v : vectors()["crypto_vectors"]) out.push_back(v);
    for (const auto& v : vectors()["synthetic_vectors"]) out.push_back(v);
    return out;
}

oa_config config_for(const json& v, security_mode mode) {
    oa_config c;
    c.token = v["token"];
    c.encoding_aes_key = v["encoding_aes_key"];
    c.appid = v["receive_id"];
    c.mode = mode;
    return c;
}

bool same_message(const inbound_message& a, const inbound_message& b) {
    return a.from == b.from && a.user_id == b.user_id && a.dedup_key == b.dedup_key &&
           a.create_time == b.create_time && a.kind == b.kind && a.text == b.text &&
           a.event == b.event && a.event_key == b.event_key && a.media_id == b.media_id &&
           a.url == b.url && a.latitude == b.latitude && a.longitude == b.longitude &&
           a.label == b.label;
}

struct expected_message {
    inbound_kind kind;
    std::string user_id;
    std::int64_t create_time;
    std::string dedup_key;
    std::string text = {};
    std::string event = {};
    std::string event_key = {};
    std::string media_id = {};
    std::string url = {};
    std::optional<double> latitude = {};
    std::optional<double> longitude = {};
    std::string label = {};
};

// What each XML sample message must become. Every XML sample in vectors.json has an entry.
const std::map<std::string, expected_message>& expectations() {
    using k = inbound_kind;
    static const std::map<std::string, expected_message> m = {
        {"msg-text", {k::text, "fromUser", 1348831860, "1234567890123456", "this is a test"}},
        {"msg-text-from-article",
         {k::text, "fromUser", 1348831860, "1234567890123456", "this is a test"}},
        {"msg-text-real-chinese",
         {k::text, "olPjZjsXuQPJoV0HlruZkNzKc91E", 1414387151, "6074746557628292943", "你好"}},
        {"msg-image",
         {k::image, "fromUser", 1348831860, "1234567890123456", "", "", "", "media_id",
          "this is a url"}},
        {"msg-voice",
         {k::voice, "fromUser", 1357290913, "1234567890123456", "", "", "", "media_id"}},
        {"msg-voice-recognition",
         {k::text, "fromUser", 1357290913, "1234567890123456", "腾讯微信团队", "", "", "media_id"}},
        {"msg-video",
         {k::video, "fromUser", 1357290913, "1234567890123456", "", "", "", "media_id"}},
        {"msg-shortvideo",
         {k::video, "fromUser", 1357290913, "1234567890123456", "", "", "", "media_id"}},
        {"msg-location",
         {k::location, "fromUser", 1351776360, "1234567890123456", "", "", "", "", "", 23.134521,
          113.358803, "位置信息"}},
        {"msg-link",
         {k::link, "fromUser", 1351776360, "1234567890123456", "公众平台官网链接\n公众平台官网链接",
          "", "", "", "url"}},
        {"msg-file-real",
         {k::file, "o5lE40xwHOqG8riO_EOZQV3JYCV8", 1519483978, "6526133992738756795", "test.zip",
          "", "", "BAAAAAAAAACJHA0y"}},
        {"evt-subscribe",
         {k::subscribe, "FromUser", 123456789, "FromUser#123456789#subscribe#", "", "subscribe",
          ""}},
        {"evt-subscribe-empty-eventkey-real",
         {k::subscribe, "oxRg0uLsnpHjb8o93uVnwMK_WAVw", 1516545128,
          "oxRg0uLsnpHjb8o93uVnwMK_WAVw#1516545128#subscribe#", "", "subscribe", ""}},
        {"evt-subscribe-qrscene",
         {k::subscribe, "FromUser", 123456789, "FromUser#123456789#subscribe#qrscene_123123", "",
          "subscribe", "123123"}},
        {"evt-subscribe-last-trade-no",
         {k::subscribe, "FromUser", 123456789,
          "FromUser#123456789#subscribe#last_trade_no_4008072001201701105817415015", "",
          "subscribe", ""}},
        {"evt-unsubscribe",
         {k::unsubscribe, "FromUser", 123456789, "FromUser#123456789#unsubscribe#", "",
          "unsubscribe", ""}},
        {"evt-scan",
         {k::scan, "FromUser", 123456789, "FromUser#123456789#SCAN#SCENE_VALUE", "", "SCAN",
          "SCENE_VALUE"}},
        {"evt-location",
         {k::report_location, "fromUser", 123456789, "fromUser#123456789#LOCATION#", "", "LOCATION",
          "", "", "", 23.137466, 113.352425}},
        {"evt-click",
         {k::menu_click, "FromUser", 123456789, "FromUser#123456789#CLICK#EVENTKEY", "", "CLICK",
          "EVENTKEY"}},
        {"evt-view",
         {k::menu_view, "FromUser", 123456789, "FromUser#123456789#VIEW#www.qq.com", "", "VIEW",
          "www.qq.com"}},
        {"evt-view-miniprogram",
         {k::menu_view, "FromUser", 123456789,
          "FromUser#123456789#view_miniprogram#pages/index/index", "", "view_miniprogram",
          "pages/index/index"}},
        {"evt-scancode-push",
         {k::other_event, "oMgHVjngRipVsoxg6TuX3vz6glDg", 1408090502,
          "oMgHVjngRipVsoxg6TuX3vz6glDg#1408090502#scancode_push#6", "", "scancode_push", "6"}},
        {"evt-pic-sysphoto",
         {k::other_event, "oMgHVjngRipVsoxg6TuX3vz6glDg", 1408090651,
          "oMgHVjngRipVsoxg6TuX3vz6glDg#1408090651#pic_sysphoto#6", "", "pic_sysphoto", "6"}},
        {"evt-location-select",
         {k::other_event, "oMgHVjngRipVsoxg6TuX3vz6glDg", 1408091189,
          "oMgHVjngRipVsoxg6TuX3vz6glDg#1408091189#location_select#6", "", "location_select", "6",
          "", "", 23.0, 113.0, "广州市海珠区客村艺苑路 106号"}},
        {"evt-templatesendjobfinish-success",
         {k::other_event, "fromuser", 1395658920, "fromuser#1395658920#TEMPLATESENDJOBFINISH#", "",
          "TEMPLATESENDJOBFINISH", ""}},
        {"evt-masssendjobfinish",
         {k::other_event, "oR5Gjjl_eiZoUpGozMo7dbBJ362A", 1394524295,
          "oR5Gjjl_eiZoUpGozMo7dbBJ362A#1394524295#MASSSENDJOBFINISH#", "", "MASSSENDJOBFINISH",
          ""}},
        {"evt-subscribe-msg-popup-xml",
         {k::other_event, "otFpruAK8D-E6EfStSYonYSBZ8_4", 1610969440,
          "otFpruAK8D-E6EfStSYonYSBZ8_4#1610969440#subscribe_msg_popup_event#", "",
          "subscribe_msg_popup_event", ""}},
        {"evt-subscribe-msg-change-xml",
         {k::other_event, "otFpruAK8D-E6EfStSYonYSBZ8_4", 1610969440,
          "otFpruAK8D-E6EfStSYonYSBZ8_4#1610969440#subscribe_msg_change_event#", "",
          "subscribe_msg_change_event", ""}},
        {"evt-subscribe-msg-sent-xml",
         {k::other_event, "otFpruAK8D-E6EfStSYonYSBZ8_4", 1610969468,
          "otFpruAK8D-E6EfStSYonYSBZ8_4#1610969468#subscribe_msg_sent_event#", "",
          "subscribe_msg_sent_event", ""}},
        {"evt-kf-create-session",
         {k::other_event, "fromuser", 1399197672, "fromuser#1399197672#kf_create_session#", "",
          "kf_create_session", ""}},
        {"wxa-user-enter-tempsession-xml",
         {k::other_event, "fromUser", 1482048670, "fromUser#1482048670#user_enter_tempsession#", "",
          "user_enter_tempsession", ""}},
        {"wecom-text", {k::text, "mycreate", 1409659813, "4561255354251345929", "hello"}},
        {"wecom-change-contact",
         {k::other_event, "sys", 1403610513, "sys#1403610513#change_contact#", "", "change_contact",
          ""}},
    };
    return m;
}

void check_expected(const inbound_message& got, const expected_message& want) {
    CHECK(got.from == minsheng::dialog::channel::wechat_oa);
    CHECK(got.kind == want.kind);
    CHECK(got.user_id == want.user_id);
    CHECK(got.create_time == want.create_time);
    CHECK(got.dedup_key == want.dedup_key);
    CHECK(got.text == want.text);
    CHECK(got.event == want.event);
    CHECK(got.event_key == want.event_key);
    CHECK(got.media_id == want.media_id);
    CHECK(got.url == want.url);
    CHECK(got.latitude.has_value() == want.latitude.has_value());
    if (want.latitude && got.latitude) CHECK(*got.latitude == Approx(*want.latitude));
    CHECK(got.longitude.has_value() == want.longitude.has_value());
    if (want.longitude && got.longitude) CHECK(*got.longitude == Approx(*want.longitude));
    CHECK(got.label == want.label);
}

}  // namespace

TEST_CASE("every signature vector verifies and the negative ones are refused", "[adapters]") {
    int checked = 0;
    for (const auto& v : vectors()["signature_vectors"]) {
        const std::string id = v["id"];
        const std::string kind = v["kind"];
        INFO(id);
        if (kind == "generic_sort_sha1") {
            std::vector<std::string> parts = v["parts"];
            std::vector<std::string_view> views(parts.begin(), parts.end());
            CHECK(sha1_signature(views) == v["signature"]);
            ++checked;
            continue;
        }
        const std::string token = v["token"];
        const std::string ts = v["timestamp"];
        const std::string nonce = v["nonce"];
        if (kind == "msg_signature_only") {
            CHECK(msg_signature(token, ts, nonce, v["encrypt"].get<std::string>()) ==
                  v["signature"]);
            ++checked;
            continue;
        }
        CHECK(plain_signature(token, ts, nonce) == v["signature"]);
        CHECK(signature_matches(plain_signature(token, ts, nonce),
                                v["signature"].get<std::string>()));

        if (kind == "url_verify") {
            oa_config c;
            c.token = token;
            const oa_endpoint ep(c);
            const std::string echostr = v.value("echostr", std::string("8571234567890"));
            query_params q{{"signature", v["signature"]},
                           {"timestamp", ts},
                           {"nonce", nonce},
                           {"echostr", echostr}};
            auto r = ep.verify_url(q, to_int(ts));
            REQUIRE(std::holds_alternative<std::string>(r));
            CHECK(std::get<std::string>(r) == v.value("expected_response_body", echostr));
            if (v.contains("negative")) {
                q["signature"] = v["negative"]["signature"];
                auto bad = ep.verify_url(q, to_int(ts));
                REQUIRE(std::holds_alternative<rejection>(bad));
                CHECK(std::get<rejection>(bad).reason == reject_reason::bad_signature);
                CHECK_FALSE(signature_matches(plain_signature(token, ts, nonce),
                                              v["negative"]["signature"].get<std::string>()));
            }
        }
        if (kind == "plain_post") {
            // The body is a mini-program JSON push: the signature passes, the XML parser refuses.
            oa_config c;
            c.token = token;
            const oa_endpoint ep(c);
            query_params q{{"signature", v["signature"]}, {"timestamp", ts}, {"nonce", nonce}};
            auto r = ep.decode(q, v["body_json"].get<std::string>(), to_int(ts));
            REQUIRE(std::holds_alternative<rejection>(r));
            CHECK(std::get<rejection>(r).reason == reject_reason::malformed_xml);
        }
        ++checked;
    }
    CHECK(checked == 7);
}

TEST_CASE("every crypto vector decrypts to its plaintext and re-encrypts bit for bit",
          "[adapters]") {
    int checked = 0;
    for (const auto& v : all_crypto_vectors()) {
        const std::string id = v["id"];
        INFO(id);
        const msg_cipher cipher(v["encoding_aes_key"].get<std::string>());
        const std::string encrypt = v["encrypt"];
        const std::string receive_id = v["receive_id"];

        auto dec = cipher.decrypt(encrypt, std::string_view(receive_id));
        REQUIRE(std::holds_alternative<decrypted_message>(dec));
        const auto& d = std::get<decrypted_message>(dec);
        CHECK(d.message == v["plaintext"]);
        CHECK(d.receive_id == receive_id);
        const std::string random = from_hex(v["random_hex"].get<std::string>());
        CHECK(d.random == random);
        if (v.contains("random_ascii")) CHECK(d.random == v["random_ascii"]);
        if (v.contains("msg_len")) CHECK(d.message.size() == v["msg_len"].get<std::size_t>());

        // The ciphertext is random | len | msg | receive_id | pad, pad as the vector says.
        auto raw = detail::base64_decode(encrypt);
        REQUIRE(raw);
        if (v.contains("pkcs7_pad"))
            CHECK(raw->size() ==
                  20 + d.message.size() + receive_id.size() + v["pkcs7_pad"].get<std::size_t>());
        if (v.contains("ciphertext_bytes"))
            CHECK(raw->size() == v["ciphertext_bytes"].get<std::size_t>());

        CHECK(cipher.encrypt(d.message, receive_id, random) == encrypt);

        const std::string token = v["token"];
        CHECK(msg_signature(token, v["timestamp"].get<std::string>(), v["nonce"].get<std::string>(),
                            encrypt) == v["msg_signature"]);

        // Decrypting for another receive id is refused.
        auto other = cipher.decrypt(encrypt, std::string_view("wx0000000000000000"));
        REQUIRE(std::holds_alternative<crypto_error>(other));
        CHECK(std::get<crypto_error>(other) == crypto_error::wrong_receive_id);
        ++checked;
    }
    CHECK(checked == 15);
}

TEST_CASE("WeCom URL verification vectors answer the decrypted echostr and refuse a wrong nonce",
          "[adapters]") {
    int checked = 0;
    for (const auto& v : vectors()["crypto_vectors"]) {
        if (v["direction"] != "echostr") continue;
        INFO(v["id"].get<std::string>());
        const std::string token = v["token"];
        const std::string ts = v["timestamp"];
        const std::string nonce = v["nonce"];
        const std::string encrypt = v["encrypt"];
        CHECK(signature_matches(msg_signature(token, ts, nonce, encrypt),
                                v["msg_signature"].get<std::string>()));
        const msg_cipher cipher(v["encoding_aes_key"].get<std::string>());
        auto dec = cipher.decrypt(encrypt, v["receive_id"].get<std::string>());
        REQUIRE(std::holds_alternative<decrypted_message>(dec));
        CHECK(std::get<decrypted_message>(dec).message ==
              v.value("expected_response_body", v["plaintext"].get<std::string>()));
        if (v.contains("negative")) {
            CHECK_FALSE(signature_matches(
                msg_signature(token, ts, v["negative"]["nonce"].get<std::string>(), encrypt),
                v["msg_signature"].get<std::string>()));
        }
        ++checked;
    }
    CHECK(checked == 2);
}

TEST_CASE("the deterministic WeCom reply vector renders the exact encrypted envelope",
          "[adapters]") {
    int checked = 0;
    for (const auto& v : vectors()["crypto_vectors"]) {
        if (!v.contains("envelope") || v["format"] != "xml") continue;
        INFO(v["id"].get<std::string>());
        const msg_cipher cipher(v["encoding_aes_key"].get<std::string>());
        encrypted_envelope e;
        e.encrypt =
            cipher.encrypt(v["plaintext"].get<std::string>(), v["receive_id"].get<std::string>(),
                           from_hex(v["random_hex"].get<std::string>()));
        e.timestamp = v["timestamp"];
        e.nonce = v["nonce"];
        e.msg_signature =
            msg_signature(v["token"].get<std::string>(), e.timestamp, e.nonce, e.encrypt);
        CHECK(render_envelope(e) == v["envelope"]);

        auto back = parse_envelope(v["envelope"].get<std::string>());
        REQUIRE(back);
        CHECK(back->encrypt == e.encrypt);
        CHECK(back->msg_signature == v["msg_signature"]);
        CHECK(back->timestamp == v["timestamp"]);
        CHECK(back->nonce == v["nonce"]);
        ++checked;
    }
    CHECK(checked == 1);
}

TEST_CASE("every inbound XML crypto vector decodes through the endpoint in safe and compat mode",
          "[adapters]") {
    int checked = 0;
    for (const auto& v : vectors()["crypto_vectors"]) {
        if (v["direction"] != "inbound" || v["format"] != "xml") continue;
        const std::string id = v["id"];
        INFO(id);
        const std::string ts = v["timestamp"];
        query_params q = v.contains("query") ? v["query"].get<query_params>()
                                             : query_params{{"timestamp", ts},
                                                            {"nonce", v["nonce"]},
                                                            {"encrypt_type", "aes"},
                                                            {"msg_signature", v["msg_signature"]}};
        // Bodies as POSTed where the vector has one; else the safe-mode shape.
        const std::string body =
            v.contains("body") ? v["body"].get<std::string>()
                               : "<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[" +
                                     v["encrypt"].get<std::string>() + "]]></Encrypt></xml>";

        auto direct = parse_xml_message(v["plaintext"].get<std::string>());
        REQUIRE(std::holds_alternative<oa_xml_message>(direct));
        const auto want = to_inbound(std::get<oa_xml_message>(direct));

        for (auto mode : {security_mode::safe, security_mode::compat}) {
            const oa_endpoint ep(config_for(v, mode));
            auto r = ep.decode(q, body, to_int(ts));
            if (auto* rej = std::get_if<rejection>(&r)) FAIL(rej->detail);
            const auto& push = std::get<decoded_push>(r);
            CHECK(push.encrypted);
            CHECK(push.nonce == v["nonce"]);
            CHECK(same_message(push.message, want));
            CHECK(push.from_user == std::get<oa_xml_message>(direct).from_user);
            CHECK(push.to_user == std::get<oa_xml_message>(direct).to_user);

            // The same request for another appid is refused.
            auto other = config_for(v, mode);
            other.appid = "wx0000000000000000";
            auto wrong = oa_endpoint(other).decode(q, body, to_int(ts));
            REQUIRE(std::holds_alternative<rejection>(wrong));
            CHECK(std::get<rejection>(wrong).reason == reject_reason::wrong_appid);
        }
        ++checked;
    }
    CHECK(checked == 5);
}

TEST_CASE("the real compat-mode capture decodes to the resident's Chinese text", "[adapters]") {
    for (const auto& v : vectors()["crypto_vectors"]) {
        if (v["id"] != "aes-senparc-real-oa-text-compat") continue;
        const oa_endpoint ep(config_for(v, security_mode::compat));
        auto r = ep.decode(v["query"].get<query_params>(), v["body"].get<std::string>(),
                           to_int(v["timestamp"]));
        REQUIRE(std::holds_alternative<decoded_push>(r));
        const auto& m = std::get<decoded_push>(r).message;
        CHECK(m.kind == inbound_kind::text);
        CHECK(m.text == "你好");
        CHECK(m.dedup_key == "6074746557628292943");
        CHECK(m.user_id == "olPjZjsXuQPJoV0HlruZkNzKc91E");
        return;
    }
    FAIL("vector aes-senparc-real-oa-text-compat not found");
}

TEST_CASE("every XML sample message parses into the expected kind and fields", "[adapters]") {
    std::set<std::string> seen;
    int json_samples = 0;
    for (const auto& v : vectors()["sample_messages"]) {
        const std::string id = v["id"];
        INFO(id);
        const std::string body = v["body"];
        if (v["format"] == "json") {
            // Mini-program JSON pushes belong to the miniprogram adapter; XML parsing refuses
            // them instead of guessing.
            CHECK(std::holds_alternative<xml_error>(parse_xml_message(body)));
            ++json_samples;
            continue;
        }
        auto it = expectations().find(id);
        REQUIRE(it != expectations().end());
        auto parsed = parse_xml_message(body);
        if (auto* e = std::get_if<xml_error>(&parsed)) FAIL(e->detail);
        check_expected(to_inbound(std::get<oa_xml_message>(parsed)), it->second);
        seen.insert(id);
    }
    CHECK(seen.size() == expectations().size());
    CHECK(seen.size() + json_samples == 41);
}

TEST_CASE("the typed message keeps the raw fields the engine mapping drops", "[adapters]") {
    std::map<std::string, oa_xml_message> by_id;
    for (const auto& v : vectors()["sample_messages"]) {
        if (v["format"] != "xml") continue;
        auto parsed = parse_xml_message(v["body"].get<std::string>());
        REQUIRE(std::holds_alternative<oa_xml_message>(parsed));
        by_id.emplace(v["id"].get<std::string>(), std::get<oa_xml_message>(parsed));
    }
    CHECK(by_id.at("msg-voice").format == "Format");
    CHECK_FALSE(by_id.at("msg-voice").recognition.has_value());
    CHECK(by_id.at("msg-video").thumb_media_id == "thumb_media_id");
    CHECK(by_id.at("msg-shortvideo").type == xml_msg_type::shortvideo);
    CHECK(by_id.at("msg-location").scale == Approx(20));
    CHECK(by_id.at("msg-file-real").file_md5 == "95d98d3bf1b251a9e4a40f3bd88eef29");
    CHECK(by_id.at("msg-file-real").file_total_len == 222);
    CHECK(by_id.at("evt-subscribe-qrscene").event_key == "qrscene_123123");
    CHECK(by_id.at("evt-subscribe-qrscene").ticket == "TICKET");
    CHECK(by_id.at("evt-location").precision == Approx(119.385040));
    CHECK(by_id.at("evt-templatesendjobfinish-success").msg_id == "200163836");
    CHECK(by_id.at("evt-templatesendjobfinish-success").status == "success");
    CHECK(by_id.at("evt-masssendjobfinish").status == "sendsuccess");
    CHECK(by_id.at("wecom-text").agent_id == "218");
}

TEST_CASE("every XML sample message survives the trip through a safe-mode client and endpoint",
          "[adapters]") {
    oa_config c;
    c.token = "minsheng";
    c.encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    c.appid = "wxb11529c136998cb6";
    for (auto mode : {security_mode::plain, security_mode::compat, security_mode::safe}) {
        c.mode = mode;
        const oa_endpoint ep(c);
        const oa_client_codec client(c);
        for (const auto& v : vectors()["sample_messages"]) {
            if (v["format"] != "xml") continue;
            INFO(v["id"].get<std::string>());
            const std::string body = v["body"];
            auto direct = parse_xml_message(body);
            REQUIRE(std::holds_alternative<oa_xml_message>(direct));
            const auto& m = std::get<oa_xml_message>(direct);
            auto req =
                client.push(body, m.to_user, m.from_user, 1700000000, "424242", "0123456789abcdef");
            auto r = ep.decode(req.query, req.body, 1700000100);
            if (auto* rej = std::get_if<rejection>(&r)) FAIL(rej->detail);
            CHECK(same_message(std::get<decoded_push>(r).message, to_inbound(m)));
            CHECK(std::get<decoded_push>(r).encrypted == (mode != security_mode::plain));
        }
    }
}

TEST_CASE("the reply samples render byte for byte", "[adapters]") {
    std::map<std::string, std::string> body;
    for (const auto& v : vectors()["reply_samples"]) body[v["id"]] = v["body"];
    REQUIRE(body.size() == 7);

    CHECK(render_text_reply({"to", "from", 1122}, "content") == body["reply-text"]);
    CHECK(render_image_reply({"to", "from", 1122}, "ddfefesfsdfef") == body["reply-image"]);
    CHECK(render_voice_reply({"to", "from", 1122}, "ddfefesfsdfef") == body["reply-voice"]);
    CHECK(render_video_reply({"toUser", "fromUser", 1122}, "media_id", "title", "ddfff") ==
          body["reply-video"]);
    music_reply music{"title", "ddfff", "musicUrl", "hQMusicUrl", "thumbMediaId"};
    CHECK(render_music_reply({"toUser", "fromUser", 1122}, music) == body["reply-music"]);
    const news_article a{"title", "description", "picUrl", "url"};
    const std::vector<news_article> two{a, a};
    CHECK(render_news_reply({"toUser", "fromUser", 1122}, two) == body["reply-news"]);
    CHECK(render_transfer_customer_service_reply({"touser", "fromuser", 1399197672}) ==
          body["reply-transfer-customer-service"]);

    // Every sample parses back (the client side of the same format).
    for (const auto& [id, xml] : body) {
        INFO(id);
        auto p = parse_reply_xml(xml);
        REQUIRE(std::holds_alternative<parsed_reply>(p));
        CHECK(std::get<parsed_reply>(p).header.create_time > 0);
    }
    CHECK(std::get<parsed_reply>(parse_reply_xml(body["reply-news"])).article_count == 2);
}

TEST_CASE("the endpoint answers text and news like the reply samples, news with one article",
          "[adapters]") {
    std::map<std::string, std::string> body;
    for (const auto& v : vectors()["reply_samples"]) body[v["id"]] = v["body"];
    oa_config c;
    c.token = "t";
    const oa_endpoint ep(c);

    decoded_push push;
    push.to_user = "from";  // our account: the reply's FromUserName
    push.from_user = "to";  // the resident: the reply's ToUserName
    CHECK(ep.encode(push, minsheng::dialog::reply::of_text("content"), 1122, {}) ==
          body["reply-text"]);

    push.to_user = "fromUser";
    push.from_user = "toUser";
    minsheng::dialog::reply news;
    news.kind = minsheng::dialog::reply::type::news;
    news.title = "title";
    news.description = "description";
    news.pic_url = "picUrl";
    news.url = "url";
    // The two-article sample with one article removed is what a passive reply may carry.
    std::string one = body["reply-news"];
    const std::string item =
        "<item><Title><![CDATA[title]]></Title><Description><![CDATA[description]]></"
        "Description><PicUrl><![CDATA[picUrl]]></PicUrl><Url><![CDATA[url]]></Url></item>";
    one.erase(one.find(item), item.size());
    one.replace(one.find("<ArticleCount>2<"), 16, "<ArticleCount>1<");
    CHECK(ep.encode(push, news, 1122, {}) == one);
}
