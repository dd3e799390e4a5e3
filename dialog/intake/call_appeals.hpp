#pragma once
// Finding the appeals in what a hotline caller said. One call may raise two problems ("路灯坏了
// …… 还有，门口的垃圾没人收"): the caller's words are cut into sentences, grouped into topics at
// the markers callers use to change the subject (还有, 另外, 再反映一个, ...) or where the
// category changes with confidence, and every topic that reads as an appeal becomes one. A call
// that is all one long complaint with no clear topic is still one appeal: nobody rings 12345 for
// nothing. Pure; thread-safe given a shared engine.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/nlu/nlu.hpp"

namespace minsheng::dialog::intake {

struct call_appeal {
    std::size_t begin = 0;  // byte range in the caller text given to find_appeals
    std::size_t end = 0;
    std::string text;               // the caller's words for this appeal
    nlu::understanding understood;  // of `text`
};

// Appeals in order of mention. Empty only when the caller said nothing that reads as a need or
// a problem (fewer than a handful of characters, greetings and thanks).
std::vector<call_appeal> find_appeals(const nlu::engine& engine, std::string_view caller_text);

}  // namespace minsheng::dialog::intake
