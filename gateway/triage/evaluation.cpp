#include "gateway/triage/evaluation.hpp"

#include <boost/json/parse.hpp>
#include <cstdio>
#include <map>
#include <set>

namespace madoguchi::triage {
namespace {

std::optional<int> level_of(std::string_view label) {
  for (int i = 0; i < 4; ++i)
    if (urgency_label(i) == label) return i;
  return std::nullopt;
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v * 100);
  return buf;
}

}  // namespace

result<std::vector<LabelledMessage>> read_labelled(std::istream& in, std::string& error) {
  std::vector<LabelledMessage> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    const auto* o = ec ? nullptr : v.if_object();
    const auto str = [&](const char* k) -> std::string {
      const auto* f = o ? o->if_contains(k) : nullptr;
      return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    LabelledMessage m{str("id"), str("text"), str("group"), str("kind"), kNormal};
    auto level = level_of(str("urgency"));
    if (!o || m.id.empty() || m.text.empty() || !level) {
      error = "line " + std::to_string(n) + ": needs id, text and urgency (緊急, 高, 通常 or 情報提供)";
      return errc::invalid_input;
    }
    m.urgency = *level;
    if (m.group.empty()) m.group = m.id;
    out.push_back(std::move(m));
  }
  return out;
}

Evaluation evaluate(const Classifier& classifier, const std::vector<LabelledMessage>& set) {
  Evaluation e;
  e.messages = set.size();
  std::map<std::string, std::set<int>> by_group;
  std::map<std::string, int> group_size;
  int not_emergency = 0, flagged = 0, serious = 0, serious_found = 0;
  for (const auto& m : set) {
    const int got = classifier.classify(m.text).urgency;
    e.levels[m.urgency].expected++;
    e.levels[got].predicted++;
    if (got == m.urgency) e.levels[got].correct++;
    else e.wrong.push_back({m.id, {m.urgency, got}});
    if (m.urgency == kEmergency && got != kEmergency) e.missed_emergencies.push_back(m.id);
    if (m.urgency != kEmergency) {
      ++not_emergency;
      if (got == kEmergency) {
        ++flagged;
        e.false_emergencies.push_back(m.id);
      }
    }
    if (m.urgency <= kHigh) {
      ++serious;
      serious_found += got <= kHigh;
    }
    by_group[m.group].insert(got);
    group_size[m.group]++;
  }
  for (const auto& [group, labels] : by_group) {
    if (group_size[group] < 2) continue;
    ++e.variant_groups;
    if (labels.size() == 1) ++e.consistent_groups;
    else e.inconsistent_groups.push_back(group);
  }
  e.emergency_false_positive_rate = not_emergency ? static_cast<double>(flagged) / not_emergency : 0;
  e.serious_recall = serious ? static_cast<double>(serious_found) / serious : 1;
  return e;
}

std::string format_evaluation(const Evaluation& e, bool list_errors) {
  std::string out = std::to_string(e.messages) + " messages\n";
  out += "level     expected predicted precision recall\n";
  for (int i = 0; i < 4; ++i) {
    char line[160];
    const auto& l = e.levels[i];
    std::snprintf(line, sizeof line, "%-8s %8d %9d %9s %6s\n", std::string(urgency_code(i)).c_str(), l.expected,
                  l.predicted, percent(l.precision()).c_str(), percent(l.recall()).c_str());
    out += line;
  }
  out += "緊急 recall: " + percent(e.levels[kEmergency].recall()) + " (target ≥ 98%)\n";
  out += "緊急 false-positive rate: " + percent(e.emergency_false_positive_rate) + " of non-緊急 messages (target ≤ 10%)\n";
  out += "緊急 or 高 recall: " + percent(e.serious_recall) + " (target ≥ 95%)\n";
  out += "variant consistency: " + std::to_string(e.consistent_groups) + " of " + std::to_string(e.variant_groups) +
         " groups (" + percent(e.variant_groups ? static_cast<double>(e.consistent_groups) / e.variant_groups : 1) +
         ", target 100%)\n";
  if (list_errors) {
    for (const auto& [id, p] : e.wrong)
      out += "wrong " + id + ": expected " + std::string(urgency_label(p.first)) + ", got " +
             std::string(urgency_label(p.second)) + "\n";
    for (const auto& g : e.inconsistent_groups) out += "inconsistent group " + g + "\n";
  }
  return out;
}

}  // namespace madoguchi::triage
