// The LMTP listener against a recording sink, spoken to over real sockets as Postfix would:
// pipelined commands, per-recipient answers after DATA, 250 only after the sink committed.
#include "adapters/email/lmtp_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <deque>
#include <filesystem>
#include <set>
#include <mutex>

#include "adapters/email/mail_intake.hpp"
#include "gateway/core/log.hpp"

namespace madoguchi::adapters::email {
namespace {
namespace asio = boost::asio;

struct Submitted {
  std::string account;
  std::vector<NormalizedMessage> messages;
};

class RecordingSink final : public MessageSink {
 public:
  void submit(const std::string&, const std::string& account, std::vector<NormalizedMessage> messages,
              std::function<void(result<IntakeOutcome>)> done) override {
    std::lock_guard lock(mutex);
    if (busy) {
      done(errc::store_busy);
      return;
    }
    IntakeOutcome o;
    for (const auto& m : messages) (seen.insert(m.external_id).second ? o.stored : o.duplicates)++;
    got.push_back({account, std::move(messages)});
    done(o);
  }
  std::vector<Submitted> received() {
    std::lock_guard lock(mutex);
    return got;
  }
  std::mutex mutex;
  bool busy = false;
  std::vector<Submitted> got;
  std::set<std::string> seen;
};

EmailSettings settings(std::string address, int per_hour = 30) {
  EmailSettings s;
  s.address = std::move(address);
  s.thread_secret = Secret(std::string_view("0123456789abcdef0123456789abcdef"));
  s.authserv_id = "mx.town.example";
  s.max_message_bytes = 64 * 1024;
  s.sender_mails_per_hour = per_hour;
  return s;
}

// A client that writes what the test says and reads whole replies (the last line of a reply
// has a space after its code).
class Client {
 public:
  explicit Client(unsigned short port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    greeting = read_replies(1).front();
  }
  void send(const std::string& text) { asio::write(socket_, asio::buffer(text)); }
  std::vector<std::string> read_replies(int count) {
    std::vector<std::string> out;
    while (static_cast<int>(out.size()) < count) {
      std::string reply;
      while (true) {
        const auto n = asio::read_until(socket_, asio::dynamic_buffer(buffer_), "\r\n");
        std::string line = buffer_.substr(0, n - 2);
        buffer_.erase(0, n);
        reply += line + "\n";
        if (line.size() < 4 || line[3] == ' ') break;
      }
      out.push_back(reply);
    }
    return out;
  }
  std::vector<std::string> say(const std::string& text, int replies = 1) {
    send(text);
    return read_replies(replies);
  }
  std::string greeting;

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  std::string buffer_;
};

const char* kMail =
    "From: =?UTF-8?B?5bGx55Sw?= <Haha@Example.JP>\r\n"
    "To: soudan@town.example\r\n"
    "Subject: =?ISO-2022-JP?B?GyRCQWpDTBsoQg==?=\r\n"
    "Message-ID: <first.1@example.jp>\r\n"
    "Authentication-Results: mx.town.example; spf=pass smtp.mailfrom=example.jp; dkim=pass header.d=example.jp\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "息子のことで相談です。\r\n"
    "..二行目は点で始まります\r\n"
    ".\r\n";

class LmtpServerTest : public ::testing::Test {
 protected:
  void start(const std::vector<std::string>& addresses, int per_hour = 30, LmtpLimits limits = {}) {
    for (const auto& a : addresses) settings_.push_back(settings(a, per_hour));
    std::vector<LmtpAccount> list;
    for (std::size_t i = 0; i < settings_.size(); ++i) list.push_back({"mail" + std::to_string(i + 1), &settings_[i]});
    server_ = std::make_unique<LmtpServer>("127.0.0.1:0", std::move(list), sink_, log_, limits);
    server_->start();
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  std::deque<EmailSettings> settings_;
  RecordingSink sink_;
  Log log_{LogLevel::error};
  std::unique_ptr<LmtpServer> server_;
};

TEST_F(LmtpServerTest, APipelinedDeliveryIsAnswered250OnlyAfterTheSinkStoredIt) {
  start({"soudan@town.example"});
  Client c(server_->port());
  EXPECT_EQ(c.greeting.substr(0, 4), "220 ");
  const auto lhlo = c.say("LHLO mx.town.example\r\n").front();
  EXPECT_NE(lhlo.find("PIPELINING"), std::string::npos);
  EXPECT_NE(lhlo.find("SIZE 65536"), std::string::npos);
  // Postfix sends MAIL, RCPT and DATA in one write when the server offers PIPELINING.
  const auto r = c.say("MAIL FROM:<haha@example.jp> SIZE=900\r\nRCPT TO:<Soudan@Town.Example>\r\nDATA\r\n", 3);
  EXPECT_EQ(r[0].substr(0, 3), "250");
  EXPECT_EQ(r[1].substr(0, 3), "250");
  EXPECT_EQ(r[2].substr(0, 3), "354");
  EXPECT_EQ(c.say(kMail).front().substr(0, 9), "250 2.0.0");
  const auto got = sink_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].account, "mail1");
  ASSERT_EQ(got[0].messages.size(), 1u);
  const auto& m = got[0].messages[0];
  EXPECT_EQ(m.channel, "email");
  EXPECT_EQ(m.external_id, "mid:first.1@example.jp");
  EXPECT_TRUE(m.external_id_private);
  EXPECT_EQ(m.subject, "相談");
  EXPECT_EQ(m.text, "息子のことで相談です。\n.二行目は点で始まります");  // dot-unstuffed
  EXPECT_EQ(m.sender_id, "haha@example.jp");
  const Secret secret(std::string_view("0123456789abcdef0123456789abcdef"));
  EXPECT_EQ(m.thread_id, thread_token(secret, "first.1@example.jp") + " haha@example.jp");
  EXPECT_NE(m.payload_json.find("\"verified\":true"), std::string::npos);
  EXPECT_FALSE(m.no_auto_reply);
  EXPECT_EQ(c.say("QUIT\r\n").front().substr(0, 3), "221");
}

TEST_F(LmtpServerTest, TheSameMailDeliveredTwiceIsStoredOnceAndAnswered250BothTimes) {
  start({"soudan@town.example"});
  for (int i = 0; i < 2; ++i) {
    Client c(server_->port());
    c.say("LHLO mx\r\n");
    c.say("MAIL FROM:<haha@example.jp>\r\nRCPT TO:<soudan@town.example>\r\nDATA\r\n", 3);
    EXPECT_EQ(c.say(kMail).front().substr(0, 3), "250") << i;
  }
  EXPECT_EQ(sink_.seen.size(), 1u);
  EXPECT_EQ(sink_.received().size(), 2u);  // both handed over; the store keeps one
}

TEST_F(LmtpServerTest, AnUnknownAddressIsRefusedAtRcptAndDataWithoutRecipientsIsABadSequence) {
  start({"soudan@town.example"});
  Client c(server_->port());
  c.say("LHLO mx\r\n");
  const auto r = c.say("MAIL FROM:<a@example.jp>\r\nRCPT TO:<someone@town.example>\r\nRCPT TO:<soudan@other.example>\r\nDATA\r\n", 4);
  EXPECT_EQ(r[1].substr(0, 9), "550 5.1.1");
  EXPECT_EQ(r[2].substr(0, 9), "550 5.1.1");
  EXPECT_EQ(r[3].substr(0, 3), "503");
  EXPECT_TRUE(sink_.received().empty());
  EXPECT_EQ(c.say("RCPT TO:<x@y>\r\n").front().substr(0, 3), "550");  // still in the transaction
  EXPECT_EQ(c.say("RSET\r\nRCPT TO:<soudan@town.example>\r\n", 2)[1].substr(0, 3), "503");  // MAIL first
  EXPECT_EQ(c.say("HELO mx\r\n").front().substr(0, 3), "500");
}

TEST_F(LmtpServerTest, AStoreThatCannotCommitAnswers451SoTheMtaKeepsTheMail) {
  start({"soudan@town.example"});
  sink_.busy = true;
  Client c(server_->port());
  c.say("LHLO mx\r\n");
  c.say("MAIL FROM:<haha@example.jp>\r\nRCPT TO:<soudan@town.example>\r\nDATA\r\n", 3);
  EXPECT_EQ(c.say(kMail).front().substr(0, 9), "451 4.3.0");
  sink_.busy = false;
  c.say("MAIL FROM:<haha@example.jp>\r\nRCPT TO:<soudan@town.example>\r\nDATA\r\n", 3);
  EXPECT_EQ(c.say(kMail).front().substr(0, 9), "250 2.0.0");  // the retry is stored
  EXPECT_EQ(sink_.seen.size(), 1u);
}

TEST_F(LmtpServerTest, EveryRecipientGetsItsOwnAnswerAfterData) {
  start({"soudan@town.example", "kodomo@town.example"});
  Client c(server_->port());
  c.say("LHLO mx\r\n");
  c.say("MAIL FROM:<haha@example.jp>\r\nRCPT TO:<soudan@town.example>\r\nRCPT TO:<kodomo@town.example>\r\nDATA\r\n", 4);
  const auto r = c.say(kMail, 2);
  EXPECT_EQ(r[0].substr(0, 3), "250");
  EXPECT_EQ(r[1].substr(0, 3), "250");
  const auto got = sink_.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].account, "mail1");
  EXPECT_EQ(got[1].account, "mail2");
}

