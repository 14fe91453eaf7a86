#pragma once
// The classifier with the built-in rules (config/triage-rules.toml), built once per test binary.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "gateway/triage/classifier.hpp"

namespace madoguchi::triage::testing {

inline const Classifier& builtin() {
  static const Classifier c = [] {
    config::TriageRulesConfig rules;
    std::vector<config::ConfigError> errors;
    EXPECT_TRUE(config::load_triage_rules_file({}, rules, errors));
    return Classifier(rules);
  }();
  return c;
}

}  // namespace madoguchi::triage::testing
