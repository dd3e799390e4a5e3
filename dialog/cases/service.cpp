// case_service: construction, opening cases, volunteers, the wish wall (also by distance) and
// points. The lifecycle actions are in service_act.cpp, proposals in service_proposals.cpp,
// timers in service_sweep.cpp.
#include "dialog/cases/service.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "dialog/cases/detail/service_support.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/utf8.hpp"
#include "dialog/values/civil_time.hpp"
#include "dialog/values/geo.hpp"

namespace minsheng::dialog::cases {

std::string actor::key() const {
    switch (is) {
        case kind::person:
            return id;
        case kind::operator_:
            return "operator:" + id;
        case kind::system:
            break;
    }
    return "system";
}

std::string_view to_string(refusal r) {
    switch (r) {
        case refusal::none:
            return "none";
        case refusal::not_found:
            return "not_found";
        case refusal::not_allowed:
            return "not_allowed";
        case refusal::wrong_status:
            return "wrong_status";
        case refusal::taken:
            return "taken";
        case refusal::not_volunteer:
            return "not_volunteer";
        case refusal::not_on_wall:
            return "not_on_wall";
        case refusal::invalid:
            return "invalid";
        case refusal::already_voted:
            return "already_voted";
        case refusal::wrong_community:
            return "wrong_community";
        case refusal::closed:
            return "closed";
        case refusal::daily_limit:
            return "daily_limit";
        case refusal::phone_required:
            return "phone_required";
        case refusal::community_cooling:
            return "community_cooling";
        case refusal::claim_limit:
            return "claim_limit";
        case refusal::claim_cooldown:
            return "claim_cooldown";
        case refusal::no_presence:
            return "no_presence";
    }
    return "unknown";
}

bool asks_resident(const case_record& c) {
    return c.from == channel::wechat_oa || c.from == channel::miniprogram;
}

case_service::case_service(std::shared_ptr<const template_set> templates,
                           std::shared_ptr<const working_calendar> calendar, working_hours hours,
                           program_settings settings)
    : templates_(std::move(templates)),
      calendar_(std::move(calendar)),
      hours_(std::move(hours)),
      settings_(std::move(settings)) {
    if (!templates_) throw std::invalid_argument("case_service: no templates");
    if (!calendar_) throw std::invalid_argument("case_service: no calendar");
    templates_->require(required_templates());
}

const std::vector<std::string>& case_service::required_templates() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k = {
            // the reporter (and reporters of merged cases), on each status change
            "notify/case_accepted",
            "notify/case_assigned",
            "notify/wish_claimed",
            "notify/wish_back_on_wall",
            "notify/case_in_progress",
            "notify/case_done",
            "notify/follower_done",
            "notify/follower_done_call",
            "notify/case_done_closes",
            "notify/case_confirm_notice",
            "notify/case_confirm_notice_mp",
            "notify/case_confirmed",
            "notify/case_auto_confirmed",
            "notify/case_rated",
            "notify/case_closed",
            "notify/case_auto_closed",
            "notify/case_reopened",
            "notify/case_cancelled",
            "notify/case_merged",
            // the claiming volunteer
            "notify/volunteer_released",
            "notify/volunteer_lease_expired",
            "notify/volunteer_points",
            "notify/volunteer_reopened",
            "notify/volunteer_cancelled",
            "notify/volunteer_merged",
            "notify/volunteer_detail",
            "notify/volunteer_reminder",
            // volunteer applications
            "notify/volunteer_approved",
            "notify/volunteer_refused",
            "notify/worker_volunteer_applied",
            "notify/anonymous_applicant",
            // community moves
            "notify/worker_community_moved",
            "notify/anonymous_resident",
            "notify/community_move_confirmed",
            // case workers and supervisors of the community
            "notify/worker_urgent_case",
            "notify/worker_assigned",
            "notify/worker_reopened",
            "notify/worker_low_rating",
            "notify/worker_cancelled",
            "notify/worker_detail",
            "notify/worker_reminder",
            "notify/supervisor_overdue",
            // 微实事 proposals and their voters
            "notify/proposal_passed",
            "notify/proposal_passed_voter",
            "notify/proposal_expired",
            "notify/voter_progress",
            // phones
            "notify/phone_moved",
            "notify/order_accepted",
            "notify/case_done_result",
            "notify/case_done_closes_result",
            "notify/worker_order_returned",
            "sms/phone_code",
        };
        for (auto s : all_statuses()) k.push_back("status/" + std::string(s));
        k.push_back("status/accepted_wall");
        return k;
    }();
    return keys;
}

