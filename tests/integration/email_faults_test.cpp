// Email intake faults through a real Postfix (issue 13): the gateway SIGKILLed while Postfix
// is delivering, and a store that cannot commit. Postfix keeps every mail it was not
// answered 250 for and delivers it again; a mail that was committed before its 250 got lost
// is recognised by its Message-ID. Every mail ends up stored exactly once, sealed.
#include <gtest/gtest.h>
#include <iconv.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/fakes/postfix_instance.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/fakes/wait.hpp"
#include "tests/integration/email_support.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string iso_2022_jp(const std::string& utf8) {
  iconv_t cd = ::iconv_open("ISO-2022-JP", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("no ISO-2022-JP converter");
  std::string in = utf8, out(utf8.size() * 4 + 16, '\0');
  char* src = in.data();
  char* dst = out.data();
  std::size_t src_left = in.size(), dst_left = out.size();
  const bool ok = ::iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<std::size_t>(-1) &&
                  ::iconv(cd, nullptr, nullptr, &dst, &dst_left) != static_cast<std::size_t>(-1);  // back to ASCII
  ::iconv_close(cd);
  if (!ok) throw std::runtime_error("not convertible to ISO-2022-JP: " + utf8);
  out.resize(out.size() - dst_left);
  return out;
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Resident n's mail from an old carrier phone: their own address and Message-ID, their own
// words, ISO-2022-JP body and encoded-word subject.
struct Mail {
  std::string from, message_id, subject, text, raw;
};

Mail resident_mail(int n) {
  Mail m;
  m.from = "kazoku" + std::to_string(n) + "@example.jp";
  m.message_id = "fault" + std::to_string(n) + ".20261204@example.jp";
  m.subject = "息子のこと（" + std::to_string(n) + "）";
  m.text = "相談" + std::to_string(n) + "件目です。夜になっても部屋から出てきません。";
  m.raw = "From: " + m.from + "\r\n"
          "To: soudan@town.example\r\n"
          "Subject: =?ISO-2022-JP?B?" + base64(iso_2022_jp(m.subject)) + "?=\r\n"
          "Message-ID: <" + m.message_id + ">\r\n"
          "Date: Fri, 04 Dec 2026 22:" + (n < 10 ? "0" : "") + std::to_string(n % 60) + ":00 +0900\r\n"
          "MIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
          "Content-Transfer-Encoding: 7bit\r\n"
          "\r\n" + iso_2022_jp(m.text) + "\r\n";
  return m;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Mails (not delivery reports) stored for the email channel, by the test's own connection.
std::int64_t stored_mails(const GatewayHarness& h) {
  SqliteProbe db(h.database());
  return db.scalar("SELECT count(*) FROM messages WHERE channel = 'email' AND event_type = 'message'");
}

// The gateway's `lmtp_delivered` log lines: how many of the mails it answered 250 for were
// already stored (a redelivery of a mail whose 250 never reached Postfix).
struct DeliveredLog {
  int answered = 0;
  int duplicates = 0;
};

DeliveredLog delivered_log(const GatewayHarness& h) {
  DeliveredLog out;
  std::istringstream lines(read_file(h.stderr_log()));
  for (std::string line; std::getline(lines, line);) {
    boost::system::error_code ec;
    auto value = boost::json::parse(line, ec);  // a SIGKILL may cut the last line short
    if (ec || !value.is_object()) continue;
    const auto& o = value.as_object();
    const auto* event = o.if_contains("event");
    if (!event || !event->is_string() || event->as_string() != "lmtp_delivered") continue;
    ++out.answered;
    if (const auto* d = o.if_contains("duplicates"); d && d->is_int64()) out.duplicates += static_cast<int>(d->as_int64());
  }
  return out;
}

// postqueue -f until Postfix's queue is empty (a mail tried while the gateway was still
// starting is deferred again); false when it is not empty after `limit`.
bool flush_until_empty(const PostfixInstance& postfix, std::chrono::seconds limit) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    postfix.flush();
    for (int i = 0; i < 30; ++i) {
      if (postfix.queued() == 0) return true;
      std::this_thread::sleep_for(100ms);
    }
  }
  return postfix.queued() == 0;
}

