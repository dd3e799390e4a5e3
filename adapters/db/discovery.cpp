#include "adapters/db/discovery.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <map>
#include <stdexcept>

#include "adapters/db/detail/connection.hpp"
#include "adapters/db/detail/discovery_gather.hpp"
#include "adapters/db/detail/raw_access.hpp"
#include "adapters/db/detail/statement_cache.hpp"
#include "dialog/values/civil_time.hpp"

namespace minsheng::adapters::db {

namespace {

using detail::guarded;
using detail::raw_access;
using detail::statement_cache;
using detail::statement_use;
namespace dd = dialog::discovery;

std::string hmac_raw(std::string_view key, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), md.data(),
              &len))
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

// 138****1234 of a phone's digits; shorter numbers keep only their last two digits.
std::string masked(std::string_view digits) {
    if (digits.size() >= 11)
        return std::string(digits.substr(0, 3)) + "****" +
               std::string(digits.substr(digits.size() - 4));
    if (digits.size() <= 2) return "**";
    return std::string(digits.size() - 2, '*') + std::string(digits.substr(digits.size() - 2));
}

// Unix seconds of 00:00 China time of a YYYY-MM-DD day; 0 for "" or a malformed day.
std::int64_t day_start(const std::string& day) {
    const auto d = dialog::parse_date(day);
    return d ? dialog::china_unix(*d, 0) : 0;
}

}  // namespace

discovery_keys::discovery_keys(std::string_view secret) {
    if (secret.size() < 16)
        throw std::invalid_argument("the secret that keys households is too short");
    // A key of its own, so that these hashes never equal any other keyed value of the secret.
    key_ = hmac_raw(secret, "minsheng discovery household key v1");
}

std::string discovery_keys::household_key(std::string_view id_number) const {
    return "id:" + hex(hmac_raw(key_, "id:" + std::string(id_number)));
}

std::string discovery_keys::phone_key(std::string_view digits) const {
    return "phone:" + hex(hmac_raw(key_, "phone:" + std::string(digits)));
}

