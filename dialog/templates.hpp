#pragma once
// Every text a person reads, loaded from templates/ at start-up. A template is a UTF-8 file;
// its key is the path below templates/ without the extension ("reply/welcome").
// Placeholders are {{name}}. Immutable after load: share freely.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minsheng::dialog {

class template_set {
public:
    using vars = std::vector<std::pair<std::string, std::string>>;

    // Loads every *.txt under dir. Throws std::runtime_error if the directory is missing, a file
    // is not valid UTF-8, or a placeholder is unterminated.
    static std::shared_ptr<const template_set> load(const std::string& dir);
    // Builds from key → text pairs (tests).
    static std::shared_ptr<const template_set> from(std::map<std::string, std::string> texts);

    bool has(std::string_view key) const;
    // Throws std::runtime_error listing every key in `keys` that is missing (start-up check).
    void require(const std::vector<std::string>& keys) const;

    // Substitutes {{name}} with its value; an unknown placeholder renders as empty.
    // Throws std::out_of_range for an unknown key (a programming error caught by require()).
    std::string render(std::string_view key, const vars& v = {}) const;

private:
    std::map<std::string, std::string, std::less<>> texts_;
};

}  // namespace minsheng::dialog