// Deliveries whose LMTP session was cut after Postfix sent the final dot: Postfix never
// heard the answer and delivers again ("message may be sent more than once"). Only the
// lmtp agent's own lines: qmgr's "delivery temporarily suspended" repeats the reason.
int lost_answer_count(const PostfixInstance& postfix) {
  std::istringstream lines(postfix.maillog());
  int n = 0;
  for (std::string line; std::getline(lines, line);)
    n += contains(line, "postfix/lmtp[") && contains(line, "status=deferred") && contains(line, "while sending end of data");
  return n;
}

// Postfix delivers what it kept: the mail is sent, stored once, and the gateway answered 250
// `answered` times, `duplicates` of them for a mail it already had.
void expect_flushed_and_stored_once(const PostfixInstance& postfix, const GatewayHarness& h, int answered,
                                    int duplicates) {
  postfix.flush();
  ASSERT_TRUE(postfix.wait_for_log("status=sent (250 2.0.0")) << postfix.maillog();
  EXPECT_EQ(postfix.queued(), 0);
  EXPECT_EQ(stored_mails(h), 1);
  EXPECT_EQ(h.stored_external_ids().size(), 1u);
  const auto log = delivered_log(h);
  EXPECT_EQ(log.answered, answered);
  EXPECT_EQ(log.duplicates, duplicates);
  EXPECT_EQ(stats_events(h.stats(), "email")["message/text"], 1);
}

std::string store_files(const GatewayHarness& h) {
  return read_file(h.database()) + read_file(h.database().string() + "-wal");
}

class EmailFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "Postfix's master must run as root";
    lmtp_port_ = free_local_port();
  }
  std::string lmtp_target() const { return "inet:127.0.0.1:" + std::to_string(lmtp_port_); }
  std::uint16_t lmtp_port_ = 0;
};

