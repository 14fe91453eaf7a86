// LINE media content: how LINE's answers count for the media stage (pure), and the source
// against the fake LINE data API (a real HTTP client on 127.0.0.1): the Bearer token, the
// data host, and the size limit enforced while the body is read.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "adapters/line/line_media.hpp"
#include "gateway/core/errc.hpp"
#include "tests/fakes/fake_line_api.hpp"

namespace madoguchi::adapters::line {
namespace {

const char* kSpec = MADOGUCHI_SHARED_DIR "/specs/line-openapi/messaging-api.yml";

HttpExchange answer(unsigned status, std::string body = "", std::string content_type = "", std::string retry_after = "") {
  HttpExchange x;
  x.request_written = true;
  x.status = status;
  x.body = std::move(body);
  x.content_type = std::move(content_type);
  x.retry_after = std::move(retry_after);
  return x;
}

HttpExchange failure(errc e) {
  HttpExchange x;
  x.error = make_error_code(e);
  x.request_written = true;
  return x;
}

TEST(LineMedia, OkIsFetchedWithTheDeclaredTypeNormalized) {
  auto x = answer(200, std::string("\xff\xd8\xff\x00jpeg", 8), "Image/JPEG; charset=binary");
  auto r = classify_media_answer(x);
  EXPECT_EQ(r.kind, MediaKind::fetched);
  EXPECT_EQ(r.content_type, "image/jpeg");
  EXPECT_EQ(r.content, std::string("\xff\xd8\xff\x00jpeg", 8));
  auto untyped = answer(200, "x");
  EXPECT_EQ(classify_media_answer(untyped).content_type, "");
}

TEST(LineMedia, GoneContentIsPermanent) {
  for (unsigned s : {404u, 410u}) {
    auto x = answer(s, R"({"message":"Not found"})");
    auto r = classify_media_answer(x);
    EXPECT_EQ(r.kind, MediaKind::permanent) << s;
    EXPECT_EQ(r.code, "http_" + std::to_string(s));
    EXPECT_NE(r.reason_ja.find("保存期間"), std::string::npos) << r.reason_ja;
    EXPECT_TRUE(r.content.empty());
  }
}

TEST(LineMedia, ClientErrorsArePermanentWithJapaneseReasons) {
  for (unsigned s : {400u, 401u, 403u, 418u}) {
    auto x = answer(s);
    auto r = classify_media_answer(x);
    EXPECT_EQ(r.kind, MediaKind::permanent) << s;
    EXPECT_FALSE(r.reason_ja.empty());
  }
  auto x = answer(401);
  EXPECT_NE(classify_media_answer(x).reason_ja.find("アクセストークン"), std::string::npos);
}

TEST(LineMedia, ServerErrorsRateLimitsAndTransportFailuresAreRetriable) {
  for (unsigned s : {500u, 502u, 503u}) {
    auto x = answer(s);
    EXPECT_EQ(classify_media_answer(x).kind, MediaKind::retriable) << s;
  }
  auto limited = answer(429, "{}", "", "7");
  auto r = classify_media_answer(limited);
  EXPECT_EQ(r.kind, MediaKind::retriable);
  EXPECT_EQ(r.retry_after_ms, 7000);
  for (auto e : {errc::upstream_timeout, errc::upstream_connect_failed, errc::upstream_protocol}) {
    auto x = failure(e);
    EXPECT_EQ(classify_media_answer(x).kind, MediaKind::retriable);
  }
  auto t = failure(errc::upstream_timeout);
  EXPECT_EQ(classify_media_answer(t).code, "timeout");
}

TEST(LineMedia, BodyOverTheLimitIsTooLarge) {
  auto x = failure(errc::upstream_too_large);
  auto r = classify_media_answer(x);
  EXPECT_EQ(r.kind, MediaKind::too_large);
  EXPECT_TRUE(r.content.empty());
}

TEST(LineMedia, OnlyLineMessageIdsReachThePath) {
  EXPECT_EQ(content_target("354718705033693859"), "/v2/bot/message/354718705033693859/content");
  EXPECT_EQ(content_target(""), "");
  EXPECT_EQ(content_target("../quota"), "");
  EXPECT_EQ(content_target("12/content?x"), "");
  EXPECT_EQ(content_target("https://cdn.example/original.jpg"), "");
}

// Runs one fetch on its own io_context.
MediaResult fetch(testing::FakeLineApi& fake, const std::string& base, const std::string& token, const std::string& id,
                  std::size_t max_bytes) {
  boost::asio::io_context io;
  LineMediaSource source(Secret(std::string(token)),
                         std::make_unique<HttpClient>(io.get_executor(), HttpClientOptions{base, std::chrono::seconds(5)}),
                         std::chrono::seconds(5));
  MediaResult out;
  boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> { out = co_await source.fetch(id, max_bytes); },
                        boost::asio::detached);
  io.run();
  (void)fake;
  return out;
}

TEST(LineMediaSource, FetchesFromTheDataHostWithTheToken) {
  testing::FakeLineApi fake(kSpec, "media-token");
  const std::string bytes(300'000, '\x7f');
  fake.add_content("1001", "image/png", bytes);
  auto r = fetch(fake, fake.data_base_url(), "media-token", "1001", 1024 * 1024);
  ASSERT_EQ(r.kind, MediaKind::fetched) << r.code;
  EXPECT_EQ(r.content, bytes);
  EXPECT_EQ(r.content_type, "image/png");
  EXPECT_EQ(fake.content_requests("1001"), 1);
  EXPECT_TRUE(fake.problems().empty());
  for (const auto& req : fake.requests()) EXPECT_TRUE(req.data_host);

  auto wrong = fetch(fake, fake.data_base_url(), "other-token", "1001", 1024 * 1024);
  EXPECT_EQ(wrong.kind, MediaKind::permanent);
  EXPECT_EQ(wrong.code, "http_401");
  auto missing = fetch(fake, fake.data_base_url(), "media-token", "2002", 1024 * 1024);
  EXPECT_EQ(missing.kind, MediaKind::permanent);
  EXPECT_EQ(missing.code, "http_404");
}

TEST(LineMediaSource, TheLimitHoldsWhileReadingWithAndWithoutContentLength) {
  testing::FakeLineApi fake(kSpec, "media-token");
  fake.add_content("1", "image/jpeg", std::string(200'000, 'a'));
  fake.add_content("2", "image/jpeg", std::string(200'000, 'b'), /*chunked=*/true);
  fake.add_content("3", "image/jpeg", std::string(100'000, 'c'), /*chunked=*/true);
  EXPECT_EQ(fetch(fake, fake.data_base_url(), "media-token", "1", 100'000).kind, MediaKind::too_large);
  EXPECT_EQ(fetch(fake, fake.data_base_url(), "media-token", "2", 100'000).kind, MediaKind::too_large);
  auto exact = fetch(fake, fake.data_base_url(), "media-token", "3", 100'000);
  EXPECT_EQ(exact.kind, MediaKind::fetched);
  EXPECT_EQ(exact.content.size(), 100'000u);
}

TEST(LineMediaSource, ContentAskedOfTheMainHostIsASpecViolation) {
  testing::FakeLineApi fake(kSpec, "media-token");
  fake.add_content("1", "image/jpeg", "x");
  auto r = fetch(fake, fake.base_url(), "media-token", "1", 1000);
  EXPECT_NE(r.kind, MediaKind::fetched);
  ASSERT_EQ(fake.problems().size(), 1u);
  EXPECT_NE(fake.problems()[0].find("api-data.line.me"), std::string::npos) << fake.problems()[0];
}

}  // namespace
}  // namespace madoguchi::adapters::line
