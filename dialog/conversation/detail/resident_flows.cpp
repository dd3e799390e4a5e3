// Residents: filing an appeal (slot filling, read-back), details, progress, cancel, confirm,
// rate and "not solved".
#include <algorithm>
#include <functional>

#include "dialog/cases/handling.hpp"
#include "dialog/cases/lifecycle.hpp"
#include "dialog/conversation/detail/flows.hpp"
#include "dialog/conversation/detail/reading.hpp"
#include "dialog/intake/filing.hpp"
#include "dialog/intake/same_problem.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog::detail {
namespace {

namespace status = cases::status;
using cases::action;
using cases::refusal;

// How far back the progress list looks for closed cases.
constexpr std::int64_t recently_closed_seconds = 30 * 86400;
// How many of a person's cases the flows look through.
constexpr std::size_t cases_looked_at = 50;

// Categories whose problems are bound to a place: the case is useless without an address.
bool place_bound(const nlu::understanding& u) {
    if (u.kind.name == "consultation" && !u.kind.unsure) return false;
    const auto& c = u.category.name;
    if (c == "城乡建设" || c == "环境保护" || c == "交通运输") return true;
    return u.kind.name == "project";
}

// An address that names no place a worker could go to: "我们小区", "本村", "这栋楼".
bool vague_address(std::string_view a) {
    for (char c : a)
        if (c >= '0' && c <= '9') return false;
    for (std::string_view p : {"我们", "咱们", "俺们", "我家", "我们家", "本", "这", "那", "该"})
        if (a.substr(0, p.size()) == p) return true;
    return false;
}

// The first address that names a real place, or nullptr.
const nlu::entity* specific_address(const nlu::understanding& u) {
    for (const auto& e : u.entities)
        if (e.type == "address" && !vague_address(e.value)) return &e;
    return nullptr;
}

// Whether the text describes a need or a problem at all.
bool appeal_like(const nlu::understanding& u) {
    const auto& i = u.intent.name;
    if (i == "file_appeal" || i == "add_detail") return true;
    if (!u.intent.unsure && (i == "greet" || i == "help" || i == "ask_progress" || i == "cancel" ||
                             i == "confirm" || i == "rate"))
        return false;
    // A longer text that confidently describes a need or a problem is an appeal, whatever
    // else the intent model guessed for it.
    return count_code_points(u.normalised) >= 12 && (!u.category.unsure || !u.kind.unsure);
}

// Sure enough to open a case without reading it back first.
bool confidently_appeal(const nlu::understanding& u) {
    const auto& i = u.intent.name;
    return (i == "file_appeal" || i == "add_detail") && !u.intent.unsure &&
           !(u.category.unsure && u.kind.unsure);
}

bool mine(const turn& t, const case_record& c) {
    return c.from == t.m.from && c.reporter_id == t.m.user_id;
}

std::vector<case_record> my_cases(turn& t) {
    return t.uow.cases_of(t.m.from, t.m.user_id, cases_looked_at);
}

// The most recent of the person's cases that `pred` accepts.
std::optional<case_record> latest(turn& t, const std::function<bool(const case_record&)>& pred) {
    for (auto& c : my_cases(t))
        if (pred(c)) return c;
    return std::nullopt;
}

// The person's own case by number; nullopt (and the reply says so) when there is none.
std::optional<case_record> find_mine(turn& t, const std::string& number) {
    auto c = t.uow.find_case(number);
    if (!c || !mine(t, *c)) {
        t.say("reply/case_not_found", {{"number", number}});
        return std::nullopt;
    }
    return c;
}

// Open and not yet reported done: still being handled.
bool in_hand(const case_record& c) {
    return cases::is_open(c.status) && c.status != status::done && c.status != status::confirmed;
}
bool cancellable(const case_record& c) { return in_hand(c); }
bool awaiting_feedback(const case_record& c) {
    return c.status == status::done || c.status == status::confirmed;
}

std::string summary_of(const case_record& c, std::size_t chars) {
    return cut(c.description, chars);
}

std::string deadline_line(const turn& t, const case_record& c) {
    if (c.deadline_at == 0 || !in_hand(c)) return "";
    return t.render("reply/deadline_line", {{"date", date_text(c.deadline_at, t.now)}});
}

std::string mode_line(const turn& t, const case_record& c) {
    const std::string label(cases::mode_label(c.handling_mode));
    if (cases::on_wish_wall(c.handling_mode)) return t.render("reply/mode_wall", {{"mode", label}});
    if (!label.empty()) return t.render("reply/mode_express", {{"mode", label}});
    return t.render("reply/mode_workers");
}

// Opens the draft, whose every slot is filled, through the case service; says nothing.
case_record open_quietly(turn& t, const appeal_draft& a) {
    // Every slot was settled by the conversation: no understanding is consulted again.
    return intake::file(t.service, t.uow, report_of(t, a), nullptr, a.normalised, t.now);
}

std::string category_text(const turn& t, const case_record& rec) {
    return rec.category.empty() ? t.render("reply/category_unknown") : rec.category;
}

// Opens the draft, whose every slot is filled, and says so; or, when `may_join` and it is the
// same problem as an open case, makes the person its follower (join_same_problem).
void open(turn& t, const appeal_draft& a, bool may_join = true) {
    if (may_join && join_same_problem(t, a)) return;
    case_record rec = open_quietly(t, a);
    t.forget();
    const std::string category = category_text(t, rec);
    const char* key = rec.kind == "consultation" ? "reply/consultation_opened"
                      : rec.urgency == "urgent"  ? "reply/case_opened_urgent"
                                                 : "reply/case_opened";
    t.say(key, {{"number", rec.number},
                {"category", category},
                {"mode_line", mode_line(t, rec)},
                {"deadline_line", deadline_line(t, rec)}});
    t.out.opened.push_back(std::move(rec));
}

// Asks for the next missing slot of the draft, or opens it when none is missing.
void proceed(turn& t, appeal_draft a) {
    const bool address_missing = a.needs_address && a.address.empty();
    const bool phone_missing = [&] {
        if (a.kind != "wish" || !a.phone.empty() || a.phone_skipped) return false;
        if (t.m.from == channel::hotline) return false;  // the caller's number
        const auto p = t.profile();
        return !p || p->phone.empty();
    }();
    // Their own wish told again: no question to answer for a second one (open() asks the same
    // once every slot is filled, for the drafts that needed none).
    if ((address_missing || phone_missing) && tell_own_need_again(t, a)) return;
    if (address_missing) {
        t.ask(about_draft(stage::await_address, std::move(a)));
        t.say("reply/ask_address");
        return;
    }
    if (a.kind == "wish" && a.phone.empty() && !a.phone_skipped) {
        if (auto p = t.profile(); p && !p->phone.empty()) {
            a.phone = p->phone;
        } else if (t.m.from == channel::hotline) {
            a.phone = t.m.user_id;  // the caller's number
        } else {
            t.ask(about_draft(stage::await_phone, std::move(a)));
            t.say("reply/ask_phone");
            return;
        }
    }
    open(t, a, !a.own_case);
}

// The community an address names ("光明社区3栋" → 光明社区), in Simplified script.
std::string community_of_address(const nlu::entity& address) {
    nlu::understanding just;
    just.entities.push_back(address);
    return community_in(just);
}

void set_address(appeal_draft& a, const nlu::entity& address) {
    a.address = address.text;
    a.community = community_of_address(address);
}

appeal_draft draft_of(const turn& t, const nlu::understanding& u, const std::string& text) {
    appeal_draft a;
    a.description = text;
    a.normalised = u.normalised;
    const auto f = intake::fields_of(u);
    a.category = f.category;
    a.category_confidence = f.category_confidence;
    a.kind = f.kind;
    a.urgency = f.urgency;
    a.phone = f.phone;
    if (const auto* e = specific_address(u)) set_address(a, *e);
    a.needs_address = place_bound(u);
    a.source_key = t.m.dedup_key;
    return a;
}

appeal_draft draft_from(const turn& t, const nlu::understanding& u) {
    return draft_of(t, u, t.m.text);
}

// The contact details in u (a phone, a landline, an address naming a place) into a's gaps.
void take_contact(appeal_draft& a, const nlu::understanding& u) {
    if (a.phone.empty())
        if (const auto* e = u.find("phone") ? u.find("phone") : u.find("landline"))
            a.phone = e->value;
    if (a.address.empty())
        if (const auto* e = specific_address(u)) set_address(a, *e);
}

// What a draft waiting for its matter already knew, into the new draft's gaps.
void take_known(appeal_draft& a, const appeal_draft& known) {
    if (a.phone.empty()) a.phone = known.phone;
    if (a.address.empty() && !known.address.empty()) {
        a.address = known.address;
        a.community = known.community;
    }
}

// Contact details with no matter: a detail for the person's most recent open case, or kept in
// a draft that waits for the matter (and a question back). Never a case of its own.
void contact_given(turn& t, const appeal_draft* known) {
    const auto& u = *t.u;
    if (!known) {
        if (auto c = latest(t, [](const case_record& r) { return in_hand(r); })) {
            auto r = t.service.add_detail(t.uow, c->id, t.actor(), t.m.text, t.now);
            if (r.ok()) {
                t.say("reply/contact_added",
                      {{"number", c->number}, {"understood", found_text(t.texts, u, false)}});
                return;
            }
        }
    }
    appeal_draft a = known ? *known : appeal_draft{};
    take_contact(a, u);
    a.source_key = t.m.dedup_key;
    t.ask(about_draft(stage::await_matter, std::move(a)));
    t.say("reply/contact_only", {{"understood", found_text(t.texts, u, false)}});
}

// A consultation: the answer templates/faq/ knows (with 登记咨询 to register it anyway), or a
// consultation case with its deadline.
void consult(turn& t, const appeal_draft* known) {
    appeal_draft a = draft_from(t, *t.u);
    if (known) take_known(a, *known);
    a.kind = "consultation";
    a.urgency = "normal";
    a.needs_address = false;
    if (const auto topic = faq_topic(*t.u); !topic.empty()) {
        t.ask(about_draft(stage::await_consult, std::move(a)));
        t.say_text(t.render("faq/" + std::string(topic)) + "\n" + t.render("reply/faq_footer"));
        return;
    }
    a.phone_skipped = true;  // a consultation is answered here; a phone is not required
    open(t, a);
}

// A suggestion for a public improvement: offered as a 微实事 proposal, with how voting works.
void offer_proposal(turn& t, appeal_draft a) {
    const auto& s = t.service.settings();
    a.kind = "project";
    const std::string summary = cut(a.description, 40);
    t.ask(about_draft(stage::await_proposal_offer, std::move(a)));
    t.say("reply/proposal_offer", {{"summary", summary},
                                   {"threshold", std::to_string(s.proposal_threshold)},
                                   {"days", std::to_string(s.proposal_voting_seconds / 86400)}});
}

// A long message raising several problems (turn::problems): one case each, when every one has
// the place and contact it needs (the message's own, or the profile's phone). False (nothing
// done) otherwise, and the message is filed as one.
bool several_problems(turn& t, const appeal_draft& whole) {
    if (!t.problems || t.problems->size() < 2) return false;
    std::vector<appeal_draft> drafts;
    const auto profile = t.profile();
    for (std::size_t i = 0; i < t.problems->size(); ++i) {
        const auto& p = (*t.problems)[i];
        appeal_draft a = draft_of(t, p.understood, p.text);
        take_contact(a, p.understood);
        take_known(a, whole);
        if (a.phone.empty() && profile) a.phone = profile->phone;
        if (a.needs_address && a.address.empty()) return false;
        if (a.kind == "wish" && a.phone.empty()) return false;
        if (i > 0) a.source_key = t.m.dedup_key + "#" + std::to_string(i + 1);
        drafts.push_back(std::move(a));
    }
    std::vector<std::string> items;
    for (const auto& a : drafts) {
        case_record rec = open_quietly(t, a);
        items.push_back(
            t.render("reply/several_opened_item", {{"number", rec.number},
                                                   {"summary", cut(rec.description, 20)},
                                                   {"category", category_text(t, rec)}}));
        t.out.opened.push_back(std::move(rec));
    }
    t.forget();
    t.say_text(list_text(
        t.render("reply/several_opened_header", {{"count", std::to_string(items.size())}}), items,
        t.render("reply/several_opened_footer")));
    return true;
}

bool bare_cancel(const nlu::understanding& u, const command& cmd) {
    if (cmd.what == verb::cancel) return cmd.number.empty();
    return cmd.what == verb::none && u.intent.name == "cancel" && !u.intent.unsure;
}

void say_readback(turn& t, const appeal_draft& a) {
    t.say("reply/readback", {{"summary", cut(a.description, 40)}});
}

// What was sent, as a fallback names it: 图片, 语音, ...
std::string media_name(const turn& t) {
    switch (t.m.kind) {
        case inbound_kind::image:
            return t.render("reply/media_image");
        case inbound_kind::voice:
            return t.render("reply/media_voice");
        case inbound_kind::video:
            return t.render("reply/media_video");
        case inbound_kind::link:
            return t.render("reply/media_link");
        case inbound_kind::location:
            return t.render("reply/media_location");
        default:
            return t.render("reply/media_file");
    }
}

void reask(turn& t, const pending_state& s) {
    switch (s.at) {
        case stage::await_address:
            t.say("reply/ask_address_again");
            return;
        case stage::await_phone:
            t.say("reply/ask_phone_again");
            return;
        case stage::await_readback:
            say_readback(t, s.draft);
            return;
        default:
            t.say("reply/media_received", {{"what", media_name(t)}});
            return;
    }
}

bool is_draft_stage(stage s) {
    return s == stage::await_address || s == stage::await_phone || s == stage::await_readback;
}

// Cancels one of the person's cases; the reply says how it went.
void cancel_case(turn& t, const case_record& c) {
    auto r = t.service.act(t.uow, c.id, action::cancel, t.actor(), with_note(t.m.text), t.now);
    if (r.ok()) {
        t.say("reply/case_cancelled", {{"number", c.number}});
    } else if (r.why == refusal::wrong_status && awaiting_feedback(r.after)) {
        t.say("reply/cancel_done_case", {{"number", c.number}});
    } else if (r.why == refusal::wrong_status) {
        t.say("reply/case_already_closed",
              {{"number", c.number},
               {"status", cases::case_service::status_label(t.texts, r.after)}});
    } else {
        t.say("reply/case_not_found", {{"number", c.number}});
    }
}

void rate_case(turn& t, const case_record& c, int rating, const std::string& comment) {
    auto r =
        t.service.act(t.uow, c.id, action::rate, t.actor(), rating_args(rating, comment), t.now);
    if (r.ok()) {
        t.forget();
        const bool reopened = cases::is_open(r.after.status);
        t.say(reopened ? "reply/rated_reopened" : "reply/rated_thanks",
              {{"number", c.number}, {"rating", std::to_string(rating)}});
    } else if (r.why == refusal::wrong_status) {
        t.say("reply/nothing_to_rate");
    } else {
        t.say("reply/case_not_found", {{"number", c.number}});
    }
}

void not_solved_case(turn& t, const case_record& c) {
    auto r = t.service.act(t.uow, c.id, action::not_solved, t.actor(), with_note(t.m.text), t.now);
    if (r.ok()) {
        t.forget();
        t.say("reply/reopened", {{"number", c.number}});
    } else if (r.why == refusal::wrong_status && cases::is_open(r.after.status)) {
        t.say("reply/still_in_progress",
              {{"number", c.number},
               {"status", cases::case_service::status_label(t.texts, r.after)}});
    } else {
        t.say("reply/nothing_to_reopen");
    }
}

std::string media_detail(const inbound_message& m) {
    switch (m.kind) {
        case inbound_kind::image:
            return "[图片] " + (m.url.empty() ? m.media_id : m.url);
        case inbound_kind::voice:
            return "[语音] " + m.media_id;
        case inbound_kind::video:
            return "[视频] " + m.media_id;
        case inbound_kind::file:
            return "[文件] " + m.media_id;
        case inbound_kind::link:
            return "[链接] " + m.text + (m.url.empty() ? "" : " " + m.url);
        case inbound_kind::location: {
            std::string d = "[位置] " + m.label;
            if (m.latitude && m.longitude)
                d += " (" + std::to_string(*m.latitude) + "," + std::to_string(*m.longitude) + ")";
            return d;
        }
        default:
            return m.text;
    }
}

}  // namespace

