#pragma once
// The case lifecycle (上报—处理—反馈—评价) as a pure table: which action, by whom, moves a case
// from which status to which. The case service (service.hpp) applies it and writes the audit
// trail; nothing here touches storage. Pure functions; thread-safe.
//
//   received ──accept──► accepted ──claim──► claimed ──start──► in_progress ──report_done──► done
//      │                    │  ▲                │  │                                        │
//      │                    │  └─release/lease_expired                                       │
//      └──assign──────────► assigned ──start──► in_progress        confirm ──► confirmed ──rate──►
//      closed
//                                                                   rate (implies confirm) ─────►
//                                                                   closed
//   done/confirmed/closed ──not_solved (reporter) / reopen (operator) / low rating──► in_progress
//                                        (or accepted when nobody handles the case)
//   in_progress (held by a claimer) ──lease_expired──► accepted, as from claimed
//   any open status ──cancel──► cancelled      any open status ──merge──► merged

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::dialog::cases {

// Statuses, as stored.
namespace status {
inline constexpr std::string_view received = "received";
inline constexpr std::string_view accepted = "accepted";
inline constexpr std::string_view assigned = "assigned";
inline constexpr std::string_view claimed = "claimed";
inline constexpr std::string_view in_progress = "in_progress";
inline constexpr std::string_view done = "done";
inline constexpr std::string_view confirmed = "confirmed";
inline constexpr std::string_view closed = "closed";
inline constexpr std::string_view cancelled = "cancelled";
inline constexpr std::string_view merged = "merged";
}  // namespace status

// Every status, in lifecycle order.
const std::vector<std::string_view>& all_statuses();
// Not closed, cancelled or merged: the case still needs someone.
bool is_open(std::string_view status);
// closed, cancelled, merged.
bool is_terminal(std::string_view status);

enum class action {
    accept,         // received → accepted                      operator, system
    assign,         // received/accepted/assigned → assigned    operator
    claim,          // accepted → claimed                       volunteer
    release,        // claimed → accepted                       volunteer (the claimer), operator
    lease_expired,  // claimed/in_progress → accepted           system
    start,          // assigned/claimed → in_progress           handler, operator
    report_done,    // assigned/claimed/in_progress → done      handler, operator
    confirm,        // done → confirmed                         reporter, operator, system
                    //   (system: the resident was told and did not answer)
    rate,           // done/confirmed → closed                  reporter
    not_solved,     // done/confirmed → reopened                reporter
    reopen,         // done/confirmed/closed → reopened         operator
    close,          // done/confirmed → closed                  operator, system (no rating)
    cancel,         // any open status but done/confirmed → cancelled   reporter, operator
    merge,          // any open status → merged                 operator
};

// "accept", "report_done", ...: the names stored in case_events.action and used by the API.
std::string_view to_string(action a);
std::optional<action> action_from_string(std::string_view name);

enum class role {
    reporter,   // the resident who filed the case (or one whose case was merged into it)
    volunteer,  // a registered volunteer; for release/start/report_done: the claimer
    handler,    // the assigned case worker or the claiming volunteer
    operator_,  // a case worker or supervisor acting through the operator API
    system,     // timers: lease expiry, auto-confirm, auto-close
};

// The status `a` leads to from `from` when `who` does it, or nullopt when the table does not
// allow it. "Reopened" resolves to in_progress when `has_handler` (an assignee or a claimer
// remains), else to accepted.
std::optional<std::string_view> next_status(std::string_view from, action a, role who,
                                            bool has_handler);

}  // namespace minsheng::dialog::cases
