// The official-account callback, end to end and transport-free (adapters/wechat_oa/
// oa_endpoint.hpp) with the development configuration in plain, compat and safe mode.
//
// Input: one control byte, then the query string up to the first '\n', then the body.
//   control & 3:  0 plain, 1 compat, 2 safe: decode(); 3: verify_url()
//   control & 4:  "sign": the harness fills in timestamp (now) and nonce when absent and
//                 overwrites signature / msg_signature with the right values, so that the
//                 input gets past the checks to the envelope, the cipher and the XML
//   control & 8:  "seal" (compat, safe): the body is the plaintext XML; the harness encrypts
//                 and signs it as WeChat does (oa_client_codec::push) and checks that decode()
//                 gives exactly what parse_xml_message() says of the plaintext
//
// Contracts: nothing throws; a rejection maps to 400/401 and its detail never echoes the token,
// the key or the ciphertext; nothing is decoded, decrypted or time-checked before the signature
// verifies (bad_ciphertext, wrong_appid, stale_timestamp, a decoded push all need a good
// signature); verify_url answers the echostr byte for byte and only when signed; a decoded push
// has a nonce of plain letters and digits (anything else is refused first) and, answered with
// its own text, comes back through the client's decode_reply.

#include <array>
#include <cstdint>
#include <string>
#include <variant>

#include "adapters/http/query_string.hpp"
#include "adapters/wechat_oa/client_codec.hpp"
#include "adapters/wechat_oa/oa_endpoint.hpp"
#include "adapters/wechat_oa/reply_xml.hpp"
#include "adapters/wechat_oa/signature.hpp"
#include "adapters/wechat_oa/xml_message.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace minsheng::adapters::wechat_oa;
using minsheng::fuzz::xml_eol;

