#pragma once
// The Open311 service catalogue (docs/open311.md): what a GeoReport client may request, derived
// from what the program handles, and how a stored case reads as one of those services.
// Constant tables and pure functions: safe from any thread; nothing throws.

#include <string_view>
#include <vector>

#include "dialog/ports.hpp"

namespace minsheng::adapters::open311 {

// One GeoReport service: what a client may request, and the case it becomes.
struct service {
    std::string_view code;      // service_code, e.g. "construction"
    std::string_view kind;      // the case kind: "complaint" | "consultation" | "wish"
    std::string_view category;  // one of the classifier's seven; "" : the classifier decides
    std::string_view group;     // key of templates/open311/group/<group>.txt
};

// Every service, in the order GET services lists them: the classifier's seven categories as
// complaints, then an uncategorised complaint, a consultation and a 微心愿 (wish).
const std::vector<service>& catalogue();
// nullptr for an unknown code.
const service* find_service(std::string_view code);
// The service whose fixed category this is; nullptr when none has it (start-up checks that
// every category the classifier can give has one).
const service* service_for_category(std::string_view category);
// The service a stored case reads as: kind wish/consultation by kind, anything else by its
// category (the uncategorised complaint when it has none of the seven). nullptr for 微实事
// projects, which come from residents' votes and are outside Open311.
const service* service_of(const dialog::case_record& c);
// "open", or "closed" once the case is closed, cancelled or merged.
std::string_view status_of(const dialog::case_record& c);

}  // namespace minsheng::adapters::open311
