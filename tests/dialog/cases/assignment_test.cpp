#include "dialog/cases/assignment.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace minsheng::dialog;
using namespace minsheng::dialog::cases;

namespace {

staff_candidate worker(std::string id, std::string community, std::string grid = "",
                       bool active = true) {
    return {std::move(id), "worker", std::move(community), std::move(grid), active};
}

case_record a_case(std::string community, std::string description = "路灯坏了",
                   std::string address = "") {
    case_record c;
    c.id = 1;
    c.number = "MS20261123-0001";
    c.community = std::move(community);
    c.description = std::move(description);
    c.address = std::move(address);
    return c;
}

const assignment& east_and_west() {
    static const assignment a({{"东城社区", {"一网格", "二网格"}}, {"西城社区", {}}});
    return a;
}

std::string picked(const roster& r, const case_record& c) {
    const auto* w = pick_worker(r, c, east_and_west().grid_of(c));
    return w ? w->id : "(nobody)";
}

}  // namespace

TEST_CASE("a case's grid is the first grid of its community that its address or text names",
          "[dialog]") {
    const std::vector<community_grids> communities{{"东城社区", {"一网格", "二网格"}},
                                                   {"西城社区", {"一网格"}}};
    CHECK(case_grid(communities, a_case("东城社区", "垃圾桶满了", "东城社区二网格3栋")) ==
          "二网格");
    CHECK(case_grid(communities, a_case("东城社区", "一网格的路灯坏了")) == "一网格");
    CHECK(case_grid(communities, a_case("东城社区", "路灯坏了", "东城社区5栋")).empty());
    // Only the case's own community's grids count.
    CHECK(case_grid(communities, a_case("南山社区", "一网格的路灯坏了")).empty());
}

TEST_CASE("a located case falls in the grid whose boundary holds it, unless it names one",
          "[dialog]") {
    const std::vector<community_grids> communities{{"东城社区", {"一网格", "二网格"}},
                                                   {"西城社区", {"三网格"}}};
    const auto square = [](double lat0, double lng0) {
        return boundary{
            {{{{lat0, lng0}, {lat0, lng0 + 0.01}, {lat0 + 0.01, lng0 + 0.01}, {lat0 + 0.01, lng0}},
              {}}}};
    };
    const std::vector<grid_area> areas{{"东城社区", "一网格", square(23.00, 113.70)},
                                       {"东城社区", "二网格", square(23.00, 113.71)},
                                       {"西城社区", "三网格", square(23.00, 113.72)}};
    auto c = a_case("东城社区", "路灯坏了", "东城社区5栋");
    c.location = geo_point{23.005, 113.715};
    CHECK(case_grid(communities, c, areas) == "二网格");
    CHECK(case_grid(communities, c).empty());  // no boundaries: no grid
    // A grid named in the address goes before the boundary.
    c.address = "东城社区一网格5栋";
    CHECK(case_grid(communities, c, areas) == "一网格");
    // Another community's boundary never places a case.
    c.address = "东城社区5栋";
    c.location = geo_point{23.005, 113.725};
    CHECK(case_grid(communities, c, areas).empty());
    // Outside every boundary, or without coordinates: none.
    c.location = geo_point{23.5, 113.705};
    CHECK(case_grid(communities, c, areas).empty());
    c.location.reset();
    CHECK(case_grid(communities, c, areas).empty());

    // The worker of the located grid is picked; an operator may still name another worker.
    const assignment rule(communities, areas);
    roster r;
    r.staff = {worker("w-1", "东城社区", "一网格"), worker("w-2", "东城社区", "二网格"),
               worker("w-3", "东城社区")};
    c.location = geo_point{23.005, 113.715};
    auto choice = rule.choose(r, c, "auto");
    REQUIRE(choice.ok());
    CHECK(choice.assignee == "w-2");
    r.open_cases["w-2"] = 5;  // the grid's own worker goes first, however loaded
    CHECK(rule.choose(r, c, "auto").assignee == "w-2");
    CHECK(rule.choose(r, c, "w-3").assignee == "w-3");  // a worker of the whole community
    // The operator knows better than a boundary: another grid's worker may be named...
    CHECK(rule.choose(r, c, "w-1").assignee == "w-1");
    // ...but not against a grid the case names.
    c.address = "东城社区二网格5栋";
    CHECK(rule.choose(r, c, "w-1").why == assignee_refusal::bad_assignee);
}

