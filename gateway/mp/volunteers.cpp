// Volunteers: registration, the wish wall (by community, category or distance), claiming and
// releasing wishes, their claims, points and ranking, and check-in / check-out at the service
// stations (驿站).

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dialog/utf8.hpp"
#include "dialog/values/civil_time.hpp"
#include "dialog/values/geo.hpp"
#include "dialog/values/iso8601.hpp"
#include "gateway/mp/bodies.hpp"
#include "gateway/mp/fields.hpp"
#include "gateway/mp/mp.hpp"
#include "gateway/mp/views.hpp"
#include "gateway/views.hpp"

namespace minsheng::gateway::mp {

namespace http = boost::beast::http;
namespace cases = dialog::cases;

namespace {

constexpr double default_radius_km = 5.0;

// The trimmed query parameter, "" when absent.
std::string query_param(const exchange& x, const char* k) {
    const std::string* v = x.param(k);
    return v ? trimmed(*v) : "";
}

// A community filter from the query: at most 30 code points of valid UTF-8.
bool plausible_community(const std::string& community) {
    return dialog::count_code_points(community) <= 30 && dialog::is_valid_utf8(community);
}

// not_volunteer for someone who never applied; volunteer_pending for an applicant who is not
// approved (waiting, or refused).
refusal not_approved(dialog::unit_of_work& uow, const dialog::person_ref& me) {
    const auto p = uow.get_person(me);
    return p && !p->volunteer_status.empty() ? refusal::volunteer_pending : refusal::not_volunteer;
}

// The other refusals of a claim, by name.
refusal claim_refusal_name(dialog::unit_of_work& uow, const cases::act_result& r,
                           const dialog::person_ref& me) {
    const bool mine = r.after.claimer == me.key();
    switch (r.why) {
        case cases::refusal::not_found:
            return refusal::wish_not_found;
        case cases::refusal::not_volunteer:
            return not_approved(uow, me);
        case cases::refusal::not_allowed:  // their own wish, from whichever channel
            return refusal::not_allowed;
        case cases::refusal::taken:
            return mine ? refusal::already_yours : refusal::taken;
        case cases::refusal::wrong_status:
            if (mine) return refusal::already_yours;
            if (!r.after.claimer.empty()) return refusal::taken;
            return refusal::not_on_wall;
        default:
            return refusal::not_on_wall;
    }
}

// "2026-03-12 10:05", China time.
std::string minute_text(std::int64_t unix) {
    std::string iso = dialog::format_iso8601(unix);
    iso[10] = ' ';
    return iso.substr(0, 16);
}

// Refusals of case_service::act claiming a wish.
outcome claim_refusal(dialog::unit_of_work& uow, const cases::act_result& r,
                      const dialog::person_ref& me, const cases::program_settings& settings,
                      std::int64_t now) {
    if (r.why == cases::refusal::claim_limit) {
        std::string held;
        for (const auto& n : r.held) held += (held.empty() ? "" : "、") + n;
        return outcome::no(refusal::claim_limit,
                           {{"count", std::to_string(r.held.size())}, {"held", held}});
    }
    if (r.why == cases::refusal::claim_cooldown)
        return outcome::no(refusal::claim_cooldown,
                           {{"hours", std::to_string(settings.claim_drop_window_seconds / 3600)},
                            {"date", minute_text(r.retry_at)}},
                           std::max<std::int64_t>(r.retry_at - now, 1));
    return outcome::no(claim_refusal_name(uow, r, me));
}

// Refusals of case_service::act releasing a claim.
refusal release_refusal(const cases::act_result& r, const dialog::case_record& before,
                        const dialog::person_ref& me) {
    if (r.why == cases::refusal::not_allowed || before.claimer != me.key())
        return refusal::not_your_claim;
    return refusal::wrong_status;
}

void claim_or_release(exchange& x, const request& rq, cases::action what) {
    x.on_writer<outcome>(
        [app = x.app_shared(), rq, what](adapters::db::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                auto c = uow.find_case(rq.number);
                if (!c) return outcome::no(refusal::wish_not_found);
                auto r = app->service->act(uow, c->id, what, cases::actor::of(rq.me), {}, t);
                if (!r.ok())
                    return what == cases::action::claim
                               ? claim_refusal(uow, r, rq.me, app->service->settings(), t)
                               : outcome::no(release_refusal(r, *c, rq.me));
                const auto contact =
                    what == cases::action::claim
                        ? app->service->reveal_contact(uow, r.after, rq.me, "mini program claim", t)
                        : std::nullopt;
                return outcome::ok(claim_view(*app->templates, r.after, contact));
            });
        },
        answer_outcome);
}

}  // namespace

