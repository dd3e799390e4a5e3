// Runs the built minsheng-admin program: `minsheng-admin deadline --kind K --filed T`.

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

namespace {

const std::string admin = MINSHENG_BIN_DIR "/minsheng-admin";
const std::string calendar = MINSHENG_SOURCE_DIR "/calendar";

struct result {
    std::string out;  // stdout and stderr together
    int status = -1;  // exit status
};

result run(const std::string& args) {
    result r;
    FILE* pipe = popen((admin + " " + args + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buf{};
    while (auto n = std::fread(buf.data(), 1, buf.size(), pipe)) r.out.append(buf.data(), n);
    const int status = pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

TEST_CASE("minsheng-admin deadline prints the deadline on its first line", "[dialog]") {
    // Hand-counted in deadline_test.cpp: Sat 14 Feb (make-up), 24, 25, 26, 27 Feb.
    auto r =
        run("deadline --kind wish --filed 2026-02-13T10:00:00+08:00 --calendar '" + calendar + "'");
    CHECK(r.status == 0);
    CHECK(first_line(r.out) == "2026-02-27T23:59:59+08:00");
    CHECK(r.out.find("春节调休") != std::string::npos);  // the explanation names the make-up day

    // The default calendar directory is the source tree's calendar/.
    r = run("deadline --kind wish --filed 2026-09-30T02:00:00Z");
    CHECK(r.status == 0);
    CHECK(first_line(r.out) == "2026-10-13T23:59:59+08:00");

    r = run("deadline --kind project --filed 2026-08-31T10:00:00+08:00");
    CHECK(r.status == 0);
    CHECK(first_line(r.out) == "2027-02-28T23:59:59+08:00");

    // 2027 is not in the calendar: the explanation says so.
    r = run("deadline --kind wish --filed 2026-12-31T20:00:00Z");
    CHECK(r.status == 0);
    CHECK(first_line(r.out) == "2027-01-08T23:59:59+08:00");
    CHECK(r.out.find("2027 is not in the calendar") != std::string::npos);
}

TEST_CASE("minsheng-admin deadline exits 2 on a bad kind or time", "[dialog]") {
    auto r = run("deadline --kind appeal --filed 2026-02-13T10:00:00+08:00");
    CHECK(r.status == 2);
    CHECK(r.out.find("unknown kind \"appeal\"") != std::string::npos);

    r = run("deadline --kind wish --filed 2026-02-13T10:00:00");
    CHECK(r.status == 2);
    CHECK(r.out.find("--filed \"2026-02-13T10:00:00\" is not an ISO-8601 time") !=
          std::string::npos);

    r = run("deadline --kind wish --filed 2026-02-30T10:00:00Z");
    CHECK(r.status == 2);
}

TEST_CASE("minsheng-admin deadline fails when the calendar does not load", "[dialog]") {
    const auto r = run("deadline --kind wish --filed 2026-02-13T10:00:00Z --calendar /nonexistent");
    CHECK(r.status == 1);
    CHECK(r.out.find("/nonexistent") != std::string::npos);
}
