#include "adapters/hotline/transcript.hpp"

#include <nlohmann/json.hpp>

#include "dialog/utf8.hpp"
#include "dialog/values/iso8601.hpp"

namespace minsheng::adapters::hotline {

namespace {

using json = nlohmann::json;

constexpr std::size_t max_turns = 2000;

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    // Full-width spaces (U+3000) as speech-to-text systems write them.
    constexpr std::string_view ideographic = "\xE3\x80\x80";
    while (s.starts_with(ideographic)) s.remove_prefix(ideographic.size());
    while (s.ends_with(ideographic)) s.remove_suffix(ideographic.size());
    return s;
}

std::optional<std::string> speaker_of(std::string_view tag) {
    for (std::string_view a :
         {"坐席", "话务员", "接线员", "客服", "座席", "agent", "Agent", "AGENT"})
        if (tag == a) return std::string("agent");
    for (std::string_view c : {"市民", "来电人", "来电者", "群众", "caller", "Caller", "CALLER",
                               "用户", "來電人", "來電者"})
        if (tag == c) return std::string("caller");
    return std::nullopt;
}

// One call from a JSON object; the error names the field.
parsed_call from_json(const json& j) {
    parsed_call out;
    if (!j.is_object()) {
        out.error = "a call must be a JSON object";
        return out;
    }
    if (j.contains("call_id") && j["call_id"].is_string()) out.call_id = j["call_id"];
    auto fail = [&](std::string why) {
        out.error = std::move(why);
        return out;
    };
    if (!valid_call_id(out.call_id))
        return fail("call_id must be a string of 1 to 128 printable ASCII characters");

    transcript t;
    t.call_id = out.call_id;
    auto optional_string = [&](const json& obj, const char* key, std::string& into) {
        if (!obj.contains(key) || obj[key].is_null()) return true;
        if (!obj[key].is_string()) return false;
        into = obj[key].get<std::string>();
        return true;
    };
    auto optional_time = [&](const char* key, std::int64_t& into) {
        if (!j.contains(key) || j[key].is_null()) return true;
        if (!j[key].is_string()) return false;
        auto v = dialog::parse_iso8601(j[key].get<std::string>());
        if (!v) return false;
        into = *v;
        return true;
    };
    if (!j.contains("caller") || !j["caller"].is_object())
        return fail("caller must be an object with a phone");
    const json& caller = j["caller"];
    std::string raw_phone;
    if (!optional_string(caller, "phone", raw_phone) || raw_phone.empty())
        return fail("caller.phone is required");
    auto phone = phone_digits(raw_phone);
    if (!phone) return fail("caller.phone must be a phone number");
    t.caller_phone = *phone;
    if (!optional_string(caller, "name", t.caller_name))
        return fail("caller.name must be a string");
    if (!optional_string(j, "hotline", t.hotline)) return fail("hotline must be a string");
    if (!optional_string(j, "operator_id", t.operator_id))
        return fail("operator_id must be a string");
    if (!optional_string(j, "operator_category", t.operator_category))
        return fail("operator_category must be a string");
    if (!optional_string(j, "operator_summary", t.operator_summary))
        return fail("operator_summary must be a string");
    if (j.contains("still_needs_help") && !j["still_needs_help"].is_null()) {
        if (!j["still_needs_help"].is_boolean())
            return fail("still_needs_help must be true or false");
        t.still_needs_help = j["still_needs_help"].get<bool>();
    }
    if (!optional_time("started_at", t.started_at))
        return fail("started_at must be an ISO-8601 time with an offset");
    if (!optional_time("ended_at", t.ended_at))
        return fail("ended_at must be an ISO-8601 time with an offset");

    if (!j.contains("turns") || !j["turns"].is_array() || j["turns"].empty())
        return fail("turns must be a non-empty array");
    if (j["turns"].size() > max_turns) return fail("a call may have at most 2000 turns");
    bool caller_spoke = false;
    std::size_t index = 0;
    for (const auto& jt : j["turns"]) {
        std::string where = "turns[" + std::to_string(index++) + "]";
        if (!jt.is_object()) return fail(where + " must be an object");
        turn tu;
        if (!optional_string(jt, "speaker", tu.speaker) ||
            (tu.speaker != "caller" && tu.speaker != "agent"))
            return fail(where + ".speaker must be \"caller\" or \"agent\"");
        if (!jt.contains("text") || !jt["text"].is_string())
            return fail(where + ".text must be a string");
        tu.text = std::string(trim(jt["text"].get<std::string>()));
        if (!optional_string(jt, "at", tu.at)) return fail(where + ".at must be a string");
        if (tu.speaker == "caller" && !tu.text.empty()) caller_spoke = true;
        t.turns.push_back(std::move(tu));
    }
    if (!caller_spoke) return fail("the caller says nothing in turns");
    out.call = std::move(t);
    return out;
}

// "[00:01:05] ", "00:01:05 ", "10:01 " at the start of a line: the time, and the rest.
std::pair<std::string, std::string_view> split_time(std::string_view line) {
    std::string_view s = line;
    bool bracket = !s.empty() && s.front() == '[';
    if (bracket) s.remove_prefix(1);
    std::size_t i = 0;
    auto digits = [&](std::size_t n) {
        for (std::size_t k = 0; k < n; ++k, ++i)
            if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
        return true;
    };
    if (!digits(2) || i >= s.size() || s[i] != ':') return {"", line};
    ++i;
    if (!digits(2)) return {"", line};
    if (i < s.size() && s[i] == ':') {
        ++i;
        if (!digits(2)) return {"", line};
    }
    std::string at(s.substr(0, i));
    if (bracket) {
        if (i >= s.size() || s[i] != ']') return {"", line};
        ++i;
    }
    return {at, trim(s.substr(i))};
}

// "坐席：您好" → ("agent", "您好"); nullopt when the line has no speaker tag.
std::optional<std::pair<std::string, std::string_view>> split_speaker(std::string_view line) {
    for (std::string_view colon : {std::string_view("\xEF\xBC\x9A"), std::string_view(":")}) {
        auto at = line.find(colon);
        if (at == std::string_view::npos || at > 24) continue;
        if (auto who = speaker_of(trim(line.substr(0, at))))
            return std::pair{*who, trim(line.substr(at + colon.size()))};
    }
    return std::nullopt;
}

parsed_call from_text(std::string_view body,
                      const std::map<std::string, std::string, std::less<>>& params) {
    parsed_call out;
    auto param = [&](const char* k) {
        auto it = params.find(k);
        return it == params.end() ? std::string() : it->second;
    };
    out.call_id = param("call_id");
    if (!valid_call_id(out.call_id)) {
        out.error = "a plain-text transcript needs the call_id query parameter";
        return out;
    }
    auto phone = phone_digits(param("caller_phone"));
    if (!phone) {
        out.error = "a plain-text transcript needs the caller_phone query parameter";
        return out;
    }
    transcript t;
    t.call_id = out.call_id;
    t.caller_phone = *phone;
    t.hotline = param("hotline");
    t.caller_name = param("caller_name");
    t.operator_id = param("operator_id");
    if (const auto help = param("still_needs_help"); help == "true" || help == "1") {
        t.still_needs_help = true;
    } else if (!help.empty() && help != "false" && help != "0") {
        out.error = "still_needs_help must be true, false, 1 or 0";
        return out;
    }
    bool caller_spoke = false;
    while (!body.empty()) {
        auto nl = body.find('\n');
        std::string_view line = trim(body.substr(0, nl));
        body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
        if (line.empty()) continue;
        auto [at, rest] = split_time(line);
        if (auto tagged = split_speaker(rest)) {
            if (t.turns.size() >= max_turns) {
                out.error = "a call may have at most 2000 turns";
                return out;
            }
            t.turns.push_back({tagged->first, std::string(tagged->second), at});
        } else if (!t.turns.empty()) {
            // An untagged line continues the turn before it.
            auto& last = t.turns.back().text;
            if (!last.empty()) last += ' ';
            last += rest;
        } else {
            out.error = "the transcript must start with a speaker tag such as 坐席： or 市民：";
            return out;
        }
        if (t.turns.back().speaker == "caller" && !t.turns.back().text.empty()) caller_spoke = true;
    }
    if (!caller_spoke) {
        out.error = "the caller says nothing in the transcript";
        return out;
    }
    out.call = std::move(t);
    return out;
}

std::string_view media_type(std::string_view content_type) {
    auto semi = content_type.find(';');
    return trim(content_type.substr(0, semi));
}

}  // namespace

