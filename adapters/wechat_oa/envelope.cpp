#include "adapters/wechat_oa/envelope.hpp"

#include "adapters/wechat_oa/detail/xml_text.hpp"

namespace minsheng::adapters::wechat_oa {

std::string render_envelope(const encrypted_envelope& e) {
    std::string out;
    out.reserve(e.encrypt.size() + 200);
    out += "<xml>\n";
    detail::append_cdata_element(out, "Encrypt", e.encrypt);
    out += '\n';
    detail::append_cdata_element(out, "MsgSignature", e.msg_signature);
    out += "\n<TimeStamp>";
    out += e.timestamp;  // decimal digits only: the caller formats a number
    out += "</TimeStamp>\n";
    detail::append_cdata_element(out, "Nonce", e.nonce);
    out += "\n</xml>";
    return out;
}

std::optional<encrypted_envelope> parse_envelope(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = detail::load_wechat_xml(doc, body);
    if (!root) return std::nullopt;
    auto encrypt = detail::child_text(root, "Encrypt");
    auto signature = detail::child_text(root, "MsgSignature");
    auto timestamp = detail::child_text(root, "TimeStamp");
    auto nonce = detail::child_text(root, "Nonce");
    if (!encrypt || !signature || !timestamp || !nonce) return std::nullopt;
    return encrypted_envelope{std::move(*encrypt), std::move(*signature), std::move(*timestamp),
                              std::move(*nonce)};
}

}  // namespace minsheng::adapters::wechat_oa
