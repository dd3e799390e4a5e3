// bench_nlu: single-threaded throughput of the understanding engine on long appeals (about
// 1,200 bytes, cut from the appeal corpus when it is there) and on short chat messages, with a
// breakdown by stage and the peak resident memory.
//   bench_nlu [--models DIR] [--corpus FILE] [--seconds S]
// Prints figures only, never the texts.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/intake/call_appeals.hpp"
#include "dialog/nlu/classifier.hpp"
#include "dialog/nlu/extractor.hpp"
#include "dialog/nlu/features.hpp"
#include "dialog/nlu/nlu.hpp"
#include "dialog/nlu/normalizer.hpp"
#include "dialog/nlu/recipes.hpp"
#include "dialog/nlu/segmenter.hpp"

#ifndef MINSHENG_SHARED_DIR
#define MINSHENG_SHARED_DIR "../shared"
#endif
#ifndef MINSHENG_DATA_DIR_DEFAULT
#define MINSHENG_DATA_DIR_DEFAULT "."
#endif

namespace nlu = minsheng::dialog::nlu;

namespace {

constexpr std::size_t long_bytes = 1200;

// Cuts `text` to at most `n` bytes without splitting a UTF-8 character.
std::string_view utf8_prefix(std::string_view text, std::size_t n) {
    if (text.size() <= n) return text;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    return text.substr(0, n);
}

// About 1,200-byte appeals: corpus texts joined and cut, or a built-in one when it is absent.
std::vector<std::string> long_appeals(const std::string& corpus) {
    std::vector<std::string> out;
    std::ifstream in(corpus);
    std::string line;
    std::string pending;
    bool header = true;
    while (out.size() < 600 && std::getline(in, line)) {
        if (header) {
            header = false;
            continue;
        }
        const auto b = line.find('\t', line.find('\t') + 1);
        if (b == std::string::npos) continue;
        pending += line.substr(b + 1);
        if (pending.size() >= long_bytes) {
            out.emplace_back(utf8_prefix(pending, long_bytes));
            pending.clear();
        }
    }
    if (out.empty()) {
        std::fprintf(stderr, "corpus %s not found: using a built-in appeal\n", corpus.c_str());
        std::string text;
        while (text.size() < long_bytes) {
            text +=
                "尊敬的领导：您好！我是幸福小区3栋的居民，联系电话13812345678。小区门口的"
                "路灯已经坏了两个多月，晚上一片漆黑，老人小孩出行很不安全，上周还有人摔"
                "倒受伤。我们多次向物业反映，物业说不归他们管，希望有关部门尽快派人维修。";
        }
        out.emplace_back(utf8_prefix(text, long_bytes));
    }
    return out;
}

const std::vector<std::string>& chat_messages() {
    static const std::vector<std::string> messages = {"好的",
                                                      "对",
                                                      "是的",
                                                      "不是",
                                                      "取消",
                                                      "算了",
                                                      "5分",
                                                      "非常满意",
                                                      "认领 WX20261123-0001",
                                                      "我做完了",
                                                      "你好",
                                                      "在吗",
                                                      "怎么用",
                                                      "谢谢",
                                                      "我上次反映的问题怎么样了",
                                                      "啥时候能修好",
                                                      "补充一下，地址是幸福小区3栋",
                                                      "我想当志愿者",
                                                      "志愿服务证明怎么开",
                                                      "投1号",
                                                      "搞掂了",
                                                      "冇问题",
                                                      "唔该",
                                                      "俺想问问",
                                                      "咋整",
                                                      "好的，謝謝",
                                                      "確認",
                                                      "我的电话是13812345678",
                                                      "楼下路灯坏了",
                                                      "早上好"};
    return messages;
}

struct result {
    double per_second = 0;
    double bytes_per_second = 0;
    double per_cpu_second = 0;  // per second of this process's CPU time: steadier on a busy host
};

// Runs `work` over the samples round-robin for about `seconds`.
result measure(const std::vector<std::string>& samples, double seconds,
               const std::function<std::size_t(const std::string&)>& work) {
    using clock = std::chrono::steady_clock;
    std::size_t sink = 0;
    for (std::size_t i = 0; i < std::min<std::size_t>(samples.size(), 50); ++i)
        sink += work(samples[i]);
    std::size_t count = 0;
    std::size_t bytes = 0;
    const auto start = clock::now();
    const std::clock_t cpu_start = std::clock();
    double elapsed = 0;
    while (elapsed < seconds) {
        for (int batch = 0; batch < 64; ++batch) {
            const auto& s = samples[count % samples.size()];
            sink += work(s);
            bytes += s.size();
            ++count;
        }
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
    }
    if (sink == 42) std::puts("");  // keeps the work observable
    const double cpu =
        static_cast<double>(std::clock() - cpu_start) / static_cast<double>(CLOCKS_PER_SEC);
    return {static_cast<double>(count) / elapsed, static_cast<double>(bytes) / elapsed,
            cpu > 0 ? static_cast<double>(count) / cpu : 0.0};
}

void print(const char* what, const result& r) {
    std::printf("  %-34s %12.0f msgs/s %9.2f MB/s %12.0f msgs/CPU-s\n", what, r.per_second,
                r.bytes_per_second / 1e6, r.per_cpu_second);
}

}  // namespace

