#include "tools/nlu/segments.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <ostream>
#include <stdexcept>

#include "dialog/intake/call_appeals.hpp"

namespace minsheng::tools::nlu {

namespace {

std::runtime_error bad(const std::string& path, std::size_t line, const std::string& why) {
    return std::runtime_error(path + ":" + std::to_string(line) + ": " + why);
}

bool sentence_end_between(std::string_view text, std::size_t a, std::size_t b) {
    if (a > b) std::swap(a, b);
    const auto between = text.substr(a, b - a);
    for (std::string_view end : {"。", "！", "？", "；", "!", "?", ";", "\n"})
        if (between.find(end) != std::string_view::npos) return true;
    return false;
}

bool ends_a_clause(std::string_view text) {
    for (std::string_view end :
         {"。", "！", "？", "；", "!", "?", ";", "…", "\n", "，", ",", "：", ":"})
        if (text.ends_with(end)) return true;
    return false;
}

bool same_start(std::string_view text, std::size_t predicted, std::size_t truth) {
    const std::size_t gap = predicted > truth ? predicted - truth : truth - predicted;
    return gap <= 6 || !sentence_end_between(text, predicted, truth);
}

}  // namespace

std::vector<segment_item> read_segment_items(const std::string& path,
                                             const std::map<std::string, std::string>& corpus) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<segment_item> out;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        const auto tab = line.find('\t');
        if (tab == std::string::npos || tab == 0) throw bad(path, number, "expected id<TAB>turns");
        segment_item item;
        item.id = line.substr(0, tab);
        std::string_view rest = std::string_view(line).substr(tab + 1);
        while (!rest.empty()) {
            const auto bar = rest.find('|');
            const auto turn = rest.substr(0, bar);
            rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
            const auto colon = turn.find(':');
            if (colon == std::string_view::npos) throw bad(path, number, "a turn lacks role:");
            const auto role = turn.substr(0, colon);
            segment_turn t;
            if (role == "caller+")
                t.who = segment_turn::role::caller_new;
            else if (role == "caller")
                t.who = segment_turn::role::caller;
            else if (role == "agent")
                t.who = segment_turn::role::agent;
            else
                throw bad(path, number, "unknown role " + std::string(role));
            auto text = turn.substr(colon + 1);
            if (text.starts_with("@")) {
                const auto it = corpus.find(std::string(text.substr(1)));
                if (it == corpus.end())
                    throw bad(path, number, "unknown corpus id " + std::string(text.substr(1)));
                t.text = it->second;
            } else {
                t.text = std::string(text);
            }
            if (t.text.empty()) throw bad(path, number, "an empty turn");
            item.turns.push_back(std::move(t));
        }
        bool any_new = false;
        for (const auto& t : item.turns) {
            if (t.who == segment_turn::role::caller_new) any_new = true;
            if (t.who == segment_turn::role::caller && !any_new)
                throw bad(path, number, "the first caller words must be caller+");
        }
        if (!any_new) throw bad(path, number, "no caller+ turn");
        out.push_back(std::move(item));
    }
    return out;
}

