#pragma once
// 主动发现 in the store (docs/discovery.md; migration 18): department files imported by a
// supervisor, the links between a household's ID-number key and its phones' keys, the visits
// (入户核查) and their outcomes; and the gathering of every household's hardship signals, from
// those files and from minsheng's own cases, for dialog::discovery::rank.
//
// No ID number and no department phone number is ever stored: a household is the keyed hash
// (HMAC-SHA256, discovery_keys) of its ID number, a phone the keyed hash of its digits, so files
// of different departments join on the key without revealing anyone, and a copy of the database
// alone cannot be searched for a known ID number (the key needs the secret).
//
// Writes take the store (writer thread), reads a reader or the store. Storage failures throw
// store_error; bad arguments std::invalid_argument.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/db/store.hpp"
#include "dialog/discovery/scoring.hpp"

namespace minsheng::adapters::db {

// The keyed hashes. Immutable; thread-safe.
class discovery_keys {
public:
    // `secret`: the deployment's keying secret (at least 16 bytes); the keys are HMAC-SHA256
    // under a key derived from it for this purpose only. Throws std::invalid_argument when short.
    explicit discovery_keys(std::string_view secret);
    // "id:<64 hex>" of an 18-character ID number (upper-case X); call only with a checked one.
    std::string household_key(std::string_view id_number) const;
    // "phone:<64 hex>" of a phone number's digits.
    std::string phone_key(std::string_view digits) const;

private:
    std::string key_;
};

// One row of a department file, checked and keyed (the ID number is gone).
struct discovery_row {
    std::string household;     // discovery_keys::household_key
    std::string phone_key;     // "" when the row has no phone
    std::string phone_masked;  // 138****1234; "" none
    std::string indicator;
    std::int64_t amount_fen = 0;
    std::string day;  // YYYY-MM-DD; "" none
    std::string community;
    int line = 0;  // in the file, for messages
};

struct import_result {
    std::int64_t rows = 0;   // rows in the file
    std::int64_t added = 0;  // rows not imported before
    std::int64_t links = 0;  // phone links added
};

// Imports one department's rows in one transaction: a row already imported (same household,
// source, indicator, day) is left as it is, so importing a file twice changes nothing. A row
// with a phone links the phone's key to the household (a later file's link replaces an earlier
// one). Throws std::invalid_argument for an empty source.
import_result import_discovery_rows(store& s, const std::string& source,
                                    const std::vector<discovery_row>& rows, std::int64_t now);

// Records a visit of the household with its outcome, by a staff member.
void record_discovery_visit(store& s, const std::string& household,
                            dialog::discovery::outcome result, const std::string& staff_id,
                            std::int64_t now);

// Every household with a signal since `since`: the department rows (the household is on an
// assistance list when one of them marks it, dialog::discovery::marks_assistance), and
// minsheng's own cases filed since then by a person with a phone the channel vouches for (a
// verified phone on WeChat, the caller's number on the 12345 feed): a phone linked by a
// department row joins that household, any other is a household of its own ("phone:<key>").
// Three or more wishes give repeated_wishes. With the last visit of each. Phones come masked.
std::vector<dialog::discovery::household> gather_discovery(reader& r, const discovery_keys& keys,
                                                           std::int64_t since,
                                                           int repeated_wishes_from);

}  // namespace minsheng::adapters::db
