// minsheng-admin: operator tasks.
//   migrate   create or upgrade the database and print its schema version
//   token     print a new random bearer token for MINSHENG_OPERATOR_TOKEN
//   check     load the config, templates, models and database as the gateway would; exit 1 if
//             anything is wrong (for deployment scripts)

#include <openssl/rand.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "adapters/sqlite_store/store.hpp"
#include "dialog/conversation/conversation.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/templates.hpp"
#include "gateway/config.hpp"

namespace {

minsheng::gateway::config load(const std::string& file) {
    return minsheng::gateway::load_config(
        file.empty() ? std::nullopt : std::optional<std::string>(file),
        minsheng::gateway::minsheng_environment());
}

std::string random_token() {
    unsigned char bytes[24];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no randomness available");
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    for (unsigned char b : bytes) out += alphabet[b & 63];
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"minsheng-admin: operator tasks for a minsheng deployment"};
    cli.require_subcommand(1);
    std::string config_file;
    cli.add_option("-c,--config", config_file, "TOML config file")->check(CLI::ExistingFile);

    auto* migrate = cli.add_subcommand("migrate", "create or upgrade the database");
    std::string db;
    migrate->add_option("--db", db, "database file (default: from the config)");
    auto* token = cli.add_subcommand("token", "print a new random operator bearer token");
    auto* check = cli.add_subcommand("check", "check config, templates, models and database");
    CLI11_PARSE(cli, argc, argv);

    try {
        if (*token) {
            std::printf("%s\n", random_token().c_str());
            return 0;
        }
        auto cfg = load(config_file);
        if (*migrate) {
            minsheng::adapters::sqlite_store::store s(db.empty() ? cfg.db_path : db);
            std::printf("schema version %d: %s\n", s.schema_version(), s.path().c_str());
            return 0;
        }
        if (*check) {
            auto templates = minsheng::dialog::template_set::load(cfg.templates_dir);
            templates->require(minsheng::dialog::conversation::required_templates());
            std::printf("templates ok: %s\n", cfg.templates_dir.c_str());
            auto nlu = minsheng::dialog::nlu::engine::load(cfg.models_dir);
            std::printf("models ok: %s\n", cfg.models_dir.c_str());
            minsheng::adapters::sqlite_store::store s(cfg.db_path);
            std::printf("database ok: %s (schema version %d)\n", cfg.db_path.c_str(),
                        s.schema_version());
            if (cfg.using_dev_credentials)
                std::printf("warning: built-in development WeChat credentials are in use\n");
            if (cfg.operator_token.empty())
                std::printf("note: no operator token; the operator API is disabled\n");
            return 0;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "minsheng-admin: %s\n", e.what());
        return 1;
    }
    return 0;
}
