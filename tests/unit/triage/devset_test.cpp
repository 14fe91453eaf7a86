// The labelled development set (tests/fixtures/triage/devset.jsonl, synthetic, written for
// this project) against the built-in rules: the targets of issue D, and the set's own shape.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "config/config.hpp"
#include "gateway/triage/evaluation.hpp"

namespace madoguchi::triage {
namespace {

std::vector<LabelledMessage> devset() {
  std::ifstream in(MADOGUCHI_SOURCE_DIR "/tests/fixtures/triage/devset.jsonl");
  EXPECT_TRUE(in) << "devset.jsonl missing";
  std::string error;
  auto set = read_labelled(in, error);
  EXPECT_TRUE(set) << error;
  return set ? *set : std::vector<LabelledMessage>{};
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
  config::TriageRulesConfig rules;
  std::vector<config::ConfigError> errors;
  ASSERT_TRUE(config::load_triage_rules_file({}, rules, errors));
  const Classifier classifier(rules);
  const auto e = evaluate(classifier, devset());
  SCOPED_TRACE(format_evaluation(e, true));
  EXPECT_GE(e.levels[kEmergency].recall(), 0.98);
  EXPECT_LE(e.emergency_false_positive_rate, 0.10);
  EXPECT_GE(e.serious_recall, 0.95);
  EXPECT_EQ(e.consistent_groups, e.variant_groups);
  EXPECT_GT(e.variant_groups, 0u);
}

TEST(Devset, ABadLineIsRefusedWithItsNumber) {
  std::istringstream in("{\"id\":\"a\",\"text\":\"x\",\"urgency\":\"高\"}\n{\"id\":\"b\",\"text\":\"y\",\"urgency\":\"最高\"}\n");
  std::string error;
  EXPECT_FALSE(read_labelled(in, error));
  EXPECT_NE(error.find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace madoguchi::triage
