#pragma once
// What a message is, beyond its labels: rules over the understanding that the conversation
// uses to say only true, useful things. A message that is only contact details opens nothing;
// a question about a policy is a consultation (answered from templates/faq/ when the topic is
// known); a proposal for a public improvement is offered as a 微实事 proposal; every fallback
// names what was understood. Pure functions of their arguments: thread-safe.

#include <string>
#include <string_view>

#include "dialog/nlu/nlu.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog::detail {

// Only contact details — a phone number, a landline, an address — and the words that introduce
// them ("我的电话是13800138000", "我住光明社区5栋302", "聯絡電話：…"): nothing to file.
bool contact_only(const nlu::understanding& u);

// A proposal for a public improvement ("建议在小区门口加装几个电动车充电桩", "能不能在公园里多
// 装几张椅子"): a suggestion word and a building word, and not an individual's need.
bool suggestion_like(const nlu::understanding& u);

// A question about a policy or a procedure ("请问老年人的高龄补贴怎么申请?", "办居住证要带什么"),
// not a question about the service itself (心愿, 积分, 投票, 进度 ... have their own flows).
bool consultation_question(const nlu::understanding& u);

// The topic of a consultation that templates/faq/ answers ("elderly_allowance", ...): the
// template is "faq/<topic>". "" when no known topic matches.
std::string_view faq_topic(const nlu::understanding& u);
// Every topic faq_topic can return.
const std::vector<std::string>& faq_templates();

// What the message was understood to contain, for a fallback to name: the words themselves
// (cut, personal data masked), then what was found in them: "“明天下午打13800138000”（其中有
// 时间“明天下午”、电话号码 138****8000）". From reply/understood_*.
std::string understood_text(const template_set& texts, const nlu::understanding& u);
// What was found in the message, without its words: "电话号码 138****8000、地点“光明社区5栋”";
// "" when nothing was. `with_topic`: and the department it seems to be about, when sure.
std::string found_text(const template_set& texts, const nlu::understanding& u, bool with_topic);

}  // namespace minsheng::dialog::detail
