#include "gateway/server/metrics.hpp"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

using minsheng::gateway::metrics;

TEST_CASE("counters render in Prometheus text format with escaped labels", "[gateway]") {
    metrics m;
    m.messages_received.inc("wechat_oa");
    m.messages_received.inc("wechat_oa", 2);
    m.requests_rejected.inc("bad\"sig");
    auto text = m.render();
    CHECK(text.find("# TYPE minsheng_messages_received_total counter") != std::string::npos);
    CHECK(text.find("minsheng_messages_received_total{channel=\"wechat_oa\"} 3") !=
          std::string::npos);
    CHECK(text.find("minsheng_requests_rejected_total{reason=\"bad\\\"sig\"} 1") !=
          std::string::npos);
}

TEST_CASE("the latency histogram is cumulative and counts every observation", "[gateway]") {
    metrics m;
    m.latency.observe("wechat_oa", 0.0001);
    m.latency.observe("wechat_oa", 0.003);
    m.latency.observe("wechat_oa", 10.0);
    auto text = m.render();
    CHECK(
        text.find(
            "minsheng_http_request_duration_seconds_bucket{route=\"wechat_oa\",le=\"0.0005\"} 1") !=
        std::string::npos);
    CHECK(
        text.find(
            "minsheng_http_request_duration_seconds_bucket{route=\"wechat_oa\",le=\"0.005\"} 2") !=
        std::string::npos);
    CHECK(text.find(
              "minsheng_http_request_duration_seconds_bucket{route=\"wechat_oa\",le=\"+Inf\"} 3") !=
          std::string::npos);
    CHECK(text.find("minsheng_http_request_duration_seconds_count{route=\"wechat_oa\"} 3") !=
          std::string::npos);
}

TEST_CASE("counters stay exact under concurrent increments", "[gateway]") {
    metrics m;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10000; ++i) m.cases_opened.inc(t % 2 ? "a" : "b");
        });
    for (auto& t : threads) t.join();
    CHECK(m.cases_opened.value("a") == 20000);
    CHECK(m.cases_opened.value("b") == 20000);
}
