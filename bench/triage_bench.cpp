// Triage speed (issue D: under 1 ms per message) on the labelled development set, beside a
// baseline measured in the same run: ICU normalization alone, the least any Japanese
// matcher does per message. Also the resident memory the MeCab dictionary adds.
//
//   madoguchi_triage_bench [rounds]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "gateway/triage/evaluation.hpp"
#include "gateway/triage/normalize.hpp"

using namespace madoguchi;
using SteadyClock = std::chrono::steady_clock;

namespace {

double rss_mb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

struct Figures {
  double p50_us = 0, p99_us = 0, per_second = 0;
};

Figures measure(const std::vector<triage::LabelledMessage>& set, int rounds,
                const std::function<std::size_t(const std::string&)>& work) {
  std::vector<double> us;
  std::size_t sink = 0;
  const auto start = SteadyClock::now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& m : set) {
      const auto t0 = SteadyClock::now();
      sink += work(m.text);
      us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
    }
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::sort(us.begin(), us.end());
  if (sink == 42) std::puts("");  // keep the work observable
  return {us[us.size() / 2], us[us.size() * 99 / 100], static_cast<double>(us.size()) / seconds};
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
  std::ifstream in(MADOGUCHI_SOURCE_DIR "/tests/fixtures/triage/devset.jsonl");
  std::string error;
  auto set = triage::read_labelled(in, error);
  if (!set) {
    std::fprintf(stderr, "devset: %s\n", error.c_str());
    return 1;
  }
  config::TriageRulesConfig rules;
  std::vector<config::ConfigError> errors;
  if (!config::load_triage_rules_file({}, rules, errors)) return 1;
  const double before = rss_mb();
  const auto load_start = SteadyClock::now();
  const triage::Classifier classifier(rules);
  const double load_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - load_start).count();
  for (const auto& m : *set) (void)classifier.classify(m.text);  // warm: dictionary pages, caches
  const double after = rss_mb();

  auto base = measure(*set, rounds, [](const std::string& t) { return triage::normalize_japanese(t).size(); });
  auto read = measure(*set, rounds, [&](const std::string& t) { return classifier.match_form(t).size(); });
  auto full = measure(*set, rounds, [&](const std::string& t) { return classifier.classify(t).reasons.size(); });
  std::printf("\ntriage of %zu messages × %d rounds (one thread)\n", set->size(), rounds);
  std::printf("| work | p50 µs | p99 µs | messages/s |\n|---|---|---|---|\n");
  std::printf("| baseline: ICU normalization only | %.1f | %.1f | %.0f |\n", base.p50_us, base.p99_us, base.per_second);
  std::printf("| normalization + MeCab readings | %.1f | %.1f | %.0f |\n", read.p50_us, read.p99_us, read.per_second);
  std::printf("| classify (normalize, MeCab readings, rules) | %.1f | %.1f | %.0f |\n", full.p50_us, full.p99_us,
              full.per_second);
  std::printf("ratio p50: %.1f× the baseline; budget 1000 µs per message: %s\n", full.p50_us / base.p50_us,
              full.p99_us < 1000 ? "met (p99)" : "MISSED");
  std::printf("classifier start-up %.0f ms, resident memory +%.1f MB (MeCab dictionary, rules), now %.1f MB\n", load_ms,
              after - before, after);
  return 0;
}
