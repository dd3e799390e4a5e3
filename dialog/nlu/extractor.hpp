#pragma once
// Entity extraction with RE2 plus validation: mobile and landline numbers, 18-digit ID numbers
// (checksum verified), addresses, dates and times (absolute, relative, Chinese numerals), money
// amounts, case and wish numbers. Immutable after create(): share freely across threads.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "dialog/nlu/nlu.hpp"
#include "dialog/nlu/normalizer.hpp"

namespace minsheng::dialog::nlu {

class extractor {
public:
    // Compiles every pattern; throws std::runtime_error if one does not compile.
    static std::shared_ptr<const extractor> create();

    // Entities in order of position, spans into `original`. `now` (unix seconds) anchors relative
    // dates such as 三天前 or 下周一 (China time, UTC+8).
    std::vector<entity> extract(const normalised_text& text, std::string_view original,
                                std::int64_t now) const;

    ~extractor();
    struct impl;

private:
    explicit extractor(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

// 18-digit mainland ID number check (GB 11643 checksum, plausible birth date).
bool valid_id_number(std::string_view id);

}  // namespace minsheng::dialog::nlu
