#include "tools/admin/calendar_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "dialog/cases/calendar.hpp"
#include "tools/admin/holiday_cn.hpp"

namespace minsheng::admin {

namespace {

namespace fs = std::filesystem;

// The whole file, or nullopt when it cannot be read.
std::optional<std::string> slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(text).str();
}

bool spill(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    return static_cast<bool>(out);
}

// A directory removed on every way out.
struct scratch_dir {
    fs::path path;
    ~scratch_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

int calendar_import(const std::string& file, const std::string& out_dir, bool force) {
    const auto json = slurp(file);
    if (!json) {
        std::fprintf(stderr, "minsheng-admin: cannot read %s\n", file.c_str());
        return 2;
    }
    imported_calendar cal;
    try {
        cal = import_holiday_cn(*json, file);
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "minsheng-admin: %s\n", e.what());
        return 2;
    }
    for (const auto& note : cal.notes) std::fprintf(stderr, "note: %s\n", note.c_str());

    std::error_code ec;
    if (!fs::is_directory(out_dir, ec)) {
        std::fprintf(stderr, "minsheng-admin: %s is not a directory\n", out_dir.c_str());
        return 2;
    }
    const auto name = "cn-" + std::to_string(cal.year) + ".txt";
    const auto target = fs::path(out_dir) / name;
    if (auto existing = slurp(target); existing && fs::exists(target)) {
        if (*existing == cal.text) {
            std::printf("%s is already up to date\n", target.string().c_str());
            return 0;
        }
        if (!force) {
            std::fprintf(stderr,
                         "minsheng-admin: %s exists and differs; pass --force to replace it\n",
                         target.string().c_str());
            return 2;
        }
    }

    // The directory as the gateway will read it, with the new file: checked in a copy first.
    scratch_dir check{fs::temp_directory_path() /
                      ("minsheng-calendar-check-" + std::to_string(::getpid()))};
    fs::create_directories(check.path, ec);
    if (ec) {
        std::fprintf(stderr, "minsheng-admin: cannot create %s\n", check.path.string().c_str());
        return 1;
    }
    for (fs::directory_iterator it(out_dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() != ".txt" || it->path().filename() == name) continue;
        fs::copy_file(it->path(), check.path / it->path().filename(), ec);
        if (ec) break;
    }
    if (ec || !spill(check.path / name, cal.text)) {
        std::fprintf(stderr, "minsheng-admin: cannot prepare the check of %s\n", out_dir.c_str());
        return 1;
    }
    try {
        (void)dialog::cases::working_calendar::load(check.path.string());
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "minsheng-admin: with %s, the calendar in %s would not load: %s\n",
                     name.c_str(), out_dir.c_str(), e.what());
        return 2;
    }

    // Written beside the target and renamed over it: a reader sees the old file or the new one.
    const auto partial = fs::path(out_dir) / ("." + name + ".partial");
    if (!spill(partial, cal.text)) {
        fs::remove(partial, ec);
        std::fprintf(stderr, "minsheng-admin: cannot write %s\n", partial.string().c_str());
        return 1;
    }
    fs::rename(partial, target, ec);
    if (ec) {
        fs::remove(partial, ec);
        std::fprintf(stderr, "minsheng-admin: cannot write %s\n", target.string().c_str());
        return 1;
    }
    std::printf("wrote %s; restart the gateway to use it\n", target.string().c_str());
    return 0;
}

int calendar_export(const std::string& calendar_dir, int year) {
    const auto cal = dialog::cases::working_calendar::load(calendar_dir);
    if (!cal.covers(year)) {
        std::fprintf(stderr, "minsheng-admin: the calendar in %s does not list %d\n",
                     calendar_dir.c_str(), year);
        return 2;
    }
    std::fputs(export_holiday_cn(cal, year).c_str(), stdout);
    return 0;
}

}  // namespace minsheng::admin
