#include "gateway/server/replay_guard.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using minsheng::gateway::replay_guard;
using outcome = replay_guard::outcome;

TEST_CASE("a signature is let in once while its timestamp is inside the window", "[gateway]") {
    replay_guard g(100, 300);
    const std::int64_t t = 1795400000;
    CHECK(g.admit("default aa", t, t).result == outcome::fresh);
    CHECK(g.admit("default aa", t, t).result == outcome::replayed);
    CHECK(g.admit("default aa", t, t + 300).result == outcome::replayed);  // last second in
    CHECK(g.admit("other aa", t, t).result == outcome::fresh);             // another system's key
    CHECK(g.admit("default bb", t, t).result == outcome::fresh);
    CHECK(g.size() == 3);
    // Past the window the timestamp check refuses it anyway: the entry is dropped.
    CHECK(g.admit("default cc", t + 301, t + 301).result == outcome::fresh);
    CHECK(g.size() == 1);
    // A timestamp from the future is kept until it, too, has left the window.
    CHECK(g.admit("default ff", t + 600, t + 301).result == outcome::fresh);
    CHECK(g.admit("default ff", t + 600, t + 900).result == outcome::replayed);
    CHECK(g.admit("default ff", t + 600, t + 901).result == outcome::fresh);
}

TEST_CASE("a full guard refuses new signatures instead of forgetting ones still in the window",
          "[gateway]") {
    replay_guard g(2, 300);
    const std::int64_t t = 1795400000;
    CHECK(g.admit("a", t, t).result == outcome::fresh);
    CHECK(g.admit("b", t + 10, t).result == outcome::fresh);
    auto full = g.admit("c", t, t + 5);
    CHECK(full.result == outcome::full);
    CHECK(full.retry_after_seconds == 296);                     // until "a" has left the window
    CHECK(g.admit("a", t, t + 5).result == outcome::replayed);  // still remembered
    CHECK(g.size() == 2);
    CHECK(g.admit("c", t + 301, t + 301).result == outcome::fresh);  // "a" is gone
    CHECK(g.admit("b", t + 10, t + 301).result == outcome::replayed);
    CHECK(g.admit("d", t + 301, t + 301).result == outcome::full);
    CHECK_THROWS_AS(replay_guard(0, 300), std::invalid_argument);
    CHECK_THROWS_AS(replay_guard(1, 0), std::invalid_argument);
}

TEST_CASE("threads racing with one signature let it in exactly once", "[gateway]") {
    replay_guard g(100000, 300);
    const std::int64_t t = 1795400000;
    std::vector<std::thread> threads;
    std::vector<int> fresh(8, 0);
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] {
            for (int k = 0; k < 1000; ++k)
                if (g.admit("sig " + std::to_string(k), t, t).result == outcome::fresh)
                    ++fresh[static_cast<std::size_t>(i)];
        });
    for (auto& th : threads) th.join();
    int total = 0;
    for (int n : fresh) total += n;
    CHECK(total == 1000);
    CHECK(g.size() == 1000);
}
