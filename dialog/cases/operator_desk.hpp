#pragma once
// What an operator writes on a case besides lifecycle actions (service.hpp: act) and replies
// (service.hpp: reply_to_reporter): internal notes, and the text a canned reply becomes.
// Pure functions over the caller's unit_of_work and templates; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "dialog/cases/service.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog::cases {

// An internal note on case `c` (as the caller found it, already checked against what `who` may
// see): one "note" event by `who` with `text` as its note, no status change, nobody notified.
// Returns the event as stored, with its id. Throws only what the unit_of_work throws.
case_event add_note(unit_of_work& uow, const case_record& c, const actor& who, std::string text,
                    std::int64_t now);

// The text the reporter reads of the canned reply `key` ("canned/<name>"): the template rendered
// with the case's number, status (as residents read it), community and category, without its
// first line (the title operators pick it by) and without trailing line breaks. Throws
// std::out_of_range for an unknown key, like template_set::render.
std::string canned_reply_text(const template_set& texts, std::string_view key,
                              const case_record& c);

}  // namespace minsheng::dialog::cases
