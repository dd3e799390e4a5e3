#pragma once
// Certificate requests (证明事项) answered from the city's list without a case, on every channel:
// the text (from templates, the same for chat, the 12345 operator and the mini program) and the
// count per item and month (unit_of_work::count_certificate_answer). A request whose sender
// still needs the community's help is counted as escalated, and the channel files its case.
// Pure functions over their arguments; run in the caller's unit of work (the writer).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/intake/call_filing.hpp"
#include "dialog/intake/certificates.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog::intake {

// The templates certificate_answer renders ("reply/certificate_moved", "reply/certificate_kept",
// "reply/certificate_policy"); checked at start-up by the caller.
const std::vector<std::string>& certificate_templates();

// Where a certificate the community no longer issues is issued now, with what, on which policy;
// or the community's own procedure for one it keeps. No channel's footer.
std::string certificate_answer(const template_set& templates, const certificate_item& item);

// Counts one answered request about `item` under `source_key` (a retried one counts once); when
// `escalated`, the sender still needed the community's help and the caller opens a case.
void count_certificate(unit_of_work& uow, const certificate_item& item, channel from,
                       std::string_view source_key, bool escalated, std::int64_t now);

// One certificate request found in a 12345 call.
struct call_certificate {
    std::string item;    // the list's id
    std::string name;    // "居住证明"
    std::string answer;  // certificate_answer(): what the operator reads to the caller
    std::string span;    // where in the call ("turn 2"), or ""
    // The caller still needed the community's help (call_report::still_needs_help): the appeal
    // stays in call.appeals, at index `appeal`, and is filed as a case.
    bool escalated = false;
    std::size_t appeal = 0;
};

// Answers the certificate requests among the call's appeals (certificate_catalogue::asked),
// each counted on channel hotline under "<dedup key>#c<n>". Without call.still_needs_help they
// are taken out of call.appeals and call.spans (no case opens); with it they stay, counted as
// escalated. Returns them in order of mention.
std::vector<call_certificate> answer_call_certificates(const certificate_catalogue& catalogue,
                                                       const template_set& templates,
                                                       unit_of_work& uow, call_report& call,
                                                       std::int64_t now);

}  // namespace minsheng::dialog::intake
