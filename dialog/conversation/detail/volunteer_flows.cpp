// Volunteers and party members: registration, the wish wall (also the wishes nearest them,
// from a location they send), claims (claim, release, start, report done), their claims,
// points, the month's ranking and stars.
#include "dialog/cases/handling.hpp"
#include "dialog/cases/lifecycle.hpp"
#include "dialog/conversation/detail/flows.hpp"
#include "dialog/values/geo.hpp"

namespace minsheng::dialog::detail {
namespace {

namespace status = cases::status;
using cases::action;
using cases::refusal;

bool holding(const case_record& c) {
    return c.status == status::claimed || c.status == status::in_progress;
}

// The wishes the person holds now (claimed or in progress), newest first.
std::vector<case_record> held_claims(turn& t) {
    case_query q;
    q.claimer = t.me().key();
    q.statuses = {std::string(status::claimed), std::string(status::in_progress)};
    q.limit = 20;
    return t.uow.list_cases(q);
}

// The wish a numberless claimer command means: the only one they hold. Says why not otherwise.
std::string only_claim(turn& t, std::string_view example_verb) {
    auto held = held_claims(t);
    if (held.size() == 1) return held[0].number;
    if (held.empty())
        t.say("reply/no_claims");
    else
        t.say("reply/which_wish",
              {{"verb", std::string(example_verb)}, {"number", held[0].number}});
    return "";
}

// The resident's contact for the volunteer holding c, written to the case's audit trail as
// shown in `where`; "" (nothing written) when they do not hold it.
std::string contact_text(turn& t, const case_record& c, std::string_view where) {
    const auto contact = t.service.reveal_contact(t.uow, c, t.me(), where, t.now);
    if (!contact) return "";
    return t.render(
        "reply/claim_contact",
        {{"phone", contact->phone.empty() ? t.render("reply/contact_none") : contact->phone},
         {"address",
          contact->address.empty() ? t.render("reply/address_none") : contact->address}});
}

std::string application_of(const person& p) { return "ZY" + std::to_string(p.volunteer_number); }

// What an applicant hears about their application while it is not approved: waiting, or
// refused. False (nothing said) for an approved volunteer or a person who never applied.
bool say_application(turn& t, const person& p) {
    const template_set::vars v = {{"application", application_of(p)}, {"community", p.community}};
    if (p.volunteer_status == "applied") {
        t.say("reply/volunteer_pending", v);
        return true;
    }
    if (p.volunteer_status == "refused") {
        t.say("reply/volunteer_refused_already", v);
        return true;
    }
    return false;
}

void finish_registration(turn& t, const std::string& name, const std::string& community,
                         const std::string& skills) {
    const auto before = t.profile();
    person p = t.service.register_volunteer(t.uow, t.me(), name, community, skills, t.now);
    t.forget();
    const std::string skills_line =
        p.skills.empty() ? "" : t.render("reply/volunteer_skills", {{"skills", p.skills}});
    if (p.volunteer) {
        t.say("reply/volunteer_welcome",
              {{"community", p.community}, {"skills_line", skills_line}});
        return;
    }
    const bool first = !before || before->volunteer_status.empty();
    if (first || p.volunteer_status == "applied") {
        t.say("reply/volunteer_applied", {{"community", p.community},
                                          {"skills_line", skills_line},
                                          {"application", application_of(p)}});
        return;
    }
    say_application(t, p);
}

// One claimer action (release, start, report_done) with its replies.
void claimer_act(turn& t, const std::string& number, action a, std::string_view ok_key,
                 std::string_view wrong_status_key) {
    auto c = t.uow.find_case(number);
    if (!c) {
        t.say("reply/wish_not_found", {{"number", number}});
        return;
    }
    auto r = t.service.act(t.uow, c->id, a, t.actor(), with_note(t.m.text), t.now);
    if (r.ok())
        t.say(ok_key, {{"number", c->number}});
    else if (r.why == refusal::not_allowed || c->claimer != t.me().key())
        t.say("reply/not_your_claim", {{"number", c->number}});
    else if (r.why == refusal::wrong_status)
        t.say(wrong_status_key, {{"number", c->number},
                                 {"status", cases::case_service::status_label(t.texts, r.after)}});
    else
        t.say("reply/wish_not_found", {{"number", c->number}});
}

bool is_volunteer(turn& t) {
    auto p = t.profile();
    return p && p->volunteer;
}

// One wish of the wall as a line of the list: number, distance when known, community, mode and
// the masked public summary.
std::string wall_item_text(const turn& t, const case_record& c,
                           std::optional<double> distance_km = std::nullopt) {
    const std::string mode(cases::mode_label(c.handling_mode));
    const std::string where = c.community.empty() ? mode : c.community + " · " + mode;
    const std::string summary = cases::case_service::public_summary(c, 40);
    if (!distance_km)
        return t.render("reply/wall_item",
                        {{"number", c.number}, {"summary", summary}, {"where", where}});
    return t.render("reply/wall_near_item", {{"number", c.number},
                                             {"summary", summary},
                                             {"where", where},
                                             {"distance", distance_text(t.texts, *distance_km)}});
}

// The coordinates of a location message, when it has usable ones.
std::optional<geo_point> location_of(const inbound_message& m) {
    if (!m.latitude || !m.longitude) return std::nullopt;
    const geo_point p{*m.latitude, *m.longitude};
    if (!dialog::valid_point(p)) return std::nullopt;
    return p;
}

// The wall nearest `here` first, those without coordinates after them.
void list_near(turn& t, geo_point here) {
    auto p = t.profile();
    const auto wishes = t.service.wall_near(t.uow, here, p ? p->community : "", list_max_items);
    if (wishes.empty()) {
        t.say("reply/wall_empty");
        return;
    }
    std::vector<std::string> items;
    for (const auto& w : wishes) items.push_back(wall_item_text(t, w.wish, w.distance_km));
    const bool any_located = wishes.front().distance_km.has_value();
    t.say_text(
        list_text(t.render(any_located ? "reply/wall_near_header" : "reply/wall_near_none_header"),
                  items, t.render("reply/wall_footer")));
}

std::string community_of(turn& t) {
    auto p = t.profile();
    return p ? p->community : "";
}

std::string scope_text(const turn& t, const std::string& community) {
    return community.empty() ? t.render("reply/scope_all") : community;
}

std::string name_of(const turn& t, const ranking_row& row) {
    return row.name.empty() ? t.render("reply/anonymous_volunteer") : row.name;
}

// "WX…-0001、WX…-0002": case numbers as one line.
std::string listed(const std::vector<std::string>& numbers) {
    std::string out;
    for (const auto& n : numbers) out += (out.empty() ? "" : "、") + n;
    return out;
}

}  // namespace

void register_volunteer(turn& t) {
    const auto& u = *t.u;
    auto p = t.profile();
    std::string community = community_in(u);
    std::string skills = skills_in(u, t.m.text);
    const std::string name = p ? p->name : "";
    if (p && p->volunteer && community.empty() && skills.empty()) {
        t.say("reply/already_volunteer", {{"community", p->community}});
        return;
    }
    // A refused applicant stays refused; a waiting one hears that it is waiting.
    if (p && (p->volunteer_status == "refused" ||
              (p->volunteer_status == "applied" && community.empty() && skills.empty()))) {
        say_application(t, *p);
        return;
    }
    if (community.empty() && p) community = p->community;
    if (community.empty()) {
        t.ask(about_registration(stage::register_community, "", name, skills));
        t.say("reply/ask_community");
        return;
    }
    if (skills.empty()) {
        t.ask(about_registration(stage::register_skills, community, name, ""));
        t.say("reply/ask_skills", {{"community", community}});
        return;
    }
    finish_registration(t, name, community, skills);
}

bool answer_registration(turn& t, pending_state s, const command& cmd) {
    const auto& u = *t.u;
    if ((cmd.what == verb::cancel && cmd.number.empty()) ||
        (cmd.what == verb::none && u.intent.name == "cancel" && !u.intent.unsure &&
         !no_skills(u))) {
        t.forget();
        t.say("reply/registration_cancelled");
        return true;
    }
    if (cmd.what != verb::none) return false;
    if (s.at == stage::register_community) {
        const std::string community = community_answer(u);
        if (community.empty()) {
            t.say("reply/ask_community_again");
            return true;
        }
        std::string skills = s.text.empty() ? skills_in(u, t.m.text) : s.text;
        if (skills.empty()) {
            t.ask(about_registration(stage::register_skills, community, s.name, ""));
            t.say("reply/ask_skills", {{"community", community}});
            return true;
        }
        finish_registration(t, s.name, community, skills);
        return true;
    }
    if (s.at == stage::register_skills) {
        std::string skills;
        if (!no_skills(u)) {
            skills = skills_in(u, t.m.text);
            if (skills.empty()) skills = cut(as_written(u.normalised, 0, t.m.text), 100);
        }
        finish_registration(t, s.name, s.community, skills);
        return true;
    }
    return false;
}

void wall(turn& t) {
    auto p = t.profile();
    const std::string community = p ? p->community : "";
    auto wishes = t.service.wall(t.uow, community, list_max_items);
    const bool volunteer = p && p->volunteer;
    if (wishes.empty()) {
        t.say(volunteer ? "reply/wall_empty" : "reply/wall_empty_register");
        return;
    }
    std::vector<std::string> items;
    for (const auto& c : wishes) items.push_back(wall_item_text(t, c));
    t.say_text(list_text(t.render("reply/wall_header"), items,
                         t.render(volunteer ? "reply/wall_footer" : "reply/wall_footer_register")));
}

void near_wall(turn& t) {
    if (!is_volunteer(t)) {
        t.say("reply/near_not_volunteer");
        return;
    }
    t.ask(about_near_wishes());
    t.say("reply/ask_near_location");
}

bool answer_near_question(turn& t, const pending_state&, const command& cmd) {
    const auto& u = *t.u;
    const bool bare_cancel =
        (cmd.what == verb::cancel && cmd.number.empty()) ||
        (cmd.what == verb::none && u.intent.name == "cancel" && !u.intent.unsure);
    if (!bare_cancel) return false;  // a text is no location: handled as a message of its own
    t.forget();
    t.say("reply/near_cancelled");
    return true;
}

bool near_by_location(turn& t, const std::optional<pending_state>& pending) {
    if (t.m.kind != inbound_kind::location) return false;
    const auto here = location_of(t.m);
    if (pending && pending->at == stage::await_near_location) {
        if (!here) {
            t.say("reply/ask_near_location_again");
            return true;
        }
        t.forget();
        list_near(t, *here);
        return true;
    }
    // A bare location: a detail of the person's own open case comes first (resident_flows).
    if (pending || !here || !is_volunteer(t) || has_open_case(t)) return false;
    list_near(t, *here);
    return true;
}

void claim(turn& t, const std::string& number) {
    if (number.empty()) {
        wall(t);
        return;
    }
    auto c = t.uow.find_case(number);
    if (!c) {
        t.say("reply/wish_not_found", {{"number", number}});
        return;
    }
    auto r = t.service.act(t.uow, c->id, action::claim, t.actor(), {}, t.now);
    const std::string& no = c->number;
    if (r.ok()) {
        std::string until;
        if (r.after.claim_expires_at != 0)
            until = t.render("reply/claim_until",
                             {{"date", date_text(r.after.claim_expires_at, t.now)}});
        t.say("reply/claim_success", {{"number", no},
                                      {"description", cut(r.after.description, 100)},
                                      {"contact", contact_text(t, r.after, "claim reply")},
                                      {"until", until}});
        return;
    }
    const bool already_mine = r.after.claimer == t.me().key();
    switch (r.why) {
        case refusal::taken:
            t.say(already_mine ? "reply/claim_already_yours" : "reply/claim_taken",
                  {{"number", no}});
            return;
        case refusal::not_volunteer: {
            // Applied but not (yet) approved: told so, never shown the wish's contact.
            const auto p = t.profile();
            const std::string status = p ? p->volunteer_status : "";
            t.say(status == "applied"   ? "reply/claim_not_approved"
                  : status == "refused" ? "reply/claim_refused_volunteer"
                                        : "reply/claim_not_volunteer",
                  {{"number", no}});
            return;
        }
        case refusal::not_found:
            t.say("reply/wish_not_found", {{"number", no}});
            return;
        case refusal::wrong_status:
            if (already_mine)
                t.say("reply/claim_already_yours", {{"number", no}});
            else if (!r.after.claimer.empty())
                t.say("reply/claim_taken", {{"number", no}});
            else
                t.say("reply/claim_not_on_wall", {{"number", no}});
            return;
        case refusal::claim_limit:
            t.say("reply/claim_limit", {{"number", no},
                                        {"count", std::to_string(r.held.size())},
                                        {"held", listed(r.held)}});
            return;
        case refusal::claim_cooldown:
            t.say("reply/claim_cooldown",
                  {{"count", std::to_string(t.service.settings().max_dropped_claims)},
                   {"hours", std::to_string(t.service.settings().claim_drop_window_seconds / 3600)},
                   {"date", moment_text(r.retry_at, t.now)}});
            return;
        case refusal::not_on_wall:
        default:
            t.say("reply/claim_not_on_wall", {{"number", no}});
            return;
    }
}

void release(turn& t, const std::string& number) {
    std::string n = number.empty() ? only_claim(t, "放弃") : number;
    if (!n.empty())
        claimer_act(t, n, action::release, "reply/released", "reply/release_wrong_status");
}

void start(turn& t, const std::string& number) {
    std::string n = number.empty() ? only_claim(t, "开始") : number;
    if (!n.empty()) claimer_act(t, n, action::start, "reply/started", "reply/start_wrong_status");
}

void report_done(turn& t, const std::string& number) {
    std::string n = number.empty() ? only_claim(t, "完成") : number;
    if (!n.empty())
        claimer_act(t, n, action::report_done, "reply/reported_done", "reply/report_wrong_status");
}

bool holds_claims(turn& t) { return !held_claims(t).empty(); }

void my_claims(turn& t) {
    case_query q;
    q.claimer = t.me().key();
    q.statuses = {std::string(status::claimed), std::string(status::in_progress),
                  std::string(status::done)};
    q.limit = list_max_items;
    auto claims = t.uow.list_cases(q);
    if (claims.empty()) {
        t.say("reply/no_claims");
        return;
    }
    std::vector<std::string> items;
    for (const auto& c : claims) {
        // The resident's contact only while the claim lasts.
        items.push_back(
            t.render("reply/my_claim_item",
                     {{"number", c.number},
                      {"status", cases::case_service::status_label(t.texts, c)},
                      {"summary", cases::case_service::public_summary(c, 30)},
                      {"contact", holding(c) ? contact_text(t, c, "claims list") : ""}}));
    }
    t.say_text(
        list_text(t.render("reply/my_claims_header"), items, t.render("reply/my_claims_footer")));
}

void points(turn& t) {
    auto p = t.profile();
    const std::int64_t balance = t.service.points_of(t.uow, t.me());
    std::string rank_line;
    const std::string community = p ? p->community : "";
    auto rows = t.uow.ranking(community, 0, t.now + 1, 100);
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].who == t.me()) {
            rank_line = t.render("reply/points_rank", {{"scope", scope_text(t, community)},
                                                       {"rank", std::to_string(i + 1)}});
            break;
        }
    const bool volunteer = p && p->volunteer;
    t.say(volunteer ? "reply/points" : "reply/points_not_volunteer",
          {{"points", std::to_string(balance)}, {"rank_line", rank_line}});
}

