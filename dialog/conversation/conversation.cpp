#include "dialog/conversation/conversation.hpp"

#include <nlohmann/json.hpp>

#include "dialog/cases/civil_time.hpp"
#include "dialog/utf8.hpp"

namespace minsheng::dialog {
namespace {

using json = nlohmann::json;

// Categories whose problems are bound to a place: the case is useless without an address.
bool place_bound(const nlu::understanding& u) {
    const auto& c = u.category.name;
    if (c == "城乡建设" || c == "环境保护" || c == "交通运输") return true;
    return u.kind.name == "project";
}

// An address that names no place a worker could go to: "我们小区", "本村", "这栋楼".
bool vague_address(std::string_view a) {
    for (char c : a)
        if (c >= '0' && c <= '9') return false;
    for (std::string_view p : {"我们", "咱们", "俺们", "我家", "我们家", "本", "这", "那", "该"})
        if (a.substr(0, p.size()) == p) return true;
    return false;
}

// The first address that names a real place, or nullptr.
const nlu::entity* specific_address(const nlu::understanding& u) {
    for (const auto& e : u.entities)
        if (e.type == "address" && !vague_address(e.value)) return &e;
    return nullptr;
}

bool appeal_like(const nlu::understanding& u) {
    const auto& i = u.intent.name;
    if (i == "file_appeal" || i == "add_detail") return true;
    if (i == "greet" || i == "help" || i == "ask_progress" || i == "cancel") return false;
    // A longer text that confidently describes a need or a problem is an appeal, whatever
    // else the intent model guessed for it.
    return count_code_points(u.normalised) >= 12 && (!u.category.unsure || !u.kind.unsure);
}

std::string status_name(const std::string& status) {
    if (status == "received") return "已受理";
    if (status == "accepted") return "已分派";
    if (status == "in_progress") return "办理中";
    if (status == "done") return "已办结";
    if (status == "closed") return "已关闭";
    if (status == "cancelled") return "已撤销";
    return status;
}

std::string china_date(std::int64_t unix_seconds) {
    auto d = cases::china_date(unix_seconds);
    return std::to_string(static_cast<int>(d.year())) + "年" +
           std::to_string(static_cast<unsigned>(d.month())) + "月" +
           std::to_string(static_cast<unsigned>(d.day())) + "日";
}

// The one-word commands the replies themselves advertise ("回复“查询”…") always mean what they
// say, whatever the classifier thinks of such a short text.
std::optional<std::string> command_intent(std::string_view normalised) {
    static const std::pair<std::string_view, std::string_view> commands[] = {
        {"查询", "ask_progress"}, {"进度", "ask_progress"}, {"查进度", "ask_progress"},
        {"帮助", "help"},         {"取消", "cancel"},       {"撤销", "cancel"}};
    std::string_view t = normalised;
    while (!t.empty() && (t.back() == ' ' || t.back() == '.' || t.back() == '!'))
        t.remove_suffix(1);
    for (auto [word, intent] : commands)
        if (t == word) return std::string(intent);
    return std::nullopt;
}

struct pending {
    std::string description;
    std::string category;
    double category_confidence = 0;
    std::string kind;
    std::string urgency;
    std::string phone;
    std::string source_key;
    std::int64_t since = 0;
};

std::optional<pending> read_pending(const std::string& state, std::int64_t now) {
    if (state.empty()) return std::nullopt;
    json j = json::parse(state, nullptr, false);
    if (j.is_discarded() || j.value("stage", "") != "await_address") return std::nullopt;
    const json& d = j["draft"];
    pending p;
    p.description = d.value("description", "");
    p.category = d.value("category", "");
    p.category_confidence = d.value("category_confidence", 0.0);
    p.kind = d.value("kind", "");
    p.urgency = d.value("urgency", "normal");
    p.phone = d.value("phone", "");
    p.source_key = d.value("source_key", "");
    p.since = j.value("since", std::int64_t{0});
    if (now - p.since > conversation::pending_ttl_seconds) return std::nullopt;
    return p;
}

std::string write_pending(const pending& p) {
    json j;
    j["stage"] = "await_address";
    j["since"] = p.since;
    j["draft"] = {{"description", p.description},
                  {"category", p.category},
                  {"category_confidence", p.category_confidence},
                  {"kind", p.kind},
                  {"urgency", p.urgency},
                  {"phone", p.phone},
                  {"source_key", p.source_key}};
    return j.dump();
}

pending draft_from(const inbound_message& m, const nlu::understanding& u) {
    pending p;
    p.description = m.text;
    p.category = u.category.unsure ? "" : u.category.name;
    p.category_confidence = u.category.confidence;
    p.kind = u.kind.name.empty() ? "complaint" : u.kind.name;
    p.urgency = u.urgency.name == "urgent" ? "urgent" : "normal";
    if (const auto* e = u.find("phone")) p.phone = e->value;
    p.source_key = m.dedup_key;
    return p;
}

}  // namespace

conversation::conversation(std::shared_ptr<const template_set> templates)
    : templates_(std::move(templates)) {
    templates_->require(required_templates());
}

const std::vector<std::string>& conversation::required_templates() {
    static const std::vector<std::string> keys = {
        "reply/welcome",         "reply/welcome_back",
        "reply/greeting",        "reply/help",
        "reply/case_opened",     "reply/case_opened_urgent",
        "reply/ask_address",     "reply/ask_address_again",
        "reply/cancelled",       "reply/nothing_to_cancel",
        "reply/progress_header", "reply/progress_item",
        "reply/progress_none",   "reply/not_understood",
        "reply/media_received",  "reply/category_unknown"};
    return keys;
}

step_outcome conversation::step(const inbound_message& m, const nlu::understanding* u,
                                unit_of_work& uow, std::int64_t now) const {
    step_outcome out;
    auto text = [&](std::string_view key, const template_set::vars& v = {}) {
        out.answer = reply::of_text(templates_->render(key, v));
    };

    auto open = [&](const pending& p, const std::string& address) {
        case_draft d;
        d.from = m.from;
        d.reporter_id = m.user_id;
        d.kind = p.kind;
        d.category = p.category;
        d.category_confidence = p.category_confidence;
        d.urgency = p.urgency;
        d.description = p.description;
        d.address = address;
        d.contact_phone = p.phone;
        d.source_key = p.source_key;
        d.created_at = now;
        case_record rec = uow.open_case(d);
        uow.save_state(m.from, m.user_id, "");
        std::string category =
            rec.category.empty() ? templates_->render("reply/category_unknown") : rec.category;
        text(rec.urgency == "urgent" ? "reply/case_opened_urgent" : "reply/case_opened",
             {{"number", rec.number}, {"category", category}});
        out.opened.push_back(std::move(rec));
    };

    auto progress = [&] {
        auto cases = uow.cases_of(m.from, m.user_id, 5);
        if (cases.empty()) return text("reply/progress_none");
        std::string body = templates_->render("reply/progress_header");
        for (const auto& c : cases) {
            body += "\n";
            body += templates_->render("reply/progress_item", {{"number", c.number},
                                                               {"status", status_name(c.status)},
                                                               {"date", china_date(c.created_at)}});
        }
        out.answer = reply::of_text(std::move(body));
    };

    switch (m.kind) {
        case inbound_kind::subscribe:
            text("reply/welcome");
            return out;
        case inbound_kind::scan:
            text("reply/welcome_back");
            return out;
        case inbound_kind::menu_click:
            if (m.event_key == "MY_CASES")
                progress();
            else if (m.event_key == "HELP")
                text("reply/help");
            return out;
        case inbound_kind::unsubscribe:
        case inbound_kind::report_location:
        case inbound_kind::menu_view:
        case inbound_kind::other_event:
            return out;  // nothing to say; the platform gets "success"
        case inbound_kind::location: {
            auto p = read_pending(uow.load_state(m.from, m.user_id), now);
            if (p) {
                open(*p, m.label.empty() ? "位置坐标" : m.label);
                return out;
            }
            text("reply/media_received");
            return out;
        }
        case inbound_kind::image:
        case inbound_kind::voice:
        case inbound_kind::video:
        case inbound_kind::link:
        case inbound_kind::file:
            text("reply/media_received");
            return out;
        case inbound_kind::text:
            break;
    }

    if (!u) {
        text("reply/not_understood");
        return out;
    }
    const std::string intent = command_intent(u->normalised).value_or(u->intent.name);
    auto p = read_pending(uow.load_state(m.from, m.user_id), now);

    if (p) {
        if (intent == "cancel") {
            uow.save_state(m.from, m.user_id, "");
            text("reply/cancelled");
            return out;
        }
        if (const auto* addr = specific_address(*u)) {
            open(*p, addr->text);
            return out;
        }
        if (intent == "greet" || intent == "help" || intent == "ask_progress") {
            text("reply/ask_address_again");
            return out;
        }
        // Whatever else the resident says now is taken as the place they were asked for.
        open(*p, std::string(utf8_prefix(m.text, 300)));
        return out;
    }

    if (intent == "greet") {
        text("reply/greeting");
    } else if (intent == "help") {
        text("reply/help");
    } else if (intent == "ask_progress") {
        progress();
    } else if (intent == "cancel") {
        text("reply/nothing_to_cancel");
    } else if (appeal_like(*u)) {
        pending draft = draft_from(m, *u);
        draft.since = now;
        const auto* addr = specific_address(*u);
        if (!addr && place_bound(*u)) {
            uow.save_state(m.from, m.user_id, write_pending(draft));
            text("reply/ask_address");
        } else {
            open(draft, addr ? addr->text : "");
        }
    } else {
        text("reply/not_understood");
    }
    return out;
}

}  // namespace minsheng::dialog
