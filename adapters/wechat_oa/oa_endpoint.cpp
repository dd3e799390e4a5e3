#include "adapters/wechat_oa/oa_endpoint.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <stdexcept>

#include "adapters/wechat_oa/detail/config_check.hpp"
#include "adapters/wechat_oa/envelope.hpp"
#include "adapters/wechat_oa/reply_xml.hpp"
#include "adapters/wechat_oa/signature.hpp"
#include "adapters/wechat_oa/xml_message.hpp"

namespace minsheng::adapters::wechat_oa {

namespace {

rejection reject(reject_reason reason, std::string detail) {
    return rejection{reason, std::move(detail)};
}

// Finds a required parameter; nullptr when absent.
const std::string* find(const query_params& q, std::string_view name) {
    auto it = q.find(name);
    return it == q.end() ? nullptr : &it->second;
}

std::optional<rejection> require(const query_params& q,
                                 std::initializer_list<std::string_view> names) {
    for (std::string_view n : names) {
        if (!find(q, n))
            return reject(reject_reason::missing_parameter,
                          "missing query parameter: " + std::string(n));
    }
    return std::nullopt;
}

// Unix seconds as digits only; anything else, or outside the window, is stale.
std::optional<rejection> check_timestamp(std::string_view text, std::int64_t now,
                                         std::int64_t max_skew) {
    std::int64_t ts = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, ts);
    if (text.empty() || text.front() == '-' || ec != std::errc{} || p != end)
        return reject(reject_reason::stale_timestamp, "timestamp is not a number of seconds");
    // |now - ts| in unsigned arithmetic: no overflow whatever the values.
    const auto a = static_cast<std::uint64_t>(now);
    const auto b = static_cast<std::uint64_t>(ts);
    const std::uint64_t diff = now >= ts ? a - b : b - a;
    if (max_skew < 0 || diff > static_cast<std::uint64_t>(max_skew))
        return reject(reject_reason::stale_timestamp,
                      "timestamp is outside the accepted clock skew");
    return std::nullopt;
}

// WeChat's nonces are a few digits. An encrypted reply echoes the nonce into its envelope and
// signs it, so one that XML would change on the way (a CR, a control byte, "]]>") makes a
// reply no client verifies: refused before anything else, as a parameter that cannot be used.
std::optional<rejection> check_nonce(std::string_view nonce) {
    constexpr std::size_t max_nonce = 64;
    const bool plain_word = !nonce.empty() && nonce.size() <= max_nonce &&
                            std::all_of(nonce.begin(), nonce.end(), [](char c) {
                                return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                                       (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
                            });
    if (plain_word) return std::nullopt;
    return reject(reject_reason::missing_parameter,
                  "nonce must be 1 to 64 letters, digits, '-' or '_'");
}

std::string_view crypto_detail(crypto_error e) {
    switch (e) {
        case crypto_error::bad_base64:
            return "the Encrypt value is not valid base64";
        case crypto_error::bad_block_size:
            return "the ciphertext is not a whole number of AES blocks";
        case crypto_error::bad_padding:
            return "the decrypted message has invalid padding";
        case crypto_error::bad_length:
            return "the decrypted message has an invalid length field";
        case crypto_error::wrong_receive_id:
            return "the message was encrypted for another appid";
        case crypto_error::cipher_failure:
            return "the message could not be decrypted";
    }
    return "the message could not be decrypted";
}

decoded_push to_push(const oa_xml_message& m, const std::string& nonce, bool encrypted) {
    decoded_push p;
    p.message = to_inbound(m);
    p.to_user = m.to_user;
    p.from_user = m.from_user;
    p.nonce = nonce;
    p.encrypted = encrypted;
    return p;
}

std::string decimal(std::int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    return std::string(buf, end);
}

}  // namespace

std::string_view to_string(reject_reason r) {
    switch (r) {
        case reject_reason::bad_signature:
            return "bad_signature";
        case reject_reason::missing_parameter:
            return "missing_parameter";
        case reject_reason::stale_timestamp:
            return "stale_timestamp";
        case reject_reason::malformed_xml:
            return "malformed_xml";
        case reject_reason::bad_ciphertext:
            return "bad_ciphertext";
        case reject_reason::wrong_appid:
            return "wrong_appid";
        case reject_reason::mode_mismatch:
            return "mode_mismatch";
    }
    return "unknown";
}

int http_status(reject_reason r) { return r == reject_reason::bad_signature ? 401 : 400; }

oa_endpoint::oa_endpoint(oa_config config) : config_(std::move(config)) {
    cipher_ = detail::checked_cipher(config_);
}

std::variant<std::string, rejection> oa_endpoint::verify_url(const query_params& query,
                                                             std::int64_t now) const {
    if (auto r = require(query, {"signature", "timestamp", "nonce", "echostr"})) return *r;
    const std::string& timestamp = *find(query, "timestamp");
    const std::string& nonce = *find(query, "nonce");
    if (!signature_matches(plain_signature(config_.token, timestamp, nonce),
                           *find(query, "signature")))
        return reject(reject_reason::bad_signature, "signature does not verify");
    if (auto r = check_timestamp(timestamp, now, config_.max_clock_skew)) return *r;
    return *find(query, "echostr");
}

std::variant<decoded_push, rejection> oa_endpoint::decode(const query_params& query,
                                                          std::string_view body,
                                                          std::int64_t now) const {
    if (config_.mode == security_mode::plain) return decode_plain(query, body, now);
    return decode_encrypted(query, body, now);
}

std::variant<decoded_push, rejection> oa_endpoint::decode_plain(const query_params& query,
                                                                std::string_view body,
                                                                std::int64_t now) const {
    if (auto r = require(query, {"signature", "timestamp", "nonce"})) return *r;
    const std::string& timestamp = *find(query, "timestamp");
    const std::string& nonce = *find(query, "nonce");
    if (auto r = check_nonce(nonce)) return *r;
    if (!signature_matches(plain_signature(config_.token, timestamp, nonce),
                           *find(query, "signature")))
        return reject(reject_reason::bad_signature, "signature does not verify");
    if (auto r = check_timestamp(timestamp, now, config_.max_clock_skew)) return *r;

    auto parsed = parse_xml_message(body);
    if (auto* err = std::get_if<xml_error>(&parsed)) {
        auto enc = find_encrypt(body);
        if (auto* e = std::get_if<std::optional<std::string>>(&enc); e && e->has_value())
            return reject(reject_reason::mode_mismatch,
                          "the body is encrypted but the account is in plain mode");
        return reject(reject_reason::malformed_xml, std::move(err->detail));
    }
    return to_push(std::get<oa_xml_message>(parsed), nonce, false);
}

std::variant<decoded_push, rejection> oa_endpoint::decode_encrypted(const query_params& query,
                                                                    std::string_view body,
                                                                    std::int64_t now) const {
    if (auto r = require(query, {"msg_signature", "timestamp", "nonce", "encrypt_type"})) return *r;
    const std::string& timestamp = *find(query, "timestamp");
    const std::string& nonce = *find(query, "nonce");
    if (auto r = check_nonce(nonce)) return *r;
    if (*find(query, "encrypt_type") != "aes")
        return reject(reject_reason::mode_mismatch, "encrypt_type must be aes in this mode");
    if (const std::string* sig = find(query, "signature")) {
        if (!signature_matches(plain_signature(config_.token, timestamp, nonce), *sig))
            return reject(reject_reason::bad_signature, "signature does not verify");
    }

    auto enc = find_encrypt(body);
    if (auto* err = std::get_if<xml_error>(&enc))
        return reject(reject_reason::malformed_xml, std::move(err->detail));
    const std::optional<std::string>& encrypt = std::get<std::optional<std::string>>(enc);
    if (!encrypt)
        return reject(reject_reason::mode_mismatch,
                      "the body has no Encrypt element but the account is in " +
                          std::string(config_.mode == security_mode::safe ? "safe" : "compat") +
                          " mode");

    if (!signature_matches(msg_signature(config_.token, timestamp, nonce, *encrypt),
                           *find(query, "msg_signature")))
        return reject(reject_reason::bad_signature, "msg_signature does not verify");
    if (auto r = check_timestamp(timestamp, now, config_.max_clock_skew)) return *r;

    auto dec = cipher_->decrypt(*encrypt, std::string_view(config_.appid));
    if (auto* e = std::get_if<crypto_error>(&dec)) {
        if (*e == crypto_error::wrong_receive_id)
            return reject(reject_reason::wrong_appid, std::string(crypto_detail(*e)));
        return reject(reject_reason::bad_ciphertext, std::string(crypto_detail(*e)));
    }

    auto parsed = parse_xml_message(std::get<decrypted_message>(dec).message);
    if (auto* err = std::get_if<xml_error>(&parsed))
        return reject(reject_reason::malformed_xml, "decrypted message: " + err->detail);
    return to_push(std::get<oa_xml_message>(parsed), nonce, true);
}

std::string oa_endpoint::encode(const decoded_push& push, const dialog::reply& r, std::int64_t now,
                                std::string_view random16) const {
    reply_header h{push.from_user, push.to_user, now};
    std::string xml;
    switch (r.kind) {
        case dialog::reply::type::none:
            return "success";
        case dialog::reply::type::text: {
            std::string text = fit_utf8(r.text, max_text_reply_bytes);
            if (text.empty()) return "success";
            xml = render_text_reply(h, text);
            break;
        }
        case dialog::reply::type::news: {
            constexpr auto no_limit = std::numeric_limits<std::size_t>::max();
            const news_article article{fit_utf8(r.title, no_limit),
                                       fit_utf8(r.description, no_limit),
                                       fit_utf8(r.pic_url, no_limit), fit_utf8(r.url, no_limit)};
            xml = render_news_reply(h, std::span<const news_article>(&article, 1));
            break;
        }
    }
    if (!push.encrypted) return xml;
    if (!cipher_) throw std::invalid_argument("an encrypted push cannot be answered in plain mode");

    encrypted_envelope e;
    e.encrypt = cipher_->encrypt(xml, config_.appid, random16);
    e.timestamp = decimal(now);
    e.nonce = push.nonce;
    e.msg_signature = msg_signature(config_.token, e.timestamp, e.nonce, e.encrypt);
    return render_envelope(e);
}

std::string oa_endpoint::encode(const decoded_push& push, const dialog::reply& r,
                                std::int64_t now) const {
    if (r.kind == dialog::reply::type::none || !push.encrypted) return encode(push, r, now, {});
    return encode(push, r, now, random16());
}

}  // namespace minsheng::adapters::wechat_oa
