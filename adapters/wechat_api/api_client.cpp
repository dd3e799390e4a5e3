#include "adapters/wechat_api/api_client.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "adapters/wechat_api/detail/url.hpp"
#include "adapters/wechat_api/http_transport.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::adapters::wechat_api {
namespace {

using json = nlohmann::json;

transport_config transport_of(const api_config& c) {
    transport_config t;
    t.base_url = c.base_url;
    t.connect_timeout = c.connect_timeout;
    t.request_timeout = c.request_timeout;
    t.ca_file = c.ca_file;
    t.ca_pem = c.ca_pem;
    t.max_idle_connections = c.max_idle_connections;
    return t;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::optional<std::int64_t> integer_field(const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end()) return std::nullopt;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_number_unsigned()) {
        const auto u = it->get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(u);
    }
    return std::nullopt;
}

std::string string_field(const json& j, const char* name) {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

api_result refused(std::string why) {
    api_result r;
    r.kind = failure::invalid_request;
    r.errmsg = std::move(why);
    return r;
}

// Turns what came back into a result; `body` receives the JSON object of a success.
api_result interpret(const transport_response& res, json* body = nullptr) {
    api_result r;
    r.http_status = res.status;
    if (!res.ok()) {
        r.kind = res.error == transport_error::timeout ? failure::timeout : failure::transport;
        r.transport_error = std::string(to_string(res.error)) + ": " + res.error_message;
        r.retryable = res.error == transport_error::connect || res.error == transport_error::io ||
                      res.error == transport_error::timeout;
        return r;
    }
    json j = json::parse(res.body, nullptr, false);
    const bool object = !j.is_discarded() && j.is_object();
    if (object) {
        r.errcode = static_cast<int>(integer_field(j, "errcode").value_or(0));
        r.errmsg = string_field(j, "errmsg");
    }
    if (res.status != 200) {
        r.kind = failure::http_status;
        r.retryable = res.status >= 500 || res.status == 429 || r.errcode == -1;
        if (r.errmsg.empty()) r.errmsg = "HTTP " + std::to_string(res.status);
        return r;
    }
    if (!object) {
        r.kind = failure::bad_response;
        r.errmsg = "the answer is not a JSON object";
        return r;
    }
    if (r.errcode != 0) {
        r.kind = failure::platform;
        r.retryable = r.errcode == -1;  // system busy
        return r;
    }
    r.ok = true;
    r.msgid = integer_field(j, "msgid");
    if (body) *body = std::move(j);
    return r;
}

json data_json(const message_data& data) {
    json d = json::object();
    for (const auto& [key, value] : data) d[key] = {{"value", value}};
    return d;
}

}  // namespace

struct api_client::impl {
    api_config cfg;
    http_transport http;
    token_cache tokens;

    explicit impl(api_config c)
        : cfg(std::move(c)),
          http(transport_of(cfg)),
          tokens([this] { return fetch(); }, cfg.token_policy) {
        cfg.share_policy.min_remaining = cfg.token_policy.max_safety_margin;
    }

    // What token_cache calls: the shared token when there is one, else the platform.
    token_grant fetch() {
        if (!cfg.shared_token) return fetch_token();
        return shared_fetch(
            *cfg.shared_token, [this] { return fetch_token(); }, cfg.share_policy);
    }

    // Compare-and-expire of a refused token, here and in the shared row.
    bool expire_if(const std::string& token) {
        const bool here = tokens.expire_if(token);
        if (cfg.shared_token && !token.empty()) {
            try {
                cfg.shared_token->expire_if(token);
            } catch (const std::exception&) {
                // The shared store failed: the row runs out at its expires_at.
            }
        }
        return here;
    }

    token_grant fetch_token() {
        transport_response res;
        if (cfg.tokens == token_source::stable_token) {
            const json body = {{"grant_type", "client_credential"},
                               {"appid", cfg.appid},
                               {"secret", cfg.secret},
                               {"force_refresh", false}};
            res = http.post_json("/cgi-bin/stable_token", dump(body));
        } else {
            res = http.get("/cgi-bin/token?" +
                           detail::make_query({{"grant_type", "client_credential"},
                                               {"appid", cfg.appid},
                                               {"secret", cfg.secret}}));
        }
        token_grant grant;
        json j;
        grant.result = interpret(res, &j);
        if (grant.result.ok) {
            grant.token = string_field(j, "access_token");
            const auto expires = integer_field(j, "expires_in").value_or(0);
            if (grant.token.empty() || expires <= 0) {
                grant.result = api_result{};
                grant.result.kind = failure::bad_response;
                grant.result.http_status = res.status;
                grant.result.errmsg = "no access_token/expires_in in the answer";
                grant.token.clear();
            } else {
                grant.expires_in = std::chrono::seconds(expires);
            }
        }
        grant.result.token_failure = !grant.result.ok;
        return grant;
    }

    api_result post_with(const std::string& path, const std::string& token, const std::string& body,
                         json* answer) {
        return interpret(
            http.post_json(path + "?access_token=" + detail::percent_encode(token), body), answer);
    }

    // Sends with the cached token; a stale-token answer expires that token (if it is still the
    // cached one) and the send is retried once with a token obtained again. `answer`, when
    // given, receives the answer's JSON.
    api_result send_with_token(const std::string& path, const std::string& body,
                               json* answer = nullptr) {
        auto first = tokens.get();
        if (!first.ok()) return first.result;
        auto r = post_with(path, first.token, body, answer);
        if (r.kind != failure::platform || !is_token_error(r.errcode)) return r;
        expire_if(first.token);
        auto second = tokens.get();
        if (!second.ok()) return second.result;
        return post_with(path, second.token, body, answer);
    }
};