void ranking(turn& t) {
    const std::string community = community_of(t);
    auto rows = t.service.stars_of_month(t.uow, community, t.now, 10);
    const std::string scope = scope_text(t, community);
    if (rows.empty()) {
        t.say("reply/ranking_empty", {{"scope", scope}});
        return;
    }
    std::vector<std::string> items;
    std::string me_line;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i < list_max_items)
            items.push_back(
                t.render("reply/ranking_item", {{"place", std::to_string(i + 1)},
                                                {"name", name_of(t, rows[i])},
                                                {"points", std::to_string(rows[i].points)}}));
        if (rows[i].who == t.me())
            me_line = t.render("reply/ranking_me", {{"place", std::to_string(i + 1)},
                                                    {"points", std::to_string(rows[i].points)}});
    }
    t.say_text(list_text(t.render("reply/ranking_header", {{"scope", scope}}), items,
                         me_line.empty() ? t.render("reply/ranking_footer") : me_line));
}

void stars(turn& t) {
    const std::string community = community_of(t);
    auto rows = t.service.stars_of_month(t.uow, community, t.now, 3);
    const std::string scope = scope_text(t, community);
    if (rows.empty()) {
        t.say("reply/stars_empty", {{"scope", scope}});
        return;
    }
    std::vector<std::string> items;
    for (std::size_t i = 0; i < rows.size(); ++i)
        items.push_back(t.render("reply/stars_item", {{"place", std::to_string(i + 1)},
                                                      {"name", name_of(t, rows[i])},
                                                      {"points", std::to_string(rows[i].points)}}));
    t.say_text(list_text(t.render("reply/stars_header", {{"scope", scope}}), items,
                         t.render("reply/stars_footer")));
}

}  // namespace minsheng::dialog::detail
