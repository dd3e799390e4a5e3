// The NLU on any bytes (dialog/nlu/nlu.hpp engine::understand) over the repository's models,
// with classify_category and the masking functions beside it.
// Contracts: nothing throws (invalid UTF-8 is replaced, not rejected); the normalised text and
// the tokens are valid UTF-8; every entity's span lies in the original text and its text is
// exactly those bytes; labels are known names with a probability in [0, 1], "unsure" below the
// threshold; classify_category answers what understand() answers for the category; masking
// gives valid UTF-8 for valid UTF-8.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "dialog/utf8.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/nlu_engine.hpp"

using namespace minsheng::dialog;

namespace {

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
    return name.empty() || std::find(names.begin(), names.end(), name) != names.end();
}

void check_label(const nlu::label& l) {
    FUZZ_CHECK(std::isfinite(l.confidence) && l.confidence >= 0.0 && l.confidence <= 1.0);
    FUZZ_CHECK(is_valid_utf8(l.name));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Load time is not fuzzing time: the models, and the masking tables mask_personal_data
    // builds on its first call (seconds under ASan on a busy machine; charged to the first input,
    // they once tripped libFuzzer's per-input timeout).
    (void)minsheng::fuzz::nlu_engine();
    (void)minsheng::dialog::nlu::mask_personal_data("");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = minsheng::fuzz::as_view(data, size);
    const auto& engine = minsheng::fuzz::nlu_engine();

    const nlu::understanding u = engine.understand(text);
    FUZZ_CHECK(is_valid_utf8(u.normalised));
    for (const auto& t : u.tokens) FUZZ_CHECK(!t.empty() && is_valid_utf8(t));
    for (const auto& e : u.entities) {
        FUZZ_CHECK(one_of(e.type, {"phone", "landline", "id_number", "address", "date", "time",
                                   "money", "case_number", "wish_number", "proposal_number"}));
        FUZZ_CHECK(!e.type.empty());
        FUZZ_CHECK(e.where.begin <= e.where.end && e.where.end <= text.size());
        FUZZ_CHECK(e.text == text.substr(e.where.begin, e.where.end - e.where.begin));
        FUZZ_CHECK(is_valid_utf8(e.value));
        FUZZ_CHECK(u.find(e.type) != nullptr);
    }
    check_label(u.category);
    check_label(u.kind);
    check_label(u.intent);
    check_label(u.urgency);
    FUZZ_CHECK(one_of(u.kind.name, {"wish", "project", "complaint", "consultation"}));
    FUZZ_CHECK(one_of(u.intent.name,
                      {"file_appeal", "add_detail", "ask_progress", "claim_wish", "report_done",
                       "confirm", "cancel", "rate", "vote", "register_volunteer",
                       "certificate_question", "greet", "help", "other"}));
    FUZZ_CHECK(one_of(u.urgency.name, {"urgent", "normal"}));

    const nlu::label category = engine.classify_category(text);
    FUZZ_CHECK(category.name == u.category.name);
    FUZZ_CHECK(category.unsure == u.category.unsure);
    FUZZ_CHECK(std::abs(category.confidence - u.category.confidence) < 1e-6);

    const std::string masked = nlu::mask_personal_data(text);
    if (is_valid_utf8(text)) FUZZ_CHECK(is_valid_utf8(masked));
    (void)nlu::mask_phone(text);
    (void)nlu::mask_id_number(text);
    return 0;
}
