#include "adapters/wechat_oa/reply_xml.hpp"

#include "adapters/wechat_oa/detail/xml_text.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::adapters::wechat_oa {

namespace {

bool allowed_in_xml(char32_t cp) {
    if (cp < 0x20) return cp == 0x09 || cp == 0x0a || cp == 0x0d;
    return cp != 0xfffe && cp != 0xffff;
}

void open_reply(std::string& out, const reply_header& h, std::string_view msg_type) {
    out += "<xml>";
    detail::append_cdata_element(out, "ToUserName", h.to_user);
    detail::append_cdata_element(out, "FromUserName", h.from_user);
    detail::append_int_element(out, "CreateTime", h.create_time);
    detail::append_cdata_element(out, "MsgType", msg_type);
}

}  // namespace

std::string fit_utf8(std::string_view text, std::size_t max_bytes) {
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
    std::size_t i = 0;
    while (i < text.size()) {
        const auto d = dialog::decode_utf8(text, i);
        // Each invalid byte becomes its own U+FFFD, as the reply tests pin.
        std::size_t len = d.valid ? d.len : 1;
        std::string_view piece;
        if (!d.valid) {
            piece = replacement;
        } else if (!allowed_in_xml(d.cp)) {
            i += len;
            continue;
        } else {
            piece = text.substr(i, len);
        }
        if (out.size() + piece.size() > max_bytes) break;
        out += piece;
        i += len;
    }
    return out;
}

std::string render_text_reply(const reply_header& h, std::string_view content) {
    std::string out;
    out.reserve(160 + content.size());
    open_reply(out, h, "text");
    detail::append_cdata_element(out, "Content", content);
    out += "</xml>";
    return out;
}

std::string render_news_reply(const reply_header& h, std::span<const news_article> articles) {
    std::string out;
    open_reply(out, h, "news");
    detail::append_int_element(out, "ArticleCount", static_cast<std::int64_t>(articles.size()));
    out += "<Articles>";
    for (const news_article& a : articles) {
        out += "<item>";
        detail::append_cdata_element(out, "Title", a.title);
        detail::append_cdata_element(out, "Description", a.description);
        detail::append_cdata_element(out, "PicUrl", a.pic_url);
        detail::append_cdata_element(out, "Url", a.url);
        out += "</item>";
    }
    out += "</Articles></xml>";
    return out;
}

std::string render_image_reply(const reply_header& h, std::string_view media_id) {
    std::string out;
    open_reply(out, h, "image");
    out += "<Image>";
    detail::append_cdata_element(out, "MediaId", media_id);
    out += "</Image></xml>";
    return out;
}

std::string render_voice_reply(const reply_header& h, std::string_view media_id) {
    std::string out;
    open_reply(out, h, "voice");
    out += "<Voice>";
    detail::append_cdata_element(out, "MediaId", media_id);
    out += "</Voice></xml>";
    return out;
}

std::string render_video_reply(const reply_header& h, std::string_view media_id,
                               std::string_view title, std::string_view description) {
    std::string out;
    open_reply(out, h, "video");
    out += "<Video>";
    detail::append_cdata_element(out, "MediaId", media_id);
    detail::append_cdata_element(out, "Title", title);
    detail::append_cdata_element(out, "Description", description);
    out += "</Video></xml>";
    return out;
}

std::string render_music_reply(const reply_header& h, const music_reply& m) {
    std::string out;
    open_reply(out, h, "music");
    out += "<Music>";
    detail::append_cdata_element(out, "Title", m.title);
    detail::append_cdata_element(out, "Description", m.description);
    detail::append_cdata_element(out, "ThumbMediaId", m.thumb_media_id);
    detail::append_cdata_element(out, "MusicUrl", m.music_url);
    detail::append_cdata_element(out, "HQMusicUrl", m.hq_music_url);
    out += "</Music></xml>";
    return out;
}

std::string render_transfer_customer_service_reply(const reply_header& h) {
    std::string out;
    open_reply(out, h, "transfer_customer_service");
    out += "</xml>";
    return out;
}

std::variant<parsed_reply, std::string> parse_reply_xml(std::string_view body) {
    parsed_reply out;
    if (body.empty() || body == "success") return out;

    pugi::xml_document doc;
    pugi::xml_node root = detail::load_wechat_xml(doc, body);
    if (!root) return std::string("the reply is neither \"success\" nor a well-formed <xml>");

    out.header.to_user = detail::child_text(root, "ToUserName").value_or("");
    out.header.from_user = detail::child_text(root, "FromUserName").value_or("");
    auto create_time = detail::child_int(root, "CreateTime");
    auto msg_type = detail::child_text(root, "MsgType");
    if (out.header.to_user.empty() || out.header.from_user.empty() || !create_time || !msg_type ||
        msg_type->empty())
        return std::string("the reply lacks ToUserName, FromUserName, CreateTime or MsgType");
    out.header.create_time = *create_time;
    out.msg_type = *msg_type;

    if (out.msg_type == "text") {
        auto content = detail::child_text(root, "Content");
        if (!content) return std::string("the text reply has no Content");
        out.reply = dialog::reply::of_text(std::move(*content));
    } else if (out.msg_type == "news") {
        pugi::xml_node articles = root.child("Articles");
        pugi::xml_node first = articles.child("item");
        if (!first) return std::string("the news reply has no article");
        for (pugi::xml_node item = first; item; item = item.next_sibling("item"))
            ++out.article_count;
        out.reply.kind = dialog::reply::type::news;
        out.reply.title = detail::child_text(first, "Title").value_or("");
        out.reply.description = detail::child_text(first, "Description").value_or("");
        out.reply.pic_url = detail::child_text(first, "PicUrl").value_or("");
        out.reply.url = detail::child_text(first, "Url").value_or("");
    }
    return out;
}

}  // namespace minsheng::adapters::wechat_oa