appeal_draft draft_of_message(const turn& t) { return draft_from(t, *t.u); }

void open_appeal(turn& t, const appeal_draft& a) { open(t, a); }

bool file_appeal(turn& t, const appeal_draft* known) {
    const auto& u = *t.u;
    if (contact_only(u)) {
        contact_given(t, known);
        return true;
    }
    if (consultation_question(u)) {
        consult(t, known);
        return true;
    }
    if (!appeal_like(u)) return false;
    appeal_draft a = draft_from(t, u);
    if (known) take_known(a, *known);
    if (suggestion_like(u)) {
        offer_proposal(t, std::move(a));
        return true;
    }
    if (several_problems(t, a)) return true;
    if (!confidently_appeal(u)) {
        t.ask(about_draft(stage::await_readback, a));
        say_readback(t, a);
        return true;
    }
    proceed(t, std::move(a));
    return true;
}

bool answer_appeal_question(turn& t, pending_state s, const command& cmd) {
    const auto& u = *t.u;
    switch (s.at) {
        case stage::await_matter:
            // The matter, told after the contact: one draft with both. Anything else is handled
            // as a message of its own, and the contact waits on.
            if (cmd.what != verb::none && cmd.what != verb::add_detail) return false;
            if (contact_only(u)) {
                contact_given(t, &s.draft);
                return true;
            }
            return file_appeal(t, &s.draft);
        case stage::await_not_same:
            // "不是同一个问题": their own case after all. Anything else is a message of its own.
            if (!leave_for_own_case(t, s)) return false;
            s.draft.own_case = true;  // any slot still missing is asked, then it opens
            proceed(t, std::move(s.draft));
            return true;
        case stage::await_consult: {
            const std::string c = core_of(u);
            if (c == "登记咨询" || c == "登记" || c == "人工" || c == "人工解答" || is_yes(u)) {
                open(t, s.draft);
                return true;
            }
            t.forget();  // answered; whatever comes next is a message of its own
            return false;
        }
        case stage::await_readback:
            if (is_yes(u)) {
                proceed(t, std::move(s.draft));
                return true;
            }
            if (is_no(u)) {
                t.forget();
                t.say("reply/readback_denied");
                return true;
            }
            if (bare_cancel(u, cmd)) {
                t.forget();
                t.say("reply/cancelled");
                return true;
            }
            return false;
        case stage::await_address: {
            if (bare_cancel(u, cmd)) {
                t.forget();
                t.say("reply/cancelled");
                return true;
            }
            if (const auto* e = specific_address(u)) {
                set_address(s.draft, *e);
                proceed(t, std::move(s.draft));
                return true;
            }
            if (cmd.what != verb::none && cmd.what != verb::add_detail) return false;
            if (const auto* e = u.find("phone") ? u.find("phone") : u.find("landline");
                e && contact_only(u)) {
                // The phone, given where the place was asked: kept, and the place asked again.
                s.draft.phone = e->value;
                t.ask(about_draft(stage::await_address, std::move(s.draft)));
                t.say("reply/phone_noted_ask_address", {{"phone", nlu::mask_phone(e->value)}});
                return true;
            }
            if (confidently_appeal(u) && count_code_points(u.normalised) >= 12) {
                // Not a place but the matter itself, told properly this time ("我要反映一下",
                // then the story): one draft with both, asking again for what is missing.
                appeal_draft a = draft_from(t, u);
                a.description = s.draft.description + " " + a.description;
                a.normalised = s.draft.normalised + " " + a.normalised;
                a.needs_address = a.needs_address || s.draft.needs_address;
                proceed(t, std::move(a));
                return true;
            }
            const auto& i = u.intent.name;
            if (i == "greet" || i == "help" || i == "ask_progress") {
                t.say("reply/ask_address_again");
                return true;
            }
            // Whatever else the resident says now is taken as the place they were asked for.
            s.draft.address = std::string(utf8_prefix(t.m.text, 300));
            proceed(t, std::move(s.draft));
            return true;
        }
        case stage::await_phone:
            if (is_skip_phone(u)) {
                s.draft.phone_skipped = true;
                proceed(t, std::move(s.draft));
                return true;
            }
            if (const auto* e = u.find("phone") ? u.find("phone") : u.find("landline")) {
                s.draft.phone = e->value;
                proceed(t, std::move(s.draft));
                return true;
            }
            if (bare_cancel(u, cmd)) {
                t.forget();
                t.say("reply/cancelled");
                return true;
            }
            if (cmd.what != verb::none && cmd.what != verb::add_detail) return false;
            if (const auto* e = specific_address(u); e && contact_only(u)) {
                // The place, given where the phone was asked: kept, and the phone asked again.
                set_address(s.draft, *e);
                const std::string place = nlu::mask_personal_data(e->text);
                t.ask(about_draft(stage::await_phone, std::move(s.draft)));
                t.say("reply/address_noted_ask_phone", {{"address", place}});
                return true;
            }
            t.say("reply/ask_phone_again");
            return true;
        default:
            return false;
    }
}

