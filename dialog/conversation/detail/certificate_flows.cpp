// Certificates (证明事项) answered from the city's list (intake::certificate_catalogue) without a
// case: where a certificate the community no longer issues is issued now, with what, on which
// policy; the community's own procedure for one it keeps. "还是需要社区帮忙" (and the ways people
// say it) then opens a consultation case with the request.

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "dialog/conversation/detail/flows.hpp"
#include "dialog/intake/certificate_answers.hpp"

namespace minsheng::dialog::detail {
namespace {

bool has_any(std::string_view text, std::initializer_list<std::string_view> words) {
    return std::any_of(words.begin(), words.end(),
                       [&](auto w) { return text.find(w) != std::string_view::npos; });
}

}  // namespace

const intake::certificate_item* certificate_asked(const turn& t) {
    if (!t.certificates || !t.u) return nullptr;
    return t.certificates->asked(*t.u);
}

bool still_needs_help(const nlu::understanding& u) {
    return has_any(
        u.normalised,
        {"还是需要", "还是要",   "仍然需要", "仍需",   "还需要社区", "需要社区帮", "社区帮忙",
         "社区帮我", "要社区开", "帮我开",   "帮我办", "帮帮我",     "帮下我",     "人工",
         "登记",     "办不了",   "办不到",   "不给办", "不给开",     "不肯开",     "不肯办",
         "还是不行", "仲系需要", "仲要",     "都系要", "唔肯",       "搞唔掂"});
}

bool certificate_request(turn& t) {
    const auto* item = certificate_asked(t);
    if (!item) return false;
    appeal_draft a = draft_of_message(t);
    a.kind = "consultation";
    a.urgency = "normal";
    a.needs_address = false;
    a.phone_skipped = true;  // answered here; a phone is not required for the follow-up
    pending_state s = about_draft(stage::await_certificate, std::move(a));
    s.text = item->id;
    t.ask(std::move(s));
    t.say_text(intake::certificate_answer(t.texts, *item) + "\n" +
               t.render("reply/certificate_footer"));
    intake::count_certificate(t.uow, *item, t.m.from, t.m.dedup_key, false, t.now);
    return true;
}

bool answer_certificate_question(turn& t, const pending_state& s, const command& cmd) {
    if (cmd.what == verb::none && still_needs_help(*t.u)) {
        t.uow.certificate_answer_escalated(s.draft.source_key);
        open_appeal(t, s.draft);
        return true;
    }
    t.forget();  // answered; whatever comes next is a message of its own
    return false;
}

}  // namespace minsheng::dialog::detail
