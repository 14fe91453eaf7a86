// The Japanese mail corpus (tests/fixtures/email/make_corpus.py, encoded by Python's codecs
// and iconv): every mail's subject and text come out as a person wrote them.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/email/mail_reader.hpp"

namespace email = madoguchi::adapters::email;
namespace json = boost::json;

namespace {

const std::filesystem::path kCorpus = std::filesystem::path(MADOGUCHI_SOURCE_DIR) / "tests/fixtures/email/corpus";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Corpus : public ::testing::TestWithParam<std::string> {};

TEST_P(Corpus, DecodesAsWritten) {
  const auto name = GetParam();
  const auto raw = slurp(kCorpus / (name + ".eml"));
  const auto expected = json::parse(slurp(kCorpus / (name + ".json"))).as_object();
  const auto mail = email::read_mail(raw, email::MailLimits{}, "mx.town.example");

  if (expected.at("subject").is_string()) { EXPECT_EQ(mail.subject, expected.at("subject").as_string().c_str()); }
  if (auto* s = expected.if_contains("subject_contains")) {
    EXPECT_NE(mail.subject.find(s->as_string().c_str()), std::string::npos) << mail.subject;
  }
  if (auto* t = expected.if_contains("text")) { EXPECT_EQ(mail.text, t->as_string().c_str()); }
  if (auto* c = expected.if_contains("text_contains")) {
    for (const auto& part : c->as_array()) {
      EXPECT_NE(mail.text.find(part.as_string().c_str()), std::string::npos) << mail.text;
    }
  }
  EXPECT_EQ(mail.lossy, expected.contains("lossy") && expected.at("lossy").as_bool()) << mail.text;
  if (auto* a = expected.if_contains("automated")) { EXPECT_EQ(mail.automated, a->as_string().c_str()); }
  else EXPECT_EQ(mail.automated, "");
  if (auto* id = expected.if_contains("message_id")) { EXPECT_EQ(mail.message_id, id->as_string().c_str()); }
  else EXPECT_FALSE(mail.message_id.empty());
  if (auto* r = expected.if_contains("report")) {
    EXPECT_TRUE(mail.is_report);
    EXPECT_EQ(mail.report.original_message_id, r->at("original_message_id").as_string().c_str());
    EXPECT_EQ(mail.report.action, r->at("action").as_string().c_str());
    EXPECT_EQ(mail.report.status, r->at("status").as_string().c_str());
    EXPECT_NE(mail.report.diagnostic.find("Recipient address rejected"), std::string::npos);
  } else {
    EXPECT_FALSE(mail.is_report);
  }
  if (auto* v = expected.if_contains("verdict")) {
    EXPECT_EQ(mail.verdict.spf, v->at("spf").as_string().c_str());
    EXPECT_EQ(mail.verdict.dkim, v->at("dkim").as_string().c_str());
    EXPECT_EQ(mail.verdict.dmarc, v->at("dmarc").as_string().c_str());
    EXPECT_EQ(mail.verdict.verified(), v->at("verified").as_bool());
  }
  const auto* attachments = expected.if_contains("attachments");
  ASSERT_EQ(mail.attachments.size(), attachments ? attachments->as_array().size() : 0u);
  for (std::size_t i = 0; i < mail.attachments.size(); ++i) {
    const auto& want = attachments->as_array()[i].as_object();
    EXPECT_EQ(mail.attachments[i].filename, want.at("filename").as_string().c_str());
    EXPECT_EQ(mail.attachments[i].content_type, want.at("content_type").as_string().c_str());
    EXPECT_EQ(static_cast<std::int64_t>(mail.attachments[i].content.size()), want.at("bytes").as_int64());
  }
  const auto refused = expected.contains("attachments_refused") ? expected.at("attachments_refused").as_int64() : 0;
  EXPECT_EQ(mail.attachments_refused, refused);
}

std::vector<std::string> corpus_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(kCorpus))
    if (e.path().extension() == ".eml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Japanese, Corpus, ::testing::ValuesIn(corpus_names()),
                         [](const auto& info) { return info.param; });

TEST(CorpusSize, HoldsEveryEncoding) { EXPECT_GE(corpus_names().size(), 25u); }

}  // namespace
