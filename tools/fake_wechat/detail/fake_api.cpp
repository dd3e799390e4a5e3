#include "tools/fake_wechat/detail/fake_api.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace minsheng::tools::fake_wechat {
namespace detail {
namespace {

using json = nlohmann::json;

answer json_answer(const json& j, int status = 200) {
    answer a;
    a.status = status;
    a.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
    return a;
}

answer error_answer(int errcode, std::string errmsg = {}) {
    if (errmsg.empty()) errmsg = default_errmsg(errcode);
    return json_answer({{"errcode", errcode}, {"errmsg", std::move(errmsg)}});
}

std::string get(const std::map<std::string, std::string>& q, const std::string& key) {
    auto it = q.find(key);
    return it == q.end() ? std::string() : it->second;
}

std::string string_at(const json& j, const char* key) {
    if (!j.is_object()) return {};
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

bool is_send_path(std::string_view path) {
    return path == "/cgi-bin/message/custom/send" || path == "/cgi-bin/message/template/send" ||
           path == "/cgi-bin/message/subscribe/send";
}

json record_json(const received_request& r) {
    json q = json::object();
    for (const auto& [k, v] : r.query) q[k] = v;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.at.time_since_epoch());
    return {{"method", r.method},
            {"path", r.path},
            {"query", q},
            {"body", r.json.is_null() ? json(r.body) : r.json},
            {"at_ms", ms.count()},
            {"tls_server_name", r.tls_server_name},
            {"answered_status", r.answered_status},
            {"answered_errcode", r.answered_errcode}};
}

}  // namespace

std::map<std::string, std::string> decode_query(std::string_view query) {
    std::map<std::string, std::string> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        out[percent_decode(pair.substr(0, eq))] =
            eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    return out;
}

std::string default_errmsg(int errcode) {
    switch (errcode) {
        case -1:
            return "system error";
        case 0:
            return "ok";
        case 40001:
            return "invalid credential, access_token is invalid or not latest";
        case 40002:
            return "invalid grant_type";
        case 40003:
            return "invalid openid";
        case 40013:
            return "invalid appid";
        case 40014:
            return "invalid access_token";
        case 40029:
            return "invalid code";
        case 40037:
            return "invalid template_id";
        case 40125:
            return "invalid appsecret";
        case 40163:
            return "code been used";
        case 41001:
            return "access_token missing";
        case 41008:
            return "missing code";
        case 42001:
            return "access_token expired";
        case 43002:
            return "require POST method";
        case 43101:
            return "user refuse to accept the msg";
        case 45009:
            return "reach max api daily quota limit";
        case 45015:
            return "response out of time limit or subscription is canceled";
        case 45047:
            return "out of response count limit";
        case 47001:
            return "data format error";
        case 47003:
            return "argument invalid!";
    }
    return "error " + std::to_string(errcode);
}

fake_api::fake_api(const fake_config& config)
    : appid_(config.appid), secret_(config.secret), expires_in_(config.expires_in) {
    if (expires_in_.count() <= 0) throw std::invalid_argument("fake_wechat: expires_in <= 0");
}

answer fake_api::handle(const request_in& req) {
    const auto q = req.target.find('?');
    const std::string path = req.target.substr(0, q);
    auto query = decode_query(q == std::string::npos ? std::string_view()
                                                     : std::string_view(req.target).substr(q + 1));
    std::lock_guard lock(mu_);
    if (path.starts_with("/fake/")) return control(req, path, query);

    received_request r;
    r.method = req.method;
    r.path = path;
    r.query = std::move(query);
    r.body = req.body;
    r.json = json::parse(req.body, nullptr, false);
    if (r.json.is_discarded()) r.json = nullptr;
    r.at = std::chrono::system_clock::now();
    r.tls_server_name = req.tls_server_name;

    answer a = api(r);
    if (!a.hang && !a.close) {
        r.answered_status = a.status;
        const json j = json::parse(a.body, nullptr, false);
        if (j.is_object() && j.contains("errcode") && j["errcode"].is_number_integer())
            r.answered_errcode = j["errcode"].get<int>();
    }
    received_.push_back(std::move(r));
    changed_.notify_all();
    return a;
}

answer fake_api::api(received_request& r) {
    // The first injection for this path (or "*") that has uses left.
    std::optional<injection> inj;
    for (auto it = injections_.begin(); it != injections_.end(); ++it) {
        if (it->path != "*" && it->path != r.path) continue;
        inj = *it;
        if (it->times > 0 && --it->times == 0) injections_.erase(it);
        break;
    }
    answer a;
    if (inj && inj->hang) {
        a.hang = true;
    } else if (inj && inj->close) {
        a.close = true;
    } else if (inj && inj->http_status) {
        a.status = *inj->http_status;
        a.content_type = "text/plain; charset=utf-8";
        a.body = "injected HTTP " + std::to_string(*inj->http_status) + "\n";
    } else if (inj && inj->errcode) {
        a = error_answer(*inj->errcode, inj->errmsg);
        const int e = *inj->errcode;
        if (e == 40001 || e == 40014 || e == 42001) {
            auto t = tokens_.find(get(r.query, "access_token"));
            if (t != tokens_.end()) {
                t->second.revoked = true;
                if (stable_ == t->first) stable_.clear();
            }
        }
    } else if (r.path == "/cgi-bin/token") {
        a = client_credential(r);
    } else if (r.path == "/cgi-bin/stable_token") {
        a = stable_token(r);
    } else if (is_send_path(r.path)) {
        a = send(r);
    } else if (r.path == "/sns/jscode2session") {
        a = jscode2session(r);
    } else if (r.path == "/wxa/business/getuserphonenumber") {
        a = phone_number(r);
    } else if (r.path == "/sms" && r.method == "POST") {
        // Not WeChat: a stand-in SMS gateway for the demo (MINSHENG_SMS_WEBHOOK), so that the
        // verification codes of 绑定手机 can be read in /fake/received.
        a = json_answer({{"ok", true}});
    } else {
        a.status = 404;
        a.content_type = "text/plain; charset=utf-8";
        a.body = "not found\n";
    }
    if (inj) a.delay = inj->delay;
    return a;
}

std::optional<answer> fake_api::check_app(const std::string& appid,
                                          const std::string& secret) const {
    if (appid != appid_) return error_answer(40013);
    if (secret != secret_) return error_answer(40125);
    return std::nullopt;
}

std::string fake_api::issue(bool stable, clock::time_point now) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "fake-%s-%06llu", stable ? "stable" : "token",
                  static_cast<unsigned long long>(++token_seq_));
    tokens_[buf] = token_info{now + expires_in_, stable, false};
    return buf;
}

