#pragma once
// Who handles a case: which case worker may be assigned it, and which one "auto" picks.
//
//   grid      A case carries no grid of its own: its grid is the first grid (网格) of its
//             community whose name its address or description mentions; else, when the case
//             has coordinates, the first grid of its community whose boundary contains them
//             (dialog/cases/geo.hpp); "" when neither. An operator naming a worker goes before
//             the boundary: their choice is checked against the grid the case names only.
//   may       An active worker of the case's community (of any community when the case has
//             none) and, when both the case and the worker have a grid, of that grid.
//   auto      The least-loaded such worker (fewest open assigned cases, then the lowest id),
//             those of the case's grid first; nobody for a case without a community.
//
// Staff are plain values here: the caller converts its own rows to staff_candidate. The rule
// functions are pure and thread-safe; an assignment is immutable after construction: share it
// freely. Only assign_waiting writes (through the caller's unit_of_work) and it throws only what
// the unit_of_work throws (storage failures).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/cases/geo.hpp"
#include "dialog/cases/service.hpp"
#include "dialog/ports.hpp"

namespace minsheng::dialog::cases {

// A staff member as assignment sees them.
struct staff_candidate {
    std::string id;         // e.g. "w-dongcheng-01"
    std::string role;       // "worker" | "supervisor" | "admin": only workers take cases
    std::string community;  // workers: their community
    std::string grid;       // workers: their grid within it; "" the whole community
    bool active = true;
};

// The staff and their loads at one moment.
struct roster {
    std::vector<staff_candidate> staff;              // ordered by id: equal loads go to the first
    std::map<std::string, std::int64_t> open_cases;  // open assigned cases per id; absent: none
    std::int64_t load_of(const std::string& id) const;
};

// A community the program serves and its grids (the config's [[community]]).
struct community_grids {
    std::string name;
    std::vector<std::string> grids;
};

// The case's grid among `communities` and the grid boundaries `areas` (see "grid" above); ""
// when none.
std::string case_grid(const std::vector<community_grids>& communities, const case_record& c,
                      const std::vector<grid_area>& areas = {});
// Whether m may be assigned c, whose grid is `grid` (see "may" above).
bool may_handle(const staff_candidate& m, const case_record& c, std::string_view grid);
// The worker "auto" picks for c (see "auto" above): a pointer into r.staff, nullptr when none.
const staff_candidate* pick_worker(const roster& r, const case_record& c, std::string_view grid);

// Why a requested assignee is refused.
enum class assignee_refusal {
    none,
    no_worker,     // "auto", and no worker may take the case
    bad_assignee,  // the named staff member is unknown or may not take the case
};

struct assignee_choice {
    assignee_refusal why = assignee_refusal::none;
    std::string assignee;  // the staff id when not refused
    bool ok() const { return why == assignee_refusal::none; }
};

// One case assigned by assign_waiting.
struct auto_assigned {
    std::int64_t case_id = 0;
    std::string number;
    std::string assignee;
};

class assignment {
public:
    explicit assignment(std::vector<community_grids> communities,
                        std::vector<grid_area> areas = {});

    std::string grid_of(const case_record& c) const { return case_grid(communities_, c, areas_); }

    // The assignee for `requested`: "auto" picks one (no_worker when none may take the case);
    // any other value names a staff member, refused (bad_assignee) unless they may take it
    // (with the grid the case names; a grid found only by the boundary does not bind them).
    assignee_choice choose(const roster& r, const case_record& c, std::string_view requested) const;

    // The cases waiting for a worker, oldest first: received or accepted, without an assignee,
    // handled by workers (no handling mode, or express: wall wishes are for volunteers to
    // claim); at most 1000. Callers narrow it further (to the communities an operator sees).
    static case_query waiting_cases();

    // Assigns every case `query` lists (normally a narrowed waiting_cases()) to the worker
    // pick_worker chooses, as `by` with the note "auto", through service.act. Cases nobody may
    // take, or that the lifecycle refuses, are skipped. Each assignment adds one to its worker's
    // load in `r`, so the cases spread. Returns what was assigned, in query order.
    std::vector<auto_assigned> assign_waiting(unit_of_work& uow, const case_service& service,
                                              const case_query& query, roster& r, const actor& by,
                                              std::int64_t now) const;

private:
    std::vector<community_grids> communities_;
    std::vector<grid_area> areas_;
};

}  // namespace minsheng::dialog::cases
