#pragma once
// The operator API's endpoints (docs/operator-api.md), by the file that serves them. router.cpp
// authenticates the caller and picks one from its table (router.hpp) by path and method, after
// checking the caller's role; each is called on the reader thread of its call and answers
// exactly once through the call's exchange: at once, or after its writer work has committed.
// Each keeps to the scope rule router.hpp gives it: every case read or acted on is checked
// against the caller's scope (403 outside it), every list is narrowed to it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/db/store.hpp"
#include "dialog/cases/assignment.hpp"
#include "gateway/operator/call.hpp"

namespace minsheng::gateway::operator_api {

// cases.cpp: the queue and one case.
// The queue's filters from the query (status, kind, category, community, handling_mode,
// assignee, channel, overdue, limit, before_id), shared by /cases and /cases.csv; nullopt after
// refusing 400.
std::optional<dialog::case_query> case_filters(const call& c, std::size_t default_limit);
void list_cases(const call& c);                 // GET /api/v1/cases
void get_case(const call& c, std::int64_t id);  // GET /api/v1/cases/{id}

// duplicates.cpp: GET /api/v1/cases/{id}/possible-duplicates, the open cases in the caller's
// scope the duplicate decision rates possible (or same) against case {id}; never private ones.
void possible_duplicates(const call& c, std::int64_t id);

// case_actions.cpp: what an operator does to one case (POST /api/v1/cases/{id}/...).
void act(const call& c, std::int64_t id);       // .../actions: a lifecycle action
void add_note(const call& c, std::int64_t id);  // .../notes: an internal note
void reply(const call& c, std::int64_t id);     // .../reply: a message to the reporter
// .../followers/split: a follower's own case from what they reported
void split_follower(const call& c, std::int64_t id);

// assignment.cpp: who handles a case.
// The store's staff and their open cases as the assignment rule sees them. Call on the writer.
dialog::cases::roster roster_of(adapters::db::store& st);
void assign_auto(const call& c);  // POST /api/v1/assign/auto

// export.cpp
void export_cases(const call& c);  // GET /api/v1/cases.csv

// staff.cpp: the caller and their colleagues.
void me(const call& c);           // GET /api/v1/me
void wechat_code(const call& c);  // POST /api/v1/me/wechat-code
void list_staff(const call& c);   // GET /api/v1/staff
void list_canned(const call& c);  // GET /api/v1/canned
void list_audit(const call& c);   // GET /api/v1/audit

// volunteers.cpp: volunteer applications, decided within the caller's communities.
void list_volunteers(const call& c);  // GET /api/v1/volunteers
// POST /api/v1/volunteers/{ZYn}/approve or /refuse.
void decide_volunteer(const call& c, std::int64_t number, bool approve);

// residents.cpp: community moves, confirmed within the caller's communities.
void list_moves(const call& c);                         // GET /api/v1/residents/moves
void confirm_move(const call& c, std::int64_t number);  // POST .../moves/{n}/confirm

// program.cpp: the program's queues and timers.
void list_outbox(const call& c);     // GET /api/v1/outbox
void list_proposals(const call& c);  // GET /api/v1/proposals
void ranking(const call& c);         // GET /api/v1/ranking
void sweep(const call& c);           // POST /api/v1/sweep

// stats.cpp: GET /api/v1/stats, /api/v1/stats/demand.svg, /api/v1/stats/resources.svg (and a
// 404 for any other /api/v1/stats/...). Its errors' messages come from templates/stats/.
bool is_stats_path(std::string_view path);
void stats(const call& c);

// discovery.cpp: 主动发现 (docs/discovery.md), supervisors and admins.
void list_discovery(const call& c);    // GET /api/v1/discovery
void export_discovery(const call& c);  // GET /api/v1/discovery.csv
void visit_discovery(const call& c);   // POST /api/v1/discovery/visits
// The templates those render (templates/discovery/), required at start-up.
std::vector<std::string> discovery_template_keys();

}  // namespace minsheng::gateway::operator_api