TEST_F(LmtpServerTest, OverTheSizeLimitIsRefused552AndNothingIsStored) {
  start({"soudan@town.example"});
  Client c(server_->port());
  c.say("LHLO mx\r\n");
  EXPECT_EQ(c.say("MAIL FROM:<a@example.jp> SIZE=9999999\r\n").front().substr(0, 9), "552 5.3.4");
  c.say("MAIL FROM:<a@example.jp>\r\nRCPT TO:<soudan@town.example>\r\nDATA\r\n", 3);
  std::string big = "Subject: big\r\nMessage-ID: <big@example.jp>\r\n\r\n";
  const std::string line = std::string(70, 'a') + "\r\n";
  for (int i = 0; i < 2000; ++i) big += line;
  EXPECT_EQ(c.say(big + ".\r\n").front().substr(0, 9), "552 5.3.4");
  EXPECT_TRUE(sink_.received().empty());
  // The session goes on: the next, smaller mail is stored.
  c.say("MAIL FROM:<haha@example.jp>\r\nRCPT TO:<soudan@town.example>\r\nDATA\r\n", 3);
  EXPECT_EQ(c.say(kMail).front().substr(0, 3), "250");
}

TEST_F(LmtpServerTest, TooManyHeaderFieldsAreRefused552) {
  LmtpLimits limits;
  limits.max_header_fields = 50;
  start({"soudan@town.example"}, 30, limits);
  Client c(server_->port());
  c.say("LHLO mx\r\n");
  c.say("MAIL FROM:<a@example.jp>\r\nRCPT TO:<soudan@town.example>\r\nDATA\r\n", 3);
  std::string mail;
  for (int i = 0; i < 60; ++i) mail += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(c.say(mail + "\r\nbody\r\n.\r\n").front().substr(0, 9), "552 5.3.4");
  EXPECT_TRUE(sink_.received().empty());
}

