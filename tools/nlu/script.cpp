#include "tools/nlu/script.hpp"

#include <stdexcept>

#include <unicode/translit.h>
#include <unicode/unistr.h>

namespace minsheng::tools::nlu {

struct to_traditional::impl {
    std::unique_ptr<icu::Transliterator> transform;
};

to_traditional::to_traditional() : impl_(std::make_unique<impl>()) {
    UErrorCode status = U_ZERO_ERROR;
    impl_->transform.reset(icu::Transliterator::createInstance(
        icu::UnicodeString::fromUTF8("Simplified-Traditional"), UTRANS_FORWARD, status));
    if (U_FAILURE(status) || !impl_->transform) {
        throw std::runtime_error("ICU has no Simplified-Traditional transform");
    }
}

to_traditional::~to_traditional() = default;

std::string to_traditional::operator()(std::string_view simplified) const {
    auto text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(simplified.data(), static_cast<std::int32_t>(simplified.size())));
    impl_->transform->transliterate(text);
    std::string out;
    text.toUTF8String(out);
    return out;
}

}  // namespace minsheng::tools::nlu