segment_scores score_segments(const dialog::nlu::engine& engine,
                              const std::vector<segment_item>& items,
                              const std::function<std::string(std::string_view)>* convert) {
    segment_scores s;
    for (const auto& item : items) {
        std::string text;
        std::vector<std::string> agent_texts;
        std::vector<std::size_t> agent_before;
        std::vector<std::size_t> starts;
        bool last_was_caller = false;
        for (const auto& t : item.turns) {
            const std::string words = convert ? (*convert)(t.text) : t.text;
            if (t.who == segment_turn::role::agent) {
                agent_texts.push_back(words);
                agent_before.push_back(std::string::npos);  // set by the next caller turn
                last_was_caller = false;
                continue;
            }
            if (!last_was_caller && !text.empty()) text += '\n';
            if (last_was_caller && !ends_a_clause(text)) text += "。";  // a pause, as transcribed
            for (auto& b : agent_before)
                if (b == std::string::npos) b = text.size();
            if (t.who == segment_turn::role::caller_new) starts.push_back(text.size());
            text += words;
            last_was_caller = true;
        }
        std::vector<dialog::intake::agent_line> agent;
        for (std::size_t i = 0; i < agent_texts.size(); ++i)
            if (agent_before[i] != std::string::npos)
                agent.push_back({agent_before[i], agent_texts[i]});

        const auto t0 = std::chrono::steady_clock::now();
        const auto appeals = dialog::intake::find_appeals(engine, text, agent);
        s.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        s.bytes += text.size();

        const std::size_t truth = starts.size();
        const std::size_t got = appeals.size();
        const std::size_t bucket = truth <= 3 ? truth : 0;
        ++s.items[bucket];
        if (got == truth)
            ++s.correct[bucket];
        else {
            // Which cue started each appeal found: f(irst) m(arker) i(nvited) t(urn).
            std::string cues;
            for (const auto& a : appeals) cues += "fmit"[static_cast<int>(a.cue)];
            s.wrong.push_back(item.id + " " + std::to_string(truth) + "->" + std::to_string(got) +
                              ":" + cues);
        }
        if (got > truth) ++s.over;
        if (got < truth) ++s.under;
        if (truth == 1 && got > s.max_predicted_single) s.max_predicted_single = got;

        // Starts of the second and later problems, matched one-to-one in order.
        s.true_starts += truth > 0 ? truth - 1 : 0;
        s.predicted_starts += got > 0 ? got - 1 : 0;
        std::size_t j = 1;
        for (std::size_t i = 1; i < got && j < truth;) {
            if (same_start(text, appeals[i].begin, starts[j])) {
                ++s.matched_starts;
                ++i;
                ++j;
            } else if (appeals[i].begin < starts[j]) {
                ++i;
            } else {
                ++j;
            }
        }
    }
    return s;
}

void print_segment_scores(std::ostream& out, const segment_scores& s, bool list_errors) {
    char line[160];
    const auto rate = [](std::size_t a, std::size_t b) {
        return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
    };
    std::size_t all = 0;
    std::size_t right = 0;
    for (int k = 0; k < 4; ++k) {
        all += s.items[k];
        right += s.correct[k];
    }
    out << "exact number of problems\n";
    const char* names[4] = {"4 or more", "1 problem", "2 problems", "3 problems"};
    for (int k : {1, 2, 3, 0}) {
        if (s.items[k] == 0) continue;
        std::snprintf(line, sizeof line, "  %-11s %5zu items  accuracy %.3f\n", names[k],
                      s.items[k], rate(s.correct[k], s.items[k]));
        out << line;
    }
    std::snprintf(line, sizeof line, "  %-11s %5zu items  accuracy %.3f  (%zu over, %zu under)\n",
                  "overall", all, rate(right, all), s.over, s.under);
    out << line;
    std::snprintf(line, sizeof line, "  most appeals found in a single-problem item: %zu\n",
                  s.max_predicted_single);
    out << line;
    const double p = rate(s.matched_starts, s.predicted_starts);
    const double r = rate(s.matched_starts, s.true_starts);
    std::snprintf(line, sizeof line,
                  "boundaries (starts of 2nd+ problems): precision %.3f  recall %.3f  F1 %.3f  "
                  "(%zu true, %zu found, %zu matched)\n",
                  p, r, p + r > 0 ? 2 * p * r / (p + r) : 0.0, s.true_starts, s.predicted_starts,
                  s.matched_starts);
    out << line;
    std::snprintf(line, sizeof line,
                  "find_appeals: %.2f ms per item on average (%.0f bytes), %.1f MB/s\n",
                  all ? 1000 * s.seconds / static_cast<double>(all) : 0.0,
                  all ? static_cast<double>(s.bytes) / static_cast<double>(all) : 0.0,
                  s.seconds > 0 ? static_cast<double>(s.bytes) / s.seconds / 1e6 : 0.0);
    out << line;
    if (list_errors && !s.wrong.empty()) {
        out << "wrong counts (id truth->found):";
        for (const auto& w : s.wrong) out << ' ' << w;
        out << '\n';
    }
}

}  // namespace minsheng::tools::nlu
