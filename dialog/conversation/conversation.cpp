#include "dialog/conversation/conversation.hpp"

#include "dialog/conversation/detail/commands.hpp"
#include "dialog/conversation/detail/flows.hpp"
#include "dialog/conversation/detail/reading.hpp"
#include "dialog/conversation/detail/state.hpp"
#include "dialog/conversation/detail/turn.hpp"

namespace minsheng::dialog {
namespace {

using namespace detail;

// Menu keys (the official account's CLICK menu).
constexpr std::string_view claim_key_prefix = "CLAIM_";

void menu(turn& t) {
    const std::string& key = t.m.event_key;
    if (key == "MY_CASES") return progress(t, "");
    if (key == "HELP") return t.say("reply/help");
    if (key == "WISH_WALL") return wall(t);
    if (key == "MY_CLAIMS") return my_claims(t);
    if (key == "MY_POINTS") return points(t);
    if (key == "RANKING") return ranking(t);
    if (key == "PROPOSALS") return list_proposals(t);
    if (key.starts_with(claim_key_prefix)) return claim(t, key.substr(claim_key_prefix.size()));
    // Other keys: nothing to say; the platform gets "success".
}

// Takes the message as the answer to the pending question, if it is one.
bool answer_pending(turn& t, const pending_state& s, const command& cmd) {
    switch (s.at) {
        case stage::await_address:
        case stage::await_phone:
        case stage::await_readback:
        case stage::await_matter:
        case stage::await_consult:
        case stage::await_not_same:
            return answer_appeal_question(t, s, cmd);
        case stage::await_certificate:
            return answer_certificate_question(t, s, cmd);
        case stage::await_proposal_offer:
            return answer_proposal_offer(t, s, cmd);
        case stage::await_cancel_confirm:
        case stage::await_cancel_which:
            return answer_cancel_question(t, s, cmd);
        case stage::await_rating:
            return answer_rating_question(t, s, cmd);
        case stage::register_community:
        case stage::register_skills:
            return answer_registration(t, s, cmd);
        case stage::propose_community:
            return answer_proposal_community(t, s, cmd);
        case stage::vote_community:
            return answer_vote_community(t, s, cmd);
        case stage::await_near_location:
            return answer_near_question(t, s, cmd);
        case stage::await_arrival_location:
        case stage::await_patrol:
            return false;  // the location (and photos) come as media messages (order_media)
    }
    return false;
}

// An explicit command form. False for verb::none.
// 绑定工号 <code>: the code an operator issued (minsheng-admin staff bind-code, or the
// operator API) makes this official-account user the staff member's WeChat.
void bind_staff(turn& t, const std::string& code) {
    if (code.empty()) return t.say("reply/bind_staff_how");
    const auto b = t.uow.bind_staff(t.service.staff_code_hash(code), t.me(), t.now);
    switch (b.result) {
        case staff_binding::outcome::bound:
            return t.say("reply/staff_bound", {{"name", b.staff_name}});
        case staff_binding::outcome::too_many_attempts:
            return t.say("reply/staff_code_too_many");
        case staff_binding::outcome::unknown_code:
            return t.say("reply/staff_code_unknown");
    }
}

// 绑定手机 <phone>: a code by SMS to that phone; nothing is bound until it comes back.
void request_phone_code(turn& t, const std::string& phone) {
    if (phone.empty()) return t.say("reply/bind_phone_how");
    const auto r = t.service.request_phone_code(t.uow, t.me(), phone, t.now);
    const std::string masked = nlu::mask_phone(phone);
    switch (r.result) {
        case cases::phone_request::outcome::sent:
            return t.say(
                "reply/phone_code_sent",
                {{"phone", masked},
                 {"minutes", std::to_string(t.service.settings().phone_code_seconds / 60)}});
        case cases::phone_request::outcome::bad_phone:
            return t.say("reply/phone_invalid");
        case cases::phone_request::outcome::already_yours:
            return t.say("reply/phone_already_bound", {{"phone", masked}});
        case cases::phone_request::outcome::too_many:
            return t.say("reply/phone_code_too_many");
        case cases::phone_request::outcome::unavailable:
            return t.say("reply/phone_unavailable");
    }
}

// 验证码 <code>: the code back; the phone becomes this account's, verified.
void confirm_phone_code(turn& t, const std::string& code) {
    const auto r = t.service.confirm_phone_code(t.uow, t.me(), code, t.now);
    switch (r.result) {
        case cases::phone_confirmation::outcome::bound:
            return t.say("reply/phone_bound", {{"phone", nlu::mask_phone(r.phone)}});
        case cases::phone_confirmation::outcome::wrong_code:
            return t.say("reply/phone_code_wrong");
        case cases::phone_confirmation::outcome::locked:
            return t.say("reply/phone_code_locked");
        case cases::phone_confirmation::outcome::expired:
            return t.say("reply/phone_code_expired");
        case cases::phone_confirmation::outcome::no_code:
            return t.say("reply/phone_code_none");
    }
}

bool run_command(turn& t, const command& cmd) {
    switch (cmd.what) {
        case verb::none:
            return false;
        case verb::help:
            t.say("reply/help");
            return true;
        case verb::progress:
            progress(t, cmd.number);
            return true;
        case verb::cancel:
            cancel(t, cmd);
            return true;
        case verb::confirm_done:
            confirm_done(t, cmd, true);
            return true;
        case verb::rate:
            rate(t, cmd);
            return true;
        case verb::not_solved:
            not_solved(t, cmd);
            return true;
        case verb::add_detail:
            // With no open case the detail is a new appeal, as it always was.
            return add_detail(t, cmd) || file_appeal(t);
        case verb::register_volunteer:
            register_volunteer(t);
            return true;
        case verb::wall:
            wall(t);
            return true;
        case verb::near_wall:
            near_wall(t);
            return true;
        case verb::claim:
            claim(t, cmd.number);
            return true;
        case verb::release:
            release(t, cmd.number);
            return true;
        case verb::start:
            start(t, cmd.number);
            return true;
        case verb::report_done:
            report_done(t, cmd.number);
            return true;
        case verb::my_claims:
            my_claims(t);
            return true;
        case verb::points:
            points(t);
            return true;
        case verb::ranking:
            ranking(t);
            return true;
        case verb::stars:
            stars(t);
            return true;
        case verb::propose:
            propose(t, cmd.rest);
            return true;
        case verb::vote:
            vote(t, cmd.number);
            return true;
        case verb::list_proposals:
            list_proposals(t);
            return true;
        case verb::thanks:
            t.say("reply/thanks");
            return true;
        case verb::bind_staff:
            bind_staff(t, cmd.rest);
            return true;
        case verb::bind_phone:
            request_phone_code(t, cmd.rest);
            return true;
        case verb::verify_phone:
            confirm_phone_code(t, cmd.rest);
            return true;
        case verb::volunteer_applications:
            volunteer_applications(t);
            return true;
        case verb::approve_volunteer:
        case verb::refuse_volunteer:
            decide_volunteer(t, cmd.rest, cmd.what == verb::approve_volunteer);
            return true;
        case verb::confirm_move:
            confirm_move(t, cmd.rest);
            return true;
        case verb::my_orders:
            my_orders(t);
            return true;
        case verb::order_accept:
        case verb::order_arrive:
        case verb::order_progress:
        case verb::order_done:
        case verb::order_return:
            order_command(t, cmd);
            return true;
        case verb::patrol:
            patrol(t, cmd.rest);
            return true;
    }
    return false;
}

bool is_prefix(std::string_view number, std::string_view prefix) {
    return number.substr(0, prefix.size()) == prefix;
}

// No command form: what the intent model says, for what it is sure enough about.
void by_intent(turn& t, const command& cmd) {
    const auto& u = *t.u;
    const std::string& intent = u.intent.name;
    const bool sure = !u.intent.unsure;
    // A question about a policy may look like a call for help ("请问……怎么申请"): it is a
    // consultation, answered or registered, never the menu.
    // A certificate the city's list names: answered from it, before any consultation.
    if (cmd.number.empty() && certificate_request(t)) return;
    const bool consultation = consultation_question(u);
    if (consultation && cmd.number.empty() && file_appeal(t)) return;
    if (intent == "greet" && !consultation) return t.say("reply/greeting");
    if (intent == "help" && !consultation) return t.say("reply/help");
    if (intent == "ask_progress") return progress(t, cmd.number);
    if (intent == "cancel" && sure) return cancel(t, cmd);
    if (intent == "confirm" && sure) return confirm_done(t, cmd, false);
    if (intent == "rate" && sure) return rate(t, cmd);
    if (intent == "claim_wish" && sure)
        return claim(t, is_prefix(cmd.number, "WX") ? cmd.number : "");
    if (intent == "report_done" && sure) {
        // "处理好了" from a volunteer reports their wish done; from a resident it confirms theirs.
        if (!cmd.number.empty() || holds_claims(t)) return report_done(t, cmd.number);
        if (awaits_confirmation(t)) return confirm_done(t, cmd, false);
        return t.say("reply/report_done_no_claim");
    }
    if (intent == "vote" && sure) return vote(t, is_prefix(cmd.number, "YS") ? cmd.number : "");
    if (intent == "register_volunteer" && sure) return register_volunteer(t);
    if (intent == "add_detail" && sure && add_detail(t, cmd)) return;
    if (file_appeal(t)) return;
    t.say("reply/not_understood", {{"understood", understood_text(t.texts, u)}});
}

}  // namespace

conversation::conversation(std::shared_ptr<const template_set> templates,
                           std::shared_ptr<const cases::case_service> service,
                           std::shared_ptr<const intake::certificate_catalogue> certificates,
                           std::shared_ptr<const nlu::engine> engine,
                           cases::duplicate_policy duplicates)
    : templates_(std::move(templates)),
      service_(std::move(service)),
      certificates_(std::move(certificates)),
      engine_(std::move(engine)),
      duplicates_(std::move(duplicates)) {
    templates_->require(required_templates());
    templates_->require(cases::case_service::required_templates());
}

const std::vector<std::string>& conversation::required_templates() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k = {
            // events and general
            "reply/welcome", "reply/welcome_back", "reply/greeting", "reply/help",
            "reply/not_understood", "reply/acknowledged", "reply/thanks", "reply/media_received",
            "reply/understood_phone", "reply/understood_address", "reply/understood_time",
            "reply/understood_number", "reply/understood_topic", "reply/understood_words",
            "reply/understood_with", "reply/media_image", "reply/media_voice", "reply/media_video",
            "reply/media_link", "reply/media_file", "reply/media_location",
            // what a message is beyond its labels (reading.hpp)
            "reply/contact_only", "reply/contact_added", "reply/report_done_no_claim",
            "reply/phone_noted_ask_address", "reply/address_noted_ask_phone",
            "reply/proposal_offer", "reply/proposal_offer_kept", "reply/consultation_opened",
            "reply/faq_footer", "reply/several_opened_header", "reply/several_opened_item",
            "reply/several_opened_footer", "reply/nothing_to_confirm_said",
            // filing an appeal
            "reply/duplicate_joined", "reply/already_reported", "reply/already_wished",
            "reply/already_proposed", "reply/already_following", "reply/follower_rated",
            "reply/case_opened", "reply/case_opened_urgent", "reply/category_unknown",
            "reply/mode_wall", "reply/mode_express", "reply/mode_workers", "reply/deadline_line",
            "reply/ask_address", "reply/ask_address_again", "reply/location_unnamed",
            "reply/ask_phone", "reply/ask_phone_again", "reply/readback", "reply/readback_denied",
            "reply/cancelled",
            // details, progress
            "reply/detail_added", "reply/case_not_found", "reply/case_already_closed",
            "reply/progress_header", "reply/progress_item", "reply/progress_deadline",
            "reply/progress_footer", "reply/progress_footer_done", "reply/progress_none",
            "reply/case_status", "reply/case_last_event",
            // cancel
            "reply/nothing_to_cancel", "reply/cancel_confirm", "reply/cancel_which",
            "reply/cancel_which_footer", "reply/case_choice_item", "reply/case_cancelled",
            "reply/cancel_kept", "reply/cancel_kept_all", "reply/cancel_done_case",
            // confirm, rate, not solved
            "reply/nothing_to_confirm", "reply/confirmed_ask_rating", "reply/not_done_yet",
            "reply/ask_rating", "reply/rated_thanks", "reply/rated_reopened",
            "reply/nothing_to_rate", "reply/rating_skipped", "reply/reopened",
            "reply/still_in_progress", "reply/nothing_to_reopen",
            // volunteers
            "reply/ask_community", "reply/ask_community_again", "reply/ask_skills",
            "reply/registration_cancelled", "reply/volunteer_welcome", "reply/volunteer_skills",
            "reply/already_volunteer", "reply/wall_header", "reply/wall_item", "reply/wall_footer",
            "reply/wall_footer_register", "reply/wall_empty", "reply/wall_empty_register",
            "reply/claim_success", "reply/claim_contact", "reply/claim_until", "reply/contact_none",
            "reply/address_none", "reply/claim_taken", "reply/claim_already_yours",
            "reply/claim_limit", "reply/claim_cooldown", "reply/claim_not_volunteer",
            "reply/claim_not_on_wall", "reply/wish_not_found", "reply/not_your_claim",
            "reply/which_wish", "reply/no_claims", "reply/released", "reply/release_wrong_status",
            "reply/started", "reply/start_wrong_status", "reply/reported_done",
            "reply/report_wrong_status", "reply/my_claims_header", "reply/my_claim_item",
            "reply/my_claims_footer", "reply/points", "reply/points_not_volunteer",
            "reply/points_rank", "reply/scope_all", "reply/anonymous_volunteer",
            "reply/ranking_header", "reply/ranking_item", "reply/ranking_me",
            "reply/ranking_footer", "reply/ranking_empty", "reply/stars_header", "reply/stars_item",
            "reply/stars_footer", "reply/stars_empty",
            // the wishes near a volunteer
            "reply/ask_near_location", "reply/ask_near_location_again", "reply/near_cancelled",
            "reply/near_not_volunteer", "reply/wall_near_header", "reply/wall_near_none_header",
            "reply/wall_near_item", "reply/distance_m", "reply/distance_km",
            // 微实事
            "reply/propose_how", "reply/ask_proposal_community",
            "reply/ask_proposal_community_again", "reply/proposal_cancelled", "reply/proposed",
            "reply/ask_vote_community", "reply/ask_vote_community_again", "reply/vote_cancelled",
            "reply/bind_phone_how", "reply/phone_bound", "reply/phone_code_sent",
            "reply/phone_code_wrong", "reply/phone_code_expired", "reply/phone_code_locked",
            "reply/phone_code_too_many", "reply/phone_code_none", "reply/phone_already_bound",
            "reply/phone_invalid", "reply/phone_unavailable", "reply/bind_staff_how",
            "reply/staff_bound", "reply/staff_code_unknown", "reply/staff_code_too_many",
            "reply/proposal_closes", "reply/vote_counted", "reply/vote_passed",
            "reply/vote_already", "reply/vote_wrong_community", "reply/vote_closed",
            "reply/vote_closed_passed", "reply/proposal_not_found", "reply/proposals_header",
            "reply/proposal_item", "reply/proposal_item_with_community", "reply/proposals_footer",
            "reply/proposals_empty", "reply/proposal_daily_limit", "reply/vote_needs_phone",
            "reply/vote_community_cooling", "reply/proposal_community_cooling",
            // volunteer applications: the applicant, and staff deciding
            "reply/volunteer_applied", "reply/volunteer_pending", "reply/volunteer_refused_already",
            "reply/claim_not_approved", "reply/claim_refused_volunteer", "reply/staff_only",
            "reply/volunteer_applications_header", "reply/volunteer_application_item",
            "reply/volunteer_applications_footer", "reply/volunteer_applications_empty",
            "reply/volunteer_decide_how", "reply/volunteer_approved_done",
            "reply/volunteer_refused_done", "reply/volunteer_decision_not_found",
            "reply/volunteer_decision_not_yours", "reply/volunteer_already_approved",
            "reply/volunteer_already_refused",
            // community moves, confirmed by staff
            "reply/move_confirm_how", "reply/move_confirmed_done", "reply/move_not_found",
            "reply/move_not_yours", "reply/move_already_confirmed",
            // 驿站 by QR code
            "reply/station_checked_in", "reply/station_checked_out", "reply/station_capped",
            "reply/station_not_volunteer", "reply/station_open_elsewhere",
            "reply/station_code_unknown",
            // grid workers' work orders
            "reply/orders_header", "reply/order_item", "reply/orders_footer", "reply/orders_empty",
            "reply/order_how", "reply/order_accepted_done", "reply/order_ask_location",
            "reply/order_arrived_done", "reply/order_progress_done", "reply/order_photo_added",
            "reply/order_done_done", "reply/order_returned_done", "reply/order_not_yours",
            "reply/order_not_found", "reply/order_wrong_status", "reply/order_needs_note",
            "reply/order_needs_result", "reply/order_needs_reason", "reply/order_location_bad",
            "reply/patrol_how", "reply/patrol_ask_location", "reply/patrol_photo_kept",
            "reply/patrol_filed", "reply/patrol_filed_private", "reply/patrol_grid_line",
            "reply/patrol_photo_detail",
            // certificates answered from the city's list
            "reply/certificate_moved", "reply/certificate_kept", "reply/certificate_policy",
            "reply/certificate_footer"};
        for (const auto& e : event_keys()) k.push_back("reply/event/" + e);
        for (const auto& f : faq_templates()) k.push_back(f);
        return k;
    }();
    return keys;
}

