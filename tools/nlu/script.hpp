#pragma once
// Conversion of Simplified Chinese text to Traditional script (ICU's "Simplified-Traditional"
// transform), used by `minsheng-nlu eval --script traditional` to measure how the models hold up
// on the same messages written in Traditional. One thread only.

#include <memory>
#include <string>
#include <string_view>

namespace minsheng::tools::nlu {

class to_traditional {
public:
    // Throws std::runtime_error when ICU lacks the transform.
    to_traditional();
    ~to_traditional();
    std::string operator()(std::string_view simplified) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace minsheng::tools::nlu