answer fake_api::client_credential(const received_request& r) {
    if (r.method != "GET") return error_answer(43001, "require GET method");
    if (get(r.query, "grant_type") != "client_credential") return error_answer(40002);
    if (auto bad = check_app(get(r.query, "appid"), get(r.query, "secret"))) return *bad;
    const auto now = clock::now();
    // A new token; the earlier ones of this kind live 5 more minutes at most.
    for (auto& [_, info] : tokens_)
        if (!info.stable) info.expires = std::min(info.expires, now + std::chrono::minutes(5));
    const auto token = issue(false, now);
    return json_answer({{"access_token", token}, {"expires_in", expires_in_.count()}});
}

answer fake_api::stable_token(const received_request& r) {
    if (r.method != "POST") return error_answer(43002);
    if (!r.json.is_object()) return error_answer(47001);
    if (string_at(r.json, "grant_type") != "client_credential") return error_answer(40002);
    if (auto bad = check_app(string_at(r.json, "appid"), string_at(r.json, "secret"))) return *bad;
    const bool force = r.json.contains("force_refresh") && r.json["force_refresh"].is_boolean() &&
                       r.json["force_refresh"].get<bool>();
    const auto now = clock::now();
    const auto keep = std::min<clock::duration>(std::chrono::minutes(5), expires_in_ / 2);
    auto current = tokens_.find(stable_);
    if (!force && current != tokens_.end() && !current->second.revoked &&
        current->second.expires - now > keep) {
        const auto left =
            std::chrono::duration_cast<std::chrono::seconds>(current->second.expires - now);
        return json_answer({{"access_token", stable_}, {"expires_in", left.count()}});
    }
    if (force && current != tokens_.end()) current->second.revoked = true;
    stable_ = issue(true, now);
    return json_answer({{"access_token", stable_}, {"expires_in", expires_in_.count()}});
}