bool answer_proposal_offer(turn& t, const pending_state& s, const command& cmd) {
    const auto& u = *t.u;
    const std::string c = core_of(u);
    if ((cmd.what == verb::propose && cmd.rest.empty()) || c == "提议" || c == "发起" ||
        c == "发起提议" || (is_yes(u) && c != "登记")) {
        propose_in(t, s.draft.description, s.draft.community);
        return true;
    }
    if (c == "登记" || c == "反映" || c == "按问题反映" || c == "登记问题") {
        appeal_draft a = s.draft;
        a.kind = "project";
        proceed(t, std::move(a));
        return true;
    }
    if (is_no(u) || bare_cancel(u, cmd)) {
        t.forget();
        t.say("reply/proposal_offer_kept");
        return true;
    }
    t.forget();
    return false;
}

bool awaits_confirmation(turn& t) {
    return latest(t, [](const case_record& r) { return r.status == status::done; }).has_value();
}

void media(turn& t, const std::optional<pending_state>& pending) {
    if (pending && is_draft_stage(pending->at)) {
        if (pending->at == stage::await_address && t.m.kind == inbound_kind::location) {
            appeal_draft a = pending->draft;
            a.address = t.m.label.empty() ? t.render("reply/location_unnamed") : t.m.label;
            if (t.m.latitude && t.m.longitude)
                a.location = geo_point{*t.m.latitude, *t.m.longitude};
            proceed(t, std::move(a));
        } else {
            reask(t, *pending);
        }
        return;
    }
    auto c = latest(t, [](const case_record& r) { return cases::is_open(r.status); });
    if (!c) {
        t.say("reply/media_received", {{"what", media_name(t)}});
        return;
    }
    auto r = t.service.add_detail(t.uow, c->id, t.actor(), media_detail(t.m), t.now);
    if (r.ok())
        t.say("reply/detail_added", {{"number", c->number}});
    else
        t.say("reply/media_received", {{"what", media_name(t)}});
}