// The longest configured community named in the draft's address, else in its description.
std::string case_service::known_community(const case_draft& draft) const {
    for (const std::string* text : {&draft.address, &draft.description}) {
        const std::string* best = nullptr;
        for (const auto& name : settings_.communities)
            if (!name.empty() && text->find(name) != std::string::npos &&
                (!best || name.size() > best->size()))
                best = &name;
        if (best) return *best;
    }
    return "";
}

case_record case_service::open(unit_of_work& uow, case_draft draft,
                               std::string_view normalised_description, std::int64_t now) const {
    if (draft.created_at == 0) draft.created_at = now;
    if (draft.community.empty() && draft.location && known_community(draft).empty())
        if (const auto* a = area_at(settings_.grid_areas, *draft.location, ""))
            draft.community = a->community;
    if (draft.community.empty()) {
        if (auto p = uow.get_person(person_ref{draft.from, draft.reporter_id});
            p && !p->community.empty())
            draft.community = p->community;
        else if (auto known = known_community(draft); !known.empty())
            draft.community = std::move(known);
        else
            draft.community = detail::community_in_address(draft.address);
    }

    // A private case is for workers only: no handling rule puts it on a wall.
    const handling_rule* rule =
        draft.is_private ? nullptr : settings_.rules.choose(draft, normalised_description);
    draft.handling_mode = rule ? rule->mode : std::string(mode::workers);
    draft.handling_rule = rule ? rule->name : (draft.is_private ? "private" : "none");

    draft.deadline_at = 0;
    draft.remind_at = 0;
    if (supports(draft.created_at)) {
        if (auto due = deadline(*calendar_, settings_.deadlines, draft.kind, draft.created_at);
            due && supports(*due)) {
            draft.deadline_at = *due;
            draft.remind_at = reminder_time(*calendar_, hours_, draft.created_at, *due);
        }
    }

    case_record c = uow.open_case(draft);

    if (on_wish_wall(c.handling_mode) && c.status == status::received) {
        case_record u = c;
        u.status = std::string(status::accepted);
        u.updated_at = std::max(now, c.updated_at);
        if (uow.update_case(u, c.status, c.updated_at)) {
            uow.add_event({0, c.id, now, actor::sys().key(), std::string(to_string(action::accept)),
                           c.status, u.status,
                           "handling rule " + c.handling_rule + ": " + c.handling_mode +
                               " mode, published on the wish wall"});
            c = std::move(u);
        }
    }

    if (c.handling_mode == mode::express || c.urgency == "urgent") {
        detail::outbox out(uow, *templates_, now);
        out.to_staff("case:" + std::to_string(c.id) + ":opened", "worker", c.community,
                     "notify/worker_urgent_case",
                     {{"number", c.number},
                      {"community", c.community},
                      {"summary", public_summary(c)},
                      {"deadline", detail::format_day(c.deadline_at)}},
                     c.id);
    }
    return c;
}

person case_service::register_volunteer(unit_of_work& uow, const person_ref& who, std::string name,
                                        std::string community, std::string skills,
                                        std::int64_t now) const {
    person p = uow.get_person(who).value_or(person{});
    p.who = who;
    if (!name.empty()) p.name = std::move(name);
    if (!community.empty() && community != p.community)
        declare_community(uow, p, std::move(community), now);
    if (!skills.empty()) p.skills = std::move(skills);
    const bool first = p.volunteer_status.empty();
    if (first) {
        p.volunteer_status = "applied";
        p.volunteer_number = uow.next_volunteer_number();
        p.registered_at = now;
        p.volunteer = false;
    }
    p.updated_at = now;
    uow.save_person(p);
    if (first) {
        detail::outbox out(uow, *templates_, now);
        out.to_staff(
            "volunteer:" + std::to_string(p.volunteer_number) + ":applied", "worker", p.community,
            "notify/worker_volunteer_applied",
            {{"application", "ZY" + std::to_string(p.volunteer_number)},
             {"name", p.name.empty() ? templates_->render("notify/anonymous_applicant") : p.name},
             {"community", p.community},
             {"skills", p.skills}},
            0);
    }
    return p;
}

