// Allocation failure at step n in the parsers of untrusted input: this binary replaces the
// global operator new / new[] so that, while a sweep is armed on the test's own thread,
// the n-th allocation throws std::bad_alloc. For every n up to the parser's last
// allocation:
//   - the parse either completes with exactly the result of an unfaulted parse (the
//     failing allocation was not needed, or was retried), or std::bad_alloc propagates to
//     the caller, which answers 5xx / closes the connection, so the provider retries. A
//     parse that completes with anything else (an error such as "malformed JSON", or less
//     data) turned the allocation failure into a wrong answer: a 400 that LINE never retries,
//     a mail stored without its text;
//   - nothing crashes, and the same input parsed again right after (disarmed) gives the
//     unfaulted result: no state (caches, statics, shared limits) was left corrupted.
// Covered: the LINE webhook parser (adapters/line, Boost.JSON underneath), the TOML
// configuration (config/, toml++ underneath), and the C++ side of the mail reader
// (adapters/email/mail_reader). GMime, glib, libxml2 and ICU allocate with g_malloc /
// malloc, not operator new: they are not faulted here, and g_malloc aborts the process on
// failure rather than report it, so for them "allocation failure" means the process ends
// (the MTA keeps the mail and retries; a provider retries an unanswered webhook).
#include <dlfcn.h>
#include <execinfo.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <optional>
#include <sstream>

#include "adapters/email/email_config.hpp"
#include "adapters/email/mail_reader.hpp"
#include "adapters/line/line_config.hpp"
#include "adapters/line/line_inbound.hpp"
#include "config/config.hpp"

