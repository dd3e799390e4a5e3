#pragma once
// The one pending question a conversation may have per person, kept as JSON in the store's
// conversation state between messages: which answer is awaited (`stage`), since when, and what
// the answer completes (an appeal draft, a case, a registration, a proposal; nothing for the
// location that "附近心愿" waits for). A question older than conversation::pending_ttl_seconds is
// forgotten. Plain values: copy freely.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dialog/ports.hpp"

namespace minsheng::dialog::detail {

enum class stage {
    await_address,         // an appeal draft waits for its place
    await_phone,           // a wish draft waits for a contact phone (or "不方便")
    await_readback,        // "您反映的是……，对吗？" waits for yes or no
    await_cancel_confirm,  // "确定撤销……吗？" waits for yes or no (case_id, number)
    await_cancel_which,    // several open cases: waits for the number to cancel
    await_rating,          // a confirmed case waits for its 1–5 rating (case_id, number)
    register_community,    // volunteer registration waits for the community
    register_skills,       // volunteer registration waits for the skills (community)
    propose_community,     // a proposal waits for the proposer's community (text)
    vote_community,        // a vote waits for the voter's community (number)
    await_near_location,   // "附近心愿" waits for the volunteer's location
    await_matter,          // contact details came first: a draft with them waits for the matter
    await_proposal_offer,  // a suggestion offered as a 微实事 proposal waits for 提议 or 登记
    await_consult,  // a consultation answered from templates/faq/: 登记咨询 opens the draft
    await_arrival_location,  // 到场 MS…: a grid worker's order waits for their location
    await_patrol,  // 巡查上报 …: a grid worker's report (draft; photos in text) waits for the place
    await_certificate,  // a certificate request answered from the city's list (text: the item)
    // The appeal joined an open case as a follower (case_id, number): "不是同一个问题" opens the
    // draft as the resident's own case.
    await_not_same,
};

std::string_view to_string(stage s);

// An appeal not yet opened as a case.
struct appeal_draft {
    std::string description;  // as the resident wrote it
    std::string normalised;   // its Simplified text, what handling rules match on
    std::string category;     // "" when unsure
    double category_confidence = 0.0;
    std::string kind;
    std::string urgency;
    std::string address;                // "" until given
    std::string community;              // from the address when it names one, else ""
    std::string phone;                  // digits, "" until given
    std::optional<geo_point> location;  // when the place came as a location message
    bool needs_address = false;         // place-bound: the case is useless without a place
    bool phone_skipped = false;         // the resident would rather not leave a phone
    bool own_case = false;  // they said it is not the case it seemed to repeat: never joined
    std::string source_key;
};

struct pending_state {
    stage at = stage::await_address;
    std::int64_t since = 0;  // when the question was asked (unix seconds)
    appeal_draft draft;      // await_address, await_phone, await_readback, await_matter, ...
    std::int64_t case_id = 0;
    std::string number;     // the case the question is about
    std::string community;  // register_skills
    std::string name;       // register_*: how the volunteer is called
    std::string text;       // register_*: skills given early; propose_community: the proposal;
                            // await_patrol: the photos sent so far, one per line
};

// The questions, with what each completes.
pending_state about_draft(stage at, appeal_draft draft);
pending_state about_case(stage at, std::int64_t case_id, std::string number);
pending_state about_registration(stage at, std::string community, std::string name,
                                 std::string skills);
pending_state about_proposal(std::string text);
pending_state about_near_wishes();

// nullopt when `json` is empty, unreadable, of an unknown stage, or older than `ttl` at `now`.
std::optional<pending_state> read_state(std::string_view json, std::int64_t now, std::int64_t ttl);
std::string write_state(const pending_state& s);

}  // namespace minsheng::dialog::detail