step_outcome conversation::step(const inbound_message& m, const nlu::understanding* u,
                                unit_of_work& uow, std::int64_t now,
                                const std::vector<intake::call_appeal>* problems) const {
    step_outcome out;
    turn t{m,
           u,
           uow,
           now,
           *templates_,
           *service_,
           out,
           problems,
           certificates_.get(),
           engine_.get(),
           &duplicates_,
           sketches_.get()};

    switch (m.kind) {
        case inbound_kind::subscribe:
            if (!station_scan(t)) t.say("reply/welcome");
            return out;
        case inbound_kind::scan:
            if (!station_scan(t)) t.say("reply/welcome_back");
            return out;
        case inbound_kind::menu_click:
            menu(t);
            return out;
        case inbound_kind::unsubscribe:
        case inbound_kind::report_location:
        case inbound_kind::menu_view:
        case inbound_kind::other_event:
            return out;  // nothing to say; the platform gets "success"
        case inbound_kind::location:
        case inbound_kind::image:
        case inbound_kind::voice:
        case inbound_kind::video:
        case inbound_kind::link:
        case inbound_kind::file: {
            // A volunteer's location may ask what is near them; else a detail or a place.
            const auto pending = t.pending();
            if (!order_media(t, pending) && !near_by_location(t, pending)) media(t, pending);
            return out;
        }
        case inbound_kind::text:
            break;
    }

    if (!u) {
        t.say("reply/not_understood", {{"understood", ""}});
        return out;
    }
    const command cmd = parse_command(*u, m.text);
    // A pending question takes the answer it expects; any other command form beats it (the
    // question stays until it is answered, replaced or too old).
    if (auto s = t.pending(); s && answer_pending(t, *s, cmd)) return out;
    if (run_command(t, cmd)) return out;
    by_intent(t, cmd);
    return out;
}

}  // namespace minsheng::dialog
