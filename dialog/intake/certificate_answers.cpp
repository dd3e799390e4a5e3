#include "dialog/intake/certificate_answers.hpp"

namespace minsheng::dialog::intake {

const std::vector<std::string>& certificate_templates() {
    static const std::vector<std::string> keys = {
        "reply/certificate_moved", "reply/certificate_kept", "reply/certificate_policy"};
    return keys;
}

std::string certificate_answer(const template_set& templates, const certificate_item& item) {
    const template_set::vars v = {{"name", item.name},           {"department", item.department},
                                  {"where", item.where},         {"bring", item.bring},
                                  {"procedure", item.procedure}, {"policy", item.policy}};
    std::string text = templates.render(
        item.community_issues ? "reply/certificate_kept" : "reply/certificate_moved", v);
    if (!item.community_issues && !item.policy.empty())
        text += "\n" + templates.render("reply/certificate_policy", v);
    return text;
}

void count_certificate(unit_of_work& uow, const certificate_item& item, channel from,
                       std::string_view source_key, bool escalated, std::int64_t now) {
    uow.count_certificate_answer(item.id, from, source_key, now);
    if (escalated) uow.certificate_answer_escalated(source_key);
}

std::vector<call_certificate> answer_call_certificates(const certificate_catalogue& catalogue,
                                                       const template_set& templates,
                                                       unit_of_work& uow, call_report& call,
                                                       std::int64_t now) {
    std::vector<call_certificate> out;
    std::vector<call_appeal> kept;
    std::vector<std::string> kept_spans;
    std::size_t n = 0;
    for (std::size_t i = 0; i < call.appeals.size(); ++i) {
        const std::string span = i < call.spans.size() ? call.spans[i] : "";
        const auto* item = catalogue.asked(call.appeals[i].understood);
        if (item) {
            call_certificate c;
            c.item = item->id;
            c.name = item->name;
            c.answer = certificate_answer(templates, *item);
            c.span = span;
            c.escalated = call.still_needs_help;
            c.appeal = kept.size();
            count_certificate(uow, *item, channel::hotline,
                              call.dedup_key + "#c" + std::to_string(++n), c.escalated, now);
            out.push_back(std::move(c));
            if (!call.still_needs_help) continue;
        }
        kept.push_back(std::move(call.appeals[i]));
        kept_spans.push_back(span);
    }
    call.appeals = std::move(kept);
    call.spans = std::move(kept_spans);
    return out;
}

}  // namespace minsheng::dialog::intake
