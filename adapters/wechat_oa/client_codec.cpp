#include "adapters/wechat_oa/client_codec.hpp"

#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>

#include "adapters/http/query_string.hpp"
#include "adapters/wechat_oa/detail/config_check.hpp"
#include "adapters/wechat_oa/detail/xml_text.hpp"
#include "adapters/wechat_oa/envelope.hpp"
#include "adapters/wechat_oa/signature.hpp"

namespace minsheng::adapters::wechat_oa {

namespace {

// `n` random decimal digits, the first one non-zero.
std::string random_digits(std::size_t n) {
    std::string out;
    out.reserve(n);
    while (out.size() < n) {
        unsigned char buf[32];
        if (RAND_bytes(buf, sizeof buf) != 1) throw std::runtime_error("RAND_bytes failed");
        for (unsigned char c : buf) {
            if (c >= 250 || out.size() == n) continue;  // keep the digits uniform
            const char d = static_cast<char>('0' + c % 10);
            if (out.empty() && d == '0') continue;
            out += d;
        }
    }
    return out;
}

std::string decimal(std::int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    return std::string(buf, end);
}

std::string_view trim_end(std::string_view s) {
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

rejection reject(reject_reason reason, std::string detail) {
    return rejection{reason, std::move(detail)};
}

void open_push(std::string& out, std::string_view to_user, std::string_view from_user,
               std::int64_t create_time, std::string_view msg_type) {
    out += "<xml>";
    detail::append_cdata_element(out, "ToUserName", to_user);
    detail::append_cdata_element(out, "FromUserName", from_user);
    detail::append_int_element(out, "CreateTime", create_time);
    detail::append_cdata_element(out, "MsgType", msg_type);
}

}  // namespace

std::string render_text_push(const user_text_message& m) {
    std::string out;
    open_push(out, m.to_user, m.from_user, m.create_time, "text");
    detail::append_cdata_element(out, "Content", m.content);
    detail::append_text_element(out, "MsgId", m.msg_id.empty() ? random_digits(19) : m.msg_id);
    out += "</xml>";
    return out;
}

std::string render_location_push(const user_location_message& m) {
    std::string out;
    open_push(out, m.to_user, m.from_user, m.create_time, "location");
    detail::append_text_element(out, "Location_X", m.latitude);
    detail::append_text_element(out, "Location_Y", m.longitude);
    detail::append_text_element(out, "Scale", "15");
    detail::append_cdata_element(out, "Label", m.label);
    detail::append_text_element(out, "MsgId", m.msg_id.empty() ? random_digits(19) : m.msg_id);
    out += "</xml>";
    return out;
}

std::string render_event_push(const user_event& e) {
    std::string out;
    open_push(out, e.to_user, e.from_user, e.create_time, "event");
    detail::append_cdata_element(out, "Event", e.event);
    if (!e.event_key.empty()) detail::append_cdata_element(out, "EventKey", e.event_key);
    out += "</xml>";
    return out;
}

std::string client_request::target(std::string_view path) const {
    std::string out(path);
    if (!query_string.empty()) {
        out += '?';
        out += query_string;
    }
    return out;
}

oa_client_codec::oa_client_codec(oa_config config) : config_(std::move(config)) {
    cipher_ = detail::checked_cipher(config_);
}

client_request oa_client_codec::url_verification(std::int64_t timestamp, std::string_view echostr,
                                                 std::string_view nonce) const {
    client_request r;
    const std::string ts = decimal(timestamp);
    const std::string n = nonce.empty() ? random_digits(10) : std::string(nonce);
    r.query["timestamp"] = ts;
    r.query["nonce"] = n;
    r.query["echostr"] = echostr.empty() ? random_digits(19) : std::string(echostr);
    r.query["signature"] = plain_signature(config_.token, ts, n);
    r.query_string = http::encode_query(r.query);
    return r;
}

client_request oa_client_codec::push(std::string_view xml, std::string_view to_user,
                                     std::string_view openid, std::int64_t timestamp,
                                     std::string_view nonce, std::string_view random16) const {
    client_request r;
    const std::string ts = decimal(timestamp);
    const std::string n = nonce.empty() ? random_digits(10) : std::string(nonce);
    r.query["timestamp"] = ts;
    r.query["nonce"] = n;
    r.query["openid"] = std::string(openid);
    r.query["signature"] = plain_signature(config_.token, ts, n);

    if (config_.mode == security_mode::plain) {
        r.body = std::string(xml);
    } else {
        const std::string random = random16.empty() ? wechat_oa::random16() : std::string(random16);
        const std::string encrypt = cipher_->encrypt(xml, config_.appid, random);
        r.query["encrypt_type"] = "aes";
        r.query["msg_signature"] = msg_signature(config_.token, ts, n, encrypt);

        const std::string_view plain = trim_end(xml);
        constexpr std::string_view close = "</xml>";
        if (config_.mode == security_mode::compat && plain.ends_with(close)) {
            // As WeChat does in compat mode: the plaintext fields and the Encrypt element.
            r.body = std::string(plain.substr(0, plain.size() - close.size()));
            detail::append_cdata_element(r.body, "Encrypt", encrypt);
            r.body += close;
        } else {
            r.body = "<xml>";
            detail::append_cdata_element(r.body, "ToUserName", to_user);
            detail::append_cdata_element(r.body, "Encrypt", encrypt);
            r.body += "</xml>";
        }
    }
    r.query_string = http::encode_query(r.query);
    return r;
}

client_request oa_client_codec::text(const user_text_message& m, std::int64_t timestamp,
                                     std::string_view nonce, std::string_view random16) const {
    return push(render_text_push(m), m.to_user, m.from_user, timestamp, nonce, random16);
}

client_request oa_client_codec::event(const user_event& e, std::int64_t timestamp,
                                      std::string_view nonce, std::string_view random16) const {
    return push(render_event_push(e), e.to_user, e.from_user, timestamp, nonce, random16);
}

std::variant<client_reply, rejection> oa_client_codec::decode_reply(
    std::string_view body, std::string_view expected_nonce) const {
    client_reply out;
    std::string decrypted;
    std::string_view xml = body;

    if (!body.empty() && body != "success") {
        if (auto env = parse_envelope(body)) {
            if (!cipher_)
                return reject(reject_reason::mode_mismatch,
                              "the reply is encrypted but the account is in plain mode");
            const std::string expected =
                msg_signature(config_.token, env->timestamp, env->nonce, env->encrypt);
            if (!signature_matches(expected, env->msg_signature))
                return reject(reject_reason::bad_signature, "MsgSignature does not verify");
            if (!expected_nonce.empty() && env->nonce != expected_nonce)
                return reject(reject_reason::bad_signature,
                              "the reply does not echo the request's nonce");
            auto dec = cipher_->decrypt(env->encrypt, std::string_view(config_.appid));
            if (auto* e = std::get_if<crypto_error>(&dec)) {
                if (*e == crypto_error::wrong_receive_id)
                    return reject(reject_reason::wrong_appid,
                                  "the reply was encrypted for another appid");
                return reject(reject_reason::bad_ciphertext, "the reply cannot be decrypted");
            }
            decrypted = std::move(std::get<decrypted_message>(dec).message);
            xml = decrypted;
            out.encrypted = true;
        } else if (config_.mode == security_mode::safe) {
            return reject(reject_reason::mode_mismatch,
                          "the reply is not encrypted but the account is in safe mode");
        }
    }

    auto parsed = parse_reply_xml(xml);
    if (auto* err = std::get_if<std::string>(&parsed))
        return reject(reject_reason::malformed_xml, std::move(*err));
    auto& p = std::get<parsed_reply>(parsed);
    out.reply = std::move(p.reply);
    out.msg_type = std::move(p.msg_type);
    out.header = std::move(p.header);
    out.article_count = p.article_count;
    return out;
}

}  // namespace minsheng::adapters::wechat_oa
