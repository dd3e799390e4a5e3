#include "gateway/server/token_share.hpp"

#include <utility>

namespace minsheng::gateway {
namespace {

class db_token_share final : public adapters::wechat_api::token_share {
public:
    db_token_share(std::shared_ptr<adapters::db::shared_tokens> rows, std::string name)
        : rows_(std::move(rows)), name_(std::move(name)) {}

    std::optional<value> current(std::int64_t now) override {
        auto v = rows_->current(name_, now);
        if (!v) return std::nullopt;
        return value{std::move(v->value), v->expires_at};
    }
    bool try_begin_fetch(std::int64_t now, std::int64_t lease_seconds,
                         std::int64_t fresh_until) override {
        return rows_->try_begin_fetch(name_, now, lease_seconds, fresh_until);
    }
    void abandon_fetch() override { rows_->abandon_fetch(name_); }
    void publish(const std::string& token, std::int64_t expires_at) override {
        rows_->publish(name_, token, expires_at);
    }
    bool expire_if(const std::string& token) override { return rows_->expire_if(name_, token); }

private:
    std::shared_ptr<adapters::db::shared_tokens> rows_;
    std::string name_;
};

}  // namespace

std::shared_ptr<adapters::db::shared_tokens> open_shared_tokens(const config& cfg) {
    const bool on_postgres =
        cfg.db_path.starts_with("postgresql://") || cfg.db_path.starts_with("postgres://");
    if (!on_postgres) return nullptr;
    adapters::db::store_options o;
    o.statement_timeout_ms = cfg.store.statement_timeout_ms;
    o.pg_sslmode = cfg.store.pg_sslmode;
    return std::make_shared<adapters::db::shared_tokens>(cfg.db_path, o);
}

std::shared_ptr<adapters::wechat_api::token_share> token_share_of(
    std::shared_ptr<adapters::db::shared_tokens> rows, const std::string& appid) {
    if (!rows) return nullptr;
    return std::make_shared<db_token_share>(std::move(rows), "wechat:" + appid);
}

}  // namespace minsheng::gateway
