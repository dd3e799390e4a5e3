// Grid workers (网格员) on the official account, their WeChat bound with 绑定工号: their work
// orders by due time (我的工单) and the steps on one — 接单, 到场 (then their location), 处理中
// with a note or photos, 办结 with the result, 退回 with a reason. Only the order's assigned
// worker may act (case_service::order_act); everyone else is told these are for staff, or that
// the order is not theirs, and nothing is written.
#include "dialog/conversation/detail/flows.hpp"
#include "dialog/intake/filing.hpp"
#include "dialog/values/geo.hpp"

namespace minsheng::dialog::detail {
namespace {

using cases::order_outcome;
using cases::order_step;

// The bound staff member speaking, or nullopt after telling the person these are for staff.
std::optional<bound_staff> worker_speaking(turn& t) {
    auto s = t.uow.staff_of(t.me());
    if (!s) t.say("reply/staff_only");
    return s;
}

void say_outcome(turn& t, const cases::order_result& r, const std::string& number,
                 order_step step) {
    const template_set::vars v = {
        {"number", r.after.number.empty() ? number : r.after.number},
        {"status", r.after.id ? cases::case_service::status_label(t.texts, r.after) : ""}};
    switch (r.what) {
        case order_outcome::done:
            switch (step) {
                case order_step::accept:
                    return t.say("reply/order_accepted_done", v);
                case order_step::arrive:
                    return t.say("reply/order_arrived_done", v);
                case order_step::progress:
                    return t.say("reply/order_progress_done", v);
                case order_step::photo:
                    return t.say("reply/order_photo_added", v);
                case order_step::done:
                    return t.say("reply/order_done_done", v);
                case order_step::give_back:
                    return t.say("reply/order_returned_done", v);
            }
            return;
        case order_outcome::not_found:
            return t.say("reply/order_not_found", v);
        case order_outcome::not_yours:
            return t.say("reply/order_not_yours", v);
        case order_outcome::wrong_status:
            return t.say("reply/order_wrong_status", v);
        case order_outcome::needs_location:
            return t.say("reply/order_location_bad", v);
        case order_outcome::needs_text:
            switch (step) {
                case order_step::done:
                    return t.say("reply/order_needs_result", v);
                case order_step::give_back:
                    return t.say("reply/order_needs_reason", v);
                default:
                    return t.say("reply/order_needs_note", v);
            }
    }
}

// The worker's order in progress most recently touched, for a photo sent without a number.
std::optional<case_record> order_in_progress(turn& t, const bound_staff& staff) {
    std::optional<case_record> best;
    for (auto& c : t.service.orders_of(t.uow, staff, 1000))
        if (c.status == cases::status::in_progress && (!best || c.updated_at > best->updated_at))
            best = std::move(c);
    return best;
}

// A patrol report about a resident in difficulty is private (never on a wall or a public view):
// the engine files it as a wish (personal help) or under 民政, or its words say so.
bool about_resident_in_difficulty(const appeal_draft& d) {
    if (d.kind == "wish" || d.category == "民政") return true;
    for (std::string_view w : {"困难", "独居", "孤寡", "空巢", "低保", "残疾", "行动不便", "生病",
                               "无人照顾", "需要帮助", "帮扶", "救助", "断粮", "失能"})
        if (d.normalised.find(w) != std::string::npos) return true;
    return false;
}

// The photo of an image message as a detail line's reference.
std::string photo_of(const inbound_message& m) {
    return !m.url.empty() ? m.url : "media:" + m.media_id;
}

// Files the patrol report waiting in `s` at `here` (the location message's label as address).
void file_patrol(turn& t, const pending_state& s, const bound_staff& staff, geo_point here) {
    const auto& areas = t.service.settings().grid_areas;
    const auto* area = cases::area_at(areas, here, staff.community);
    if (!area) area = cases::area_at(areas, here, "");
    intake::report r;
    r.from = channel::grid;
    r.reporter_id = t.m.user_id;  // the worker's openid: they hear the case's progress here
    r.description = s.draft.description;
    r.kind = s.draft.kind;
    r.category = s.draft.category;
    r.category_confidence = s.draft.category_confidence;
    r.urgency = s.draft.urgency;
    r.address = t.m.label;
    r.location = here;
    r.community = area ? area->community : staff.community;
    r.source_key = s.draft.source_key;
    r.is_private = about_resident_in_difficulty(s.draft);
    std::size_t from = 0;
    while (from < s.text.size()) {
        const auto nl = s.text.find('\n', from);
        const auto line =
            s.text.substr(from, nl == std::string::npos ? std::string::npos : nl - from);
        if (!line.empty())
            r.attachments.push_back(t.render("reply/patrol_photo_detail", {{"photo", line}}));
        if (nl == std::string::npos) break;
        from = nl + 1;
    }
    auto rec = intake::file(t.service, t.uow, r, nullptr, s.draft.normalised, t.now);
    t.forget();
    const std::string grid_line =
        area ? t.render("reply/patrol_grid_line",
                        {{"community", area->community}, {"grid", area->grid}})
             : "";
    t.say(rec.is_private ? "reply/patrol_filed_private" : "reply/patrol_filed",
          {{"number", rec.number}, {"grid_line", grid_line}});
    t.out.opened.push_back(std::move(rec));
}

}  // namespace

void patrol(turn& t, const std::string& text) {
    const auto staff = worker_speaking(t);
    if (!staff) return;
    if (text.empty()) return t.say("reply/patrol_how");
    appeal_draft d;
    d.description = text;
    d.normalised = t.u ? t.u->normalised : text;
    if (t.u) {
        const auto f = intake::fields_of(*t.u);
        d.kind = f.kind;
        d.category = f.category;
        d.category_confidence = f.category_confidence;
        d.urgency = f.urgency;
    }
    d.source_key = t.m.dedup_key;
    t.ask(about_draft(stage::await_patrol, std::move(d)));
    t.say("reply/patrol_ask_location");
}

void my_orders(turn& t) {
    const auto staff = worker_speaking(t);
    if (!staff) return;
    const auto orders = t.service.orders_of(t.uow, *staff, list_max_items);
    if (orders.empty()) return t.say("reply/orders_empty");
    std::vector<std::string> items;
    for (const auto& c : orders)
        items.push_back(
            t.render("reply/order_item",
                     {{"number", c.number},
                      {"status", cases::case_service::status_label(t.texts, c)},
                      {"deadline", c.deadline_at > 0 ? date_text(c.deadline_at, t.now) : "—"},
                      {"summary", cases::case_service::public_summary(c, 30)}}));
    t.say_text(list_text(t.render("reply/orders_header"), items, t.render("reply/orders_footer")));
}

void order_command(turn& t, const command& cmd) {
    const auto staff = worker_speaking(t);
    if (!staff) return;
    if (cmd.number.empty()) return t.say("reply/order_how");
    order_step step = order_step::accept;
    switch (cmd.what) {
        case verb::order_arrive: {
            // Without a location nothing is written; the location message comes next.
            const auto r = t.service.order_act(t.uow, *staff, cmd.number, order_step::arrive, "",
                                               std::nullopt, t.now);
            if (r.what != order_outcome::needs_location)
                return say_outcome(t, r, cmd.number, order_step::arrive);
            t.ask(about_case(stage::await_arrival_location, r.after.id, r.after.number));
            return t.say("reply/order_ask_location", {{"number", r.after.number}});
        }
        case verb::order_progress:
            step = order_step::progress;
            break;
        case verb::order_done:
            step = order_step::done;
            break;
        case verb::order_return:
            step = order_step::give_back;
            break;
        default:
            step = order_step::accept;
            break;
    }
    const auto r =
        t.service.order_act(t.uow, *staff, cmd.number, step, cmd.rest, std::nullopt, t.now);
    say_outcome(t, r, cmd.number, step);
}

bool order_media(turn& t, const std::optional<pending_state>& pending) {
    if (pending && pending->at == stage::await_patrol) {
        const auto staff = t.uow.staff_of(t.me());
        if (!staff) return false;
        if (t.m.kind == inbound_kind::image) {
            pending_state s = *pending;
            s.text += (s.text.empty() ? "" : "\n") + photo_of(t.m);
            t.ask(std::move(s));
            t.say("reply/patrol_photo_kept");
            return true;
        }
        if (t.m.kind != inbound_kind::location) return false;
        if (!t.m.latitude || !t.m.longitude || !valid_point({*t.m.latitude, *t.m.longitude})) {
            t.say("reply/order_location_bad");
            return true;
        }
        file_patrol(t, *pending, *staff, {*t.m.latitude, *t.m.longitude});
        return true;
    }
    if (pending && pending->at == stage::await_arrival_location) {
        if (t.m.kind != inbound_kind::location) return false;
        const auto staff = t.uow.staff_of(t.me());
        if (!staff) return false;
        std::optional<geo_point> here;
        if (t.m.latitude && t.m.longitude) here = geo_point{*t.m.latitude, *t.m.longitude};
        const auto r = t.service.order_act(t.uow, *staff, pending->number, order_step::arrive, "",
                                           here, t.now);
        if (r.what != order_outcome::needs_location) t.forget();
        say_outcome(t, r, pending->number, order_step::arrive);
        return true;
    }
    if (t.m.kind != inbound_kind::image || pending) return false;
    const auto staff = t.uow.staff_of(t.me());
    if (!staff || staff->role != "worker") return false;
    const auto order = order_in_progress(t, *staff);
    if (!order) return false;
    const std::string photo = photo_of(t.m);
    const auto r = t.service.order_act(t.uow, *staff, order->number, order_step::photo, photo,
                                       std::nullopt, t.now);
    say_outcome(t, r, order->number, order_step::photo);
    return true;
}

}  // namespace minsheng::dialog::detail
