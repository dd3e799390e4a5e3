#include "gateway/server/station_scenes.hpp"

#include "adapters/db/keyed_codes.hpp"

namespace minsheng::gateway {

std::string keying_secret(const config& c) {
    return c.store.code_secret.empty() ? adapters::db::server_secret(c.db_path)
                                       : c.store.code_secret;
}

void give_station_scenes(dialog::cases::program_settings& settings, const std::string& secret) {
    for (auto& st : settings.stations)
        if (st.scene.empty()) st.scene = adapters::db::station_scene(secret, st.code);
}

}  // namespace minsheng::gateway