std::optional<answer> fake_api::check_token(const received_request& r) {
    const auto token = get(r.query, "access_token");
    if (token.empty()) return error_answer(41001);
    auto it = tokens_.find(token);
    if (it == tokens_.end() || it->second.revoked) return error_answer(40001);
    if (clock::now() >= it->second.expires) return error_answer(42001);
    return std::nullopt;
}

answer fake_api::send(const received_request& r) {
    if (r.method != "POST") return error_answer(43002);
    if (auto bad = check_token(r)) return *bad;
    const json& j = r.json;
    if (!j.is_object()) return error_answer(47001);
    if (string_at(j, "touser").empty()) return error_answer(40003);
    if (r.path == "/cgi-bin/message/custom/send") {
        if (string_at(j, "msgtype") != "text" || !j.contains("text") ||
            string_at(j["text"], "content").empty())
            return error_answer(47001);
        return error_answer(0);
    }
    if (string_at(j, "template_id").empty()) return error_answer(40037);
    if (!j.contains("data") || !j["data"].is_object() || j["data"].empty())
        return error_answer(47001);
    for (const auto& [key, field] : j["data"].items()) {
        if (!field.is_object() || !field.contains("value"))
            return error_answer(47003, "argument invalid! data." + key + ".value invalid");
        const auto value = string_at(field, "value");
        if (r.path == "/cgi-bin/message/subscribe/send" && key.starts_with("thing") &&
            (value.empty() || code_points(value) > 20))
            return error_answer(47003, "argument invalid! data." + key + ".value invalid");
    }
    return json_answer({{"errcode", 0}, {"errmsg", "ok"}, {"msgid", ++msgid_seq_}});
}

answer fake_api::jscode2session(const received_request& r) {
    if (r.method != "GET") return error_answer(43001, "require GET method");
    if (auto bad = check_app(get(r.query, "appid"), get(r.query, "secret"))) return *bad;
    if (get(r.query, "grant_type") != "authorization_code") return error_answer(40002);
    const auto code = get(r.query, "js_code");
    if (code.empty()) return error_answer(41008);
    if (!used_codes_.insert(code).second) return error_answer(40163);
    return json_answer({{"openid", fake_wechat_server::openid_for_code(code)},
                        {"session_key", fake_wechat_server::session_key_for_code(code)},
                        {"unionid", fake_wechat_server::unionid_for_code(code)}});
}

answer fake_api::phone_number(const received_request& r) {
    if (r.method != "POST") return error_answer(43002);
    if (auto bad = check_token(r)) return *bad;
    const auto code = string_at(r.json, "code");
    if (code.empty()) return error_answer(41008);
    const auto phone = fake_wechat_server::phone_for_code(code);
    if (phone.empty()) return error_answer(40029, "invalid code");
    if (!used_codes_.insert("phone:" + code).second) return error_answer(40029, "code been used");
    return json_answer({{"errcode", 0},
                        {"errmsg", "ok"},
                        {"phone_info",
                         {{"phoneNumber", phone},
                          {"purePhoneNumber", phone},
                          {"countryCode", "86"},
                          {"watermark",
                           {{"timestamp", std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count()},
                            {"appid", appid_}}}}}});
}

