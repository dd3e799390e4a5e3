#pragma once
// The certificates (证明事项) residents ask a community for, as a city publishes them: which
// ones a community no longer issues and who does instead (where, with what), and the community's
// procedure for the ones it keeps. Loaded from a TOML file (data/certificates.toml is the shipped
// example; docs/certificates.md). Immutable after load: share freely across threads.

#include <string>
#include <string_view>
#include <vector>

#include "dialog/nlu/nlu.hpp"

namespace minsheng::dialog::intake {

struct certificate_item {
    std::string id;                    // "residence": the statistics count by it
    std::string name;                  // "居住证明"
    std::vector<std::string> aliases;  // the ways people say it, Simplified
    bool community_issues = false;     // kept by the community
    // A cancelled item: who issues it now, where, with what.
    std::string department, where, bring;
    // A kept item: the community's procedure.
    std::string procedure;
    std::string policy;  // what the change rests on (the file's when the item gives none)
};

class certificate_catalogue {
public:
    // Reads a catalogue file. Throws std::runtime_error naming the file (and the line, for TOML
    // syntax) for a missing or unreadable file, bad TOML, an item without id, name or aliases, an
    // id that is not [a-z0-9_] or is used twice, an alias given to two items, a cancelled item
    // without department, where or bring, or a kept item without procedure.
    static certificate_catalogue load(const std::string& path);
    // The same from a string (tests); `source` names it in errors.
    static certificate_catalogue from_text(std::string_view text, std::string_view source = "text");

    // The empty catalogue: nothing matches.
    certificate_catalogue() = default;

    // The item whose alias occurs in `normalised` (the NLU's normalised text: Simplified,
    // lower-case, half-width); the longest occurring alias wins. nullptr when none occurs.
    const certificate_item* match(std::string_view normalised) const;
    const certificate_item* find(std::string_view id) const;
    // The item a message asks for, as the conversation answers it: an alias occurs (match), and
    // the message asks (intent certificate_question, or a word such as 证明, 开, 办, 哪里, 怎么,
    // 点样). nullptr otherwise.
    const certificate_item* asked(const nlu::understanding& u) const;

    const std::vector<certificate_item>& items() const { return items_; }
    // The shipped example (example = true): deployments replace it.
    bool example() const { return example_; }

private:
    std::vector<certificate_item> items_;
    bool example_ = false;
};

}  // namespace minsheng::dialog::intake
