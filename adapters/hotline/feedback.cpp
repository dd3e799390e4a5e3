#include "adapters/hotline/feedback.hpp"

#include <nlohmann/json.hpp>

#include "adapters/hotline/transcript.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::adapters::hotline {

namespace {

using json = nlohmann::json;

callback_error fail(std::string why) { return {std::move(why)}; }

bool json_type(std::string_view content_type) {
    const auto semi = content_type.find(';');
    auto media = content_type.substr(0, semi);
    while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
    std::string lower(media);
    for (auto& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return lower == "application/json";
}

// A case number as the gateway gives them ("MS20261123-0007", "WX…"): two letters, then digits
// and dashes; the store reads the rest.
bool valid_number(std::string_view n) {
    const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    if (n.size() < 10 || n.size() > 32 || !letter(n[0]) || !letter(n[1])) return false;
    for (char c : n.substr(2))
        if ((c < '0' || c > '9') && c != '-') return false;
    return true;
}

// The case number and the caller's phone, which both requests name alike; an error or "".
std::string case_and_phone(const json& j, std::string& number, std::string& phone) {
    const auto text = [&](const char* key, std::string& into) {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_string()) return false;
        into = it->get<std::string>();
        return true;
    };
    if (!text("case", number) || !valid_number(number))
        return "case must be the case number the caller was given (MS...)";
    for (auto& c : number)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    std::string raw_phone;
    if (!text("caller_phone", raw_phone)) return "caller_phone is required";
    auto digits = phone_digits(raw_phone);
    if (!digits) return "caller_phone must be a phone number";
    phone = std::move(*digits);
    return "";
}

}  // namespace

std::variant<not_same, callback_error> parse_not_same(std::string_view body,
                                                      std::string_view content_type) {
    if (!json_type(content_type)) return fail("this request is sent as application/json");
    const json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("the body must be one JSON object");
    not_same out;
    const auto id = j.find("request_id");
    if (id == j.end() || !id->is_string() || !valid_call_id(id->get<std::string>()))
        return fail("request_id must be 1-128 printable ASCII characters");
    out.request_id = id->get<std::string>();
    if (auto why = case_and_phone(j, out.number, out.caller_phone); !why.empty())
        return fail(std::move(why));
    return out;
}

std::variant<callback, callback_error> parse_callback(std::string_view body,
                                                      std::string_view content_type) {
    if (!json_type(content_type)) return fail("a return visit is sent as application/json");
    const json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("the body must be one JSON object");
    callback out;

    const auto text = [&](const char* key, std::string& into) {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_string()) return false;
        into = it->get<std::string>();
        return true;
    };
    if (!text("callback_id", out.callback_id) || !valid_call_id(out.callback_id))
        return fail("callback_id must be 1-128 printable ASCII characters");
    if (auto why = case_and_phone(j, out.number, out.caller_phone); !why.empty())
        return fail(std::move(why));

    const auto r = j.find("rating");
    if (r == j.end()) return fail("rating is required (1-5)");
    if (r->is_number_integer())
        out.rating = r->get<std::int64_t>() >= 1 && r->get<std::int64_t>() <= 5
                         ? static_cast<int>(r->get<std::int64_t>())
                         : 0;
    else if (r->is_string() && r->get<std::string>().size() == 1)
        out.rating = r->get<std::string>()[0] - '0';
    if (out.rating < 1 || out.rating > 5) return fail("rating must be an integer from 1 to 5");

    if (const auto c = j.find("comment"); c != j.end() && !c->is_null()) {
        if (!c->is_string()) return fail("comment must be a string");
        out.comment = c->get<std::string>();
        if (!dialog::is_valid_utf8(out.comment) ||
            dialog::count_code_points(out.comment) > max_feedback_comment_chars)
            return fail("comment must be valid UTF-8 of at most 500 characters");
    }
    return out;
}

}  // namespace minsheng::adapters::hotline