bool has_open_case(turn& t) {
    return latest(t, [](const case_record& r) { return cases::is_open(r.status); }).has_value();
}

bool add_detail(turn& t, const command& cmd) {
    std::optional<case_record> c;
    if (!cmd.number.empty()) {
        c = t.uow.find_case(cmd.number);
        if (!c || !mine(t, *c)) {
            t.say("reply/case_not_found", {{"number", cmd.number}});
            return true;
        }
    } else {
        c = latest(t, [](const case_record& r) { return cases::is_open(r.status); });
        if (!c) return false;
    }
    auto r = t.service.add_detail(t.uow, c->id, t.actor(), t.m.text, t.now);
    if (r.ok())
        t.say("reply/detail_added", {{"number", c->number}});
    else if (r.why == refusal::wrong_status)
        t.say("reply/case_already_closed",
              {{"number", c->number},
               {"status", cases::case_service::status_label(t.texts, r.after)}});
    else
        t.say("reply/case_not_found", {{"number", c->number}});
    return true;
}

void progress(turn& t, const std::string& number) {
    if (!number.empty()) {
        auto c = find_mine(t, number);
        if (!c) return;
        auto events = t.uow.events_of(c->id);
        std::string last;
        if (!events.empty())
            last = t.render("reply/case_last_event",
                            {{"date", date_text(events.back().at, t.now)},
                             {"event", event_text(t.texts, events.back().action)}});
        t.say("reply/case_status", {{"number", c->number},
                                    {"public_ref", public_ref(*c)},
                                    {"summary", summary_of(*c, 20)},
                                    {"status", cases::case_service::status_label(t.texts, *c)},
                                    {"last_event", last},
                                    {"deadline_line", deadline_line(t, *c)}});
        return;
    }
    std::vector<std::string> items;
    bool any_done = false;
    for (const auto& c : my_cases(t)) {
        const bool recent = c.closed_at != 0 && t.now - c.closed_at <= recently_closed_seconds;
        if (!cases::is_open(c.status) && !recent) continue;
        any_done = any_done || c.status == status::done;
        std::string deadline;
        if (in_hand(c) && c.deadline_at != 0)
            deadline =
                t.render("reply/progress_deadline", {{"date", date_text(c.deadline_at, t.now)}});
        items.push_back(t.render("reply/progress_item",
                                 {{"number", c.number},
                                  {"summary", summary_of(c, 12)},
                                  {"status", cases::case_service::status_label(t.texts, c)},
                                  {"date", date_text(c.created_at, t.now)},
                                  {"deadline", deadline}}));
    }
    if (items.empty()) {
        t.say("reply/progress_none");
        return;
    }
    t.say_text(
        list_text(t.render("reply/progress_header"), items,
                  t.render(any_done ? "reply/progress_footer_done" : "reply/progress_footer")));
}

