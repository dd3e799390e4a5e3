// The official-account XML layer on its own (adapters/wechat_oa/xml_message.hpp, envelope.hpp,
// reply_xml.hpp): every parser fed the same bytes.
// Contracts: nothing throws; a parsed message has its required fields and coordinates in
// range, maps to the engine's message, and a text, location or event push rendered back from
// it parses to the same fields (CDATA splitting of "]]>", escaping); find_encrypt accepts every
// body that parse_xml_message accepts; an envelope and a text reply render and parse back to
// themselves.

#include <cmath>
#include <cstdint>
#include <string>
#include <variant>

#include "adapters/wechat_oa/client_codec.hpp"
#include "adapters/wechat_oa/envelope.hpp"
#include "adapters/wechat_oa/reply_xml.hpp"
#include "adapters/wechat_oa/xml_message.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace minsheng::adapters::wechat_oa;
using minsheng::fuzz::xml_eol;

namespace {

// What XML can carry through CDATA: valid UTF-8 without the characters XML forbids.
bool xml_safe(std::string_view s) { return fit_utf8(s, s.size()) == s; }

void check_message(std::string_view body, const oa_xml_message& m) {
    FUZZ_CHECK(!m.to_user.empty() && !m.from_user.empty() && !m.msg_type.empty());
    if (m.type == xml_msg_type::location) {
        FUZZ_CHECK(m.location_x && m.location_y);
        FUZZ_CHECK(std::isfinite(*m.location_x) && std::abs(*m.location_x) <= 90);
        FUZZ_CHECK(std::isfinite(*m.location_y) && std::abs(*m.location_y) <= 180);
    }
    const auto in = to_inbound(m);
    FUZZ_CHECK(in.from == minsheng::dialog::channel::wechat_oa);
    FUZZ_CHECK(!in.dedup_key.empty());
    FUZZ_CHECK(in.user_id == m.from_user);
    if (in.latitude) FUZZ_CHECK(std::isfinite(*in.latitude) && std::abs(*in.latitude) <= 90);
    if (in.longitude) FUZZ_CHECK(std::isfinite(*in.longitude) && std::abs(*in.longitude) <= 180);

    // A well-formed <xml> body: find_encrypt must read it too.
    FUZZ_CHECK(!std::holds_alternative<xml_error>(find_encrypt(body)));

    if (!xml_safe(m.to_user) || !xml_safe(m.from_user)) return;
    if (m.type == xml_msg_type::text && xml_safe(m.content) && xml_safe(m.msg_id)) {
        const std::string again =
            render_text_push({m.to_user, m.from_user, m.content, m.create_time, m.msg_id});
        const auto back = parse_xml_message(again);
        FUZZ_CHECK(std::holds_alternative<oa_xml_message>(back));
        const auto& b = std::get<oa_xml_message>(back);
        FUZZ_CHECK(b.to_user == xml_eol(m.to_user) && b.from_user == xml_eol(m.from_user));
        FUZZ_CHECK(b.content == xml_eol(m.content));
        FUZZ_CHECK(b.create_time == m.create_time && b.type == xml_msg_type::text);
    }
    if (m.type == xml_msg_type::event && xml_safe(m.event) && xml_safe(m.event_key)) {
        const std::string again =
            render_event_push({m.to_user, m.from_user, m.event, m.event_key, m.create_time});
        const auto back = parse_xml_message(again);
        // Events whose own elements are required (LOCATION's Latitude, ...) need more than the
        // render writes: compared only when it parses.
        if (!std::holds_alternative<oa_xml_message>(back)) return;
        const auto& b = std::get<oa_xml_message>(back);
        FUZZ_CHECK(b.event == xml_eol(m.event) && b.event_key == xml_eol(m.event_key));
        FUZZ_CHECK(b.from_user == xml_eol(m.from_user) && b.create_time == m.create_time);
    }
}

void check_envelope(std::string_view body) {
    const auto e = parse_envelope(body);
    if (!e) return;
    if (!xml_safe(e->encrypt) || !xml_safe(e->msg_signature) || !xml_safe(e->nonce)) return;
    // render_envelope writes TimeStamp as it is: decimal seconds, as the struct says.
    if (e->timestamp.empty() || e->timestamp.find_first_not_of("0123456789") != std::string::npos)
        return;
    const auto back = parse_envelope(render_envelope(*e));
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(back->encrypt == xml_eol(e->encrypt) && back->nonce == xml_eol(e->nonce));
    FUZZ_CHECK(back->msg_signature == xml_eol(e->msg_signature));
    FUZZ_CHECK(back->timestamp == xml_eol(e->timestamp));
}

void check_reply(std::string_view body) {
    const auto r = parse_reply_xml(body);
    const auto* p = std::get_if<parsed_reply>(&r);
    if (!p || p->reply.kind != minsheng::dialog::reply::type::text) return;
    if (!xml_safe(p->reply.text) || !xml_safe(p->header.to_user) || !xml_safe(p->header.from_user))
        return;
    const auto back = parse_reply_xml(render_text_reply(p->header, p->reply.text));
    FUZZ_CHECK(std::holds_alternative<parsed_reply>(back));
    const auto& b = std::get<parsed_reply>(back);
    FUZZ_CHECK(b.reply.kind == minsheng::dialog::reply::type::text);
    FUZZ_CHECK(b.reply.text == xml_eol(p->reply.text));
    FUZZ_CHECK(b.header.to_user == xml_eol(p->header.to_user));
    FUZZ_CHECK(b.header.create_time == p->header.create_time);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body = minsheng::fuzz::as_view(data, size);
    const auto parsed = parse_xml_message(body);
    if (const auto* m = std::get_if<oa_xml_message>(&parsed)) check_message(body, *m);
    (void)find_encrypt(body);
    check_envelope(body);
    check_reply(body);
    return 0;
}
