// The built-in rules, one family at a time: means with time or place, acts and plans,
// violence now, ideation, self-harm, abuse, crises, questions about the service; and what
// must not count: idioms, slang, negation; third parties tagged; who is writing; age.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "gateway/triage/classifier.hpp"
#include "tests/unit/triage/builtin_classifier.hpp"

namespace madoguchi::triage {
namespace {

using testing::builtin;

int level(std::string_view text) { return builtin().classify(text).urgency; }

bool has_tag(const Decision& d, std::string_view tag) {
  return std::find(d.tags.begin(), d.tags.end(), tag) != d.tags.end();
}

TEST(Classifier, MeansWithTimeOrPlaceIsAnEmergency) {
  EXPECT_EQ(level("今から飛び降ります"), kEmergency);
  EXPECT_EQ(level("さっき薬を50錠飲んだ"), kEmergency);
  EXPECT_EQ(level("ロープを買ってきた"), kEmergency);
  EXPECT_EQ(level("いま屋上にいます"), kEmergency);
  auto d = builtin().classify("今夜、橋の上から飛び降りるつもりです");
  EXPECT_EQ(d.urgency, kEmergency);
  EXPECT_TRUE(has_tag(d, "希死念慮"));
  ASSERT_FALSE(d.reasons.empty());
  EXPECT_FALSE(d.reasons.front().words.empty());  // the reasons name the words
}

TEST(Classifier, ActsAndFarewellsAreEmergencies) {
  EXPECT_EQ(level("遺書を書いた"), kEmergency);
  EXPECT_EQ(level("ODした"), kEmergency);
  EXPECT_EQ(level("ＯＤしました"), kEmergency);
  EXPECT_EQ(level("もう全部終わりにします。今までありがとう"), kEmergency);
}

TEST(Classifier, ViolenceHappeningNowIsAnEmergency) {
  auto d = builtin().classify("父が包丁を持って母を脅している");
  EXPECT_EQ(d.urgency, kEmergency);
  EXPECT_TRUE(has_tag(d, "他害"));
  EXPECT_EQ(level("今殴られてる、助けて"), kEmergency);
}

TEST(Classifier, IdeationWithoutImmediacyIsHigh) {
  EXPECT_EQ(level("死にたい"), kHigh);
  EXPECT_EQ(level("消えたいと思うことが増えました"), kHigh);
  EXPECT_EQ(level("生きている意味がわからない"), kHigh);
}

TEST(Classifier, SelfHarmAbuseAndCrisesAreHighWithTheirTags) {
  auto harm = builtin().classify("またリスカしてしまった");
  EXPECT_EQ(harm.urgency, kHigh);
  EXPECT_TRUE(has_tag(harm, "自傷"));
  auto child = builtin().classify("隣の家から毎晩子どもの泣き声と怒鳴り声が聞こえます。虐待ではないかと心配です");
  EXPECT_EQ(child.urgency, kHigh);
  EXPECT_TRUE(has_tag(child, "児童虐待"));
  auto dv = builtin().classify("夫に殴られることがあります");
  EXPECT_TRUE(has_tag(dv, "DV"));
  auto care = builtin().classify("母が倒れた。ひきこもりの兄と二人でどうしたらいいか");
  EXPECT_EQ(care.urgency, kHigh);
  EXPECT_TRUE(has_tag(care, "8050"));
  auto money = builtin().classify("電気が止まって、食べるものがない");
  EXPECT_EQ(money.urgency, kHigh);
  EXPECT_TRUE(has_tag(money, "生活困窮"));
}

TEST(Classifier, QuestionsAboutTheServiceAreInformationUnlessThereIsAConcern) {
  EXPECT_EQ(level("何時まで開いていますか"), kInformation);
  EXPECT_EQ(level("予約は必要ですか"), kInformation);
  EXPECT_EQ(level("息子が10年ひきこもっています。予約は必要ですか"), kNormal);
  EXPECT_EQ(level("こんにちは"), kNormal);  // nothing matched: 通常, never dropped
}

TEST(Classifier, IdiomsAndSlangDoNotCount) {
  EXPECT_EQ(level("死ぬほど眠い"), kNormal);
  EXPECT_EQ(level("恥ずかしくて死にそう"), kNormal);
  EXPECT_EQ(level("今日は外に出たからタヒった"), kNormal);
  EXPECT_EQ(level("清水の舞台から飛び降りるつもりで息子と話してみます"), kNormal);
  // An idiom does not hide a real act later in the same message.
  EXPECT_EQ(level("死ぬほど眠い…って言いたいけど、ほんとに薬全部飲んだ"), kEmergency);
}

TEST(Classifier, EverydayWordsNearRiskWordsStayCalm) {
  EXPECT_NE(level("涙が止まりません"), kEmergency);
  EXPECT_EQ(level("猫が椅子の上に座っています"), kNormal);
  EXPECT_NE(level("歯ぐきから出血します"), kEmergency);
  EXPECT_EQ(level("今から心配です"), kNormal);           // 今から死… must be a whole word
  EXPECT_NE(level("利用できるのでしょうか"), kHigh);     // うできる is not 腕切る
  EXPECT_EQ(level("包丁を使って料理をしています"), kNormal);
  EXPECT_EQ(level("いま椅子の上にいる。梁にベルトをかけた"), kEmergency);  // but in context it is
}

TEST(Classifier, NegationCancelsOnlyTheNegatedWord) {
  EXPECT_EQ(level("死にたいとは思わないけど、毎日がつまらない"), kNormal);
  EXPECT_EQ(level("自殺なんて考えていません"), kNormal);
  EXPECT_EQ(level("死にたいとは思わない。でも今から飛び降りる"), kEmergency);
}

TEST(Classifier, ThirdPartiesAreTaggedAndKeepTheirUrgency) {
  auto d = builtin().classify("兄が首を吊ろうとしている");
  EXPECT_EQ(d.urgency, kEmergency);
  EXPECT_TRUE(has_tag(d, "第三者"));
  auto f = builtin().classify("友達が死にたいと言っていた");
  EXPECT_EQ(f.urgency, kHigh);
  EXPECT_TRUE(has_tag(f, "第三者"));
}

TEST(Classifier, LatinWordsMatchWholeWordsOnly) {
  EXPECT_EQ(level("good mood, food"), kNormal);  // "od" inside words is not an overdose
  EXPECT_EQ(level("od した"), kEmergency);
}

TEST(Classifier, EverySpellingVariantGetsTheSameDecision) {
  for (const char* v : {"しにたい", "死にたい", "ｼﾆﾀｲ", "シニタイ", "し に た い", "しにたーーい", "しにたぁい", "死にたい！！！"})
    EXPECT_EQ(level(v), kHigh) << v;
  for (const char* v : {"今から飛び降りる", "いまから飛び降りる", "今から　飛び降りる", "今から飛び降りる💦", "今から飛び降りる！！"})
    EXPECT_EQ(level(v), kEmergency) << v;
}

TEST(Classifier, WhoIsWritingAndTheAgeOfThePersonConcerned) {
  auto family = builtin().classify("70代の母です。45歳の息子が部屋から出てきません");
  EXPECT_EQ(family.writer, "家族");
  EXPECT_EQ(family.age, 45);
  auto agency = builtin().classify("民生委員です。担当地域の40代の方のことで");
  EXPECT_EQ(agency.writer, "支援機関");
  EXPECT_EQ(agency.age, 45);
  EXPECT_EQ(builtin().classify("私は高校生です。学校に行けていません").age, 17);
  EXPECT_EQ(builtin().classify("私はずっと家にいます").writer, "本人");
  EXPECT_FALSE(builtin().classify("相談したいです").age);
}

TEST(Classifier, HugeOrBrokenInputIsClassifiedWithoutError) {
  std::string big;
  while (big.size() < 200 * 1024) big += "息子のことで相談したいです。";
  EXPECT_EQ(level(big), kNormal);
  big += "今から飛び降りる";  // at the very end of a long email: still read
  EXPECT_EQ(level(big), kEmergency);
  EXPECT_EQ(level("\xff\xfe死にたい"), kHigh);
  EXPECT_EQ(level(""), kNormal);
}

}  // namespace
}  // namespace madoguchi::triage