void cancel(turn& t, const command& cmd) {
    if (!cmd.number.empty()) {
        auto c = t.uow.find_case(cmd.number);
        // A volunteer "cancelling" the wish they claimed gives the claim up.
        if (c && !mine(t, *c) && c->claimer == t.me().key()) return release(t, cmd.number);
        if (!c || !mine(t, *c)) {
            t.say("reply/case_not_found", {{"number", cmd.number}});
            return;
        }
        t.forget();
        cancel_case(t, *c);
        return;
    }
    std::vector<case_record> open;
    for (auto& c : my_cases(t))
        if (cancellable(c)) open.push_back(std::move(c));
    if (open.empty()) {
        t.say("reply/nothing_to_cancel");
        return;
    }
    if (open.size() == 1) {
        t.ask(about_case(stage::await_cancel_confirm, open[0].id, open[0].number));
        t.say("reply/cancel_confirm",
              {{"number", open[0].number}, {"summary", summary_of(open[0], 20)}});
        return;
    }
    std::vector<std::string> items;
    for (const auto& c : open)
        items.push_back(t.render("reply/case_choice_item",
                                 {{"number", c.number}, {"summary", summary_of(c, 16)}}));
    t.ask(about_case(stage::await_cancel_which, 0, ""));
    t.say_text(
        list_text(t.render("reply/cancel_which"), items, t.render("reply/cancel_which_footer")));
}

