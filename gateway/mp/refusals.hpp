#pragma once
// Every refusal the mini program API answers, in one table (refusals.cpp): its HTTP status, its
// stable English code (what the client switches on) and its Chinese message (templates/mp/).
// A handler names the refusal; its status is written only in that table. Error bodies are
// {"error":{"code":<code>,"message":<text>}}; a 401 also carries
// WWW-Authenticate: Bearer realm="minsheng-mp".
//
// Immutable; thread-safe. refuse() may be called from any thread. Nothing here throws, except
// that rendering a message throws std::out_of_range for a missing template, which
// required_texts() rules out at start-up.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/templates.hpp"
#include "gateway/exchange.hpp"
#include "gateway/mp/refusal.hpp"

namespace minsheng::gateway::mp {

struct refusal_row {
    refusal what;
    boost::beast::http::status status;
    std::string_view code;  // stable, English
    std::string_view text;  // templates/mp/<text>
};

// The table's row for `r`.
const refusal_row& row_of(refusal r);

// Answers `r` through x.refuse (counted, logged, written by error_format); Retry-After when
// retry_after > 0.
void refuse(exchange& x, refusal r, std::int64_t retry_after = 0);

// The same with `r`'s text rendered with `vars` (a text with placeholders: claim_limit names
// the wishes held).
void refuse(exchange& x, refusal r, const dialog::template_set::vars& vars,
            std::int64_t retry_after = 0);

// The API's error format, for exchange::set_error_format. The message the exchange passes is a
// text name from the table (what refuse() passes); for the exchange's own refusals ("internal",
// "shutting_down", whose message is English) the code names the text; anything else (a text
// rendered with variables) is written as given.
exchange::error_format error_format(std::shared_ptr<const dialog::template_set> texts);

// Every templates/mp/ key the table renders, for template_set::require at start-up.
std::vector<std::string> required_texts();

}  // namespace minsheng::gateway::mp
