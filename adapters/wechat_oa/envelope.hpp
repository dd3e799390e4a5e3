#pragma once
// The encrypted reply envelope of compat/safe mode, in the layout of the official
// WXBizMsgCrypt sample:
//   <xml>\n<Encrypt><![CDATA[..]]></Encrypt>\n<MsgSignature><![CDATA[..]]></MsgSignature>\n
//   <TimeStamp>..</TimeStamp>\n<Nonce><![CDATA[..]]></Nonce>\n</xml>
// Pure functions on values, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::adapters::wechat_oa {

struct encrypted_envelope {
    std::string encrypt;        // base64 ciphertext
    std::string msg_signature;  // sha1 over (token, timestamp, nonce, encrypt)
    std::string timestamp;      // decimal seconds, as signed
    std::string nonce;
};

std::string render_envelope(const encrypted_envelope& e);

// Parses an envelope; nullopt unless the body is a well-formed <xml> with all four elements.
std::optional<encrypted_envelope> parse_envelope(std::string_view body);

}  // namespace minsheng::adapters::wechat_oa
