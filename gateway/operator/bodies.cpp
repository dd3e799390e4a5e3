#include "gateway/operator/bodies.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "dialog/utf8.hpp"
#include "dialog/values/iso8601.hpp"

namespace minsheng::gateway::operator_api {

namespace {

using json = nlohmann::json;

// The body as a JSON object (the parser refuses bad UTF-8 in strings), or nullopt.
std::optional<json> object_of(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

const bad_body not_an_object{"the body must be a JSON object"};

// The object's "text": a string, not blank, of at most max_text_chars code points.
body_result<std::string> text_of(const json& j) {
    const auto t = j.find("text");
    if (t == j.end() || !t->is_string()) return bad_body{"text must be a string"};
    const auto& text = t->get_ref<const std::string&>();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return bad_body{"text must not be empty"};
    if (dialog::count_code_points(text) > max_text_chars)
        return bad_body{"text must be at most 2000 characters"};
    return text;
}

}  // namespace

body_result<action_request> parse_action(std::string_view body) {
    auto j = object_of(body);
    if (!j) return not_an_object;
    std::optional<bad_body> problem;
    auto string_field = [&](const char* k, std::string& out) {
        if (problem) return;
        const auto v = j->find(k);
        if (v == j->end()) return;
        if (!v->is_string())
            problem = bad_body{std::string(k) + " must be a string"};
        else
            out = v->get<std::string>();
    };
    action_request a;
    std::string name;
    string_field("action", name);
    if (problem) return *problem;
    auto what = dialog::cases::action_from_string(name);
    if (!what)
        return bad_body{
            "action must be one of accept, assign, release, start, report_done, confirm, "
            "reopen, close, cancel, merge"};
    a.what = *what;
    string_field("note", a.args.note);
    string_field("assignee", a.args.assignee);
    string_field("comment", a.args.comment);
    if (problem) return *problem;
    if (const auto into = j->find("into"); into != j->end()) {
        if (into->is_number_integer() && into->get<std::int64_t>() > 0)
            a.args.merge_into = into->get<std::int64_t>();
        else if (into->is_string() && !into->get_ref<const std::string&>().empty())
            a.into_number = into->get<std::string>();
        else
            return bad_body{"into must be a case id or a case number"};
    }
    if (const auto rating = j->find("rating"); rating != j->end()) {
        if (!rating->is_number_integer() || rating->get<std::int64_t>() < 1 ||
            rating->get<std::int64_t>() > 5)
            return bad_body{"rating must be a whole number from 1 to 5"};
        a.args.rating = rating->get<int>();
    }
    if (a.what == dialog::cases::action::assign && a.args.assignee.empty())
        return bad_body{"assign needs an assignee"};
    if (a.what == dialog::cases::action::merge && a.args.merge_into == 0 && a.into_number.empty())
        return bad_body{"merge needs into (the case that absorbs this one)"};
    return a;
}

body_result<note_request> parse_note(std::string_view body) {
    auto j = object_of(body);
    if (!j) return not_an_object;
    auto text = text_of(*j);
    if (auto* bad = std::get_if<bad_body>(&text)) return *bad;
    return note_request{std::get<std::string>(std::move(text))};
}

body_result<split_request> parse_split(std::string_view body) {
    auto j = object_of(body);
    if (!j) return not_an_object;
    split_request r;
    const auto n = j->find("follower");
    if (n == j->end() || !n->is_number_unsigned() || n->get<std::uint64_t>() < 1 ||
        n->get<std::uint64_t>() > max_followers)
        return bad_body{
            "follower must be the position (1, 2, ...) of a row of the case's followers"};
    r.follower = static_cast<std::size_t>(n->get<std::uint64_t>());
    const auto at = j->find("joined_at");
    if (at == j->end() || !at->is_string())
        return bad_body{"joined_at must be that follower's joined_at, as the case shows it"};
    const auto parsed = dialog::parse_iso8601(at->get_ref<const std::string&>());
    if (!parsed)
        return bad_body{"joined_at must be that follower's joined_at, as the case shows it"};
    r.joined_at = *parsed;
    return r;
}

body_result<reply_request> parse_reply(std::string_view body) {
    auto j = object_of(body);
    if (!j) return not_an_object;
    const bool canned = j->contains("canned");
    if (canned == j->contains("text"))
        return bad_body{"give either canned (a canned reply's key) or text"};
    reply_request r;
    if (canned) {
        const auto& name = j->at("canned");
        if (!name.is_string() || name.get_ref<const std::string&>().empty())
            return bad_body{"canned must be the key of a reply listed by /api/v1/canned"};
        r.canned = name.get<std::string>();
        return r;
    }
    auto text = text_of(*j);
    if (auto* bad = std::get_if<bad_body>(&text)) return *bad;
    r.text = std::get<std::string>(std::move(text));
    return r;
}

}  // namespace minsheng::gateway::operator_api
