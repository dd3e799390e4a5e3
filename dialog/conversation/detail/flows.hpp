#pragma once
// The chat flows of residents (resident_flows.cpp), volunteers (volunteer_flows.cpp) and 微实事
// proposals (proposal_flows.cpp). Each sets the turn's reply and makes its changes through the
// case service; each reads through the unit of work only. `answer_*` functions take the message
// as the answer to a pending question and return false when it is no such answer (the caller
// then handles it as a message of its own).

#include <optional>
#include <string>

#include "dialog/conversation/detail/commands.hpp"
#include "dialog/conversation/detail/state.hpp"
#include "dialog/conversation/detail/turn.hpp"
#include "dialog/intake/filing.hpp"

namespace minsheng::dialog::detail {

// ---- residents
// A text that may describe a matter: opens it, asks for what is missing, or reads it back when
// the engine is unsure. False (nothing said) when it does not look like an appeal.
// `known`: contact details given before the matter (await_matter), filling the draft's gaps.
// A message of contact details only opens nothing; a consultation is answered from
// templates/faq/ or registered; a suggestion is offered as a 微实事 proposal; a long message with
// several problems (turn::problems) opens one case each when each has what it needs.
bool file_appeal(turn& t, const appeal_draft* known = nullptr);
// One problem, one case (duplicate_flows.cpp). A complaint draft that is the same problem as an
// open case of someone else: the person follows that case, is told so and asked
// (await_not_same); false (nothing done) otherwise or without an engine.
bool join_same_problem(turn& t, const appeal_draft& a);
// The part of join_same_problem that needs no slot filled: a wish or project draft that is the
// person's own open need told again is added to it and they are told so (await_not_same); false
// (nothing done) otherwise. proceed asks it before the first question, so that a resident is not
// asked for a phone or a place for a wish they already have.
bool tell_own_need_again(turn& t, const appeal_draft& a);
// "不是同一个问题" and its variants.
bool says_not_same(const nlu::understanding& u);
// The answer to await_not_same when it says so: the person leaves the case (the caller opens
// the draft). False (nothing done) for any other message.
bool leave_for_own_case(turn& t, const pending_state& s);
// A follower's rating of a followed case that is done (or closed): recorded and thanked. False
// (nothing done) when there is none to rate.
bool rate_followed_case(turn& t, int rating);
bool answer_appeal_question(turn& t, pending_state s, const command& cmd);
// The answer to a proposal offer: 提议 (or yes) proposes it, 登记 files it as a case, no drops it.
bool answer_proposal_offer(turn& t, const pending_state& s, const command& cmd);
// Whether the person has a case of their own reported done and waiting for their confirmation.
bool awaits_confirmation(turn& t);
// An image, voice, video, link, file or location: the place of a draft waiting for one, else a
// detail of the person's most recent open case.
void media(turn& t, const std::optional<pending_state>& pending);
// Whether the person has an open case of their own (as its reporter).
bool has_open_case(turn& t);
// A text detail for the named or most recent open case. False (nothing said) when there is none.
bool add_detail(turn& t, const command& cmd);
void progress(turn& t, const std::string& number);
void cancel(turn& t, const command& cmd);
bool answer_cancel_question(turn& t, const pending_state& s, const command& cmd);
// `explicit_command`: the person typed 已解决/确认 rather than something the model calls confirm.
void confirm_done(turn& t, const command& cmd, bool explicit_command);
void rate(turn& t, const command& cmd);
void not_solved(turn& t, const command& cmd);
bool answer_rating_question(turn& t, const pending_state& s, const command& cmd);
// The draft of the message as it stands (its text, labels and contact details), and opening a
// draft whose every slot is filled, saying so: for flows outside resident_flows.cpp.
appeal_draft draft_of_message(const turn& t);
// The filing of a draft whose every slot is settled (no understanding is consulted again).
intake::report report_of(const turn& t, const appeal_draft& a);
void open_appeal(turn& t, const appeal_draft& a);

// ---- certificates (certificate_flows.cpp), from the city's list (turn::certificates)
// The list's item the message asks for: it names one, and asks (the certificate_question
// intent, or a word like 证明/开/办). nullptr when there is no list or no such item.
const intake::certificate_item* certificate_asked(const turn& t);
// Answers a request for an item of the list without a case: who issues it now, where, with
// what, or the community's procedure; counts the answer; waits for "还是需要社区帮忙". False
// (nothing said) when certificate_asked finds no item.
bool certificate_request(turn& t);
// "还是需要社区帮忙" and its variants.
bool still_needs_help(const nlu::understanding& u);
// The answer to a certificate answer: still needing help opens the request as a consultation.
bool answer_certificate_question(turn& t, const pending_state& s, const command& cmd);

// ---- volunteers
void register_volunteer(turn& t);
bool answer_registration(turn& t, pending_state s, const command& cmd);
void wall(turn& t);
// "附近心愿": asks a registered volunteer for their location (others are asked to register).
void near_wall(turn& t);
bool answer_near_question(turn& t, const pending_state& s, const command& cmd);
// A location message read as "what is near me": the answer to near_wall's question, or a
// volunteer's bare location when nothing is pending and they have no open case of their own.
// Lists the wall nearest first. False (nothing said) for any other message.
bool near_by_location(turn& t, const std::optional<pending_state>& pending);
void claim(turn& t, const std::string& number);
void release(turn& t, const std::string& number);
void start(turn& t, const std::string& number);
void report_done(turn& t, const std::string& number);
void my_claims(turn& t);
// Whether the person holds a claimed or in-progress wish.
bool holds_claims(turn& t);
void points(turn& t);
void ranking(turn& t);
void stars(turn& t);

// ---- 驿站 (stations)
// A SCAN or subscribe event whose scene is a station's QR code: an approved volunteer checks in
// there, or out when their open visit is there; others hear what the code is for. False (nothing
// said) for a scene that is not a station's.
bool station_scan(turn& t);

// ---- staff (their WeChat bound with 绑定工号); others are told these are for staff only
// 志愿者申请: the applications waiting in the staff member's communities.
void volunteer_applications(turn& t);
// 同意志愿者 / 婉拒志愿者 ZY<digits>: decides one application within their communities.
void decide_volunteer(turn& t, const std::string& digits, bool approve);
// 确认迁入 <digits>: confirms a resident's move into one of their communities.
void confirm_move(turn& t, const std::string& digits);

// ---- grid workers' work orders (bound staff; others are told these are for staff only)
// 我的工单: the worker's open orders, the soonest due first.
void my_orders(turn& t);
// 接单 / 到场 / 处理中 / 办结 / 退回 MS…: one step on an order (到场 then asks for the location).
void order_command(turn& t, const command& cmd);
// 巡查上报 <text>: a bound worker's patrol report; asks for the place (photos may come first).
void patrol(turn& t, const std::string& text);
// A location answering 到场's question or completing a patrol report, a photo for a patrol
// report or for the worker's order in progress. False (nothing said) for any other message.
bool order_media(turn& t, const std::optional<pending_state>& pending);

// ---- 微实事 proposals
void propose(turn& t, const std::string& text);
// A proposal from an offered suggestion: in the person's community, else the community its
// address named (`community`), else asked for.
void propose_in(turn& t, const std::string& text, const std::string& community);
bool answer_proposal_community(turn& t, const pending_state& s, const command& cmd);
// The voter's community, asked before their first vote: records it, then votes.
bool answer_vote_community(turn& t, const pending_state& s, const command& cmd);
void vote(turn& t, const std::string& number);
void list_proposals(turn& t);

}  // namespace minsheng::dialog::detail
