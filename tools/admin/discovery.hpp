#pragma once
// minsheng-admin discovery import: one department's file of hardship indicators
// (docs/discovery.md), checked line by line and imported in one transaction, keyed so that no
// ID number or department phone number is stored.

#include <string>

#include "gateway/server/config.hpp"

namespace minsheng::admin {

// Imports `file` as the rows of department `source` into `db` (the config's when empty), keyed
// with the config's keying secret. 0 imported (printed: rows, new rows, phone links); 2 refused:
// a bad file, every problem printed to stderr as "FILE:LINE: reason" (no ID number quoted),
// nothing written. Throws what the store throws.
int discovery_import(const gateway::config& cfg, const std::string& db, const std::string& source,
                     const std::string& file);

}  // namespace minsheng::admin
