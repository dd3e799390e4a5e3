#pragma once
// Test support: the URL of the PostgreSQL server the tests may use, if any.
//
// 1. MINSHENG_TEST_PG=off: none (the PostgreSQL tests skip).
// 2. MINSHENG_TEST_PG_URL, when set and not empty.
// 3. The first line of the file the ctest fixture `pg_cluster_start` writes
//    (scripts/pg-cluster.sh start <build>/pg-cluster): its path comes in as the compile definition
//    MINSHENG_TEST_PG_URL_FILE.
// Otherwise none. `reason` says why there is none, for the skip message.

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace minsheng::test {

struct pg_url_lookup {
    std::optional<std::string> url;
    std::string reason;  // when !url
};

inline pg_url_lookup find_pg_url() {
    if (const char* off = std::getenv("MINSHENG_TEST_PG");
        off != nullptr && std::string(off) == "off")
        return {std::nullopt, "MINSHENG_TEST_PG=off"};
    if (const char* env = std::getenv("MINSHENG_TEST_PG_URL"); env != nullptr && *env != '\0')
        return {std::string(env), ""};
#ifdef MINSHENG_TEST_PG_URL_FILE
    std::ifstream in(MINSHENG_TEST_PG_URL_FILE);
    std::string line;
    if (in && std::getline(in, line) && !line.empty()) return {line, ""};
    return {std::nullopt, std::string("MINSHENG_TEST_PG_URL is not set and ") +
                              MINSHENG_TEST_PG_URL_FILE +
                              " is missing (start a server with scripts/pg-cluster.sh, or run "
                              "through ctest, whose fixture pg_cluster_start does)"};
#else
    return {std::nullopt, "MINSHENG_TEST_PG_URL is not set"};
#endif
}

inline std::optional<std::string> pg_url() { return find_pg_url().url; }

}  // namespace minsheng::test
