#pragma once
// 主动发现 (active discovery of hardship, docs/discovery.md): which households show the most
// distinct hardship signals from the most distinct sources ("数据重叠强度": the number of
// departments, plus minsheng's own cases, that see the household in difficulty), before they
// ask for help. Pure: the store gathers the signals (adapters/db/discovery.hpp), this ranks them.
//
// A household is named by an opaque key (a keyed hash, never an ID number). Everything here is a
// value; rank() is a pure function. Share freely.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::dialog::discovery {

// The sources of minsheng's own cases: calls from the 12345 feed, and everything residents wrote
// on WeChat (official account and mini program).
inline constexpr std::string_view hotline_source = "12345热线";
inline constexpr std::string_view own_source = "民生平台";

// The kinds of need minsheng's own cases show (the indicator of an own signal). Their labels for
// people are templates/discovery/signal_<kind>.txt.
inline constexpr std::string_view medical_bills = "medical_bills";        // 医药费
inline constexpr std::string_view school_fees = "school_fees";            // 学费
inline constexpr std::string_view housing = "housing";                    // 住房困难
inline constexpr std::string_view urgent_medical = "urgent_medical";      // 紧急就医
inline constexpr std::string_view urgent_schooling = "urgent_schooling";  // 紧急就学
inline constexpr std::string_view lost_work = "lost_work";                // 欠薪、失业
inline constexpr std::string_view repeated_wishes = "repeated_wishes";    // 多次许愿

// One hardship signal of a household.
struct signal {
    std::string source;     // a department ("医保", "教育", ...) or hotline_source / own_source
    std::string indicator;  // the department's indicator text, or one of the own kinds above
    std::int64_t at = 0;    // when (unix seconds; a department row's date at 00:00 China time)
    std::int64_t amount_fen = 0;  // a department row's amount in fen; 0 none
    std::string ref;              // where it was seen: a case number, or "<source> file"
};

// What a supervisor found at a household visit (入户核查).
enum class outcome { granted, referred, not_needed };
std::string_view to_string(outcome o);
// "granted" | "referred" | "not_needed"; nullopt otherwise.
std::optional<outcome> parse_outcome(std::string_view text);

struct visit {
    outcome result = outcome::referred;
    std::int64_t at = 0;
};

struct household {
    std::string key;        // opaque household key
    std::string community;  // "" unknown
    std::string phone;      // masked (138****1234); "" none known
    std::vector<signal> signals;
    bool on_assistance_list = false;  // a department file marks it as already assisted (在册)
    std::optional<visit> last_visit;
};

// The weights and windows of the ranking. defaults() is what docs/discovery.md documents.
struct policy {
    std::map<std::string, double, std::less<>> own_weights;  // by own kind
    double department_weight = 2.0;             // each distinct (department, indicator)
    std::int64_t window_seconds = 365 * 86400;  // signals older than this are ignored
    std::int64_t quiet_seconds = 180 * 86400;   // granted / not needed: out for this long
    double referred_factor = 0.5;               // referred: weight multiplied by this
    int repeated_wishes_from = 3;               // this many wishes make repeated_wishes

    static policy defaults();
    double weight_of(const signal& s) const;
};

// Whether a department's indicator says the household is already on an assistance list
// ("在册", "低保在册", "已纳入"...).
bool marks_assistance(std::string_view indicator);

// The kinds of need of one of minsheng's own cases, from its kind, urgency and description
// (normalised Simplified text): a wish about medical bills is medical_bills, an urgent appeal
// about an illness urgent_medical, a hotline call about unpaid wages lost_work, ... Empty: none.
std::vector<std::string_view> needs_of_case(std::string_view kind, std::string_view urgency,
                                            std::string_view description, bool from_hotline);

struct ranked {
    std::string key;
    std::string community;
    std::string phone;
    int overlap = 0;        // distinct sources among its counted signals
    double weight = 0.0;    // sum of the weights of its distinct (source, indicator) signals
    bool referred = false;  // visited and referred: ranked lower for now
    // The counted signals, one per distinct (source, indicator), newest first: why it ranks.
    std::vector<signal> why;
};

// The households worth a visit at `now`, best first: by overlap, then weight (a referred
// household's weight times referred_factor), then key. Left out: households on an assistance
// list, those visited with outcome granted or not_needed within quiet_seconds, and those with no
// signal inside the window. Repeated signals of one (source, indicator) count once.
std::vector<ranked> rank(const std::vector<household>& households, const policy& p,
                         std::int64_t now);

}  // namespace minsheng::dialog::discovery
