// Finding the appeals in what a hotline caller said (dialog/intake/call_appeals.hpp
// find_appeals) on any bytes, over the repository's models.
// Contracts: nothing throws; appeals come in order of mention without overlapping, each a
// non-empty byte range of the caller's text whose text is exactly those bytes and whose
// understanding is understand() of that text.

#include <cstdint>
#include <string>

#include "dialog/intake/call_appeals.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/nlu_engine.hpp"

using namespace minsheng::dialog;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)minsheng::fuzz::nlu_engine();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = minsheng::fuzz::as_view(data, size);
    const auto& engine = minsheng::fuzz::nlu_engine();

    const auto appeals = intake::find_appeals(engine, text);
    std::size_t previous_end = 0;
    for (const auto& a : appeals) {
        FUZZ_CHECK(a.begin >= previous_end);
        FUZZ_CHECK(a.begin < a.end && a.end <= text.size());
        FUZZ_CHECK(a.text == text.substr(a.begin, a.end - a.begin));
        FUZZ_CHECK(a.understood.normalised == engine.understand(a.text).normalised);
        previous_end = a.end;
    }
    return 0;
}