TEST_F(LmtpServerTest, AnOverLongCommandLineClosesTheSessionWith500) {
  start({"soudan@town.example"});
  Client c(server_->port());
  EXPECT_EQ(c.say("NOOP " + std::string(10000, 'x') + "\r\n").front().substr(0, 3), "500");
}

TEST_F(LmtpServerTest, TheReplyTokenInThePlusAddressPutsTheMailIntoItsConversation) {
  start({"soudan@town.example"});
  const std::string token = "0123456789abcdef0123";
  Client c(server_->port());
  c.say("LHLO mx\r\n");
  c.say("MAIL FROM:<haha@example.jp>\r\nRCPT TO:<soudan+" + token + "@town.example>\r\nDATA\r\n", 3);
  ASSERT_EQ(c.say(kMail).front().substr(0, 3), "250");
  // A plus part that is not one of our tokens is ignored (the mail starts its own thread).
  c.say("MAIL FROM:<haha@example.jp>\r\nRCPT TO:<soudan+guess@town.example>\r\nDATA\r\n", 3);
  std::string other = kMail;
  other.replace(other.find("first.1"), 7, "other.2");
  ASSERT_EQ(c.say(other).front().substr(0, 3), "250");
  const auto got = sink_.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].messages[0].thread_id, token + " haha@example.jp");
  EXPECT_EQ(got[1].messages[0].thread_id.substr(0, 20),
            thread_token(Secret(std::string_view("0123456789abcdef0123456789abcdef")), "other.2@example.jp"));
}

TEST_F(LmtpServerTest, ASenderOverItsHourlyAllowanceIsDeferred451) {
  start({"soudan@town.example"}, 2);
  Client c(server_->port());
  c.say("LHLO mx\r\n");
  for (int i = 0; i < 3; ++i) {
    c.say("MAIL FROM:<haha@example.jp>\r\nRCPT TO:<soudan@town.example>\r\nDATA\r\n", 3);
    std::string mail = kMail;
    mail.replace(mail.find("first.1"), 7, "mail." + std::to_string(i));
    const auto answer = c.say(mail).front();
    if (i < 2) EXPECT_EQ(answer.substr(0, 3), "250") << i;
    else EXPECT_EQ(answer.substr(0, 9), "451 4.7.1");
  }
  EXPECT_EQ(sink_.seen.size(), 2u);
}

TEST(LmtpUnixSocket, PostfixCanDeliverOverAUnixSocket) {
  RecordingSink sink;
  Log log(LogLevel::error);
  auto s = settings("soudan@town.example");
  const auto path = std::filesystem::temp_directory_path() / ("madoguchi-lmtp-" + std::to_string(::getpid()) + ".sock");
  LmtpServer server("unix:" + path.string(), {{"mail1", &s}}, sink, log);
  server.start();
  EXPECT_EQ(server.endpoint(), "lmtp:unix:" + path.string());
  asio::io_context io;
  asio::local::stream_protocol::socket socket(io);
  socket.connect(asio::local::stream_protocol::endpoint(path.string()));
  std::string buffer;
  asio::read_until(socket, asio::dynamic_buffer(buffer), "\r\n");
  EXPECT_EQ(buffer.substr(0, 3), "220");
  socket.close();
  server.stop();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace madoguchi::adapters::email