void volunteer(exchange& x, reader&, const request& rq) {
    auto body = read_volunteer(x.req().body(), x.app().cfg);
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    x.on_writer<outcome>(
        [app = x.app_shared(), rq,
         b = std::get<volunteer_body>(std::move(body))](adapters::db::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                return outcome::ok(profile_view(
                    app->service->register_volunteer(uow, rq.me, b.name, b.community, b.skills, t),
                    *app->service));
            });
        },
        answer_outcome);
}

void wall(exchange& x, reader& r, const request& rq) {
    const std::string community = query_param(x, "community"),
                      category = query_param(x, "category");
    const std::string near = query_param(x, "near"), radius = query_param(x, "radius_km");
    if (!plausible_community(community) ||
        (!category.empty() &&
         std::find(categories().begin(), categories().end(), category) == categories().end()))
        return refuse(x, refusal::bad_query);
    std::optional<dialog::geo_point> here;
    double radius_km = default_radius_km;
    if (!near.empty()) {
        here = parse_near(near);
        if (!here) return refuse(x, refusal::bad_near);
    }
    if (!radius.empty()) {
        char* end = nullptr;
        radius_km = std::strtod(radius.c_str(), &end);
        if (!here || end != radius.c_str() + radius.size() || !(radius_km >= 0.1) || radius_km > 50)
            return refuse(x, refusal::bad_near);
    }

    // The wall as case_service::wall builds it (accepted wishes in wall modes, oldest first),
    // read on this reader rather than inside a transaction.
    dialog::case_query q;
    q.statuses = {std::string(cases::status::accepted)};
    q.kind = "wish";
    q.handling_modes = {std::string(cases::mode::direct), std::string(cases::mode::station)};
    q.oldest_first = true;
    q.limit = here ? 1000 : 100;
    if (!community.empty()) q.community = community;
    if (!category.empty()) q.category = category;
    auto wishes = r.list_cases(q);

    json arr = json::array();
    if (here) {
        std::vector<std::pair<double, const dialog::case_record*>> near_me;
        for (const auto& c : wishes)
            if (c.location)
                if (double km = dialog::distance_km(*here, *c.location); km <= radius_km)
                    near_me.emplace_back(km, &c);
        std::stable_sort(near_me.begin(), near_me.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [km, c] : near_me) {
            json item = views::wall_item(*c);
            item["distance_km"] = std::round(km * 100) / 100;
            arr.push_back(std::move(item));
            if (arr.size() >= 100) break;
        }
    } else {
        // Without a filter, the volunteer's own community first, as in chat.
        std::string mine;
        if (community.empty())
            if (auto p = r.get_person(rq.me)) mine = p->community;
        std::stable_partition(wishes.begin(), wishes.end(), [&](const dialog::case_record& c) {
            return !mine.empty() && c.community == mine;
        });
        for (const auto& c : wishes) arr.push_back(views::wall_item(c));
    }
    answer_json(x, http::status::ok, {{"wishes", std::move(arr)}});
}

void claim(exchange& x, reader&, const request& rq) {
    claim_or_release(x, rq, cases::action::claim);
}

void release(exchange& x, reader&, const request& rq) {
    claim_or_release(x, rq, cases::action::release);
}

