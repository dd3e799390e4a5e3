#pragma once
// Understanding of one Chinese text: normalisation, tokens, entities, and the four classifiers
// (category, kind, intent, urgency; category has a model per register, short messages and
// letters, recipes.hpp). Immutable after load(): share freely across threads.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::dialog::nlu {

// Byte offsets [begin, end) into the ORIGINAL text given to understand().
struct span {
    std::size_t begin = 0;
    std::size_t end = 0;
};

struct entity {
    // "phone", "landline", "id_number", "address", "date", "time", "money", "case_number"
    // (MS…), "wish_number" (WX…), "proposal_number" (YS…, a 微实事 proposal)
    std::string type;
    std::string text;   // the bytes as the person wrote them (original[begin, end))
    std::string value;  // normalised value: digits only, ISO date, amount in yuan, ...
    span where;
};

struct label {
    std::string name;         // "" when unsure and no best guess applies
    double confidence = 0.0;  // calibrated probability of `name`
    bool unsure = true;       // confidence below the model's threshold
};

struct normalised_text;  // dialog/nlu/normalizer.hpp

struct understanding {
    std::string normalised;           // NFKC, half-width, Simplified, tidy whitespace
    std::vector<std::string> tokens;  // segmentation of `normalised`
    std::vector<entity> entities;
    label category;  // one of the seven 12345 departments (城乡建设, 劳动和社会保障, ...)
    label kind;      // "wish" | "project" | "complaint" | "consultation"
    label intent;    // "file_appeal" | "add_detail" | "ask_progress" | "claim_wish" |
                     // "report_done" | "confirm" | "cancel" | "rate" | "vote" |
                     // "register_volunteer" | "certificate_question" | "greet" | "help" | "other"
    label urgency;   // "urgent" | "normal"

    // First entity of the given type, or nullptr.
    const entity* find(std::string_view type) const;
};

class engine {
public:
    // Loads every model under models_dir. Throws std::runtime_error naming the file when a model
    // is missing or malformed, so start-up fails loudly.
    static std::shared_ptr<const engine> load(const std::string& models_dir);

    // Never throws for any input bytes (invalid UTF-8 is replaced, not rejected).
    understanding understand(std::string_view text) const;

    // Which category models classify_category reads: those of the text's register by its
    // length, as understand() does (recipes.hpp, short_share), or only the short register's,
    // which learned from both registers: for pieces of a letter or call of any length, as
    // intake::find_appeals compares them (the model its cues were tuned with).
    enum class registers { by_length, both };

    // The category alone (normalisation, segmentation and the category model(s); no entities
    // or other models): what batch classification needs. Never throws.
    label classify_category(std::string_view text, registers r = registers::by_length) const;

    // Normalisation alone (dialog/nlu/normalizer.hpp), with the map back to `text`: for callers
    // that look for words themselves before deciding what to understand. Never throws.
    normalised_text normalise(std::string_view text) const;

    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    struct impl;

private:
    explicit engine(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

// Masking for logs and public views. Each returns its input with personal data replaced:
// phone 138****5678, ID 110***********1234 style, address kept to its district/community level.
std::string mask_phone(std::string_view digits);
std::string mask_id_number(std::string_view id);
// Masks every phone number, ID number and detailed address found in free text.
std::string mask_personal_data(std::string_view text);

}  // namespace minsheng::dialog::nlu