int main(int argc, char** argv) {
    std::string models = std::string(MINSHENG_DATA_DIR_DEFAULT) + "/models";
    std::string corpus = std::string(MINSHENG_SHARED_DIR) + "/corpus/appeals-train.tsv";
    double seconds = 2.0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (flag == "--models") {
            models = argv[i + 1];
        } else if (flag == "--corpus") {
            corpus = argv[i + 1];
        } else if (flag == "--seconds") {
            seconds = std::atof(argv[i + 1]);
        } else {
            std::fprintf(stderr, "usage: bench_nlu [--models DIR] [--corpus FILE] [--seconds S]\n");
            return 2;
        }
    }
    try {
        const auto engine = nlu::engine::load(models);
        const auto normalizer = nlu::normalizer::create();
        const auto segmenter = nlu::segmenter::create({"微心愿", "微实事", "网格员"});
        const auto extractor = nlu::extractor::create();
        const auto load = [&](std::string_view task) {
            return nlu::classifier::load(models + "/" + std::string(nlu::recipe_for(task).file));
        };
        const auto category = load("category");
        const auto kind = load("kind");
        const auto urgency = load("urgency");
        const auto intent = load("intent");

        const auto appeals = long_appeals(corpus);
        const auto& chat = chat_messages();
        std::vector<std::string> normalised_appeals;
        for (const auto& a : appeals) normalised_appeals.push_back(normalizer->normalise(a).text);
        // Their tokens, for a category model with word features (the engine reuses its own).
        const auto engine_segmenter =
            nlu::segmenter::create(nlu::read_lexicon(models + "/lexicon.txt"));
        std::vector<std::vector<std::string>> appeal_tokens;
        for (const auto& a : normalised_appeals)
            appeal_tokens.push_back(engine_segmenter->segment(a));
        std::vector<nlu::normalised_text> normalised_full;
        for (const auto& a : appeals) normalised_full.push_back(normalizer->normalise(a));
        // Their feature hashes as understand() computes them: category's and the dialog
        // models' in one pass.
        std::vector<std::vector<std::uint64_t>> category_hashes(appeals.size());
        std::vector<std::vector<std::uint64_t>> dialog_hashes(appeals.size());
        for (std::size_t i = 0; i < appeals.size(); ++i)
            nlu::append_feature_pair(normalised_appeals[i], appeal_tokens[i], category.features(),
                                     category_hashes[i], kind.features(), dialog_hashes[i]);
        const auto index_of = [&](const std::string& s, const std::vector<std::string>& in) {
            return static_cast<std::size_t>(&s - in.data());
        };

        const auto understand = [&](const std::string& s) {
            return engine->understand(s).tokens.size();
        };
        std::printf("single thread, %.1f s per figure\n", seconds);
        std::printf("long appeals (%zu samples of about %zu bytes):\n", appeals.size(), long_bytes);
        print("understand()", measure(appeals, seconds, understand));
        print("find_appeals() (a letter as one call)",
              measure(appeals, seconds, [&](const std::string& s) {
                  return minsheng::dialog::intake::find_appeals(*engine, s).size();
              }));
        print("classify_category()", measure(appeals, seconds, [&](const std::string& s) {
                  return engine->classify_category(s).name.size();
              }));
        print("  normalise", measure(appeals, seconds, [&](const std::string& s) {
                  return normalizer->normalise(s).text.size();
              }));
        print("  segment (normalised text)",
              measure(normalised_appeals, seconds,
                      [&](const std::string& s) { return segmenter->segment(s).size(); }));
        print("  extract", measure(appeals, seconds, [&](const std::string& s) {
                  return extractor->extract(normalizer->normalise(s), s, 0).size();
              }));
        print("  one classifier (normalised text and tokens)",
              measure(normalised_appeals, seconds, [&](const std::string& s) {
                  const auto i = static_cast<std::size_t>(&s - normalised_appeals.data());
                  return category.predict(std::string_view(s), appeal_tokens[i]).index;
              }));
        std::printf("understand() of a long appeal, stage by stage (inputs precomputed):\n");
        print("  normalise", measure(appeals, seconds, [&](const std::string& s) {
                  return normalizer->normalise(s).text.size();
              }));
        print("  segment (the engine's lexicon)",
              measure(normalised_appeals, seconds,
                      [&](const std::string& s) { return engine_segmenter->segment(s).size(); }));
        print("  extract (normalised text)", measure(appeals, seconds, [&](const std::string& s) {
                  return extractor->extract(normalised_full[index_of(s, appeals)], s, 0).size();
              }));
        print("  hash features (category's and the dialog models')",
              measure(normalised_appeals, seconds, [&](const std::string& s) {
                  thread_local std::vector<std::uint64_t> a, b;
                  a.clear();
                  b.clear();
                  const auto i = index_of(s, normalised_appeals);
                  nlu::append_feature_pair(s, appeal_tokens[i], category.features(), a,
                                           kind.features(), b);
                  return a.size() + b.size();
              }));
        print("  category (SVM and neighbours' vote)",
              measure(normalised_appeals, seconds, [&](const std::string& s) {
                  return category.predict(category_hashes[index_of(s, normalised_appeals)]).index;
              }));
        print("  kind, urgency and intent",
              measure(normalised_appeals, seconds, [&](const auto& s) {
                  const auto& h = dialog_hashes[index_of(s, normalised_appeals)];
                  return kind.predict(h).index + urgency.predict(h).index + intent.predict(h).index;
              }));
        std::printf("short chat messages (%zu samples):\n", chat.size());
        print("understand()", measure(chat, seconds, understand));

        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        std::printf("peak RSS: %.1f MB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_nlu: %s\n", e.what());
        return 1;
    }
    return 0;
}
