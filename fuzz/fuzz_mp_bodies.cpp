// Every JSON body the mini program API takes (gateway/mp/bodies.hpp): the input is the body, and
// every reader reads it, with and without configured communities.
// Contracts: no reader throws; a body that is not a JSON object (or blank) is bad_json for all
// of them; what a reader accepts keeps its documented shape (lengths in code points, valid
// UTF-8, printable codes, mainland mobiles, known categories and communities, ratings 1..5) and
// can be written back as JSON, which the handlers do next.

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "dialog/utf8.hpp"
#include "fuzz/fuzz_support.hpp"
#include "gateway/mp/bodies.hpp"
#include "gateway/mp/fields.hpp"

using namespace minsheng::gateway;
using namespace minsheng::gateway::mp;
using minsheng::dialog::count_code_points;
using minsheng::dialog::is_valid_utf8;

namespace {

// A text as the readers accept it: valid UTF-8, trimmed, lo..hi code points, writable as JSON.
void check_text(const std::string& s, std::size_t lo, std::size_t hi) {
    FUZZ_CHECK(is_valid_utf8(s));
    const auto n = count_code_points(s);
    FUZZ_CHECK(n >= lo && n <= hi);
    FUZZ_CHECK(trimmed(s) == s);
    (void)nlohmann::json(s).dump();  // throws on bad UTF-8: the contract above, checked again
}

// An optional text: empty, or as check_text.
void check_optional(const std::string& s, std::size_t hi) {
    if (!s.empty()) check_text(s, 1, hi);
}

// The accepted value inside `r` (which must outlive the pointer), or nullptr.
template <class T>
const T* accepted(const read_result<T>& r, bool must_refuse) {
    if (must_refuse)
        FUZZ_CHECK(std::get_if<refusal>(&r) && *std::get_if<refusal>(&r) == refusal::bad_json);
    return std::get_if<T>(&r);
}

void check_community(const std::string& c, const config& cfg) {
    check_text(c, 1, 30);
    if (!cfg.communities.empty())
        FUZZ_CHECK(std::any_of(cfg.communities.begin(), cfg.communities.end(),
                               [&](const community_config& k) { return k.name == c; }));
}

// Proof of presence as read: a scene of printable ASCII, a location on the globe.
void check_presence(const minsheng::dialog::cases::presence& shown) {
    check_optional(shown.scene, 64);
    FUZZ_CHECK(ascii_printable(shown.scene));
    if (shown.location)
        FUZZ_CHECK(shown.location->lat >= -90 && shown.location->lat <= 90 &&
                   shown.location->lng >= -180 && shown.location->lng <= 180);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body = minsheng::fuzz::as_view(data, size);
    static const config open_cfg{};
    static const config known_cfg = [] {
        config c;
        c.communities.push_back({"东城社区", "东城街道", {}, std::nullopt});
        c.communities.push_back({"幸福社区", "东城街道", {}, std::nullopt});
        return c;
    }();
    const bool not_object = !object_body(body).has_value();

    if (const auto r1 = read_login(body); const auto* b = accepted(r1, not_object)) {
        check_text(b->code, 1, 128);
        FUZZ_CHECK(ascii_printable(b->code));
    }
    if (const auto r2 = read_phone(body); const auto* b = accepted(r2, not_object)) {
        check_text(b->code, 1, 128);
        FUZZ_CHECK(ascii_printable(b->code));
    }
    for (const config* cfg : {&open_cfg, &known_cfg}) {
        if (const auto r3 = read_profile(body, *cfg); const auto* b = accepted(r3, not_object))
            check_community(b->community, *cfg);
        if (const auto r4 = read_volunteer(body, *cfg); const auto* b = accepted(r4, not_object)) {
            check_community(b->community, *cfg);
            check_optional(b->name, 20);
            check_optional(b->skills, 100);
        }
    }
    for (const std::string tpl : {"", "tpl-progress-0001"}) {
        if (const auto r5 = read_subscriptions(body, tpl);
            const auto* b = accepted(r5, not_object)) {
            FUZZ_CHECK(b->grants >= 0 && b->grants <= 20);
            if (tpl.empty()) FUZZ_CHECK(b->grants == 0);
        }
    }
    if (const auto r6 = read_case_form(body); const auto* b = accepted(r6, not_object)) {
        check_text(b->request_id, 1, 64);
        FUZZ_CHECK(ascii_printable(b->request_id));
        check_text(b->description, 2, 1000);
        const auto& f = b->form;
        if (!f.category.empty())
            FUZZ_CHECK(std::find(categories().begin(), categories().end(), f.category) !=
                       categories().end());
        FUZZ_CHECK(f.kind.empty() || f.kind == "wish" || f.kind == "complaint" ||
                   f.kind == "consultation");
        FUZZ_CHECK(f.urgency.empty() || f.urgency == "urgent" || f.urgency == "normal");
        if (f.location)
            FUZZ_CHECK(f.location->lat >= -90 && f.location->lat <= 90 && f.location->lng >= -180 &&
                       f.location->lng <= 180);
        check_optional(f.address, 200);
        FUZZ_CHECK(f.phone.empty() || mainland_mobile(f.phone));
        FUZZ_CHECK(b->media_ids.size() <= max_media);
        for (const auto& id : b->media_ids)
            FUZZ_CHECK(!id.empty() && id.size() <= 128 && ascii_printable(id));
        FUZZ_CHECK(b->not_same_as.empty() || plausible_number(b->not_same_as));
    }
    if (const auto r7 = read_feedback(body, true); const auto* b = accepted(r7, not_object)) {
        FUZZ_CHECK(b->rating >= 1 && b->rating <= 5);
        check_optional(b->comment, 200);
    }
    if (const auto r8 = read_feedback(body, false); const auto* b = accepted(r8, not_object))
        FUZZ_CHECK(b->rating == 0 && b->comment.empty());
    if (const auto r9 = read_checkin(body); const auto* b = accepted(r9, not_object)) {
        check_text(b->station, 1, 64);
        check_optional(b->activity, 50);
        check_presence(b->shown);
    }
    if (const auto r10 = read_checkout(body); const auto* b = accepted(r10, not_object))
        check_presence(b->shown);
    return 0;
}
