#pragma once
// The NLU engine the NLU harnesses share: the repository's models/ (or $MINSHENG_MODELS_DIR),
// loaded once per process.

#include <cstdlib>
#include <memory>
#include <string>

#include "dialog/nlu/nlu.hpp"

namespace minsheng::fuzz {

inline const dialog::nlu::engine& nlu_engine() {
    static const std::shared_ptr<const dialog::nlu::engine> engine = [] {
        const char* dir = std::getenv("MINSHENG_MODELS_DIR");
        return dialog::nlu::engine::load(dir ? dir : MINSHENG_SOURCE_DIR "/models");
    }();
    return *engine;
}

}  // namespace minsheng::fuzz
