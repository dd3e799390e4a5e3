#pragma once
// What an Open311 client reads (docs/open311.md): the records GET services, GET requests,
// GET tokens and POST requests answer with, as flat records for render_list
// (adapters/open311/document.hpp), and the masking that keeps personal data out of them.
// Pure functions of their arguments; thread-safe given an immutable template_set. The functions
// that take one throw std::out_of_range for a template it lacks (required_templates() lists
// them all, checked at start-up); the others do not throw.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/open311/catalogue.hpp"
#include "adapters/open311/document.hpp"
#include "dialog/ports.hpp"
#include "dialog/templates.hpp"

namespace minsheng::adapters::open311 {

// Every template key the records below render.
std::vector<std::string> required_templates();

// GET services: one service as listed (names and descriptions from templates/open311/).
record service_record(const service& s, const dialog::template_set& texts);

// GET requests: what anyone may read of a case; never the reporter, phone, e-mail or name.
// A case filed through Open311 (c.from == open311) is shown in full: its description and address
// masked (phones, ID numbers, detailed addresses, e-mail addresses, any run of 11+ digits), the
// location rounded to three decimals (about 100 m), and the client's own `media_url` ("" : none).
// Any other channel's case (chat, mini program, 12345) is shown as the public view shows it: no
// description, address or media, the location rounded to two decimals (about 1 km).
record request_record(const dialog::case_record& c, const service& s,
                      const dialog::template_set& texts, std::string_view media_url);
// Whether GET requests shows `c` in full (filed through Open311).
bool shown_in_full(const dialog::case_record& c);

// POST requests: the case opened, the token to follow it by, the notice, and the client's
// account_id ("" : null).
record posted_record(const dialog::case_record& c, std::string_view token,
                     std::string_view account_id, const dialog::template_set& texts);

// GET tokens/{token}: the case number a token became.
record token_record(std::string_view number, std::string_view token);

// The notice a client shows after POST requests: the case number and when to expect an answer
// (templates/open311/service_notice*.txt).
std::string service_notice(const dialog::case_record& c, const dialog::template_set& texts);

// The case's detail line a POSTed media_url is kept as ("[图片] <url>"), and back: the URL of
// such a line, nullopt for any other detail.
std::string media_line(std::string_view url);
std::optional<std::string> media_url_of(std::string_view detail);

// Masks every run of 11 or more ASCII digits but its last four: what mask_personal_data leaves
// of a number it does not recognise (an ID number with a wrong check digit, a bank card).
std::string mask_long_numbers(std::string_view text);

// Masks e-mail addresses in free text: "zhang.san@example.com" → "z***@example.com".
std::string mask_emails(std::string_view text);

}  // namespace minsheng::adapters::open311