// On the writer: each contact it shows is an audit line (case_service::reveal_contact).
void claims(exchange& x, reader&, const request& rq) {
    x.on_writer<outcome>(
        [app = x.app_shared(), rq](adapters::db::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                dialog::case_query q;
                q.claimer = rq.me.key();
                q.statuses = {std::string(cases::status::claimed),
                              std::string(cases::status::in_progress),
                              std::string(cases::status::done)};
                q.limit = 50;
                json arr = json::array();
                for (const auto& c : uow.list_cases(q))
                    arr.push_back(claim_view(
                        *app->templates, c,
                        app->service->reveal_contact(uow, c, rq.me, "mini program claims", t)));
                return outcome::ok(json{{"claims", std::move(arr)}});
            });
        },
        answer_outcome);
}

void points(exchange& x, reader& r, const request& rq) {
    auto p = r.get_person(rq.me);
    json visits = json::array();
    for (const auto& v : r.visits_of(rq.me, 10)) visits.push_back(visit_view(*x.app().service, v));
    answer_json(x, http::status::ok,
                {{"balance", r.balance("person:" + rq.me.key())},
                 {"volunteer", p && p->volunteer},
                 {"visits", std::move(visits)}});
}

void ranking(exchange& x, reader& r, const request& rq) {
    std::string community = query_param(x, "community");
    if (!plausible_community(community)) return refuse(x, refusal::bad_query);
    if (community.empty())
        if (auto p = r.get_person(rq.me)) community = p->community;
    auto [since, until] = dialog::china_month(x.app().now());
    answer_json(x, http::status::ok,
                {{"community", text_or_null(community)},
                 {"since", dialog::format_iso8601(since)},
                 {"until", dialog::format_iso8601(until)},
                 {"ranking", views::ranking(r.ranking(community, since, until, 20))}});
}

void stations(exchange& x, reader&, const request&) {
    json arr = json::array();
    const auto& settings = x.app().service->settings();
    for (const auto& s : settings.stations) arr.push_back(station_view(s));
    answer_json(x, http::status::ok,
                {{"stations", std::move(arr)}, {"presence_radius_m", settings.presence_radius_m}});
}

void checkin(exchange& x, reader&, const request& rq) {
    auto body = read_checkin(x.req().body());
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    x.on_writer<outcome>(
        [app = x.app_shared(), rq,
         b = std::get<checkin_body>(std::move(body))](adapters::db::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                auto r = app->service->check_in(uow, rq.me, b.station, b.activity, b.shown, t);
                if (r.why == cases::refusal::not_volunteer)
                    return outcome::no(not_approved(uow, rq.me));
                if (r.why == cases::refusal::invalid) return outcome::no(refusal::unknown_station);
                if (r.why == cases::refusal::no_presence)
                    return outcome::no(refusal::presence_required);
                if (!r.ok()) return outcome::no(refusal::already_checked_in);
                return outcome::ok(visit_view(*app->service, r.visit));
            });
        },
        answer_outcome);
}

// With presence at the visit's station the minutes are credited; without, refused unless the
// body says without_presence, which closes the visit crediting nothing.
void checkout(exchange& x, reader&, const request& rq) {
    auto body = read_checkout(x.req().body());
    if (const auto* why = std::get_if<refusal>(&body)) return refuse(x, *why);
    x.on_writer<outcome>(
        [app = x.app_shared(), rq,
         b = std::get<checkout_body>(std::move(body))](adapters::db::store& s) {
            const std::int64_t t = app->now();
            return in_one_unit(s, [&](dialog::unit_of_work& uow) {
                auto r = b.without_presence ? app->service->close_visit(uow, rq.me, t)
                                            : app->service->check_out(uow, rq.me, b.shown, t);
                if (r.why == cases::refusal::no_presence)
                    return outcome::no(refusal::presence_required);
                if (!r.ok()) return outcome::no(refusal::not_checked_in);
                json v = visit_view(*app->service, r.visit);
                v["balance"] = r.balance;
                v["served_minutes"] = r.served_minutes;
                return outcome::ok(std::move(v));
            });
        },
        answer_outcome);
}

}  // namespace minsheng::gateway::mp
