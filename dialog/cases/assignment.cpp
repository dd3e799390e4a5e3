#include "dialog/cases/assignment.hpp"

#include <algorithm>
#include <utility>

#include "dialog/cases/handling.hpp"
#include "dialog/cases/lifecycle.hpp"

namespace minsheng::dialog::cases {

std::int64_t roster::load_of(const std::string& id) const {
    auto it = open_cases.find(id);
    return it == open_cases.end() ? std::int64_t{0} : it->second;
}

std::string case_grid(const std::vector<community_grids>& communities, const case_record& c,
                      const std::vector<grid_area>& areas) {
    for (const auto& cc : communities) {
        if (cc.name != c.community) continue;
        for (const auto& g : cc.grids)
            if (!g.empty() && (c.address.find(g) != std::string::npos ||
                               c.description.find(g) != std::string::npos))
                return g;
    }
    // Only a case with a community is placed by its coordinates: a grid names a patch of one.
    if (c.location && !c.community.empty())
        if (const auto* a = area_at(areas, *c.location, c.community)) return a->grid;
    return "";
}

bool may_handle(const staff_candidate& m, const case_record& c, std::string_view grid) {
    return m.active && m.role == "worker" && (c.community.empty() || m.community == c.community) &&
           (grid.empty() || m.grid.empty() || m.grid == grid);
}

const staff_candidate* pick_worker(const roster& r, const case_record& c, std::string_view grid) {
    if (c.community.empty()) return nullptr;
    const staff_candidate* best = nullptr;
    for (bool same_grid : {true, false}) {
        if (same_grid && grid.empty()) continue;
        for (const auto& m : r.staff) {
            if (!may_handle(m, c, grid) || (same_grid && m.grid != grid)) continue;
            if (!best || r.load_of(m.id) < r.load_of(best->id)) best = &m;
        }
        if (best) return best;
    }
    return nullptr;
}

assignment::assignment(std::vector<community_grids> communities, std::vector<grid_area> areas)
    : communities_(std::move(communities)), areas_(std::move(areas)) {}

assignee_choice assignment::choose(const roster& r, const case_record& c,
                                   std::string_view requested) const {
    if (requested == "auto") {
        const auto* w = pick_worker(r, c, grid_of(c));
        if (!w) return {assignee_refusal::no_worker, ""};
        return {assignee_refusal::none, w->id};
    }
    auto m = std::find_if(r.staff.begin(), r.staff.end(),
                          [&](const staff_candidate& s) { return s.id == requested; });
    // An operator knows the place better than a boundary: only a grid the case names binds them.
    if (m == r.staff.end() || !may_handle(*m, c, case_grid(communities_, c)))
        return {assignee_refusal::bad_assignee, ""};
    return {assignee_refusal::none, m->id};
}

case_query assignment::waiting_cases() {
    case_query q;
    q.statuses = {std::string(status::received), std::string(status::accepted)};
    q.assignee = "";
    q.handling_modes = {"", std::string(mode::express)};
    q.oldest_first = true;
    q.limit = 1000;
    return q;
}

std::vector<auto_assigned> assignment::assign_waiting(unit_of_work& uow,
                                                      const case_service& service,
                                                      const case_query& query, roster& r,
                                                      const actor& by, std::int64_t now) const {
    std::vector<auto_assigned> out;
    for (const auto& c : uow.list_cases(query)) {
        const auto* w = pick_worker(r, c, grid_of(c));
        if (!w) continue;
        act_args args;
        args.assignee = w->id;
        args.note = "auto";
        if (!service.act(uow, c.id, action::assign, by, args, now).ok()) continue;
        ++r.open_cases[w->id];
        out.push_back({c.id, c.number, w->id});
    }
    return out;
}

}  // namespace minsheng::dialog::cases
