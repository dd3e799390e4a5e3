#pragma once
// The JSON the mini program API answers with. A resident reads what they wrote and how their
// case moves, never who handles it; a volunteer sees a resident's contact only while holding
// their wish. Phones are masked. Pure functions of their arguments; thread-safe; they throw
// only what json and template rendering throw (std::out_of_range for a missing status text).

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dialog/cases/service.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::gateway::mp {

using json = nlohmann::json;

// The person behind a reference, from whatever the caller reads with (a reader, a unit of work).
using find_person_fn = std::function<std::optional<dialog::person>(const dialog::person_ref&)>;

// The string, or null when it is empty.
json text_or_null(const std::string& s);

// A resident's own case, whole.
json own_case(const dialog::template_set& texts, const dialog::case_record& c);
// One line of the resident's list of cases.
json case_summary(const dialog::template_set& texts, const dialog::case_record& c);
// Status changes only: no actor, no note (they may name workers or hold what others wrote).
json history_of(const dialog::template_set& texts, const std::vector<dialog::case_event>& events);

// A claim as its volunteer sees it; `contact` is what case_service::reveal_contact gave (only
// while they hold it, as in chat): null when nullopt.
json claim_view(const dialog::template_set& texts, const dialog::case_record& c,
                const std::optional<dialog::cases::wish_contact>& contact);
// A station visit, with the station's name.
json visit_view(const dialog::cases::case_service& service, const dialog::service_visit& v);
// A service station.
json station_view(const dialog::cases::station& s);

// The person's profile; the empty profile when there is none yet. community_counts_from: when a
// changed community counts for votes (null: it does now).
json profile_view(const std::optional<dialog::person>& p, const dialog::cases::case_service& s);
// A proposal without the store's ids.
json proposal_view(const dialog::proposal& p);
// The subscribe-message template and the credits held for it.
json subscription_view(const std::string& template_id, int credits);

}  // namespace minsheng::gateway::mp
