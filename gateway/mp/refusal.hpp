#pragma once
// The refusals of the mini program API, by name. What each answers (status, code, text) is in
// the one table of refusals.hpp; this header is only the names, so that the body readers
// (bodies.hpp, fields.hpp) and their fuzzer need nothing of the HTTP server.

namespace minsheng::gateway::mp {

// One per templates/mp/ text; the name is the text's.
enum class refusal {
    // 400, code "bad_request": the body or the query, one text per field.
    bad_json,
    missing_code,
    bad_description,
    bad_location,
    bad_address,
    bad_media,
    bad_phone,
    bad_phone_code,
    bad_request_id,
    bad_category,
    bad_kind,
    bad_urgency,
    bad_rating,
    bad_comment,
    bad_community,
    unknown_community,
    bad_name,
    bad_skills,
    bad_station,
    bad_activity,
    bad_scene,
    bad_without_presence,
    bad_still_need_help,
    bad_not_same_as,
    bad_query,
    bad_near,
    bad_template,
    // 400 with its own code.
    unknown_station,
    // 401
    unauthorized,
    session_expired,
    bad_code,
    // 403
    not_your_case,
    not_allowed,
    wrong_community,
    not_volunteer,
    not_your_claim,
    volunteer_pending,  // applied, not yet approved (or refused)
    phone_required,     // a vote needs the voter's verified phone
    community_cooling,  // a vote in a community the voter moved to lately
    presence_required,  // check-in/out: no proof of being at the station
    not_following,      // "not the same problem" of a case the resident was never joined to
    // 404
    not_found,
    case_not_found,
    proposal_not_found,
    wish_not_found,
    // 405
    method_not_allowed,
    // 409
    wrong_status,
    community_required,
    already_voted,
    proposal_closed,  // code "closed"
    taken,
    already_yours,
    not_on_wall,
    already_checked_in,
    not_checked_in,
    claim_limit,  // holds max_active_claims wishes: the message names them
    // 429
    rate_limited,
    claim_cooldown,  // dropped too many claims lately: the message says from when
    // 500
    internal,
    // 502
    wechat_unavailable,
    // 503
    not_configured,
    shutting_down,
};

}  // namespace minsheng::gateway::mp
