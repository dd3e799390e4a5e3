#include "adapters/wechat_api/api_result.hpp"

namespace minsheng::adapters::wechat_api {

bool is_token_error(int errcode) {
    return errcode == 40001 || errcode == 40014 || errcode == 42001;
}

bool is_window_closed(int errcode) { return errcode == 45015 || errcode == 45047; }

std::string_view to_string(failure f) {
    switch (f) {
        case failure::none:
            return "none";
        case failure::platform:
            return "platform";
        case failure::http_status:
            return "http_status";
        case failure::transport:
            return "transport";
        case failure::timeout:
            return "timeout";
        case failure::bad_response:
            return "bad_response";
        case failure::invalid_request:
            return "invalid_request";
    }
    return "unknown";
}

std::string describe(const api_result& r) {
    if (r.ok) return r.msgid ? "ok msgid=" + std::to_string(*r.msgid) : "ok";
    std::string s(to_string(r.kind));
    if (r.token_failure) s += " (access_token)";
    if (r.http_status != 0) s += " http=" + std::to_string(r.http_status);
    if (r.errcode != 0) s += " errcode=" + std::to_string(r.errcode);
    if (!r.errmsg.empty()) s += " errmsg=" + r.errmsg;
    if (!r.transport_error.empty()) s += " transport=" + r.transport_error;
    s += r.retryable ? " retryable=yes" : " retryable=no";
    return s;
}

}  // namespace minsheng::adapters::wechat_api
