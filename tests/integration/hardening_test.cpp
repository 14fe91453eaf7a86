// Issue 14 against the real binary: a signed webhook smuggled behind a framing the server
// must refuse is never stored; two signature headers are refused; login and the live
// socket refuse other origins and non-JSON logins; the start-up banner names the demo
// logins but never prints their password.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tests/fakes/line_webhooks.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

const char* kPassword = "hardening-password-2026";

// Sends `bytes` on a fresh connection and reads until the server closes (bounded).
std::string exchange_raw(std::uint16_t port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

class GatewayHardening : public ::testing::Test {
 protected:
  static HarnessOptions options() {
    HarnessOptions o;
    o.extra_toml = "[console]\n[[console.demo_users]]\nusername = \"soudan1\"\nrole = \"counselor\"\n"
                   "windows = [\"ひきこもり地域支援センター\"]\npassword = { env = \"MADOGUCHI_DEMO_PASSWORD\" }\n";
    o.extra_env = {std::string("MADOGUCHI_DEMO_PASSWORD=") + kPassword};
    return o;
  }
  void SetUp() override { gateway_ = h_.start(); }

  // A signed webhook request with one text event, as raw bytes; its event id in `id`.
  std::string signed_request(std::string& id, const std::string& extra_fields = "") {
    id = f_.next_event_id();
    const auto body = line_webhook_body({f_.text(id, f_.next_user_id(), "隠された相談", f_.next_message_id())});
    return "POST /webhooks/line/demo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "X-Line-Signature: " + line_signature(h_.channel_secret(), body) + "\r\n" + extra_fields +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  GatewayHarness h_{options()};
  LineEventFactory f_{1414};
  std::unique_ptr<GatewayProcess> gateway_;
};

TEST_F(GatewayHardening, ASignedWebhookSmuggledBehindRefusedFramingIsNeverStored) {
  const std::vector<std::string> framings = {
      "Transfer-Encoding: gzip\r\n", "Transfer-Encoding: identity\r\n", "Transfer-Encoding: x-chunked\r\n",
      "Transfer-Encoding: chunked, identity\r\n", "Transfer-Encoding: identity\r\nContent-Length: 0\r\n",
      "X-A: a\r\n Content-Length: 0\r\n"};
  std::vector<std::string> hidden_ids;
  for (const auto& framing : framings) {
    SCOPED_TRACE(framing);
    std::string id;
    const auto hidden = signed_request(id);
    hidden_ids.push_back(id);
    const auto answer = exchange_raw(gateway_->port(), "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + framing + "\r\n" + hidden);
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
    EXPECT_EQ(count_of(answer, "HTTP/1."), 1u) << answer;  // the hidden request got no answer
  }
  // HTTP/1.0 with Transfer-Encoding, and a missing or doubled Host.
  for (const std::string head : {"POST /webhooks/line/demo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                                 "GET /healthz HTTP/1.1\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"})
    EXPECT_EQ(exchange_raw(gateway_->port(), head).rfind("HTTP/1.1 400", 0), 0u) << head;
  const auto stored = h_.stored_external_ids();
  for (const auto& id : hidden_ids) EXPECT_FALSE(stored.contains(id)) << id;
  EXPECT_TRUE(stored.empty());
  // The same webhook sent plainly is stored: the refusals were for the framing, not the content.
  std::string id;
  EXPECT_EQ(exchange_raw(gateway_->port(), signed_request(id, "Connection: close\r\n")).rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_TRUE(h_.stored_external_ids().contains(id));
}

TEST_F(GatewayHardening, TwoSignatureHeadersAreRefusedWhicheverComesFirst) {
  for (bool right_first : {true, false}) {
    std::string id;
    auto request = signed_request(id);
    const auto wrong = std::string("X-Line-Signature: ") + std::string(44, 'A') + "\r\n";
    const auto at = request.find("X-Line-Signature:");
    request.insert(right_first ? request.find("\r\n", at) + 2 : at, wrong);
    EXPECT_EQ(exchange_raw(gateway_->port(), request).rfind("HTTP/1.1 400", 0), 0u) << right_first;
    EXPECT_FALSE(h_.stored_external_ids().contains(id));
  }
}

TEST_F(GatewayHardening, LoginAndTheLiveSocketRefuseOtherOriginsAndNonJson) {
  const auto own = "http://127.0.0.1:" + std::to_string(gateway_->port());
  const std::string body = std::string(R"({"username":"soudan1","password":")") + kPassword + R"("})";
  HttpClient client(gateway_->port());
  auto status = [&](const Headers& headers) {
    auto r = client.post("/api/login", body, headers);
    return r ? r->status : 0u;
  };
  EXPECT_EQ(status({{"Content-Type", "text/plain"}, {"Origin", own}}), 403u);
  EXPECT_EQ(status({{"Content-Type", "application/json"}}), 403u);  // no Origin: from no page of ours
  EXPECT_EQ(status({{"Content-Type", "application/json"}, {"Origin", "http://evil.example"}}), 403u);
  EXPECT_EQ(status({{"Content-Type", "application/json"}, {"Origin", "https://127.0.0.1:" + std::to_string(gateway_->port())}}), 403u);
  EXPECT_EQ(status({{"Content-Type", "application/json"}, {"Origin", own}}), 200u);
  // Host and Origin both the attacker's: no 101.
  const auto upgrade = exchange_raw(gateway_->port(),
      "GET /api/live HTTP/1.1\r\nHost: evil.example\r\nOrigin: http://evil.example\r\nConnection: Upgrade\r\n"
      "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  EXPECT_EQ(upgrade.rfind("HTTP/1.1 403", 0), 0u) << upgrade.substr(0, 200);
}

TEST_F(GatewayHardening, TheBannerNamesTheDemoLoginsButNotTheirPassword) {
  const auto& banner = gateway_->startup_stdout();
  EXPECT_NE(banner.find("soudan1"), std::string::npos) << banner;
  EXPECT_NE(banner.find("MADOGUCHI_DEMO_PASSWORD"), std::string::npos) << banner;
  EXPECT_EQ(banner.find(kPassword), std::string::npos) << banner;
  HttpClient client(gateway_->port());
  auto metrics = client.get("/metrics");  // from loopback: served
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200u);
}

}  // namespace
}  // namespace madoguchi::testing