bool volunteer_decider::may_decide(std::string_view community) const {
    return all || std::find(communities.begin(), communities.end(), community) != communities.end();
}

volunteer_decider case_service::decider_of(const bound_staff& staff) const {
    volunteer_decider d;
    d.actor = actor::op(staff.id).key();
    if (staff.role == "admin") {
        d.all = true;
    } else if (staff.role == "supervisor") {
        for (const auto& [community, street] : settings_.streets)
            if (!street.empty() && street == staff.street) d.communities.push_back(community);
    } else if (!staff.community.empty()) {
        d.communities.push_back(staff.community);
    }
    return d;
}

volunteer_result case_service::decide_volunteer(unit_of_work& uow, std::int64_t number,
                                                bool approve, const volunteer_decider& by,
                                                std::int64_t now) const {
    volunteer_result r;
    auto found = number > 0 ? uow.find_volunteer(number) : std::nullopt;
    if (!found) {
        r.why = refusal::not_found;
        return r;
    }
    r.after = std::move(*found);
    if (!by.may_decide(r.after.community)) {
        r.why = refusal::not_allowed;
        return r;
    }
    const std::string_view to = approve ? "approved" : "refused";
    if (r.after.volunteer_status == to) {
        r.why = refusal::wrong_status;
        return r;
    }
    r.after.volunteer_status = std::string(to);
    r.after.volunteer = approve;
    r.after.volunteer_decided_by = by.actor;
    r.after.volunteer_decided_at = now;
    r.after.updated_at = std::max(now, r.after.updated_at);
    uow.save_person(r.after);
    detail::outbox out(uow, *templates_, now);
    out.to_person(
        "volunteer:" + std::to_string(number) + ":" + std::string(to) + ":" + std::to_string(now),
        "volunteer", r.after.who,
        approve ? "notify/volunteer_approved" : "notify/volunteer_refused",
        {{"application", "ZY" + std::to_string(number)}, {"community", r.after.community}}, 0);
    return r;
}

person case_service::set_community(unit_of_work& uow, const person_ref& who, std::string community,
                                   std::int64_t now) const {
    person p = uow.get_person(who).value_or(person{});
    p.who = who;
    if (community.empty() || community == p.community) return p;
    declare_community(uow, p, std::move(community), now);
    uow.save_person(p);
    return p;
}

void case_service::declare_community(unit_of_work& uow, person& p, std::string community,
                                     std::int64_t now) const {
    const bool moved = !p.community.empty();
    if (moved) {
        p.community_previous = p.community;
        p.community_move = uow.next_community_move();
        p.community_confirmed_by.clear();
        p.community_confirmed_at = 0;
    }
    p.community = std::move(community);
    p.community_since = now;
    p.updated_at = now;
    if (!moved) return;
    // The new community's workers may confirm the move at once (确认迁入 or the operator API).
    detail::outbox out(uow, *templates_, now);
    out.to_staff("community_move:" + std::to_string(p.community_move), "worker", p.community,
                 "notify/worker_community_moved",
                 {{"move", std::to_string(p.community_move)},
                  {"name", p.name.empty() ? templates_->render("notify/anonymous_resident")
                                          : masked_name(p.name)},
                  {"from", p.community_previous},
                  {"community", p.community},
                  {"date", detail::format_day(community_counts_from(p))}},
                 0);
}

std::int64_t case_service::community_counts_from(const person& p) const {
    if (p.community_move == 0 || p.community_confirmed_at != 0) return 0;
    return p.community_since + settings_.community_cooling_seconds;
}

