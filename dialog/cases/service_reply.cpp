// An operator's message to the reporter of a case (the operator API's canned and free replies).

#include <nlohmann/json.hpp>

#include "dialog/cases/detail/service_support.hpp"
#include "dialog/cases/service.hpp"

namespace minsheng::dialog::cases {

std::optional<notification> case_service::reply_to_reporter(unit_of_work& uow, std::int64_t case_id,
                                                            const actor& who,
                                                            std::string template_key,
                                                            std::string text,
                                                            std::int64_t now) const {
    if (text.empty()) return std::nullopt;
    auto c = uow.get_case(case_id);
    if (!c) return std::nullopt;
    case_event e;
    e.case_id = c->id;
    e.at = now;
    e.actor = who.key();
    e.action = "reply";
    e.note = text;
    // The event's id makes the key: every reply is its own message, and a retried transaction
    // (which rolls the event back too) cannot send one twice.
    const std::int64_t event_id = uow.add_event(e);

    notification n;
    n.audience = "resident";
    n.to = detail::reporter_of(*c);
    n.template_key = std::move(template_key);
    n.vars_json = nlohmann::json{{"number", c->number}, {"text", text}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    n.text = std::move(text);
    n.case_id = c->id;
    n.idempotency_key = "reply:" + std::to_string(c->id) + ":" + std::to_string(event_id);
    n.created_at = now;
    uow.enqueue(n);
    return n;
}

}  // namespace minsheng::dialog::cases