api_client::api_client(api_config config) {
    if (config.appid.empty() || config.secret.empty())
        throw std::invalid_argument("wechat_api: appid and secret are required");
    impl_ = std::make_unique<impl>(std::move(config));
}

api_client::~api_client() = default;

api_result api_client::send_custom_text(const std::string& openid, const std::string& text) {
    if (openid.empty()) return refused("touser is empty");
    if (text.empty()) return refused("text is empty");
    if (!dialog::is_valid_utf8(text)) return refused("text is not valid UTF-8");
    const json body = {{"touser", openid}, {"msgtype", "text"}, {"text", {{"content", text}}}};
    return impl_->send_with_token("/cgi-bin/message/custom/send", dump(body));
}

api_result api_client::send_template(const template_message& m) {
    if (m.touser.empty()) return refused("touser is empty");
    if (m.template_id.empty()) return refused("template_id is empty");
    if (auto why = check_template_data(m.data)) return refused(*why);
    json body = {{"touser", m.touser}, {"template_id", m.template_id}, {"data", data_json(m.data)}};
    if (!m.url.empty()) body["url"] = m.url;
    if (m.miniprogram) {
        if (m.miniprogram->appid.empty()) return refused("miniprogram.appid is empty");
        body["miniprogram"] = {{"appid", m.miniprogram->appid}};
        if (!m.miniprogram->pagepath.empty())
            body["miniprogram"]["pagepath"] = m.miniprogram->pagepath;
    }
    if (!m.client_msg_id.empty()) body["client_msg_id"] = m.client_msg_id;
    return impl_->send_with_token("/cgi-bin/message/template/send", dump(body));
}

api_result api_client::send_subscribe(const subscribe_message& m) {
    if (m.touser.empty()) return refused("touser is empty");
    if (m.template_id.empty()) return refused("template_id is empty");
    if (auto why = check_subscribe_data(m.data)) return refused(*why);
    json body = {{"touser", m.touser},
                 {"template_id", m.template_id},
                 {"data", data_json(m.data)},
                 {"miniprogram_state", m.miniprogram_state},
                 {"lang", m.lang}};
    if (!m.page.empty()) body["page"] = m.page;
    return impl_->send_with_token("/cgi-bin/message/subscribe/send", dump(body));
}

session_info api_client::code2session(const std::string& js_code) {
    session_info out;
    if (js_code.empty()) {
        out.result = refused("js_code is empty");
        return out;
    }
    json j;
    out.result =
        interpret(impl_->http.get("/sns/jscode2session?" +
                                  detail::make_query({{"appid", impl_->cfg.appid},
                                                      {"secret", impl_->cfg.secret},
                                                      {"js_code", js_code},
                                                      {"grant_type", "authorization_code"}})),
                  &j);
    if (!out.result.ok) return out;
    out.openid = string_field(j, "openid");
    out.session_key = string_field(j, "session_key");
    out.unionid = string_field(j, "unionid");
    if (out.openid.empty() || out.session_key.empty()) {
        const int status = out.result.http_status;
        out = session_info{};
        out.result.kind = failure::bad_response;
        out.result.http_status = status;
        out.result.errmsg = "no openid/session_key in the answer";
    }
    return out;
}

phone_number_info api_client::phone_number(const std::string& code) {
    phone_number_info out;
    if (code.empty()) {
        out.result = refused("code is empty");
        return out;
    }
    json j;
    out.result =
        impl_->send_with_token("/wxa/business/getuserphonenumber", dump(json{{"code", code}}), &j);
    if (!out.result.ok) return out;
    const json info =
        j.contains("phone_info") && j["phone_info"].is_object() ? j["phone_info"] : json::object();
    out.phone = string_field(info, "purePhoneNumber");
    out.country_code = string_field(info, "countryCode");
    const json mark = info.contains("watermark") && info["watermark"].is_object()
                          ? info["watermark"]
                          : json::object();
    // The number must be for this app: the watermark names the appid it was issued to.
    if (out.phone.empty() || string_field(mark, "appid") != impl_->cfg.appid) {
        const int status = out.result.http_status;
        out = phone_number_info{};
        out.result.kind = failure::bad_response;
        out.result.http_status = status;
        out.result.errmsg = "no phone_info for this appid in the answer";
    }
    return out;
}

delivery api_client::notify(const recipient_state& who, const notice& what,
                            std::chrono::system_clock::time_point now) {
    auto send_on = [&](channel ch) -> api_result {
        switch (ch) {
            case channel::customer_service:
                return send_custom_text(what.openid, what.text);
            case channel::template_message: {
                if (!what.template_fallback) return refused("no template message for this notice");
                auto m = *what.template_fallback;
                m.touser = what.openid;
                return send_template(m);
            }
            case channel::subscribe_message: {
                if (!what.subscribe_fallback)
                    return refused("no subscribe message for this notice");
                auto m = *what.subscribe_fallback;
                m.touser = what.openid;
                return send_subscribe(m);
            }
        }
        return refused("unknown channel");
    };
    delivery d;
    d.used = choose_channel(who, now);
    d.result = send_on(d.used);
    if (d.used == channel::customer_service && should_fall_back(d.result)) {
        d.used = fallback_channel(who.account);
        d.fell_back = true;
        d.result = send_on(d.used);
    }
    return d;
}

token_lookup api_client::access_token() { return impl_->tokens.get(); }

bool api_client::report_invalid_token(const std::string& token) { return impl_->expire_if(token); }

}  // namespace minsheng::adapters::wechat_api