TEST_F(EmailFaults, GatewaySigkilledDuringDeliveriesStoresEveryMailExactlyOnce) {
  constexpr int kMails = 40;
  constexpr int kBacklog = 24;  // queued in Postfix while nobody listens: delivered in a burst
  constexpr int kKillAt = 10;   // stored mails when the gateway is killed: inside the burst
  constexpr int kSenders = 4;   // swaks clients at once
  GatewayHarness h(email_intake_options(lmtp_port_));
  { auto first = h.start(); ASSERT_TRUE(stopped_cleanly(*first)); }  // the store exists, nobody listens
  PostfixInstance postfix("town.example", lmtp_target());

  std::vector<Mail> mails;
  for (int n = 1; n <= kMails; ++n) mails.push_back(resident_mail(n));
  std::atomic<int> next{0}, accepted{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  auto send_until = [&](int last) {
    for (int i; (i = next++) < last;) {
      auto reply = postfix.send(mails[i].from, "soudan@town.example", mails[i].raw);
      if (reply == "250") {
        ++accepted;
      } else {
        std::lock_guard lock(failures_mutex);
        failures.push_back(mails[i].message_id + ": " + reply);
      }
    }
  };
  auto send_in_parallel = [&](int last) {
    std::vector<std::thread> senders;
    for (int t = 0; t < kSenders; ++t) senders.emplace_back(send_until, last);
    return senders;
  };
  for (auto& s : send_in_parallel(kBacklog)) s.join();
  ASSERT_TRUE(failures.empty()) << failures.front();
  ASSERT_TRUE(postfix.wait_for_log("status=deferred", kBacklog)) << postfix.maillog();
  next = kBacklog;

  // The gateway comes up, Postfix delivers its backlog over several LMTP sessions while swaks
  // sends the rest; SIGKILL once some, but not all, are stored.
  const auto started = Clock::now();
  auto gateway = h.start();
  auto senders = send_in_parallel(kMails);
  postfix.flush();
  std::int64_t seen = 0;
  while (Clock::now() - started < 120s && (seen = stored_mails(h)) < kKillAt) std::this_thread::sleep_for(2ms);
  const int accepted_at_kill = accepted.load();
  gateway->kill();
  const auto stored_at_kill = stored_mails(h);
  for (auto& s : senders) s.join();
  ASSERT_TRUE(failures.empty()) << failures.front();
  ASSERT_EQ(accepted.load(), kMails);
  ASSERT_GE(stored_at_kill, 1) << "killed before any delivery (" << seen << " seen)\n" << postfix.maillog();
  ASSERT_LT(stored_at_kill, kMails) << "killed after every mail was stored: not during the deliveries";
  // Nothing was lost: what is not stored is still in Postfix's queue (and also what was
  // stored but whose 250 never reached Postfix).
  EXPECT_GE(postfix.queued(), kMails - stored_at_kill);
  const int sent_before_kill = postfix.log_count("status=sent (250 2.0.0");
  EXPECT_LE(sent_before_kill, stored_at_kill);

  // The same data directory, the same LMTP port; Postfix delivers what it kept.
  auto restarted = h.start();
  EXPECT_TRUE(contains(restarted->startup_stdout(), "listening on lmtp:" + lmtp_target())) << restarted->startup_stdout();
  ASSERT_TRUE(flush_until_empty(postfix, 120s)) << postfix.queued() << " mails still queued\n" << postfix.maillog();
  const auto finished = Clock::now();

  // Postfix was answered 250 once per mail, and each mail is stored once: 40 rows, 40
  // distinct de-duplication keys, 40 residents in 40 conversations, 40 triage jobs.
  EXPECT_EQ(postfix.log_count("status=sent (250 2.0.0"), kMails) << postfix.maillog();
  EXPECT_EQ(stored_mails(h), kMails);
  const auto ids = h.stored_external_ids();
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kMails));
  for (const auto& [id, rows] : ids) {
    EXPECT_EQ(rows, 1) << id;
    EXPECT_EQ(id.substr(0, 4), "ref:");  // keyed, not the Message-ID
  }
  {
    SqliteProbe db(h.database());
    EXPECT_EQ(db.scalar("SELECT count(DISTINCT external_id) FROM messages WHERE channel = 'email'"), kMails);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM conversations"), kMails);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM contacts"), kMails);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM jobs WHERE kind = 'triage'"), kMails);
    EXPECT_EQ(db.rows("PRAGMA integrity_check"), (std::vector<std::vector<std::string>>{{"ok"}}));
  }
  const auto stats = h.stats();
  EXPECT_EQ(stats_events(stats, "email")["message/text"], kMails);

  // A mail committed whose 250 was lost came again and was answered 250 as a duplicate: only
  // ever for a delivery Postfix did not hear the answer to.
  const int lost_answers = lost_answer_count(postfix);
  const auto log = delivered_log(h);
  std::int64_t refused = 0;
  {
    SqliteProbe db(h.database());  // counted in the transaction that recognised the redelivery
    refused = db.scalar("SELECT coalesce(sum(value), 0) FROM counters WHERE name = 'duplicates_refused'");
  }
  EXPECT_EQ(refused, log.duplicates);
  EXPECT_LE(refused, lost_answers) << postfix.maillog();
  std::cout << "[ kill ] stored at SIGKILL: " << stored_at_kill << "/" << kMails << " (" << accepted_at_kill
            << " accepted by Postfix by then); answers Postfix lost after the final dot: " << lost_answers
            << "; redeliveries de-duplicated: " << refused << "; all stored "
            << std::chrono::duration_cast<std::chrono::milliseconds>(finished - started).count() << " ms after the gateway first came up\n";
  RecordProperty("stored_at_kill", static_cast<int>(stored_at_kill));
  RecordProperty("lost_answers", lost_answers);
  RecordProperty("deduplicated", static_cast<int>(refused));

  ASSERT_TRUE(stopped_cleanly(*restarted)) << read_file(h.stderr_log());
  // Nothing of the mails in clear in the store's files: addresses, Message-IDs, words.
  const auto files = store_files(h);
  EXPECT_FALSE(files.empty());
  for (const auto& m : mails)
    for (const auto& clear : {m.from, m.message_id, m.text, m.subject, iso_2022_jp(m.text)})
      EXPECT_FALSE(contains(files, clear)) << clear;
  EXPECT_FALSE(contains(files, "部屋から出てきません"));
  EXPECT_FALSE(contains(read_file(h.stderr_log()), "@example.jp"));
}