std::optional<std::string> phone_digits(std::string_view raw) {
    std::string d;
    for (char c : raw) {
        if (c >= '0' && c <= '9')
            d += c;
        else if (c != ' ' && c != '-' && c != '+' && c != '(' && c != ')')
            return std::nullopt;
    }
    if (d.size() == 13 && d.starts_with("86")) d.erase(0, 2);
    if (d.size() < 7 || d.size() > 15) return std::nullopt;
    return d;
}

bool valid_call_id(std::string_view id) {
    if (id.empty() || id.size() > max_call_id) return false;
    for (unsigned char c : id)
        if (c < 0x21 || c > 0x7e) return false;  // printable ASCII, no spaces
    return true;
}

std::variant<std::vector<parsed_call>, batch_error> parse_batch(
    std::string_view body, std::string_view content_type,
    const std::map<std::string, std::string, std::less<>>& params) {
    if (trim(body).empty()) return batch_error{"the body is empty"};
    if (!dialog::is_valid_utf8(body)) return batch_error{"the body is not valid UTF-8"};
    std::string_view type = media_type(content_type);
    std::vector<parsed_call> calls;

    if (type == "text/plain") {
        calls.push_back(from_text(body, params));
        return calls;
    }
    if (type == "application/x-ndjson" || type == "application/jsonl" ||
        type == "application/json-seq" || type == "application/ndjson") {
        while (!body.empty()) {
            auto nl = body.find('\n');
            std::string_view line = trim(body.substr(0, nl));
            body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
            if (line.empty()) continue;
            if (calls.size() == max_calls_per_batch)
                return batch_error{"a batch may hold at most 500 calls"};
            json j = json::parse(line, nullptr, false);
            if (j.is_discarded()) {
                parsed_call bad;
                bad.error = "this line is not valid JSON";
                calls.push_back(std::move(bad));
                continue;
            }
            calls.push_back(from_json(j));
        }
        return calls;
    }
    if (type != "application/json")
        return batch_error{
            "Content-Type must be application/json, application/x-ndjson or "
            "text/plain"};
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) return batch_error{"the body is not valid JSON"};
    if (j.is_array()) {
        if (j.empty()) return batch_error{"the batch is empty"};
        if (j.size() > max_calls_per_batch)
            return batch_error{"a batch may hold at most 500 calls"};
        for (const auto& item : j) calls.push_back(from_json(item));
        return calls;
    }
    calls.push_back(from_json(j));
    return calls;
}

caller_text caller_words(const transcript& t) {
    caller_text out;
    for (std::size_t i = 0; i < t.turns.size(); ++i) {
        const auto& tu = t.turns[i];
        if (tu.speaker != "caller" || tu.text.empty()) continue;
        if (!out.text.empty()) out.text += '\n';
        std::size_t begin = out.text.size();
        out.text += tu.text;
        out.pieces.push_back({i, begin, out.text.size()});
    }
    return out;
}

}  // namespace minsheng::adapters::hotline
