#pragma once
// Filing one 12345 call: one case per appeal found in the caller's words (call_appeals.hpp),
// each through the one filing path (filing.hpp), and for each case the caller's notification of
// its number in the outbox: on WeChat when the phone is bound to a resident there, else by SMS
// (the outbox worker chooses at delivery). Runs in the caller's unit of work (the writer);
// throws what the unit of work and the case service throw.

#include <cstdint>
#include <string>
#include <vector>

#include "dialog/cases/service.hpp"
#include "dialog/intake/call_appeals.hpp"
#include "dialog/intake/sketch_cache.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog::intake {

struct call_report {
    std::string system;             // the hotline system that sent it ("default", ...)
    std::string call_id;            // its id for the call
    std::string caller_phone;       // digits
    std::string operator_category;  // the operator's category, used when the classifier is unsure
    std::string dedup_key;          // "call:<system>:<call id>"
    std::vector<call_appeal> appeals;
    std::vector<std::string> spans;  // per appeal: where in the call ("turns 2-4"), or ""
    // The operator marked that the caller still needs the community's help after being told
    // where a certificate is issued now (certificate_answers.hpp): a case opens for it.
    bool still_needs_help = false;
};

// Opens the call's cases in order of mention and queues each caller notification. A call with
// no appeal opens nothing. An appeal that names no address takes the first address said anywhere
// in the call. The templates must hold "hotline/case_opened" and "hotline/category_unknown"
// (required_templates(), checked at start-up by the caller).
//
// With an `engine`, an appeal that is the same problem as someone's open complaint
// (same_problem.hpp) opens nothing: the caller follows that case (via "hotline"), is told so
// ("hotline/case_joined"), and the case is returned in its place with its id in `*joined`
// ("hotline/joined_answer" is what the operator may answer the caller). One the caller reported
// before (their own open complaint from an earlier call, or a case they follow: reported_before
// in same_problem.hpp) opens nothing either: the call's words are added to their own case as a
// detail (nothing is written on a followed one), they are told so ("hotline/case_repeated"),
// and the case is returned in its place with its id in `*repeated` ("hotline/repeated_answer").
const std::vector<std::string>& required_templates();

std::vector<case_record> file_call(const cases::case_service& service,
                                   const template_set& templates, unit_of_work& uow,
                                   const call_report& call, std::int64_t now,
                                   const nlu::engine* engine = nullptr,
                                   std::vector<std::int64_t>* joined = nullptr,
                                   sketch_cache* sketches = nullptr,
                                   std::vector<std::int64_t>* repeated = nullptr);

}  // namespace minsheng::dialog::intake