namespace {

// The gateway's development credentials (gateway/server/config.cpp).
constexpr std::string_view token = "minsheng-dev-token";
constexpr std::string_view aes_key = "MinshengDevelopmentKeyDoNotUseInProduction0";
constexpr std::string_view appid = "wxminshengdev0001";
constexpr std::int64_t now = 1714036504;
constexpr std::string_view random16 = "0123456789abcdef";

oa_config config_for(security_mode mode) {
    oa_config c;
    c.token = std::string(token);
    c.encoding_aes_key = std::string(aes_key);
    c.appid = std::string(appid);
    c.mode = mode;
    return c;
}

struct side {
    oa_endpoint endpoint;
    oa_client_codec client;
    explicit side(security_mode m) : endpoint(config_for(m)), client(config_for(m)) {}
};

const side& side_for(security_mode m) {
    static const std::array<side, 3> sides{side(security_mode::plain), side(security_mode::compat),
                                           side(security_mode::safe)};
    return sides[static_cast<std::size_t>(m)];
}

const std::string* param(const query_params& q, std::string_view name) {
    auto it = q.find(name);
    return it == q.end() ? nullptr : &it->second;
}

// The nonces the endpoint takes: an encrypted reply echoes and signs the nonce in XML, so only
// words XML carries unchanged (WeChat's are digits). Anything else is a missing_parameter.
bool usable_nonce(std::string_view n) {
    if (n.empty() || n.size() > 64) return false;
    for (char c : n)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_'))
            return false;
    return true;
}

bool same_message(const minsheng::dialog::inbound_message& a,
                  const minsheng::dialog::inbound_message& b) {
    return a.from == b.from && a.user_id == b.user_id && a.dedup_key == b.dedup_key &&
           a.create_time == b.create_time && a.kind == b.kind && a.text == b.text &&
           a.event == b.event && a.event_key == b.event_key && a.media_id == b.media_id &&
           a.url == b.url && a.latitude == b.latitude && a.longitude == b.longitude &&
           a.label == b.label;
}

void check_rejection(const rejection& r, std::string_view encrypt) {
    FUZZ_CHECK(to_string(r.reason) != "unknown");
    const int status = http_status(r.reason);
    FUZZ_CHECK(status == 400 || status == 401);
    FUZZ_CHECK(r.detail.find(token) == std::string::npos);
    FUZZ_CHECK(r.detail.find(aes_key) == std::string::npos);
    // (A short or spaced Encrypt value could be a word of an error message.)
    if (encrypt.size() >= 32 && encrypt.find(' ') == std::string_view::npos)
        FUZZ_CHECK(r.detail.find(encrypt) == std::string::npos);
}

// A decoded push answered with its own text (as an echo bot would): the reply must verify,
// decrypt and parse on the client side, addressed back to the sender.
void check_reply(const side& s, const decoded_push& push) {
    const auto reply = minsheng::dialog::reply::of_text(push.message.text);
    const std::string body = s.endpoint.encode(push, reply, now, random16);
    const auto back = s.client.decode_reply(body, push.encrypted ? push.nonce : "");
    FUZZ_CHECK(std::holds_alternative<client_reply>(back));
    const auto& cr = std::get<client_reply>(back);
    const std::string fitted = fit_utf8(push.message.text, max_text_reply_bytes);
    if (fitted.empty()) {  // "success", never encrypted
        FUZZ_CHECK(cr.reply.kind == minsheng::dialog::reply::type::none && !cr.encrypted);
        return;
    }
    FUZZ_CHECK(cr.encrypted == push.encrypted);
    FUZZ_CHECK(cr.reply.kind == minsheng::dialog::reply::type::text);
    FUZZ_CHECK(cr.reply.text == xml_eol(fitted));
    FUZZ_CHECK(cr.header.to_user == xml_eol(push.from_user));
    FUZZ_CHECK(cr.header.from_user == xml_eol(push.to_user));
}

void sign(query_params& q, std::string_view body, bool encrypted) {
    if (!param(q, "timestamp")) q["timestamp"] = std::to_string(now);
    if (!param(q, "nonce")) q["nonce"] = "1514711492";
    const std::string& ts = q["timestamp"];
    const std::string& nonce = q["nonce"];
    q["signature"] = plain_signature(token, ts, nonce);
    if (!encrypted) return;
    if (!param(q, "encrypt_type")) q["encrypt_type"] = "aes";
    const auto enc = find_encrypt(body);
    if (const auto* e = std::get_if<std::optional<std::string>>(&enc); e && *e)
        q["msg_signature"] = msg_signature(token, ts, nonce, **e);
    else if (!param(q, "msg_signature"))
        q["msg_signature"] = std::string(40, '0');
}

// Whether the query carries the signatures that the endpoint must see before anything else.
bool signed_correctly(const query_params& q, std::string_view body, bool encrypted) {
    const std::string* ts = param(q, "timestamp");
    const std::string* nonce = param(q, "nonce");
    if (!ts || !nonce) return false;
    if (!encrypted) {
        const std::string* sig = param(q, "signature");
        return sig && signature_matches(plain_signature(token, *ts, *nonce), *sig);
    }
    if (const std::string* sig = param(q, "signature");
        sig && !signature_matches(plain_signature(token, *ts, *nonce), *sig))
        return false;
    const std::string* msig = param(q, "msg_signature");
    const auto enc = find_encrypt(body);
    const auto* e = std::get_if<std::optional<std::string>>(&enc);
    return msig && e && *e && signature_matches(msg_signature(token, *ts, *nonce, **e), *msig);
}

void decode_as_sent(security_mode mode, query_params q, std::string_view body, bool do_sign) {
    const side& s = side_for(mode);
    const bool encrypted = mode != security_mode::plain;
    if (do_sign) sign(q, body, encrypted);
    const auto result = s.endpoint.decode(q, body, now);

    std::string encrypt;
    if (const auto enc = find_encrypt(body);
        std::holds_alternative<std::optional<std::string>>(enc))
        encrypt = std::get<std::optional<std::string>>(enc).value_or("");

    if (const auto* r = std::get_if<rejection>(&result)) {
        check_rejection(*r, encrypt);
        const bool after_signature = r->reason == reject_reason::bad_ciphertext ||
                                     r->reason == reject_reason::wrong_appid ||
                                     r->reason == reject_reason::stale_timestamp ||
                                     (!encrypted && r->reason == reject_reason::malformed_xml);
        if (after_signature) FUZZ_CHECK(signed_correctly(q, body, encrypted));
        return;
    }
    FUZZ_CHECK(signed_correctly(q, body, encrypted));
    const auto& push = std::get<decoded_push>(result);
    FUZZ_CHECK(push.encrypted == encrypted);
    FUZZ_CHECK(push.nonce == *param(q, "nonce"));
    FUZZ_CHECK(usable_nonce(push.nonce));
    check_reply(s, push);
}

// The plaintext XML sealed as WeChat seals it: decode() must agree with parse_xml_message().
void decode_sealed(security_mode mode, const query_params& q, std::string_view xml) {
    const side& s = side_for(mode);
    const std::string* nonce_param = param(q, "nonce");
    const std::string nonce = nonce_param && !nonce_param->empty() ? *nonce_param : "1514711492";
    const std::string* openid = param(q, "openid");
    const client_request req =
        s.client.push(xml, "gh_minsheng", openid ? *openid : "o_user", now, nonce, random16);
    // The request goes over the wire as a query string.
    const auto wire = minsheng::adapters::http::decode_query(req.query_string);
    FUZZ_CHECK(wire && *wire == req.query);
    const auto result = s.endpoint.decode(*wire, req.body, now);
    const auto parsed = parse_xml_message(xml);
    const auto sealed = find_encrypt(req.body);
    const auto* ciphertext = std::get_if<std::optional<std::string>>(&sealed);
    if (const auto* r = std::get_if<rejection>(&result); r && ciphertext && *ciphertext)
        check_rejection(*r, **ciphertext);
    if (!usable_nonce(nonce)) {  // refused before the signatures, whatever the body
        FUZZ_CHECK(std::holds_alternative<rejection>(result));
        FUZZ_CHECK(std::get<rejection>(result).reason == reject_reason::missing_parameter);
        return;
    }

    if (mode == security_mode::safe) {
        if (const auto* m = std::get_if<oa_xml_message>(&parsed)) {
            FUZZ_CHECK(std::holds_alternative<decoded_push>(result));
            const auto& push = std::get<decoded_push>(result);
            FUZZ_CHECK(same_message(push.message, to_inbound(*m)));
            FUZZ_CHECK(push.encrypted);
            check_reply(s, push);
        } else {
            FUZZ_CHECK(std::holds_alternative<rejection>(result));
            FUZZ_CHECK(std::get<rejection>(result).reason == reject_reason::malformed_xml);
        }
        return;
    }
    // compat: the plaintext's own fields travel beside <Encrypt>, so a broken plaintext may be
    // refused as the envelope; what is decoded is still the plaintext's message.
    if (const auto* push = std::get_if<decoded_push>(&result)) {
        const auto* m = std::get_if<oa_xml_message>(&parsed);
        FUZZ_CHECK(m != nullptr);
        FUZZ_CHECK(same_message(push->message, to_inbound(*m)));
        check_reply(s, *push);
    } else {
        const auto& r = std::get<rejection>(result);
        check_rejection(r, "");
        FUZZ_CHECK(r.reason == reject_reason::malformed_xml ||
                   r.reason == reject_reason::mode_mismatch ||
                   r.reason == reject_reason::bad_signature);
        FUZZ_CHECK(!std::holds_alternative<oa_xml_message>(parsed) ||
                   r.reason != reject_reason::malformed_xml ||
                   r.detail.find("decrypted") == std::string::npos);
    }
}

void verify(query_params q, bool do_sign) {
    if (do_sign) sign(q, "", false);
    const auto result = side_for(security_mode::plain).endpoint.verify_url(q, now);
    if (const auto* r = std::get_if<rejection>(&result)) {
        check_rejection(*r, "");
        if (r->reason == reject_reason::stale_timestamp) FUZZ_CHECK(signed_correctly(q, "", false));
        return;
    }
    FUZZ_CHECK(signed_correctly(q, "", false));
    FUZZ_CHECK(std::get<std::string>(result) == *param(q, "echostr"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t control = data[0];
    std::string_view rest = minsheng::fuzz::as_view(data + 1, size - 1);
    const std::string_view query_text = minsheng::fuzz::take_line(rest);
    const std::string_view body = rest;

    const auto query = minsheng::adapters::http::decode_query(query_text);
    if (!query) return 0;  // the gateway answers 400 before the endpoint sees it

    const bool do_sign = (control & 4) != 0;
    const bool seal = (control & 8) != 0;
    switch (control & 3) {
        case 0:
            decode_as_sent(security_mode::plain, *query, body, do_sign);
            break;
        case 1:
        case 2: {
            const auto mode = (control & 3) == 1 ? security_mode::compat : security_mode::safe;
            if (seal)
                decode_sealed(mode, *query, body);
            else
                decode_as_sent(mode, *query, body, do_sign);
            break;
        }
        default:
            verify(*query, do_sign);
            break;
    }
    return 0;
}
