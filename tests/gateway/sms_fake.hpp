#pragma once
// A stand-in SMS gateway for the end-to-end tests: a real HTTP server on 127.0.0.1 (the
// gateway's own http_server) that records the JSON bodies the outbox worker posts to
// MINSHENG_SMS_WEBHOOK. Test-only.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "gateway/server/http_server.hpp"

namespace minsheng::test {

// A stand-in SMS gateway: a real HTTP server on 127.0.0.1 that records what it is sent.
struct sms_gateway {
    boost::asio::io_context ioc;
    std::shared_ptr<gateway::http_server> server;
    std::thread thread;
    std::mutex mu;
    std::vector<nlohmann::json> received;

    sms_gateway() {
        server = std::make_shared<gateway::http_server>(
            ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0),
            gateway::server_limits{},
            [this](gateway::http_request&& req, const std::string& /*peer*/,
                   std::function<void(gateway::http_response &&)> respond) {
                {
                    std::lock_guard lock(mu);
                    received.push_back(nlohmann::json::parse(req.body(), nullptr, false));
                }
                gateway::http_response res{boost::beast::http::status::ok, req.version()};
                res.body() = "{\"ok\":true}";
                res.prepare_payload();
                respond(std::move(res));
            },
            [](const std::string&) {});
        server->start();
        thread = std::thread([this] { ioc.run(); });
    }
    ~sms_gateway() {
        server->stop();
        ioc.stop();
        thread.join();
    }
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(server->local_endpoint().port()) + "/sms";
    }
    std::vector<nlohmann::json> seen() {
        std::lock_guard lock(mu);
        return received;
    }
    // The SMS sent to `phone`, in order.
    std::vector<std::string> texts_to(const std::string& phone) {
        std::vector<std::string> out;
        for (const auto& m : seen())
            if (m.is_object() && m.value("phone", "") == phone) out.push_back(m.value("text", ""));
        return out;
    }
    // Waits up to 15 s for more than `already` SMS to `phone`; the 6-digit code in the newest
    // ("" when none came, or it holds no code).
    std::string code_sent_to(const std::string& phone, std::size_t already = 0) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        auto texts = texts_to(phone);
        while (texts.size() <= already && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            texts = texts_to(phone);
        }
        if (texts.size() <= already) return "";
        const std::string& t = texts.back();
        for (std::size_t i = 0; i + 6 <= t.size(); ++i) {
            std::size_t n = 0;
            while (i + n < t.size() && t[i + n] >= '0' && t[i + n] <= '9') ++n;
            if (n == 6) return t.substr(i, 6);
            i += n;
        }
        return "";
    }
};

// Verifies `phone` for the official-account user behind `say` the way a resident does: 绑定手机,
// the code from the SMS, 验证码. Returns the last reply.
inline std::string verify_phone_by_chat(sms_gateway& sms,
                                        const std::function<std::string(const std::string&)>& say,
                                        const std::string& phone) {
    const auto before = sms.texts_to(phone).size();
    say("绑定手机 " + phone);
    const std::string code = sms.code_sent_to(phone, before);
    if (code.empty()) return "";
    return say("验证码 " + code);
}

}  // namespace minsheng::test
