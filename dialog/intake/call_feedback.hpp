#pragma once
// A 12345 return visit (回访): the hotline centre called back someone who called about a case and
// reports their rating. The caller's phone is what the hotline system vouches for (its request is
// signed, docs/hotline.md); it unlocks only a case that phone reported by a call or follows by a
// call: the reporter's rating goes through the case service like a rating in chat (closes the
// done case, a low one reopens it), a follower's is stored on their follower row (once, neither
// closing nor reopening). Runs in the caller's unit of work (the writer).

#include <cstdint>
#include <string>

#include "dialog/cases/service.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog::intake {

struct call_rating {
    std::string number;        // the case number the caller was told
    std::string caller_phone;  // digits
    int rating = 0;            // 1..5
    std::string comment;
};

enum class call_rating_outcome {
    rated_as_reporter,  // the case service took the rating (the case closed, or reopened)
    rated_as_follower,  // stored on the follower row
    no_case,            // no case has that number
    not_the_caller,     // the phone neither reported the case by a call nor follows it by one
    not_ratable,        // not done yet (or, for the reporter, no longer rateable: closed)
    already_rated,      // the follower rated already, or left the case ("不是同一个问题")
    invalid,            // rating outside 1..5
};

struct call_rating_result {
    call_rating_outcome outcome = call_rating_outcome::no_case;
    case_record after;  // the case as it is now (id 0 for no_case)
};

call_rating_result rate_by_call(const cases::case_service& service, unit_of_work& uow,
                                const call_rating& r, std::int64_t now);

// "不是同一件事": a caller whose call joined an open case (they follow it by that call) says it
// is another problem. The phone unlocks only a row it has on that case by a call; the caller
// leaves the case and their own case opens from what they said (split_follower), and is told by
// `hotline/case_split` (key `idempotency_key`). The case they left gets a `follower_split` event
// naming the new case (operators only).
struct call_split {
    std::string number;        // the case the caller was joined to
    std::string caller_phone;  // digits
    std::string idempotency_key;
};

enum class call_split_outcome {
    split,           // left, and their own case opened
    no_case,         // no case has that number
    not_the_caller,  // the phone follows the case by no call (its reporter does not follow it)
    not_following,   // the caller left it already (said so before, or split already)
    no_report,       // what they said was not kept (joined by a merge, or before it was kept)
    merged,          // the case was merged into another: its followers follow that one now
};

struct call_split_result {
    call_split_outcome outcome = call_split_outcome::no_case;
    case_record left;    // the case they were joined to (id 0 for no_case)
    case_record opened;  // their own case, for `split`
};

call_split_result split_by_call(const cases::case_service& service, const template_set& templates,
                                unit_of_work& uow, const nlu::engine& engine, const call_split& r,
                                std::int64_t now);

}  // namespace minsheng::dialog::intake
