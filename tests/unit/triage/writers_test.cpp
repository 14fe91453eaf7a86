// Who is writing (issue 15, deliverable 4): one writer per message, and the who-is-writing tags
// (本人相談 / 家族相談 / 支援機関) agree with it. The first person who is hurt is 本人: a writer
// hit by a family member speaks for themself; a writer about a family member is 家族.
#include <gtest/gtest.h>

#include <fstream>

#include "gateway/triage/case_record.hpp"
#include "gateway/triage/classifier.hpp"
#include "gateway/triage/evaluation.hpp"
#include "tests/unit/triage/builtin_classifier.hpp"

namespace madoguchi::triage {
namespace {

using testing::builtin;

bool has_tag(const Decision& d, std::string_view tag) {
  return std::find(d.tags.begin(), d.tags.end(), tag) != d.tags.end();
}

std::string tags_of(const Decision& d) {
  std::string out = "writer=" + d.writer + " tags:";
  for (const auto& t : d.tags) out += " " + t;
  return out;
}

constexpr std::string_view kWriterTags[] = {"本人相談", "家族相談", "支援機関"};

int writer_tags(const Decision& d) {
  int n = 0;
  for (auto t : kWriterTags) n += has_tag(d, t);
  return n;
}

// The two messages counselors reported.
TEST(Writers, TheMothersMessageIsFamilyAndNotThePerson) {
  const auto d = builtin().classify("70代の母です。45歳の息子が部屋から出てきません。私も疲れました");
  EXPECT_EQ(d.writer, "家族") << tags_of(d);
  EXPECT_TRUE(has_tag(d, "家族相談")) << tags_of(d);
  EXPECT_FALSE(has_tag(d, "本人相談")) << tags_of(d);
}

TEST(Writers, AWriterHitByTheirFatherIsThePerson) {
  const auto d = builtin().classify("父に毎日殴られています");
  EXPECT_EQ(d.writer, "本人") << tags_of(d);
  EXPECT_TRUE(has_tag(d, "本人相談")) << tags_of(d);
  EXPECT_FALSE(has_tag(d, "家族相談")) << tags_of(d);
  EXPECT_TRUE(has_tag(d, "他害")) << tags_of(d);  // the violence topic tag
  EXPECT_LE(d.urgency, kHigh);                     // abuse disclosed: 高 at least
}

// Written before the change, not tuned on: a family member hurts the writer.
TEST(Writers, AFamilyMemberHurtingTheWriterMakesThePerson) {
  for (const char* text : {
           "母に毎晩怒鳴られる。家にいるのがつらい",
           "兄に暴力を振るわれていて、家にいるのが怖いです",
           "夫に殴られて顔が腫れています",
           "姉に叩かれたり蹴られたりしています",
           "父親から「出ていけ」と怒鳴られて、家に居場所がありません",
           "義父から毎日叩かれています",
       }) {
    const auto d = builtin().classify(text);
    EXPECT_EQ(d.writer, "本人") << text << " " << tags_of(d);
    EXPECT_TRUE(has_tag(d, "本人相談")) << text << " " << tags_of(d);
    EXPECT_FALSE(has_tag(d, "家族相談")) << text << " " << tags_of(d);
    EXPECT_TRUE(has_tag(d, "他害")) << text << " " << tags_of(d);
  }
}

// Written before the change, not tuned on: the writer is a family member of the person.
TEST(Writers, AWriterAboutAFamilyMemberIsFamily) {
  for (const char* text : {
           "息子が部屋から出てこない。母の私が声をかけても返事がありません",
           "娘が3年ほど家から出られず、私たち夫婦も年を取ってきて将来が心配です",
           "夫が仕事を辞めてから部屋にこもっています。妻の私はどうしたらいいでしょうか",
           "弟のことで相談です。私は姉で、弟は40代でずっと家にいます",
           "うちの子が不登校で、私も仕事を休みがちです",
           "父親です。息子に殴られることがあり、私も妻も怖いです",
       }) {
    const auto d = builtin().classify(text);
    EXPECT_EQ(d.writer, "家族") << text << " " << tags_of(d);
    EXPECT_TRUE(has_tag(d, "家族相談")) << text << " " << tags_of(d);
    EXPECT_FALSE(has_tag(d, "本人相談")) << text << " " << tags_of(d);
  }
}

TEST(Writers, SupportWorkersAndThePersonThemself) {
  const auto agency = builtin().classify("ケアマネの佐藤です。80代のご夫婦と同居の息子さんのことでご相談です");
  EXPECT_EQ(agency.writer, "支援機関") << tags_of(agency);
  EXPECT_TRUE(has_tag(agency, "支援機関")) << tags_of(agency);
  EXPECT_FALSE(has_tag(agency, "家族相談")) << tags_of(agency);
  const auto self = builtin().classify("私はずっと家にいて、誰とも話していません");
  EXPECT_EQ(self.writer, "本人") << tags_of(self);
  EXPECT_TRUE(has_tag(self, "本人相談")) << tags_of(self);
  const auto info = builtin().classify("何時まで開いていますか");
  EXPECT_EQ(writer_tags(info), 0) << tags_of(info);
}

// Over every message of the development set: at most one who-is-writing tag, and it is the
// writer's.
TEST(Writers, NeverTwoWriterTagsAndTheTagIsTheWriters) {
  std::ifstream in(MADOGUCHI_SOURCE_DIR "/tests/fixtures/triage/devset.jsonl");
  std::string error;
  auto set = read_labelled(in, error);
  ASSERT_TRUE(set) << error;
  for (const auto& m : *set) {
    const auto d = builtin().classify(m.text);
    EXPECT_LE(writer_tags(d), 1) << m.id << " " << tags_of(d);
    const std::string_view expected = d.writer == "本人"     ? "本人相談"
                                      : d.writer == "家族"   ? "家族相談"
                                      : d.writer == "支援機関" ? "支援機関"
                                                               : "";
    if (expected.empty()) {
      EXPECT_EQ(writer_tags(d), 0) << m.id << " " << tags_of(d);
    } else {
      EXPECT_TRUE(has_tag(d, expected)) << m.id << " " << tags_of(d);
    }
  }
}

}  // namespace
}  // namespace madoguchi::triage

