// The slices of issue 17, each with examples written for the project (none taken from a
// labelled set): a risk concept with a means, a time, a place or a farewell is 緊急, alone 高;
// whoever writes and however it is spelled; discounts never win over means-plus-now.
#include <gtest/gtest.h>

#include "gateway/triage/classifier.hpp"
#include "tests/unit/triage/builtin_classifier.hpp"

namespace madoguchi::triage {
namespace {

using testing::builtin;

int level(std::string_view text) { return builtin().classify(text).urgency; }

TEST(Concepts, RiskWithMeansOrNowIsAnEmergencyAloneHigh) {
  EXPECT_EQ(level("死にたい。さっき薬局で睡眠薬を買ってきた"), kEmergency);
  EXPECT_EQ(level("今夜で全部終わりにする"), kEmergency);
  EXPECT_EQ(level("死にたいと思う日が続いています"), kHigh);
}

TEST(Concepts, MeansWithTheActDoneOrUnderWay) {
  EXPECT_EQ(level("ガソリンを頭からかぶった"), kEmergency);
  EXPECT_EQ(level("風邪薬を3箱まとめて飲んだ"), kEmergency);
  EXPECT_EQ(level("包丁を首に当てている"), kEmergency);
  EXPECT_EQ(level("玄関のドアノブにベルトをかけた"), kEmergency);
}

TEST(Concepts, BeingAtAHeightOrAnEdge) {
  EXPECT_EQ(level("団地の屋上にいます"), kEmergency);
  EXPECT_EQ(level("ベランダの手すりに座ってる"), kEmergency);
  EXPECT_EQ(level("ホームの端に立っています"), kEmergency);
}

TEST(Concepts, FarewellsAndLastActsWithoutARiskWord) {
  EXPECT_EQ(level("大切にしていたものは全部弟にあげた。今日でおしまい"), kEmergency);
  EXPECT_EQ(level("いままでありがとう。もう連絡しません"), kEmergency);
  EXPECT_EQ(level("今までありがとうございました。来月から就職します"), kNormal);  // a thank-you, not a farewell
}

TEST(Concepts, ViolenceToOthersAndAssaultNow) {
  EXPECT_EQ(level("母親を殺そうと思う"), kEmergency);
  EXPECT_EQ(level("兄に今殴られてる、トイレに鍵かけて隠れてる"), kEmergency);
  EXPECT_EQ(level("父に毎日殴られています"), kHigh);  // habitual: serious, not now
}

TEST(Concepts, MedicalCollapseReportedByFamilyOrAgency) {
  EXPECT_EQ(level("祖父が倒れていて呼んでも反応がない"), kEmergency);
  EXPECT_EQ(level("訪問看護です。利用者さんが浴槽で沈んでいて意識がありません"), kEmergency);
}

TEST(Concepts, RomajiEnglishMaskedSpacedAndEmoji) {
  EXPECT_EQ(level("ima kara shinu"), kEmergency);
  EXPECT_EQ(level("I'm going to kill myself now"), kEmergency);
  EXPECT_EQ(level("今夜、じ○つします"), kEmergency);
  EXPECT_EQ(level("く す り 全 部 の ん だ"), kEmergency);
  EXPECT_EQ(level("💊全部のんだ"), kEmergency);
  EXPECT_EQ(level("死〇たい"), kHigh);
}

TEST(Concepts, SlangDialectAndTypos) {
  EXPECT_EQ(level("もうあかん、薬ぜんぶ飲んでしもた"), kEmergency);
  EXPECT_EQ(level("親父に殴られよる、今も"), kEmergency);
  EXPECT_EQ(level("タヒにたい"), kHigh);
}

TEST(Concepts, TheMostUrgentSentenceDecidesWhereverItStands) {
  EXPECT_EQ(level("いつもお世話になっております。母の件でご相談です。先月から通院しています。"
                  "実はさきほど母が薬を全部飲んでしまいました。どうすればよいでしょうか。"),
            kEmergency);
  EXPECT_EQ(level("次の面談は何時からですか？あと、今ベランダの柵の外にいます"), kEmergency);
  // 今 in one sentence and a risk word far away in another do not combine.
  EXPECT_NE(level("今日は相談に行けませんでした。包丁を研いで料理をしました。"), kEmergency);
}

TEST(Concepts, DiscountsStayButNeverWinOverMeansPlusNow) {
  EXPECT_EQ(level("死ぬほど疲れた"), kNormal);
  EXPECT_EQ(level("映画で主人公が橋から飛び降りてた"), kNormal);
  EXPECT_EQ(level("自殺とか考えてないよ"), kNormal);
  EXPECT_EQ(level("5年前に自殺未遂をしました。今は落ち着いています"), kNormal);
  EXPECT_EQ(level("ドラマみたいだけど、今から灯油をかぶる"), kEmergency);
}

TEST(Concepts, ReasonsNameTheConceptRule) {
  const auto d = builtin().classify("灯油かぶった、ライターもある");
  ASSERT_EQ(d.urgency, kEmergency);
  bool concept_rule = false;
  for (const auto& r : d.reasons) concept_rule = concept_rule || r.rule == "means_act";
  EXPECT_TRUE(concept_rule);
}

}  // namespace
}  // namespace madoguchi::triage
