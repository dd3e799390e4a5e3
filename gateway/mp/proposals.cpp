// The 微实事 proposals of the person's community: the open ones, and a vote (which may pass a
// proposal and open its project).

#include <string>

#include "gateway/mp/mp.hpp"
#include "gateway/mp/views.hpp"

namespace minsheng::gateway::mp {

namespace http = boost::beast::http;
namespace cases = dialog::cases;

namespace {

// Refusals of case_service::vote.
refusal vote_refusal(cases::refusal why) {
    switch (why) {
        case cases::refusal::not_found:
            return refusal::proposal_not_found;
        case cases::refusal::already_voted:
            return refusal::already_voted;
        case cases::refusal::wrong_community:
            return refusal::wrong_community;
        case cases::refusal::phone_required:
            return refusal::phone_required;
        case cases::refusal::community_cooling:
            return refusal::community_cooling;
        default:
            return refusal::proposal_closed;
    }
}

}  // namespace

void proposals(exchange& x, reader& r, const request& rq) {
    auto p = r.get_person(rq.me);
    const std::string community = p ? p->community : "";
    json arr = json::array();
    if (!community.empty())
        for (const auto& proposal : r.open_proposals(community, 50))
            arr.push_back(proposal_view(proposal));
    answer_json(x, http::status::ok,
                {{"community", text_or_null(community)}, {"proposals", std::move(arr)}});
}

void vote(exchange& x, reader&, const request& rq) {
    x.on_writer<outcome>(
        [app = x.app_shared(), rq](adapters::db::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                auto p = uow.get_person(rq.me);
                if (!p || p->community.empty()) return outcome::no(refusal::community_required);
                auto r = app->service->vote(uow, rq.number, rq.me, t);
                if (r.why != cases::refusal::none) return outcome::no(vote_refusal(r.why));
                json v = proposal_view(r.after);
                v["passed_now"] = r.passed_now;
                v["project_number"] = r.passed_now ? json(r.project.number) : json(nullptr);
                return outcome::ok(std::move(v));
            });
        },
        answer_outcome);
}

}  // namespace minsheng::gateway::mp