namespace madoguchi::triage {
namespace {

bool has_ascii_letter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

// What counselors read on the case: Japanese labels and the words as the message spells them —
// no rule ids, no lists of configured spelling variants.
TEST(Reasons, JapaneseLabelsAndTheWordsAsWritten) {
  for (const char* text : {"今夜、ビルの屋上から飛び降りるつもりです", "薬を全部飲んだ。もう終わりにしたい",
                           "父に毎日殴られています", "ロープを用意しました。今から死にます"}) {
    const auto d = builtin().classify(text);
    const auto shown = reasons_text(d);
    EXPECT_FALSE(has_ascii_letter(shown)) << text << "\n" << shown;
    for (const auto& r : d.reasons) {
      EXPECT_FALSE(r.label.empty()) << r.rule;
      for (const auto& w : r.words) EXPECT_NE(std::string_view(text).find(w), std::string_view::npos) << text << ": " << w;
    }
    std::size_t line_start = 0;  // at most kShownWords words on each line
    while (line_start < shown.size()) {
      const auto end = std::min(shown.find('\n', line_start), shown.size());
      const auto line = shown.substr(line_start, end - line_start);
      std::size_t commas = 0;
      for (std::size_t p = line.find("、"); p != std::string::npos; p = line.find("、", p + 1)) ++commas;
      EXPECT_LT(commas, kShownWords) << line;
      line_start = end + 1;
    }
  }
  EXPECT_NE(reasons_text(builtin().classify("今夜、ビルの屋上から飛び降りるつもりです")).find("飛び降り"), std::string::npos);
}

// A conversation keeps the first writer it was given: a later message that reads otherwise adds
// no second, contradicting who-is-writing tag (a counselor who knows better sets the writer).
TEST(Reasons, AConversationKeepsOneWriterTag) {
  auto [merged, added] = merge_tags(R"(["家族相談","8050"])", {"本人相談", "他害"});
  EXPECT_EQ(merged, R"(["家族相談","8050","他害"])");
  EXPECT_TRUE(added);
  auto [cleaned, none_added] = merge_tags(R"(["本人相談","家族相談"])", {"家族相談"});
  EXPECT_EQ(cleaned, R"(["本人相談"])");
  EXPECT_FALSE(none_added);
}

}  // namespace
}  // namespace madoguchi::triage
