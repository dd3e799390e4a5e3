#include "adapters/open311/catalogue.hpp"

#include "dialog/cases/lifecycle.hpp"

namespace minsheng::adapters::open311 {

const std::vector<service>& catalogue() {
    // The categories are the category model's labels (dialog/nlu/recipes.cpp); the gateway checks
    // at start-up that every one of them has its service here.
    static const std::vector<service> all = {
        {"construction", "complaint", "城乡建设", "appeal"},
        {"labour", "complaint", "劳动和社会保障", "appeal"},
        {"education", "complaint", "教育文体", "appeal"},
        {"commerce", "complaint", "商贸旅游", "appeal"},
        {"health", "complaint", "卫生计生", "appeal"},
        {"environment", "complaint", "环境保护", "appeal"},
        {"transport", "complaint", "交通运输", "appeal"},
        {"complaint", "complaint", "", "appeal"},
        {"consultation", "consultation", "", "consultation"},
        {"wish", "wish", "", "wish"},
    };
    return all;
}

const service* find_service(std::string_view code) {
    for (const auto& s : catalogue())
        if (s.code == code) return &s;
    return nullptr;
}

const service* service_for_category(std::string_view category) {
    if (category.empty()) return nullptr;
    for (const auto& s : catalogue())
        if (s.category == category) return &s;
    return nullptr;
}

const service* service_of(const dialog::case_record& c) {
    if (c.kind == "project") return nullptr;
    if (c.kind == "wish") return find_service("wish");
    if (c.kind == "consultation") return find_service("consultation");
    if (const auto* s = service_for_category(c.category)) return s;
    return find_service("complaint");
}

std::string_view status_of(const dialog::case_record& c) {
    return dialog::cases::is_terminal(c.status) ? "closed" : "open";
}

}  // namespace minsheng::adapters::open311