bool answer_cancel_question(turn& t, const pending_state& s, const command& cmd) {
    const auto& u = *t.u;
    if (s.at == stage::await_cancel_confirm) {
        const std::string c = core_of(u);
        if (is_yes(u) || c == "撤销" || c == "取消" || c == "确定撤销" || c == "确认撤销") {
            t.forget();
            if (auto rec = t.uow.get_case(s.case_id); rec && mine(t, *rec))
                cancel_case(t, *rec);
            else
                t.say("reply/case_not_found", {{"number", s.number}});
            return true;
        }
        if (is_no(u)) {
            t.forget();
            t.say("reply/cancel_kept", {{"number", s.number}});
            return true;
        }
        return false;
    }
    if (s.at == stage::await_cancel_which) {
        if (!cmd.number.empty() &&
            (cmd.what == verb::none || cmd.what == verb::cancel || cmd.what == verb::progress)) {
            t.forget();
            if (auto c = find_mine(t, cmd.number)) cancel_case(t, *c);
            return true;
        }
        if (is_no(u) || bare_cancel(u, cmd)) {
            t.forget();
            t.say("reply/cancel_kept_all");
            return true;
        }
    }
    return false;
}

void confirm_done(turn& t, const command& cmd, bool explicit_command) {
    std::optional<case_record> c;
    if (!cmd.number.empty()) {
        c = find_mine(t, cmd.number);
        if (!c) return;
    } else {
        c = latest(t, [](const case_record& r) { return r.status == status::done; });
        if (!c) {
            t.say(explicit_command ? "reply/nothing_to_confirm" : "reply/nothing_to_confirm_said");
            return;
        }
    }
    auto r = t.service.act(t.uow, c->id, action::confirm, t.actor(), with_note(t.m.text), t.now);
    if (r.ok()) {
        t.ask(about_case(stage::await_rating, c->id, c->number));
        t.say("reply/confirmed_ask_rating", {{"number", c->number}});
    } else if (r.why == refusal::wrong_status) {
        t.say("reply/not_done_yet",
              {{"number", c->number},
               {"status", cases::case_service::status_label(t.texts, r.after)}});
    } else {
        t.say("reply/case_not_found", {{"number", c->number}});
    }
}

