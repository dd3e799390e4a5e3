// Community moves (docs/operator-api.md, docs/security.md "one person, one vote"): a resident who
// changes their community votes and proposes there only after the cooling period, or once a
// worker of the new community confirms the move.
//   GET  /api/v1/residents/moves              moves still cooling, in the caller's communities
//   POST /api/v1/residents/moves/{n}/confirm  confirms one; the resident is told
// A confirmation is written on the person (who, when) and to the staff audit trail. Names are
// masked; no view here shows a phone or a WeChat id.

#include "adapters/db/staff.hpp"
#include "gateway/operator/endpoints.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::operator_api {

namespace {

namespace store_ns = adapters::db;

json move_view(const dialog::person& p, const dialog::cases::case_service& s) {
    auto or_null = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
    return {{"move", p.community_move},
            {"name", or_null(dialog::cases::masked_name(p.name))},
            {"from", or_null(p.community_previous)},
            {"community", p.community},
            {"channel", std::string(dialog::to_string(p.who.from))},
            {"moved_at", views::time_or_null(p.community_since)},
            {"counts_from", views::time_or_null(s.community_counts_from(p))},
            {"confirmed_by", or_null(p.community_confirmed_by)},
            {"confirmed_at", views::time_or_null(p.community_confirmed_at)}};
}

dialog::cases::volunteer_decider confirmer_of(const operator_identity& who) {
    dialog::cases::volunteer_decider d;
    d.actor = dialog::cases::actor::op(who.id).key();
    d.all = who.sees_all();
    d.communities = who.communities;
    return d;
}

}  // namespace

void list_moves(const call& c) {
    std::size_t limit = 100;
    if (!c.limit(limit)) return;
    // community=: one community, which must be in the caller's scope (403 otherwise).
    std::vector<std::string> communities = c.who.communities;
    if (auto v = c.param("community"); v && !v->empty()) {
        if (!c.who.sees_community(*v))
            return c.refuse(http::status::forbidden, "forbidden", "not your community");
        communities = {*v};
    }
    const auto& service = *c.app().service;
    const std::int64_t cooling_since = c.app().now() - service.settings().community_cooling_seconds;
    json arr = json::array();
    if (c.who.sees_all() || !communities.empty())
        for (const auto& p : c.r.pending_community_moves(communities, cooling_since, limit))
            arr.push_back(move_view(p, service));
    c.answer(http::status::ok, {{"moves", std::move(arr)}});
}

void confirm_move(const call& c, std::int64_t number) {
    c.x.on_writer<outcome>(
        [app = c.x.app_shared(), by = confirmer_of(c.who), number](store_ns::store& st) {
            const std::int64_t now = app->now();
            outcome o;
            st.run([&](dialog::unit_of_work& uow) {
                const auto r = app->service->confirm_move(uow, number, by, now);
                switch (r.why) {
                    case dialog::cases::refusal::none:
                        o = outcome::answer(http::status::ok, move_view(r.after, *app->service));
                        return;
                    case dialog::cases::refusal::not_allowed:
                        o = outcome::refusal(http::status::forbidden, "forbidden",
                                             "this move is outside your communities");
                        return;
                    case dialog::cases::refusal::wrong_status:
                        o = outcome::refusal(http::status::conflict, "wrong_status",
                                             "the move is already confirmed");
                        return;
                    default:
                        o = outcome::refusal(http::status::not_found, "not_found",
                                             "no such community move");
                        return;
                }
            });
            if (o.refused.empty())
                store_ns::append_audit(st, {0, now, by.actor, "community_move_confirm",
                                            "move " + std::to_string(number), ""});
            return o;
        },
        deliver);
}

}  // namespace minsheng::gateway::operator_api
