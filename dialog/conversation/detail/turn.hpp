#pragma once
// One step() of the conversation as the flows see it: the message, its understanding, the
// transaction, the clock, the texts and the case service, and the outcome being built; plus the
// formatting every flow shares (dates, distances, lists that fit one passive reply). A turn lives
// for one step() on one thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/cases/duplicates.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/conversation/conversation.hpp"
#include "dialog/conversation/detail/state.hpp"
#include "dialog/intake/certificates.hpp"
#include "dialog/intake/sketch_cache.hpp"
#include "dialog/message.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog::detail {

// WeChat answers a passive reply of at most 2048 bytes; lists stop short of it.
inline constexpr std::size_t reply_byte_budget = 2000;
inline constexpr std::size_t list_max_items = 5;

struct turn {
    const inbound_message& m;
    const nlu::understanding* u;  // nullptr for events and media
    unit_of_work& uow;
    std::int64_t now;
    const template_set& texts;
    const cases::case_service& service;
    step_outcome& out;
    // The problems of a long text message (intake::find_appeals), when the caller found them.
    const std::vector<intake::call_appeal>* problems = nullptr;
    // The city's certificate list; nullptr when the deployment has none.
    const intake::certificate_catalogue* certificates = nullptr;
    // The engine that sketches open cases for the duplicate search; null: no search.
    const nlu::engine* engine = nullptr;
    const cases::duplicate_policy* duplicates = nullptr;
    // The open cases' sketches the search keeps (the conversation's own); null: none kept.
    intake::sketch_cache* sketches = nullptr;

    person_ref me() const { return {m.from, m.user_id}; }
    cases::actor actor() const { return cases::actor::of(me()); }
    std::optional<person> profile() const { return uow.get_person(me()); }

    std::string render(std::string_view key, const template_set::vars& v = {}) const {
        return texts.render(key, v);
    }
    // Sets the reply to the rendered template.
    void say(std::string_view key, const template_set::vars& v = {}) {
        out.answer = reply::of_text(render(key, v));
    }
    void say_text(std::string text) { out.answer = reply::of_text(std::move(text)); }

    // The pending question: at most one per person.
    std::optional<pending_state> pending() const;
    void ask(pending_state s);  // saves s, asked now
    void forget();              // no pending question any more
};

// Arguments of case_service::act.
inline cases::act_args with_note(std::string note) {
    cases::act_args a;
    a.note = std::move(note);
    return a;
}
inline cases::act_args rating_args(int rating, std::string comment) {
    cases::act_args a;
    a.note = comment;
    a.rating = rating;
    a.comment = std::move(comment);
    return a;
}

// "11月30日", with the year when it is not the year of `now` ("2027年1月5日"); China time.
std::string date_text(std::int64_t unix, std::int64_t now);
// date_text with the China time of day: "11月30日 14:05".
std::string moment_text(std::int64_t unix, std::int64_t now);
// One audit-trail action as residents read it ("志愿者已认领"), from reply/event/*.
std::string event_text(const template_set& texts, std::string_view action);
// A distance as people say it, from reply/distance_*: "约300米" under a kilometre (to 10 m),
// "约1.2公里" under 10 km, "约52公里" beyond.
std::string distance_text(const template_set& texts, double km);
// At most max_chars code points of s, with "…" when cut.
std::string cut(std::string_view s, std::size_t max_chars);
// header, then each item on its own line while the whole stays within reply_byte_budget (at
// most list_max_items), then footer ("" for none).
std::string list_text(std::string_view header, const std::vector<std::string>& items,
                      std::string_view footer);

// The action keys the flows and the lifecycle write in case_events, in reply/event/*.
const std::vector<std::string>& event_keys();

}  // namespace minsheng::dialog::detail