namespace {

// Armed only on the thread that called arm(): gtest's and the libraries' own threads (if
// any) allocate normally.
thread_local bool t_armed = false;
thread_local long t_count = 0, t_fail_at = 0;
thread_local bool t_fired = false;
thread_local bool t_spared = false;  // the n-th allocation was toml++'s: not failed
thread_local bool t_spare_toml = false;

// True when a frame close to this allocation is in libtomlplusplus (see the configuration's
// test). backtrace() itself allocates only with malloc.
bool inside_toml() {
  void* frames[8];
  const int n = backtrace(frames, 8);
  for (int i = 1; i < n; ++i) {
    Dl_info info;
    if (dladdr(frames[i], &info) && info.dli_fname && std::strstr(info.dli_fname, "tomlplusplus")) return true;
  }
  return false;
}

void* allocate(std::size_t size) {
  if (t_armed && ++t_count == t_fail_at) {
    t_armed = false;  // inside_toml() must not count or fail
    const bool spare = t_spare_toml && inside_toml();
    t_armed = true;
    if (spare) {
      t_spared = true;
    } else {
      t_fired = true;
      throw std::bad_alloc();
    }
  }
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
// The nothrow forms of libstdc++ call operator new(size_t) and catch: covered through it.

namespace {
// How many allocations `f` makes (nothing fails).
template <class F>
long allocations_of(F f) {
  t_count = 0;
  t_fail_at = 0;
  t_armed = true;
  f();
  t_armed = false;
  return t_count;
}
}  // namespace

namespace madoguchi::testing {
namespace {

struct SweepCount {
  long steps = 0;      // allocations swept (each made to fail once)
  long threw = 0;      // the parse ended in std::bad_alloc
  long completed = 0;  // the parse completed anyway (with the unfaulted result)
  long spared = 0;     // the allocation was toml++'s own and was not failed
};

// Runs `parse` with the n-th allocation failing, for n = 1, 2, ... until a run makes fewer
// than n allocations. `digest` (every field of the result, as text) runs disarmed: an
// ostream swallows a bad_alloc of its own into badbit, which would hide the parse's.
// `first`: the first allocation to fail (the ones before it belong to a library that cannot
// take a failure, see the configuration's test).
// `stride`: every stride-th allocation only (for a parse with tens of thousands).
template <class Parse, class Digest>
SweepCount sweep(const std::string& what, Parse parse, Digest digest, long stride = 1) {
  const std::string reference = digest(parse());
  SweepCount c;
  for (long n = 1; n < 10'000'000; n += stride) {
    t_count = 0;
    t_fail_at = n;
    t_fired = false;
    t_spared = false;
    t_armed = true;
    std::optional<decltype(parse())> got;
    try {
      got.emplace(parse());
    } catch (const std::bad_alloc&) {
    }
    t_armed = false;
    if (t_spared) {
      ++c.spared;
      EXPECT_TRUE(got && digest(*got) == reference) << what << ": nothing failed, yet the result differs";
      continue;
    }
    if (!t_fired) {
      EXPECT_TRUE(got && digest(*got) == reference) << what << ": an unfaulted run must give the reference";
      break;
    }
    ++c.steps;
    if (!got) {
      ++c.threw;
    } else {
      ++c.completed;
      EXPECT_EQ(digest(*got), reference) << what << ": allocation " << n << " failed and the parse completed differently";
    }
    EXPECT_EQ(digest(parse()), reference) << what << ": a parse after the failure at allocation " << n << " differs";
    if (::testing::Test::HasFailure()) break;  // one step is enough to read
  }
  std::cout << "[ sweep    ] " << what << ": " << c.steps << " allocations failed one at a time, " << c.threw
            << " propagated std::bad_alloc, " << c.completed << " completed unchanged"
            << (c.spared ? ", " + std::to_string(c.spared) + " inside toml++ not failed" : std::string()) << "\n";
  return c;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::filesystem::path kSource(MADOGUCHI_SOURCE_DIR);

// Every field a stage downstream reads, so "the same result" means the same messages.
std::string digest_messages(const result<std::vector<NormalizedMessage>>& r) {
  if (!r) return "error:" + r.error().message();
  std::ostringstream o;
  for (const auto& m : *r)
    o << m.channel << '|' << m.account << '|' << m.external_id << '|' << m.event_type << '|' << m.message_type
      << '|' << m.provider_timestamp_ms << '|' << m.redelivery << '|' << m.source_kind << '|' << m.sender_id << '|'
      << m.thread_id << '|' << m.text << '|' << m.provider_message_id << '|' << m.target_message_id << '|'
      << m.payload_json << '|' << m.reply_handle << '|' << m.media_handle << '|' << m.has_media << '|'
      << static_cast<int>(m.effect) << '\n';
  return o.str();
}

TEST(AllocFaults, LineWebhookParserPropagatesBadAllocOrParsesAsUnfaulted) {
  std::vector<Secret> secrets;
  secrets.emplace_back("alloc-fault-secret");
  const adapters::line::LineInbound line("demo", std::move(secrets));
  long files = 0, steps = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSource / "tests/fixtures/line")) {
    if (entry.path().extension() != ".json") continue;
    const WebhookRequest request{"demo", {}, slurp(entry.path()), ""};
    ASSERT_TRUE(line.parse(request)) << entry.path().filename() << " is a valid webhook";
    auto c = sweep("LINE " + entry.path().filename().string(), [&] { return line.parse(request); }, digest_messages);
    EXPECT_GT(c.steps, 0);
    ++files;
    steps += c.steps;
  }
  EXPECT_GE(files, 20);
  std::cout << "[ sweep    ] LINE webhook parser: " << files << " fixtures, " << steps << " allocation steps\n";
}

std::string digest_config(const std::variant<config::Config, std::vector<config::ConfigError>>& r) {
  std::ostringstream o;
  if (const auto* errors = std::get_if<std::vector<config::ConfigError>>(&r)) {
    for (const auto& e : *errors) o << "error " << e.key << ": " << e.reason << '\n';
    return o.str();
  }
  const auto& c = std::get<config::Config>(r);
  o << c.server.host << ':' << c.server.port << " tls=" << c.server.tls.has_value() << " db=" << c.store.database
    << " data=" << c.store.data_dir << '\n';
  for (const auto& t : c.tenants) {
    o << "tenant " << t.id << ' ' << t.name << ' ' << t.keys_dir << " pass=" << t.key_passphrase.view().size();
    for (const auto& w : t.windows) o << ' ' << w;
    o << '\n';
  }
  for (const auto& ch : c.channels) o << "channel " << ch.type << ' ' << ch.name << ' ' << ch.tenant << '\n';
  return o.str();
}

TEST(AllocFaults, ConfigurationParserPropagatesBadAllocOrParsesAsUnfaulted) {
  const config::ChannelSchemas schemas{&adapters::line::line_schema(), &adapters::email::email_schema()};
  const std::map<std::string, std::string> values = {{"MADOGUCHI_LINE_CHANNEL_SECRET", "chan-secret-value"},
                                                     {"MADOGUCHI_LINE_ACCESS_TOKEN", "token-value"},
                                                     {"MADOGUCHI_KEY_PASSPHRASE", "pass-value-0123456789"},
                                                     {"MADOGUCHI_DEMO_PASSWORD", "demo-password-value"},
                                                     {"MADOGUCHI_EMAIL_THREAD_SECRET", "thread-secret-0123456789"}};
  const config::EnvLookup env = [&values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  };
  const auto demo = slurp(kSource / "config/demo.toml");
  auto parsed = config::parse_config(demo, "demo.toml", env, schemas);
  ASSERT_TRUE(std::holds_alternative<config::Config>(parsed)) << digest_config(parsed);
  // toml++ (Debian's libtomlplusplus 3) cannot take an allocation failure: operator new
  // throwing inside toml::parse meets a noexcept frame and std::terminate ends the process,
  // as g_malloc does. Its own allocations (a frame in the library) are therefore spared; the
  // sweep fails those of the configuration's reading (sections, channel schemas, secrets,
  // triage rules, validation) on the parsed trees. The configuration is read once at
  // start-up, so the process ending there is what an exception at start-up does too.
  t_spare_toml = true;
  // The demo with the built-in triage rules takes ~7,000 allocations and a parse a few
  // milliseconds: every k-th is failed (k = 16 today), so both sweeps together stay well
  // within the test's 60 s on a loaded 2-core machine.
  const long total = allocations_of([&] { auto r = config::parse_config(demo, "demo.toml", env, schemas); });
  const long stride = std::max(1L, total / 400);
  auto c = sweep("configuration demo.toml", [&] { return config::parse_config(demo, "demo.toml", env, schemas); },
                 digest_config, stride);
  std::cout << "[ sweep    ] configuration: " << total << " allocations, every " << stride << "th failed\n";
  EXPECT_GT(c.steps, 50);
  // A configuration with errors collects them all: the error path allocates too.
  const std::string broken = demo + "\n[unknown_section]\nx = 1\n[[channels]]\ntype = \"line\"\n";
  auto e = sweep("configuration with errors", [&] { return config::parse_config(broken, "b.toml", env, schemas); },
                 digest_config, stride);
  EXPECT_GT(e.steps, 50);
  t_spare_toml = false;
}

std::string digest_mail(const adapters::email::ParsedMail& m) {
  std::ostringstream o;
  o << m.message_id << '|' << m.in_reply_to << '|';
  for (const auto& r : m.references) o << r << ',';
  o << '|' << m.from_address << '|' << m.from_name << '|' << m.subject << '|' << m.text << '|' << m.date_ms << '|'
    << m.lossy << m.parts_skipped << '|' << m.attachments_refused << '|' << m.automated << '|' << m.verdict.spf << ','
    << m.verdict.dkim << ',' << m.verdict.dmarc << '|' << m.is_report << '|' << m.report.original_message_id << ','
    << m.report.recipient << ',' << m.report.action << ',' << m.report.status << ',' << m.report.diagnostic << '\n';
  for (const auto& a : m.attachments) o << a.filename << ' ' << a.content_type << ' ' << a.content << '\n';
  return o.str();
}

TEST(AllocFaults, MailReaderPropagatesBadAllocOrReadsAsUnfaulted) {
  adapters::email::init_mime();
  const adapters::email::MailLimits limits;
  long mails = 0, steps = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSource / "tests/fixtures/email/corpus")) {
    if (entry.path().extension() != ".eml") continue;
    const auto raw = slurp(entry.path());
    auto c = sweep("mail " + entry.path().filename().string(),
                   [&] { return adapters::email::read_mail(raw, limits, "mx.town.example"); }, digest_mail);
    EXPECT_GT(c.steps, 0);
    ++mails;
    steps += c.steps;
  }
  EXPECT_GE(mails, 20);
  std::cout << "[ sweep    ] mail reader: " << mails << " mails, " << steps << " allocation steps\n";
}

}  // namespace
}  // namespace madoguchi::testing