void rate(turn& t, const command& cmd) {
    std::optional<case_record> c;
    if (!cmd.number.empty()) {
        c = find_mine(t, cmd.number);
        if (!c) return;
    } else {
        c = latest(t, awaiting_feedback);
        if (!c) {
            if (rate_followed_case(t, cmd.rating)) return;
            t.say("reply/nothing_to_rate");
            return;
        }
    }
    if (cmd.rating < 1 || cmd.rating > 5) {
        // The model heard a rating but no score was given: ask for one.
        t.ask(about_case(stage::await_rating, c->id, c->number));
        t.say("reply/ask_rating", {{"number", c->number}});
        return;
    }
    rate_case(t, *c, cmd.rating, cmd.rest);
}

void not_solved(turn& t, const command& cmd) {
    std::optional<case_record> c;
    if (!cmd.number.empty()) {
        c = find_mine(t, cmd.number);
        if (!c) return;
    } else {
        c = latest(t, awaiting_feedback);
        if (!c) {
            if (auto open =
                    latest(t, [](const case_record& r) { return cases::is_open(r.status); }))
                t.say("reply/still_in_progress",
                      {{"number", open->number},
                       {"status", cases::case_service::status_label(t.texts, *open)}});
            else
                t.say("reply/nothing_to_reopen");
            return;
        }
    }
    not_solved_case(t, *c);
}