move_result case_service::confirm_move(unit_of_work& uow, std::int64_t number,
                                       const volunteer_decider& by, std::int64_t now) const {
    move_result r;
    auto found = uow.find_community_move(number);
    if (!found) {
        r.why = refusal::not_found;
        return r;
    }
    r.after = std::move(*found);
    if (!by.may_decide(r.after.community)) {
        r.why = refusal::not_allowed;
        return r;
    }
    if (r.after.community_confirmed_at != 0) {
        r.why = refusal::wrong_status;
        return r;
    }
    r.after.community_confirmed_by = by.actor;
    r.after.community_confirmed_at = now;
    r.after.updated_at = std::max(now, r.after.updated_at);
    uow.save_person(r.after);
    detail::outbox out(uow, *templates_, now);
    out.to_person("community_move:" + std::to_string(number) + ":confirmed", "resident",
                  r.after.who, "notify/community_move_confirmed",
                  {{"community", r.after.community}}, 0);
    return r;
}

void case_service::record_unionid(unit_of_work& uow, const person_ref& who,
                                  const std::string& unionid, std::int64_t now) const {
    if (unionid.empty()) return;
    person p = uow.get_person(who).value_or(person{});
    if (p.unionid == unionid) return;
    p.who = who;
    p.unionid = unionid;
    p.updated_at = now;
    uow.save_person(p);
}

std::vector<case_record> case_service::wall(unit_of_work& uow, std::string_view community,
                                            std::size_t limit) const {
    std::vector<case_record> out;
    if (limit == 0) return out;
    case_query q;
    q.statuses = {std::string(status::accepted)};
    q.kind = "wish";
    q.handling_modes = {std::string(mode::direct), std::string(mode::station)};
    q.oldest_first = true;
    q.limit = limit;
    if (!community.empty()) {
        q.community = std::string(community);
        out = uow.list_cases(q);
        q.community.reset();
        q.limit = limit + out.size();
    }
    for (auto& c : uow.list_cases(q)) {
        if (out.size() >= limit) break;
        if (!community.empty() && c.community == community) continue;
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<near_wish> case_service::wall_near(unit_of_work& uow, geo_point here,
                                               std::string_view community,
                                               std::size_t limit) const {
    std::vector<near_wish> located, elsewhere;
    if (limit == 0) return located;
    for (auto& c : wall(uow, community, near_scan_limit)) {
        if (c.location) {
            const double km = distance_km(here, *c.location);
            located.push_back({std::move(c), km});
        } else if (elsewhere.size() < limit) {
            elsewhere.push_back({std::move(c), std::nullopt});
        }
    }
    std::stable_sort(located.begin(), located.end(), [](const near_wish& a, const near_wish& b) {
        return *a.distance_km < *b.distance_km;
    });
    if (located.size() > limit) located.resize(limit);
    for (auto& w : elsewhere) {
        if (located.size() >= limit) break;
        located.push_back(std::move(w));
    }
    return located;
}

std::string case_service::public_summary(const case_record& c, std::size_t max_chars) {
    std::string masked = nlu::mask_personal_data(c.description);
    for (char& ch : masked)
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    if (count_code_points(masked) <= max_chars) return masked;
    return std::string(prefix_chars(masked, max_chars)) + "…";
}

std::int64_t case_service::points_of(unit_of_work& uow, const person_ref& who) const {
    return uow.balance("person:" + who.key());
}

std::string case_service::status_label(const template_set& texts, const case_record& c) {
    std::string key = "status/" + c.status;
    if (c.status == status::accepted && on_wish_wall(c.handling_mode)) key = "status/accepted_wall";
    return texts.has(key) ? texts.render(key) : c.status;
}

std::vector<ranking_row> case_service::stars_of_month(unit_of_work& uow, std::string_view community,
                                                      std::int64_t now, std::size_t count) const {
    const auto [since, until] = china_month(now);
    return uow.ranking(community, since, until, count);
}

}  // namespace minsheng::dialog::cases