import_result import_discovery_rows(store& s, const std::string& source,
                                    const std::vector<discovery_row>& rows, std::int64_t now) {
    if (source.empty()) throw std::invalid_argument("a department file needs a source");
    import_result out;
    out.rows = static_cast<std::int64_t>(rows.size());
    raw_access::transact(s, "import discovery rows", [&](statement_cache& c) {
        for (const auto& row : rows) {
            statement_use ins(c.get(
                "INSERT INTO discovery_records (household, source, indicator, day, amount_fen, "
                "community, phone_masked, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                "ON CONFLICT (household, source, indicator, day) DO NOTHING"));
            ins->bind(1, row.household);
            ins->bind(2, source);
            ins->bind(3, row.indicator);
            ins->bind(4, row.day);
            ins->bind(5, row.amount_fen);
            ins->bind(6, row.community);
            ins->bind(7, row.phone_masked);
            ins->bind(8, now);
            out.added += ins->exec();
            if (row.phone_key.empty()) continue;
            statement_use link(c.get(
                "INSERT INTO discovery_phone_links (phone_key, household, source, linked_at) "
                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (phone_key) DO UPDATE SET household = ?2, "
                "source = ?3, linked_at = ?4 WHERE discovery_phone_links.household <> ?2"));
            link->bind(1, row.phone_key);
            link->bind(2, row.household);
            link->bind(3, source);
            link->bind(4, now);
            out.links += link->exec();
        }
    });
    return out;
}

void record_discovery_visit(store& s, const std::string& household, dd::outcome result,
                            const std::string& staff_id, std::int64_t now) {
    if (household.empty()) throw std::invalid_argument("a visit needs a household");
    raw_access::transact(s, "record discovery visit", [&](statement_cache& c) {
        statement_use st(
            c.get("INSERT INTO discovery_visits (household, outcome, staff_id, at) VALUES (?1, "
                  "?2, ?3, ?4)"));
        st->bind(1, household);
        st->bind(2, std::string(dd::to_string(result)));
        st->bind(3, staff_id);
        st->bind(4, now);
        st->exec();
    });
}

namespace detail {

std::vector<dd::household> gather_discovery(statement_cache& c, const discovery_keys& keys,
                                            std::int64_t since, int repeated_wishes_from) {
    {
        std::map<std::string, dd::household> by_key;
        auto at = [&](const std::string& key) -> dd::household& {
            auto& h = by_key[key];
            h.key = key;
            return h;
        };
        {
            // Every row, however old: an assistance mark holds until a newer file says otherwise.
            statement_use st(
                c.get("SELECT household, source, indicator, day, amount_fen, community, "
                      "phone_masked FROM discovery_records ORDER BY id"));
            while (st->executeStep()) {
                auto& h = at(st->getColumn(0).getString());
                dd::signal sig;
                sig.source = st->getColumn(1).getString();
                sig.indicator = st->getColumn(2).getString();
                sig.at = day_start(st->getColumn(3).getString());
                sig.amount_fen = st->getColumn(4).getInt64();
                sig.ref = sig.source;
                if (auto community = st->getColumn(5).getString(); !community.empty())
                    h.community = community;
                if (auto phone = st->getColumn(6).getString(); !phone.empty()) h.phone = phone;
                if (dd::marks_assistance(sig.indicator))
                    h.on_assistance_list = true;
                else
                    h.signals.push_back(std::move(sig));
            }
        }
        std::map<std::string, std::string> links;  // phone key -> household
        {
            statement_use st(c.get("SELECT phone_key, household FROM discovery_phone_links"));
            while (st->executeStep())
                links[st->getColumn(0).getString()] = st->getColumn(1).getString();
        }
        {
            // A phone the channel vouches for: WeChat's verified phone, the 12345 caller's number.
            statement_use st(c.get(
                "SELECT c.number, c.channel, c.reporter_id, c.kind, c.urgency, c.description, "
                "c.community, c.created_at, p.phone, p.phone_verified_at FROM cases c LEFT JOIN "
                "people p ON p.channel = c.channel AND p.user_id = c.reporter_id WHERE "
                "c.created_at >= ?1 AND c.status <> 'merged' ORDER BY c.id"));
            st->bind(1, since);
            std::map<std::string, int> wishes;
            std::map<std::string, std::int64_t> last_wish;
            std::map<std::string, std::pair<std::string, std::string>> who;  // phone, community
            while (st->executeStep()) {
                const std::string channel = st->getColumn(1).getString();
                const bool hotline = channel == "hotline";
                std::string phone;
                if (hotline)
                    phone = st->getColumn(2).getString();
                else if (!st->getColumn(8).isNull() && st->getColumn(9).getInt64() > 0)
                    phone = st->getColumn(8).getString();
                if (phone.empty()) continue;
                const std::string kind = st->getColumn(3).getString();
                const auto needs = dd::needs_of_case(kind, st->getColumn(4).getString(),
                                                     st->getColumn(5).getString(), hotline);
                const auto pk = keys.phone_key(phone);
                const auto link = links.find(pk);
                const std::string key = link == links.end() ? pk : link->second;
                const std::int64_t created = st->getColumn(7).getInt64();
                if (kind == "wish") {
                    ++wishes[key];
                    last_wish[key] = std::max(last_wish[key], created);
                    who[key] = {masked(phone), st->getColumn(6).getString()};
                }
                if (needs.empty()) continue;
                auto& h = at(key);
                if (h.phone.empty()) h.phone = masked(phone);
                if (h.community.empty()) h.community = st->getColumn(6).getString();
                for (auto need : needs) {
                    dd::signal sig;
                    sig.source = std::string(hotline ? dd::hotline_source : dd::own_source);
                    sig.indicator = std::string(need);
                    sig.at = created;
                    sig.ref = st->getColumn(0).getString();
                    h.signals.push_back(std::move(sig));
                }
            }
            for (const auto& [key, n] : wishes) {
                if (n < repeated_wishes_from) continue;
                dd::signal sig;
                sig.source = std::string(dd::own_source);
                sig.indicator = std::string(dd::repeated_wishes);
                sig.at = last_wish[key];
                sig.amount_fen = 0;
                sig.ref = std::to_string(n);
                auto& h = at(key);
                if (h.phone.empty()) h.phone = who[key].first;
                if (h.community.empty()) h.community = who[key].second;
                h.signals.push_back(std::move(sig));
            }
        }
        {
            statement_use st(
                c.get("SELECT household, outcome, at FROM discovery_visits ORDER BY id"));
            while (st->executeStep()) {
                auto it = by_key.find(st->getColumn(0).getString());
                if (it == by_key.end()) continue;
                if (auto o = dd::parse_outcome(st->getColumn(1).getString()))
                    it->second.last_visit = dd::visit{*o, st->getColumn(2).getInt64()};
            }
        }
        std::vector<dd::household> out;
        out.reserve(by_key.size());
        for (auto& [k, h] : by_key) out.push_back(std::move(h));
        return out;
    }
}

}  // namespace detail

std::vector<dd::household> gather_discovery(reader& r, const discovery_keys& keys,
                                            std::int64_t since, int repeated_wishes_from) {
    return guarded("gather discovery signals", [&] {
        return detail::gather_discovery(raw_access::statements(r), keys, since,
                                        repeated_wishes_from);
    });
}

}  // namespace minsheng::adapters::db