TEST_F(EmailFaults, LockedStoreAnswers451AndTheMailIsStoredOnceAfterTheLockIsGone) {
  // A short busy timeout: the commit gives up while the test holds the lock.
  GatewayHarness h(email_intake_options(lmtp_port_, /*busy_timeout_ms=*/300));
  auto gateway = h.start();
  PostfixInstance postfix("town.example", lmtp_target());
  const auto m = resident_mail(1);
  {
    // The test's own connection holds the write lock, far longer than the gateway waits.
    SqliteProbe lock(h.database(), /*read_only=*/false);
    ASSERT_EQ(lock.exec("BEGIN EXCLUSIVE"), SQLITE_OK) << lock.last_error();
    ASSERT_EQ(postfix.send(m.from, "soudan@town.example", m.raw), "250");
    ASSERT_TRUE(postfix.wait_for_log("status=deferred")) << postfix.maillog();
    const auto log = postfix.maillog();
    EXPECT_TRUE(contains(log, "said: 451 4.3.0 cannot store the mail now")) << log;
    EXPECT_TRUE(contains(log, "in reply to end of DATA command")) << log;
    EXPECT_FALSE(contains(log, "status=sent")) << log;
    EXPECT_EQ(lock.scalar("SELECT count(*) FROM messages"), 0);
    ASSERT_EQ(lock.exec("ROLLBACK"), SQLITE_OK) << lock.last_error();
  }
  EXPECT_TRUE(contains(read_file(h.stderr_log()), "\"lmtp_store_unavailable\""));
  EXPECT_EQ(postfix.queued(), 1);
  EXPECT_EQ(h.message_rows(), 0);

  // The lock is gone: Postfix's retry is stored, once.
  ASSERT_NO_FATAL_FAILURE(expect_flushed_and_stored_once(postfix, h, /*answered=*/1, /*duplicates=*/0));
  ASSERT_TRUE(stopped_cleanly(*gateway)) << read_file(h.stderr_log());
  const auto files = store_files(h);
  for (const auto& clear : {m.from, m.message_id, m.text}) EXPECT_FALSE(contains(files, clear)) << clear;
}

// The lost 250 made deterministic: Postfix stops waiting for the answer (a short
// lmtp_data_done_timeout) while the test holds the store's lock; once the lock is gone the
// gateway commits the mail and answers into a closed connection. Postfix delivers it again:
// answered 250, recognised as the same mail, still stored once.
TEST_F(EmailFaults, AMailWhose250PostfixNeverHeardIsStoredOnceWhenDeliveredAgain) {
  GatewayHarness h(email_intake_options(lmtp_port_, /*busy_timeout_ms=*/30000));
  auto gateway = h.start();
  PostfixInstance postfix("town.example", lmtp_target(), "lmtp_data_done_timeout = 2s\n");
  const auto m = resident_mail(2);
  {
    SqliteProbe lock(h.database(), /*read_only=*/false);
    ASSERT_EQ(lock.exec("BEGIN EXCLUSIVE"), SQLITE_OK) << lock.last_error();
    ASSERT_EQ(postfix.send(m.from, "soudan@town.example", m.raw), "250");
    ASSERT_TRUE(postfix.wait_for_log("status=deferred")) << postfix.maillog();
    EXPECT_TRUE(contains(postfix.maillog(), "may be sent more than once")) << postfix.maillog();
    ASSERT_EQ(lock.exec("ROLLBACK"), SQLITE_OK) << lock.last_error();
  }
  // The gateway's commit goes through now; its 250 reaches nobody.
  wait_until([&] { return stored_mails(h) != 0; }, 20000);
  ASSERT_EQ(stored_mails(h), 1);
  EXPECT_EQ(postfix.queued(), 1);

  ASSERT_NO_FATAL_FAILURE(expect_flushed_and_stored_once(postfix, h, /*answered=*/2, /*duplicates=*/1));
  {
    SqliteProbe db(h.database());
    EXPECT_EQ(db.scalar("SELECT value FROM counters WHERE name = 'duplicates_refused'"), 1);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM jobs WHERE kind = 'triage'"), 1);
  }
  ASSERT_TRUE(stopped_cleanly(*gateway)) << read_file(h.stderr_log());
}

}  // namespace
}  // namespace madoguchi::testing
