#include "dialog/cases/operator_desk.hpp"

#include <utility>

namespace minsheng::dialog::cases {

case_event add_note(unit_of_work& uow, const case_record& c, const actor& who, std::string text,
                    std::int64_t now) {
    case_event e;
    e.case_id = c.id;
    e.at = now;
    e.actor = who.key();
    e.action = "note";
    e.note = std::move(text);
    e.id = uow.add_event(e);
    return e;
}

std::string canned_reply_text(const template_set& texts, std::string_view key,
                              const case_record& c) {
    const auto all = texts.render(key, {{"number", c.number},
                                        {"status", case_service::status_label(texts, c)},
                                        {"community", c.community},
                                        {"category", c.category}});
    const auto nl = all.find('\n');
    std::string message = nl == std::string::npos ? all : all.substr(nl + 1);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
        message.pop_back();
    return message;
}

}  // namespace minsheng::dialog::cases
