#include "gateway/mp/bodies.hpp"

#include "gateway/mp/fields.hpp"

namespace minsheng::gateway::mp {

namespace {

// The value, or the body's first problem.
template <class T>
read_result<T> result(const body_fields& f, T value) {
    if (!f.ok()) return *f.problem();
    return value;
}

// The optional "scene" and "location" of a check-in or check-out.
void read_presence(body_fields& f, dialog::cases::presence& shown) {
    f.text("scene", shown.scene, 1, 64, false, refusal::bad_scene);
    if (f.ok() && !ascii_printable(shown.scene)) f.fail(refusal::bad_scene);
    f.location("location", shown.location, refusal::bad_location);
}

}  // namespace

read_result<login_body> read_login(std::string_view body) {
    auto j = object_body(body);
    if (!j) return refusal::bad_json;
    body_fields f(*j);
    login_body b;
    f.text("code", b.code, 1, 128, true, refusal::missing_code);
    if (f.ok() && !ascii_printable(b.code)) f.fail(refusal::missing_code);
    return result(f, std::move(b));
}

read_result<phone_body> read_phone(std::string_view body) {
    auto j = object_body(body);
    if (!j) return refusal::bad_json;
    body_fields f(*j);
    phone_body b;
    f.text("code", b.code, 1, 128, true, refusal::bad_phone_code);
    if (f.ok() && !ascii_printable(b.code)) f.fail(refusal::bad_phone_code);
    return result(f, std::move(b));
}

read_result<profile_body> read_profile(std::string_view body, const config& cfg) {
    auto j = object_body(body);
    if (!j) return refusal::bad_json;
    body_fields f(*j);
    profile_body b;
    f.community(cfg, b.community);
    return result(f, std::move(b));
}

read_result<subscriptions_body> read_subscriptions(std::string_view body, std::string_view tpl) {
    auto j = object_body(body);
    if (!j) return refusal::bad_json;
    const auto accepted = j->find("accepted");
    if (accepted == j->end() || !accepted->is_array() || accepted->size() > 20)
        return refusal::bad_template;
    subscriptions_body b;
    for (const auto& id : *accepted) {
        if (!id.is_string() || tpl.empty() || id.get_ref<const std::string&>() != tpl)
            return refusal::bad_template;
        ++b.grants;
    }
    return b;
}

read_result<case_form> read_case_form(std::string_view body) {
    auto j = object_body(body);
    if (!j) return refusal::bad_json;
    body_fields f(*j);
    case_form b;
    f.text("request_id", b.request_id, 1, 64, true, refusal::bad_request_id);
    if (f.ok() && !ascii_printable(b.request_id)) f.fail(refusal::bad_request_id);
    f.text("description", b.description, 2, 1000, true, refusal::bad_description);
    f.one_of("category", b.form.category, categories(), refusal::bad_category);
    f.one_of("kind", b.form.kind, {"wish", "complaint", "consultation"}, refusal::bad_kind);
    f.one_of("urgency", b.form.urgency, {"urgent", "normal"}, refusal::bad_urgency);
    f.location("location", b.form.location, refusal::bad_location);
    f.text("address", b.form.address, 1, 200, false, refusal::bad_address);
    f.ids("media_ids", b.media_ids, max_media, refusal::bad_media);
    f.text("phone", b.form.phone, 11, 11, false, refusal::bad_phone);
    if (f.ok() && !b.form.phone.empty() && !mainland_mobile(b.form.phone))
        f.fail(refusal::bad_phone);
    f.flag("still_need_help", b.still_need_help, refusal::bad_still_need_help);
    f.text("answered_request_id", b.answered_request_id, 1, 64, false,
           refusal::bad_still_need_help);
    if (f.ok() && !ascii_printable(b.answered_request_id)) f.fail(refusal::bad_still_need_help);
    f.text("not_same_as", b.not_same_as, 1, 32, false, refusal::bad_not_same_as);
    if (f.ok() && !b.not_same_as.empty() && !plausible_number(b.not_same_as))
        f.fail(refusal::bad_not_same_as);
    return result(f, std::move(b));
}

read_result<dialog::cases::act_args> read_feedback(std::string_view body, bool rating) {
    auto j = object_body(body);
    if (!j) return refusal::bad_json;
    body_fields f(*j);
    dialog::cases::act_args args;
    if (rating) {
        f.integer("rating", args.rating, 1, 5, true, refusal::bad_rating);
        f.text("comment", args.comment, 0, 200, false, refusal::bad_comment);
    }
    return result(f, std::move(args));
}

read_result<volunteer_body> read_volunteer(std::string_view body, const config& cfg) {
    auto j = object_body(body);
    if (!j) return refusal::bad_json;
    body_fields f(*j);
    volunteer_body b;
    f.text("name", b.name, 1, 20, false, refusal::bad_name);
    f.text("skills", b.skills, 0, 100, false, refusal::bad_skills);
    f.community(cfg, b.community);
    return result(f, std::move(b));
}

read_result<checkin_body> read_checkin(std::string_view body) {
    auto j = object_body(body);
    if (!j) return refusal::bad_json;
    body_fields f(*j);
    checkin_body b;
    f.text("station", b.station, 1, 64, true, refusal::bad_station);
    f.text("activity", b.activity, 0, 50, false, refusal::bad_activity);
    read_presence(f, b.shown);
    return result(f, std::move(b));
}

read_result<checkout_body> read_checkout(std::string_view body) {
    auto j = object_body(body);
    if (!j) return refusal::bad_json;
    body_fields f(*j);
    checkout_body b;
    read_presence(f, b.shown);
    f.flag("without_presence", b.without_presence, refusal::bad_without_presence);
    return result(f, std::move(b));
}

}  // namespace minsheng::gateway::mp
