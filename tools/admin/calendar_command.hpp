#pragma once
// minsheng-admin calendar import|export: the files side of tools/admin/holiday_cn.hpp.
// Messages go to stderr, results to stdout; each returns the exit code (0 done, 2 refused with
// nothing written, 1 failed).

#include <string>

namespace minsheng::admin {

// Reads the holiday-cn file `file`, checks it (file:line reasons on stderr) and writes
// <out_dir>/cn-<year>.txt, after checking that the directory's calendar, with the new file in
// it, still loads (no day listed twice across files). Refuses to replace a different existing
// file unless `force`. Prints the path written.
int calendar_import(const std::string& file, const std::string& out_dir, bool force);

// Prints the days `calendar_dir` lists in `year` as a holiday-cn file on stdout; refuses a year
// the calendar does not cover.
int calendar_export(const std::string& calendar_dir, int year);

}  // namespace minsheng::admin
