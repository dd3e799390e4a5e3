#pragma once
// One filing path for every channel: what the channel knows (a report: who, the words, what the
// reporter, the hotline operator or the Open311 service chose, where it came from) plus the
// understanding of the words becomes one case draft, which the case service opens inside the
// caller's unit of work. The official account's conversation, the 12345 feed, the mini program
// and Open311 all file through file(); a new channel fills a report and calls it too.
//
// Pure functions over dialog values; thread-safe given shared immutable engines. file() runs
// wherever the unit of work is (the writer) and throws what the unit of work and the case
// service throw; the other functions do not throw.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/cases/service.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/ports.hpp"

namespace minsheng::dialog::intake {

// What the understanding of a text says about the slots of a case.
struct understood_fields {
    std::string kind;      // the classifier's kind, "complaint" when it has none
    std::string category;  // "" when the classifier is unsure
    double category_confidence = 0.0;
    std::string urgency;  // "urgent" | "normal"
    std::string address;  // the first address entity, "" when none
    std::string phone;    // a mobile, else a landline, "" when none
};
understood_fields fields_of(const nlu::understanding& u);

// A problem as a channel reports it. Every "chosen" field that is empty is filled from the
// understanding (fields_of), then from the fallbacks.
struct report {
    channel from = channel::wechat_oa;
    std::string reporter_id;  // openid, caller phone, "<client>:<account>"
    std::string description;  // as written or said (stored; masked in views)

    // Chosen by whoever filed it.
    std::string kind;
    std::string category;
    double category_confidence = 1.0;  // of a chosen category
    std::string urgency;
    std::string address;
    std::string phone;
    std::optional<geo_point> location;
    std::string community;  // when the channel knows it (a chat address, an Open311 location)

    // What may come from the understanding.
    bool classify_category = true;    // false: a category that was not chosen stays empty
    bool phone_from_text = false;     // a phone written in the description is the contact
    bool phone_from_profile = false;  // else the reporter's profile phone (read in file())
    std::string fallback_category;    // when the classifier is unsure (the hotline operator's)
    std::string fallback_address;     // when the words name no address (said earlier in a call)

    // Where it came from.
    std::string source_key;   // dedup key of what opened it (unique per case)
    std::string source_ref;   // hotline "<system>:<call id>", Open311 "open311:<token>"
    std::string source_span;  // hotline: "turns 2-4"
    // Details the reporter attached, each added to the case as their own detail line
    // ("[图片] media:<id>", "[图片] <url>").
    std::vector<std::string> attachments;
    // A private case (a grid worker's report of a resident in difficulty; case_draft::is_private).
    bool is_private = false;
    // Where, for the duplicate search (case_draft::place): intake::place_of; "" none.
    std::string place;
};

// The case draft of a report: what was chosen wins, the understanding fills the rest, then the
// fallbacks; created_at = now. A null understanding means every slot was settled by the channel
// (the conversation asked for each): the report's fields, an empty category and its confidence
// included, are taken as they are.
case_draft draft_of(const report& r, const nlu::understanding* understood, std::int64_t now);

// Opens the report's case through the service in `uow` (the reporter's profile phone read there
// when asked for), adds the attachments, and returns the case as it stands afterwards.
// `normalised` is the Simplified text the handling rules match on.
case_record file(const cases::case_service& service, unit_of_work& uow, const report& r,
                 const nlu::understanding* understood, std::string_view normalised,
                 std::int64_t now);

}  // namespace minsheng::dialog::intake
