// The labelled sets (tests/fixtures/triage/, synthetic, written for this project) against the
// built-in rules: the development set's shape and targets (issue D), the targets on every set
// the rules were tuned on, and a no-regression floor on the held-out sets (issue 17).
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "config/config.hpp"
#include "gateway/triage/evaluation.hpp"

namespace madoguchi::triage {
namespace {

std::vector<LabelledMessage> labelled(const std::string& name) {
  std::ifstream in(MADOGUCHI_SOURCE_DIR "/tests/fixtures/triage/" + name);
  EXPECT_TRUE(in) << name << " missing";
  std::string error;
  auto set = read_labelled(in, error);
  EXPECT_TRUE(set) << name << ": " << error;
  return set ? *set : std::vector<LabelledMessage>{};
}

std::vector<LabelledMessage> devset() { return labelled("devset.jsonl"); }

const Classifier& builtin_rules() {
  static const Classifier c = [] {
    config::TriageRulesConfig rules;
    std::vector<config::ConfigError> errors;
    EXPECT_TRUE(config::load_triage_rules_file({}, rules, errors));
    return Classifier(rules);
  }();
  return c;
}

TEST(Devset, HasTheRequiredShape) {
  const auto set = devset();
  std::map<int, int> per_level;
  std::map<std::string, int> per_kind, group_size;
  for (const auto& m : set) {
    per_level[m.urgency]++;
    per_kind[m.kind]++;
    group_size[m.group]++;
  }
  EXPECT_GE(set.size(), 300u);
  EXPECT_GE(per_level[kEmergency], 60);
  EXPECT_GE(per_level[kHigh], 80);
  EXPECT_GE(per_kind["hard_negative"], 60);
  int groups_with_variants = 0;
  for (const auto& [g, n] : group_size) groups_with_variants += n > 1;
  EXPECT_GE(groups_with_variants, 50);
}

TEST(Devset, BuiltInRulesMeetTheTargets) {
  const auto e = evaluate(builtin_rules(), devset());
  SCOPED_TRACE(format_evaluation(e, true));
  EXPECT_GE(e.levels[kEmergency].recall(), 0.98);
  EXPECT_LE(e.emergency_false_positive_rate, 0.10);
  EXPECT_GE(e.serious_recall, 0.95);
  EXPECT_EQ(e.consistent_groups, e.variant_groups);
  EXPECT_GT(e.variant_groups, 0u);
}

// Every set the rules were tuned on (README, "Evaluation protocol"), together: the targets.
TEST(Devset, TheTuningSetsTogetherMeetTheTargets) {
  std::vector<LabelledMessage> all;
  for (const char* name : {"devset.jsonl", "dev_writers_b.jsonl", "dev_phone.jsonl", "dev_mixed.jsonl"}) {
    auto set = labelled(name);
    all.insert(all.end(), set.begin(), set.end());
  }
  const auto e = evaluate(builtin_rules(), all);
  SCOPED_TRACE(format_evaluation(e, true));
  EXPECT_GE(e.levels[kEmergency].recall(), 0.98);
  EXPECT_LE(e.emergency_false_positive_rate, 0.10);
  EXPECT_GE(e.serious_recall, 0.95);
  EXPECT_EQ(e.consistent_groups, e.variant_groups);
}

// The held-out sets, never tuned on. Issue 17's targets (緊急 recall ≥ 98%, (緊急∪高) ≥ 95%)
// are NOT met on them yet: the floors below are the figures measured when the concept rules
// landed (README, "Evaluation protocol"), so a change that loses emergencies on unseen text
// fails here. Raise them as the rules improve — never tune on these sets to do it.
struct HeldOut {
  const char* file;
  double emergency_recall_floor, serious_recall_floor;
};

TEST(HeldOut, NoRegressionOnTextTheRulesNeverSaw) {
  for (const HeldOut& h : {HeldOut{"holdout.jsonl", 0.83, 0.85}, HeldOut{"holdout_c.jsonl", 0.88, 0.91}}) {
    const auto e = evaluate(builtin_rules(), labelled(h.file));
    SCOPED_TRACE(std::string(h.file) + "\n" + format_evaluation(e, false));
    EXPECT_GE(e.levels[kEmergency].recall(), h.emergency_recall_floor);
    EXPECT_LE(e.emergency_false_positive_rate, 0.10);  // the false-alarm target holds
    EXPECT_GE(e.serious_recall, h.serious_recall_floor);
    EXPECT_EQ(e.consistent_groups, e.variant_groups);  // variants: the 100% holds
    EXPECT_GT(e.messages, 100u);
  }
}

TEST(Devset, ABadLineIsRefusedWithItsNumber) {
  std::istringstream in("{\"id\":\"a\",\"text\":\"x\",\"urgency\":\"高\"}\n{\"id\":\"b\",\"text\":\"y\",\"urgency\":\"最高\"}\n");
  std::string error;
  EXPECT_FALSE(read_labelled(in, error));
  EXPECT_NE(error.find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace madoguchi::triage