answer fake_api::control(const request_in& req, std::string_view path,
                         const std::map<std::string, std::string>& query) {
    if (path == "/fake/inject" && req.method == "POST") {
        const json j = json::parse(req.body, nullptr, false);
        if (!j.is_object()) return json_answer({{"ok", false}, {"error", "not JSON"}}, 400);
        if (j.contains("expire_tokens")) {
            if (j["expire_tokens"] == true) {
                const auto now = clock::now();
                for (auto& [_, info] : tokens_) info.expires = std::min(info.expires, now);
                stable_.clear();
            }
            return json_answer({{"ok", true}});
        }
        try {
            injections_.push_back(injection_from_json(j));
        } catch (const std::exception& e) {
            return json_answer({{"ok", false}, {"error", e.what()}}, 400);
        }
        return json_answer({{"ok", true}});
    }
    if (path == "/fake/reset" && req.method == "POST") {
        injections_.clear();
        received_.clear();
        return json_answer({{"ok", true}});
    }
    if (path == "/fake/received" && req.method == "GET") {
        const auto only = query.find("path");
        json list = json::array();
        for (const auto& r : received_)
            if (only == query.end() || only->second == r.path) list.push_back(record_json(r));
        return json_answer({{"requests", list}});
    }
    answer a;
    a.status = 404;
    a.content_type = "text/plain; charset=utf-8";
    a.body = "unknown control request\n";
    return a;
}

void fake_api::inject(injection i) {
    std::lock_guard lock(mu_);
    injections_.push_back(std::move(i));
}

void fake_api::clear_injections() {
    std::lock_guard lock(mu_);
    injections_.clear();
}

void fake_api::expire_tokens() {
    std::lock_guard lock(mu_);
    const auto now = clock::now();
    for (auto& [_, info] : tokens_) info.expires = std::min(info.expires, now);
    stable_.clear();
}

std::vector<received_request> fake_api::received(std::string_view path) const {
    std::lock_guard lock(mu_);
    std::vector<received_request> out;
    for (const auto& r : received_)
        if (path.empty() || r.path == path) out.push_back(r);
    return out;
}

void fake_api::clear_received() {
    std::lock_guard lock(mu_);
    received_.clear();
}

std::size_t fake_api::count_matching(std::string_view path) const {
    return static_cast<std::size_t>(
        std::count_if(received_.begin(), received_.end(),
                      [&](const received_request& r) { return path.empty() || r.path == path; }));
}

bool fake_api::wait_for(std::string_view path, std::size_t n,
                        std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return count_matching(path) >= n; });
}

}  // namespace detail

injection injection_from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::invalid_argument("an injection is a JSON object");
    injection i;
    try {
        if (j.contains("path")) i.path = j.at("path").get<std::string>();
        if (j.contains("errcode")) i.errcode = j.at("errcode").get<int>();
        if (j.contains("errmsg")) i.errmsg = j.at("errmsg").get<std::string>();
        if (j.contains("http_status")) i.http_status = j.at("http_status").get<int>();
        if (j.contains("delay_ms"))
            i.delay = std::chrono::milliseconds(j.at("delay_ms").get<int>());
        if (j.contains("hang")) i.hang = j.at("hang").get<bool>();
        if (j.contains("close")) i.close = j.at("close").get<bool>();
        if (j.contains("times")) i.times = j.at("times").get<int>();
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("bad injection: ") + e.what());
    }
    if (i.path.empty()) throw std::invalid_argument("bad injection: empty path");
    if (i.http_status && (*i.http_status < 100 || *i.http_status > 599))
        throw std::invalid_argument("bad injection: http_status outside 100..599");
    if (i.delay.count() < 0) throw std::invalid_argument("bad injection: negative delay_ms");
    if (i.times == 0) throw std::invalid_argument("bad injection: times is 0");
    return i;
}

std::string fake_wechat_server::openid_for_code(std::string_view js_code) {
    return "ofake-" + std::string(js_code);
}

std::string fake_wechat_server::unionid_for_code(std::string_view js_code) {
    return "ufake-" + std::string(js_code);
}

std::string fake_wechat_server::session_key_for_code(std::string_view js_code) {
    const std::string input = "session_key:" + std::string(js_code);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
    unsigned char out[32];
    const int n = EVP_EncodeBlock(out, digest, 16);  // 16 bytes -> 24 base64 characters
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

std::string fake_wechat_server::phone_for_code(std::string_view code) {
    constexpr std::string_view prefix = "phone-";
    if (!code.starts_with(prefix)) return "";
    const auto digits = code.substr(prefix.size());
    if (digits.size() != 11 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return "";
    return std::string(digits);
}

}  // namespace minsheng::tools::fake_wechat