bool answer_rating_question(turn& t, const pending_state& s, const command& cmd) {
    const auto& u = *t.u;
    const int rating = cmd.what == verb::rate ? cmd.rating : rating_answer(u);
    auto c = t.uow.get_case(s.case_id);
    if (!c || !mine(t, *c)) return false;
    if (rating > 0) {
        rate_case(t, *c, rating, cmd.what == verb::rate ? cmd.rest : "");
        return true;
    }
    if (cmd.what == verb::not_solved) {
        not_solved_case(t, *c);
        return true;
    }
    if (is_no(u)) {
        t.forget();
        t.say("reply/rating_skipped");
        return true;
    }
    return false;
}

intake::report report_of(const turn& t, const appeal_draft& a) {
    intake::report r;
    r.from = t.m.from;
    r.reporter_id = t.m.user_id;
    r.description = a.description;
    r.kind = a.kind;
    r.category = a.category;
    r.category_confidence = a.category_confidence;
    r.urgency = a.urgency;
    r.address = a.address;
    r.phone = a.phone;
    r.location = a.location;
    r.community = a.community;
    r.source_key = a.source_key;
    // Where, for the duplicate search of later reports (understood again only when this
    // message is not the description: a filing that asked for its slots).
    if (t.engine)
        r.place = intake::place_of(*t.engine, a.description, a.address,
                                   t.u && a.description == t.m.text ? t.u : nullptr);
    return r;
}

}  // namespace minsheng::dialog::detail
