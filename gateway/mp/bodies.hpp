#pragma once
// Every JSON body the mini program API takes, read into a value or refused (docs/miniprogram.md).
// One reader per endpoint; the handlers (residents.cpp, profile.cpp, volunteers.cpp, login.cpp)
// call them and act only on what they return, so that fuzz/fuzz_mp_bodies.cpp can try every
// reader on any bytes without a server. A body is a JSON object; an empty or blank body is {}.
// The first problem wins and names its refusal (refusal.hpp).
//
// Pure functions of their arguments; thread-safe; nothing here throws except std::bad_alloc.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dialog/cases/service.hpp"
#include "dialog/intake/filing.hpp"
#include "gateway/mp/refusal.hpp"
#include "gateway/server/config.hpp"

namespace minsheng::gateway::mp {

// What a reader returns: the body's value, or why it is refused.
template <class T>
using read_result = std::variant<T, refusal>;

// Most pictures one case form carries.
inline constexpr std::size_t max_media = 9;

// POST /mp/v1/login {"code"}: wx.login's code, 1..128 printable ASCII characters.
struct login_body {
    std::string code;
};
read_result<login_body> read_login(std::string_view body);

// POST /mp/v1/phone {"code"}: the one-time code of the getPhoneNumber button (1..128 printable
// ASCII characters), which WeChat exchanges for the number it verified. A number typed by the
// user is not taken: it could be anyone's.
struct phone_body {
    std::string code;
};
read_result<phone_body> read_phone(std::string_view body);

// PUT /mp/v1/profile {"community"}: one of the configured communities (any 1..30 characters
// when none are configured).
struct profile_body {
    std::string community;
};
read_result<profile_body> read_profile(std::string_view body, const config& cfg);

// POST /mp/v1/subscriptions {"accepted": [...]}: how many of at most 20 entries name `tpl`, the
// configured template (any other entry refuses the body; so does any entry when `tpl` is empty).
struct subscriptions_body {
    int grants = 0;
};
read_result<subscriptions_body> read_subscriptions(std::string_view body, std::string_view tpl);

// POST /mp/v1/cases: the case form. `form` holds what the resident chose (category, kind,
// urgency, location, address, phone); the handler adds who files it and through which channel.
struct case_form {
    std::string request_id;   // 1..64 printable ASCII: the client's key for a retried submit
    std::string description;  // 2..1000 characters
    std::vector<std::string> media_ids;
    dialog::intake::report form;
    // A certificate request (docs/certificates.md) is answered without a case; the resident who
    // still needs the community's help sends it again with still_need_help = true, naming the
    // answered submission's request_id in answered_request_id (optional): a case opens.
    bool still_need_help = false;
    std::string answered_request_id;  // "" or 1..64 printable ASCII
    // One problem, one case: a filing that joined an open case (docs/cases.md) is sent again with
    // that case's number here when the resident says it is another problem: they leave that
    // case and this filing opens their own. "" or a plausible case number.
    std::string not_same_as;
};
read_result<case_form> read_case_form(std::string_view body);

// POST /mp/v1/cases/{n}/confirm (any object) and /rate {"rating": 1..5, "comment"?: ≤200}.
read_result<dialog::cases::act_args> read_feedback(std::string_view body, bool rating);

// POST /mp/v1/volunteer {"name"?, "skills"?, "community"}.
struct volunteer_body {
    std::string name, skills, community;
};
read_result<volunteer_body> read_volunteer(std::string_view body, const config& cfg);

// Proof of being at a station (docs/miniprogram.md): "scene", what the client read from the
// station's QR code (1..64 printable ASCII characters, else bad_scene), and/or "location"
// {"lat","lng"} (else bad_location). Whether it proves anything is the service's to say.

// POST /mp/v1/checkin {"station", "activity"?, "scene"?, "location"?}.
struct checkin_body {
    std::string station, activity;
    dialog::cases::presence shown;
};
read_result<checkin_body> read_checkin(std::string_view body);

// POST /mp/v1/checkout {"scene"?, "location"?, "without_presence"?}: without_presence true closes
// the visit crediting nothing (a volunteer who left without checking out).
struct checkout_body {
    dialog::cases::presence shown;
    bool without_presence = false;
};
read_result<checkout_body> read_checkout(std::string_view body);

}  // namespace minsheng::gateway::mp
