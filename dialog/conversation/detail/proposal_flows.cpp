// 微实事 proposals: propose (a few a day), vote, list the open ones of the person's community.
#include "dialog/conversation/detail/flows.hpp"

namespace minsheng::dialog::detail {
namespace {

using cases::refusal;

// A short title: the proposal's first clause, at most 20 characters.
std::string title_of(std::string_view text) {
    std::size_t end = text.size();
    for (std::string_view stop : {"，", "。", "！", "？", "；", ",", ".", "!", "?", ";", "\n"}) {
        auto at = text.find(stop);
        if (at != std::string_view::npos && at > 0 && at < end) end = at;
    }
    return cut(text.substr(0, end), 20);
}

void do_propose(turn& t, const std::string& community, const std::string& text) {
    // The proposer lives there: remember it, so they can vote on it and on their neighbours'.
    t.service.set_community(t.uow, t.me(), community, t.now);
    auto r = t.service.propose(t.uow, t.me(), community, title_of(text), text, t.now);
    t.forget();
    if (r.why == refusal::community_cooling) {
        t.say("reply/proposal_community_cooling",
              {{"community", community}, {"date", date_text(r.counts_from, t.now)}});
        return;
    }
    if (!r.ok()) {  // daily_limit
        t.say("reply/proposal_daily_limit",
              {{"limit", std::to_string(t.service.settings().max_proposals_per_day)}});
        return;
    }
    const proposal& p = r.after;
    std::string closes;
    if (p.closes_at != 0)
        closes = t.render("reply/proposal_closes", {{"date", date_text(p.closes_at, t.now)}});
    t.say("reply/proposed", {{"number", p.number},
                             {"title", p.title},
                             {"community", p.community},
                             {"threshold", std::to_string(p.threshold)},
                             {"closes", closes}});
}

}  // namespace

void propose(turn& t, const std::string& text) {
    if (text.empty()) {
        t.say("reply/propose_how");
        return;
    }
    auto p = t.profile();
    if (!p || p->community.empty()) {
        t.ask(about_proposal(cut(text, 300)));
        t.say("reply/ask_proposal_community");
        return;
    }
    do_propose(t, p->community, cut(text, 300));
}

void propose_in(turn& t, const std::string& text, const std::string& community) {
    auto p = t.profile();
    if (p && !p->community.empty()) return do_propose(t, p->community, cut(text, 300));
    if (!community.empty()) return do_propose(t, community, cut(text, 300));
    t.ask(about_proposal(cut(text, 300)));
    t.say("reply/ask_proposal_community");
}

bool answer_proposal_community(turn& t, const pending_state& s, const command& cmd) {
    const auto& u = *t.u;
    if ((cmd.what == verb::cancel && cmd.number.empty()) ||
        (cmd.what == verb::none && u.intent.name == "cancel" && !u.intent.unsure)) {
        t.forget();
        t.say("reply/proposal_cancelled");
        return true;
    }
    if (cmd.what != verb::none) return false;
    const std::string community = community_answer(u);
    if (community.empty()) {
        t.say("reply/ask_proposal_community_again");
        return true;
    }
    do_propose(t, community, s.text);
    return true;
}

void vote(turn& t, const std::string& number) {
    if (number.empty()) {
        list_proposals(t);
        return;
    }
    if (auto me = t.profile(); !me || me->community.empty()) {
        // Only neighbours vote: ask where they live first, once.
        t.ask(about_case(stage::vote_community, 0, number));
        t.say("reply/ask_vote_community", {{"number", number}});
        return;
    }
    auto r = t.service.vote(t.uow, number, t.me(), t.now);
    const std::string& no = r.after.number.empty() ? number : r.after.number;
    const template_set::vars v = {{"number", no},
                                  {"title", r.after.title},
                                  {"community", r.after.community},
                                  {"votes", std::to_string(r.after.votes)},
                                  {"threshold", std::to_string(r.after.threshold)}};
    switch (r.why) {
        case refusal::none:
            if (r.passed_now) {
                auto passed = v;
                passed.emplace_back("case_number", r.project.number);
                t.say("reply/vote_passed", passed);
            } else {
                t.say("reply/vote_counted", v);
            }
            return;
        case refusal::already_voted:
            t.say("reply/vote_already", v);
            return;
        case refusal::wrong_community:
            t.say("reply/vote_wrong_community", v);
            return;
        case refusal::phone_required:
            t.say("reply/vote_needs_phone", v);
            return;
        case refusal::community_cooling: {
            auto cooling = v;
            cooling.emplace_back("date", date_text(r.counts_from, t.now));
            t.say("reply/vote_community_cooling", cooling);
            return;
        }
        case refusal::closed:
            t.say(r.after.status == "passed" ? "reply/vote_closed_passed" : "reply/vote_closed", v);
            return;
        case refusal::not_found:
        default:
            t.say("reply/proposal_not_found", {{"number", number}});
            return;
    }
}

bool answer_vote_community(turn& t, const pending_state& s, const command& cmd) {
    const auto& u = *t.u;
    if ((cmd.what == verb::cancel && cmd.number.empty()) ||
        (cmd.what == verb::none && u.intent.name == "cancel" && !u.intent.unsure)) {
        t.forget();
        t.say("reply/vote_cancelled");
        return true;
    }
    if (cmd.what != verb::none) return false;
    const std::string community = community_answer(u);
    if (community.empty()) {
        t.say("reply/ask_vote_community_again");
        return true;
    }
    t.service.set_community(t.uow, t.me(), community, t.now);
    t.forget();
    vote(t, s.number);
    return true;
}

void list_proposals(turn& t) {
    auto p = t.profile();
    const std::string community = p ? p->community : "";
    auto open = t.uow.open_proposals(community, list_max_items);
    if (open.empty()) {
        t.say("reply/proposals_empty");
        return;
    }
    std::vector<std::string> items;
    for (const auto& x : open)
        items.push_back(t.render(
            community.empty() ? "reply/proposal_item_with_community" : "reply/proposal_item",
            {{"number", x.number},
             {"title", x.title},
             {"community", x.community},
             {"votes", std::to_string(x.votes)},
             {"threshold", std::to_string(x.threshold)}}));
    t.say_text(
        list_text(t.render("reply/proposals_header"), items, t.render("reply/proposals_footer")));
}

}  // namespace minsheng::dialog::detail