TEST_CASE("only an active worker of the case's community (and grid) may handle it", "[dialog]") {
    const auto c = a_case("东城社区");
    CHECK(may_handle(worker("w-1", "东城社区"), c, ""));
    CHECK_FALSE(may_handle(worker("w-2", "西城社区"), c, ""));
    CHECK_FALSE(may_handle(worker("w-3", "东城社区", "", false), c, ""));
    CHECK_FALSE(may_handle({"s-1", "supervisor", "东城社区", "", true}, c, ""));
    CHECK_FALSE(may_handle({"a-1", "admin", "", "", true}, c, ""));
    // Grids: a worker of another grid may not; a worker of the whole community may.
    CHECK(may_handle(worker("w-4", "东城社区", "二网格"), c, "二网格"));
    CHECK_FALSE(may_handle(worker("w-5", "东城社区", "一网格"), c, "二网格"));
    CHECK(may_handle(worker("w-6", "东城社区"), c, "二网格"));
    CHECK(may_handle(worker("w-5", "东城社区", "一网格"), c, ""));
    // A case without a community: any community's worker.
    CHECK(may_handle(worker("w-2", "西城社区"), a_case(""), ""));
}

TEST_CASE("auto picks the least-loaded worker, the lowest id on a tie, the case's grid first",
          "[dialog]") {
    roster r;
    r.staff = {worker("w-busy", "东城社区"), worker("w-free", "东城社区"),
               worker("w-gone", "东城社区", "", false), worker("w-grid", "东城社区", "二网格"),
               worker("w-west", "西城社区")};
    r.open_cases = {{"w-busy", 2}};
    CHECK(picked(r, a_case("东城社区")) == "w-free");
    // The grid's worker first, though w-free is as free.
    CHECK(picked(r, a_case("东城社区", "垃圾桶满了", "东城社区二网格3栋")) == "w-grid");
    // ... even when busier than the others.
    r.open_cases["w-grid"] = 5;
    CHECK(picked(r, a_case("东城社区", "垃圾桶满了", "东城社区二网格3栋")) == "w-grid");
    // Nobody of the grid: the community's others (a worker of another grid never).
    CHECK(picked(r, a_case("东城社区", "一网格的路灯坏了")) == "w-free");
    r.open_cases["w-free"] = 3;
    CHECK(picked(r, a_case("东城社区")) == "w-busy");
    // No active worker in the community, or no community: nobody.
    CHECK(picked(r, a_case("南山社区")) == "(nobody)");
    CHECK(picked(r, a_case("")) == "(nobody)");
}

TEST_CASE("a named assignee is refused unless they may handle the case; auto may find nobody",
          "[dialog]") {
    roster r;
    r.staff = {worker("w-east", "东城社区"),
               worker("w-gone", "东城社区", "", false),
               worker("w-west", "西城社区"),
               {"s-east", "supervisor", "", "", true}};
    const auto& rule = east_and_west();
    const auto c = a_case("东城社区");

    auto ok = rule.choose(r, c, "w-east");
    CHECK(ok.ok());
    CHECK(ok.assignee == "w-east");
    for (const char* who : {"w-west", "w-gone", "s-east", "nobody"}) {
        INFO(who);
        auto no = rule.choose(r, c, who);
        CHECK(no.why == assignee_refusal::bad_assignee);
        CHECK(no.assignee.empty());
    }
    auto chosen = rule.choose(r, c, "auto");
    CHECK(chosen.ok());
    CHECK(chosen.assignee == "w-east");
    CHECK(rule.choose(r, a_case("南山社区"), "auto").why == assignee_refusal::no_worker);
}

TEST_CASE("the cases waiting for a worker: unassigned, received or accepted, not on the wall",
          "[dialog]") {
    const auto q = assignment::waiting_cases();
    CHECK(q.statuses == std::vector<std::string>{"received", "accepted"});
    REQUIRE(q.assignee);
    CHECK(q.assignee->empty());
    CHECK(q.handling_modes == std::vector<std::string>{"", "express"});
    CHECK(q.oldest_first);
    CHECK(q.limit == 1000);
}
