#pragma once
// The labelled development set (tests/fixtures/triage/devset.jsonl) and the figures the
// `eval` command prints: precision and recall per level, the 緊急 false-positive rate,
// (緊急 or 高) recall, and whether every spelling variant of a sentence got the same label.
#include <istream>
#include <string>
#include <vector>

#include "gateway/core/errc.hpp"
#include "gateway/triage/classifier.hpp"

namespace madoguchi::triage {

struct LabelledMessage {
  std::string id, text, group, kind;
  int urgency = kNormal;
};

// One JSON object per line: id, text, urgency (緊急 / 高 / 通常 / 情報提供), group, kind.
// errc::invalid_input with the line number in `error` for a bad line.
[[nodiscard]] result<std::vector<LabelledMessage>> read_labelled(std::istream& in, std::string& error);

struct LevelFigures {
  int expected = 0, predicted = 0, correct = 0;
  double precision() const { return predicted ? static_cast<double>(correct) / predicted : 1.0; }
  double recall() const { return expected ? static_cast<double>(correct) / expected : 1.0; }
};

struct Evaluation {
  std::size_t messages = 0;
  LevelFigures levels[4];
  double emergency_false_positive_rate = 0;  // non-緊急 messages predicted 緊急
  double serious_recall = 0;                 // 緊急 or 高 predicted 緊急 or 高
  std::size_t variant_groups = 0, consistent_groups = 0;
  std::vector<std::string> missed_emergencies, false_emergencies, inconsistent_groups;
  std::vector<std::pair<std::string, std::pair<int, int>>> wrong;  // id → (expected, predicted)
};

Evaluation evaluate(const Classifier& classifier, const std::vector<LabelledMessage>& set);
std::string format_evaluation(const Evaluation& e, bool list_errors);

}  // namespace madoguchi::triage
