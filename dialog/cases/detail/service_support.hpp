#pragma once
// Private helpers of case_service (service*.cpp): what every operation shares — who is who on a
// case, the community of an address, and writing notifications to the outbox. Not a public API.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/cases/service.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::dialog::cases::detail {

// The service's immutable state, as its member functions hand it to the helpers.
struct context {
    const template_set& templates;
    const working_calendar& calendar;
    const working_hours& hours;
    const program_settings& settings;
};

// The reporter of c as a person.
person_ref reporter_of(const case_record& c);

// Reporters of the cases merged into c, directly or through a chain of merges (not c's own).
std::vector<person_ref> merged_reporters(unit_of_work& uow, const case_record& c);

// "…社区" or "…村" named in an address ("东城街道光明社区5栋" → "光明社区"); "" when none.
std::string community_in_address(std::string_view address);

// "2026-02-27" (China date) for a deadline, "" for 0.
std::string format_day(std::int64_t unix);

// Renders templates and enqueues them: one unit of work, one instant.
class outbox {
public:
    outbox(unit_of_work& uow, const template_set& templates, std::int64_t now);

    // Enqueues `template_key` rendered with `vars` for one person; the idempotency key is
    // "<prefix>:<audience>:<person key>". Returns false if the key was enqueued before (in this
    // or an earlier transaction): a retried operation never sends twice.
    bool to_person(std::string_view prefix, std::string_view audience, const person_ref& to,
                   std::string_view template_key, const template_set::vars& vars,
                   std::int64_t case_id);
    // The same for staff: audience "worker" or "supervisor" of `community` ("" all); the key
    // ends with "<audience>:<community or *>".
    bool to_staff(std::string_view prefix, std::string_view audience, const std::string& community,
                  std::string_view template_key, const template_set::vars& vars,
                  std::int64_t case_id);

private:
    bool put(notification n);

    unit_of_work& uow_;
    const template_set& templates_;
    std::int64_t now_;
};

}  // namespace minsheng::dialog::cases::detail
