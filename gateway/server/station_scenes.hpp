#pragma once
// The secret the gateway keys its codes with, and the scenes of the 驿站 QR codes made from it
// (docs/volunteers.md, "presence"). Used at start-up by the gateway and by minsheng-admin, which
// prints the scenes to make the codes from; both must see the same secret.

#include <string>

#include "gateway/server/config.hpp"

namespace minsheng::gateway {

// store.code_secret when configured, else the one kept beside the database (made there on first
// use: adapters::db::server_secret). Throws std::runtime_error as that does.
std::string keying_secret(const config& c);

// Gives every station without a configured scene the one derived from `secret`
// (adapters::db::station_scene).
void give_station_scenes(dialog::cases::program_settings& settings, const std::string& secret);

}  // namespace minsheng::gateway
