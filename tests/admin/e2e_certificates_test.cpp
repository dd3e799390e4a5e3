// End-to-end: the real minsheng-admin prints the certificate requests answered from the city's
// list per month and item (what a 减证便民 office reports), from a real SQLite file.

#include <catch2/catch.hpp>
#include <string>

#include "adapters/db/store.hpp"
#include "tests/gateway/e2e_support.hpp"
#include "tests/support/child_process.hpp"

using namespace minsheng;
using namespace minsheng::test;

TEST_CASE("minsheng-admin certificates prints answered, escalated and deflected per month",
          "[e2e][certificates]") {
    const std::string db = temp_db_path("certificates");
    const std::int64_t nov = 1795400000;  // 2026-11-23
    {
        adapters::db::store s(db);
        s.run([&](dialog::unit_of_work& uow) {
            uow.count_certificate_answer("residence", dialog::channel::wechat_oa, "a", nov);
            uow.count_certificate_answer("residence", dialog::channel::wechat_oa, "b", nov);
            uow.count_certificate_answer("kinship", dialog::channel::miniprogram, "c", nov);
            uow.certificate_answer_escalated("b");
        });
    }
    const std::string admin_bin = MINSHENG_BIN_DIR "/minsheng-admin";
    auto r = run({admin_bin, "certificates", "--from", "2026-11", "--db", db});
    INFO(r.second);
    CHECK(r.first == 0);
    CHECK(r.second ==
          "month\titem\tanswered\tescalated\tdeflected\n"
          "2026-11\tkinship\t1\t0\t1\n"
          "2026-11\tresidence\t2\t1\t1\n");
    spawn_options joined;
    joined.stderr_to_stdout = true;
    auto bad = run({admin_bin, "certificates", "--from", "2026-13", "--db", db}, joined);
    CHECK(bad.first == 2);
    CHECK(bad.second.find("not a month") != std::string::npos);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}
