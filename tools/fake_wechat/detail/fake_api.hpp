#pragma once
// The fake WeChat API without the network: one request in, one answer out, plus the record
// and the injections. Thread-safe (one mutex); fake_server.cpp puts Beast around it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tools/fake_wechat/fake_server.hpp"

namespace minsheng::tools::fake_wechat::detail {

struct request_in {
    std::string method;
    std::string target;  // path and query
    std::string body;
    std::string tls_server_name;
};

struct answer {
    int status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::chrono::milliseconds delay{0};
    bool hang = false;
    bool close = false;
};

class fake_api {
public:
    explicit fake_api(const fake_config& config);

    answer handle(const request_in& req);

    void inject(injection i);
    void clear_injections();
    void expire_tokens();
    std::vector<received_request> received(std::string_view path) const;  // "" = all
    void clear_received();
    bool wait_for(std::string_view path, std::size_t n, std::chrono::milliseconds timeout) const;

private:
    using clock = std::chrono::steady_clock;
    using json = nlohmann::json;
    struct token_info {
        clock::time_point expires;
        bool stable = false;
        bool revoked = false;
    };

    // All of these require mu_.
    answer control(const request_in& req, std::string_view path,
                   const std::map<std::string, std::string>& query);
    answer api(received_request& r);
    answer client_credential(const received_request& r);
    answer stable_token(const received_request& r);
    answer send(const received_request& r);
    answer jscode2session(const received_request& r);
    answer phone_number(const received_request& r);
    std::optional<answer> check_token(const received_request& r);
    std::optional<answer> check_app(const std::string& appid, const std::string& secret) const;
    std::string issue(bool stable, clock::time_point now);
    std::size_t count_matching(std::string_view path) const;

    const std::string appid_;
    const std::string secret_;
    const std::chrono::seconds expires_in_;

    mutable std::mutex mu_;
    mutable std::condition_variable changed_;
    std::vector<received_request> received_;    // guarded by mu_
    std::deque<injection> injections_;          // guarded by mu_
    std::map<std::string, token_info> tokens_;  // guarded by mu_
    std::string stable_;                        // guarded by mu_: the current stable token
    std::uint64_t token_seq_ = 0;               // guarded by mu_
    std::int64_t msgid_seq_ = 1000000000;       // guarded by mu_
    std::set<std::string> used_codes_;          // guarded by mu_
};

// "k=v&k2=v2" -> map, '+' as space, %xx decoded; a bad escape is kept as it is.
std::map<std::string, std::string> decode_query(std::string_view query);

// The platform's errmsg for the codes the fake uses.
std::string default_errmsg(int errcode);

}  // namespace minsheng::tools::fake_wechat::detail
