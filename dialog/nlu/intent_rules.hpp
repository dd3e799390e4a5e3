#pragma once
// High-precision rules that decide an intent before the learned intent model does, for messages
// whose form says it all: "认领 WX20261123-0001" is claim_wish, "5分" / "打四星" is rate.
// Everything else (including a bare digit, whose meaning depends on the question asked) is left
// to the model and to the conversation. Pure functions: thread-safe.

#include <string_view>

namespace minsheng::dialog::nlu {

// The confidence reported for an intent a rule decided.
inline constexpr double rule_confidence = 0.99;

// The intent a rule assigns to `normalised` text (as the normalizer gives it), or "" when no
// rule applies.
std::string_view rule_intent(std::string_view normalised);

}  // namespace minsheng::dialog::nlu
