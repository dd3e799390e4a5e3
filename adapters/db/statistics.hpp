#pragma once
// The program's statistics for case workers, supervisors and admins (docs/statistics.md): cases
// by category, kind, channel, community and status; deadline compliance; ratings; volunteer
// activity; the 需求图 (demand: community × category) and the 资源图 (resources: volunteers and
// stations per community). Read-only; every figure comes from one read snapshot.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/db/certificate_stats.hpp"

namespace minsheng::adapters::db {

class reader;

// A 驿站 as the statistics need it: its code (service_visits.station) and its community. The
// stations are configuration, not data, so the caller passes them in.
struct station_site {
    std::string code;
    std::string community;
};

struct stats_query {
    // The window [since, until), unix seconds: cases by created_at; claims, confirmations,
    // visits and points by the time they happened.
    std::int64_t since = 0;
    std::int64_t until = 0;
    // "Overdue" is judged at this instant.
    std::int64_t now = 0;
    // Only these communities; empty: every case, person and station, with or without one.
    std::vector<std::string> communities;
    // The configured stations (scope: a visit counts for its station's community).
    std::vector<station_site> stations;
    // Communities that always get a resources row, even with nothing in them (the configured
    // communities); those outside `communities` (when set) are left out.
    std::vector<std::string> listed;
};

// A count per key ("" when the cases have none, e.g. no category yet).
struct keyed_count {
    std::string key;
    std::int64_t count = 0;
    friend bool operator==(const keyed_count&, const keyed_count&) = default;
};

struct case_totals {
    std::int64_t cases = 0;    // created in the window
    std::int64_t open = 0;     // of those, not closed, cancelled or merged
    std::int64_t closed = 0;   // of those, status closed (办结)
    std::int64_t overdue = 0;  // of those, past the deadline at `now` and still with the handler
                               // (not done/confirmed/closed/cancelled/merged): the console's
                               // overdue=1 list
};

// Deadline compliance of the window's cases that have a deadline and were not cancelled or
// merged; the four parts add up to with_deadline.
struct deadline_figures {
    std::int64_t with_deadline = 0;
    std::int64_t closed_on_time = 0;  // closed, closed_at <= deadline_at
    std::int64_t closed_late = 0;     // closed, closed_at > deadline_at
    std::int64_t open_overdue = 0;    // not closed, deadline_at < now (can no longer be on time)
    std::int64_t open_on_time = 0;    // not closed, deadline_at >= now (still undecided)
    // closed_on_time / (closed_on_time + closed_late + open_overdue); nullopt when that is 0.
    std::optional<double> compliance_rate;
};

struct rating_figures {
    std::int64_t count = 0;                      // rated cases among the window's (rating 1..5)
    std::optional<double> mean;                  // nullopt when none is rated
    std::array<std::int64_t, 5> distribution{};  // [0] = ratings of 1 ... [4] = ratings of 5
};

struct volunteer_figures {
    std::int64_t registered = 0;        // volunteers (people.volunteer) registered before until
    std::int64_t active = 0;            // distinct volunteers who claimed or visited in the window
    std::int64_t claims = 0;            // claim events in the window
    std::int64_t wishes_confirmed = 0;  // claimed wishes confirmed (points posted) in the window
    std::int64_t visits = 0;            // 驿站 check-ins in the window
    std::int64_t service_minutes = 0;   // minutes credited for those visits
    std::int64_t points_credited = 0;   // points credited to people in the window
};

struct demand_cell {
    std::string community;
    std::string category;
    std::int64_t count = 0;
    friend bool operator==(const demand_cell&, const demand_cell&) = default;
};

struct resource_row {
    std::string community;
    std::int64_t volunteers = 0;
    std::int64_t stations = 0;
    friend bool operator==(const resource_row&, const resource_row&) = default;
};

struct statistics {
    case_totals totals;
    // Highest count first, then by key.
    std::vector<keyed_count> by_category;
    std::vector<keyed_count> by_kind;
    std::vector<keyed_count> by_channel;
    std::vector<keyed_count> by_community;
    std::vector<keyed_count> by_status;
    deadline_figures deadlines;
    rating_figures ratings;
    volunteer_figures volunteers;
    // By community, then category (the cells with at least one case).
    std::vector<demand_cell> demand;
    // By community: the listed ones and every one with a volunteer or a station.
    std::vector<resource_row> resources;
    // Certificate requests answered from the city's list in the window (by answered_at), in the
    // scope's communities (the resident's community when known), per China-time month and item:
    // answered, escalated, deflected (docs/certificates.md).
    std::vector<certificate_month> certificates;
};

// Every figure for the window and scope, read in one snapshot of `r`. Throws store_error (its
// message names the operation and SQLite's reason, never row data).
statistics compute_statistics(reader& r, const stats_query& q);

}  // namespace minsheng::adapters::db
