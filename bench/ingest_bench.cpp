// Ingest benchmark: the real gateway under signed LINE webhooks (durable commit before
// each 200) beside a bare Beast server answering 200 to the same load, in the same run; then
// mail delivered over LMTP as Postfix does (commit before each 250), against the same
// gateway's webhook figures; last a burst of 1 MiB bodies on 1,024 connections, with the
// gateway's memory before, during and after. Triage and the outbox run as in production.
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/bare_server.hpp"
#include "bench/body_burst.hpp"
#include "bench/lmtp_load.hpp"
#include "bench/load.hpp"
#ifdef MADOGUCHI_BENCH_POSTFIX
#include "tests/fakes/postfix_instance.hpp"
#endif

namespace fs = std::filesystem;
using namespace madoguchi::bench;

namespace {

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";

struct Figures {
  std::string target;
  int connections = 0;
  double rps = 0, p50 = 0, p99 = 0, max = 0;
  std::uint64_t errors = 0;
  double peak_rss_mb = 0, rss_mb = 0;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

Figures figures(const std::string& name, pid_t pid, int connections, const LoadResult& r) {
  auto latencies = r.latencies_ms;
  Figures f{name, connections};
  f.rps = static_cast<double>(r.acknowledged) / r.seconds;
  f.errors = r.errors;
  f.p50 = percentile(latencies, 0.50);
  f.p99 = percentile(latencies, 0.99);
  f.max = latencies.empty() ? 0 : latencies.back();
  f.peak_rss_mb = status_mb(pid, "VmHWM");
  f.rss_mb = status_mb(pid, "VmRSS");
  return f;
}

Figures measure(const std::string& name, pid_t pid, LoadOptions load, LoadResult* out = nullptr) {
  auto r = run_load(load);
  auto f = figures(name, pid, load.connections, r);
  if (out) *out = std::move(r);
  return f;
}

struct Gateway {
  pid_t pid = -1;
  std::uint16_t port = 0;
  std::uint16_t lmtp_port = 0;
  double startup_ms = 0;
};

constexpr const char* kMailbox = "soudan@bench.example";

std::uint16_t port_of(const std::string& line) {
  return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
}

Gateway start_gateway(const std::string& binary, const fs::path& dir) {
  std::ofstream(dir / "bench.toml") << "[server]\nlisten = \"127.0.0.1:0\"\nthreads = 2\n"
                                    << "[store]\ndata_dir = \"" << (dir / "data").string() << "\"\n"
                                    << "[logging]\nlevel = \"warn\"\n"
                                    << "[[tenants]]\nid = \"bench\"\nname = \"ベンチ市\"\n"
                                    << "key_passphrase = { env = \"MADOGUCHI_KEY_PASSPHRASE\" }\n"
                                    << "create_keys_if_missing = true\n"
                                    << "[[channels]]\ntype = \"line\"\nname = \"bench\"\ntenant = \"bench\"\n"
                                    << "channel_secrets = [{ env = \"MADOGUCHI_LINE_CHANNEL_SECRET\" }]\n"
                                    << "access_token = { env = \"MADOGUCHI_LINE_ACCESS_TOKEN\" }\n"
                                    // Replies to new mail go to a relay that refuses (port 9): the
                                    // outbox keeps retrying them during the run, as after an outage.
                                    << "[[channels]]\ntype = \"email\"\nname = \"mail\"\ntenant = \"bench\"\n"
                                    << "address = \"" << kMailbox << "\"\nlmtp_listen = \"127.0.0.1:0\"\n"
                                    << "thread_secret = { env = \"MADOGUCHI_EMAIL_THREAD_SECRET\" }\n"
                                    << "relay_host = \"127.0.0.1\"\nrelay_port = 9\nrelay_security = \"none\"\n";
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  const auto started = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    setenv("MADOGUCHI_KEY_PASSPHRASE", "bench-passphrase", 1);
    setenv("MADOGUCHI_LINE_CHANNEL_SECRET", kSecret, 1);
    setenv("MADOGUCHI_LINE_ACCESS_TOKEN", "bench-token", 1);
    setenv("MADOGUCHI_EMAIL_THREAD_SECRET", "bench-thread-secret-0123456789", 1);
    const auto config = (dir / "bench.toml").string();
    execl(binary.c_str(), binary.c_str(), "serve", "--config", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  // "listening on lmtp:inet:127.0.0.1:P" comes before "listening on http://127.0.0.1:P".
  Gateway g{pid};
  for (;;) {
    std::string line;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    if (line.rfind("listening on lmtp:inet:", 0) == 0) g.lmtp_port = port_of(line);
    if (line.rfind("listening on http", 0) == 0) {
      g.port = port_of(line);
      break;
    }
    if (line.empty()) throw std::runtime_error("gateway did not start");
  }
  close(fds[0]);
  g.startup_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return g;
}

// One sample of the gateway's own /metrics ("name value" lines).
double metric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  return 0;
}

void stop(pid_t pid) {
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
}

std::int64_t stored_events(const fs::path& db_path) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return n;
}

// Mail the way it really arrives: submitted over SMTP to a Postfix of its own (as the
// Internet reaches the window's MX), which queues it and delivers over LMTP to the gateway.
// Measured from the first submission to the moment the gateway has stored every mail
// Postfix accepted.
struct ThroughPostfix {
  std::string skipped;  // why it did not run ("" when it ran)
  LoadResult submitted;
  double stored_after_s = 0;
  std::int64_t stored = 0;
};

ThroughPostfix through_postfix(std::uint16_t lmtp_port, const fs::path& db_path, int connections, double seconds) {
  ThroughPostfix out;
#ifdef MADOGUCHI_BENCH_POSTFIX
  try {
    const auto before = stored_events(db_path);
    madoguchi::testing::PostfixInstance postfix("bench.example", "inet:127.0.0.1:" + std::to_string(lmtp_port));
    const auto start = std::chrono::steady_clock::now();
    LmtpLoadOptions smtp{postfix.smtp_port(), kMailbox, connections, 0.0, seconds, "pfx", "EHLO"};
    out.submitted = run_lmtp_load(smtp);
    const auto accepted = static_cast<std::int64_t>(out.submitted.acknowledged_all);
    for (;;) {
      out.stored = stored_events(db_path) - before;
      if (out.stored >= accepted || std::chrono::steady_clock::now() - start > std::chrono::seconds(300)) break;
      usleep(100'000);
    }
    out.stored_after_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } catch (const std::exception& e) {
    out.skipped = e.what();
  }
#else
  (void)lmtp_port, (void)db_path, (void)connections, (void)seconds;
  out.skipped = "built without the test support (MADOGUCHI_TESTS=OFF)";
#endif
  return out;
}

void print(const std::vector<Figures>& rows) {
  std::printf("%-12s %6s %10s %8s %8s %8s %7s %11s %8s\n", "target", "conns", "req/s", "p50 ms", "p99 ms", "max ms",
              "errors", "peakRSS MB", "RSS MB");
  for (const auto& f : rows)
    std::printf("%-12s %6d %10.0f %8.2f %8.2f %8.2f %7llu %11.1f %8.1f\n", f.target.c_str(), f.connections, f.rps,
                f.p50, f.p99, f.max, static_cast<unsigned long long>(f.errors), f.peak_rss_mb, f.rss_mb);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"madoguchi ingest benchmark"};
  std::string binary;
  int connections = 32;
  double seconds = 5;
  int events = 1;
  int mail_connections = 8;
  app.add_option("--binary", binary, "path to the madoguchi executable")->required();
  app.add_option("--connections", connections, "keep-alive connections");
  app.add_option("--seconds", seconds, "measured seconds per scenario (after 1 s warm-up)");
  app.add_option("--events-per-webhook", events, "events in each webhook");
  app.add_option("--mail-connections", mail_connections, "LMTP connections in the second mail run (the first has 1)");
  CLI11_PARSE(app, argc, argv);

  char pattern[] = "/tmp/madoguchi-bench-XXXXXX";
  const fs::path dir = mkdtemp(pattern);
  std::vector<Figures> rows;
  int exit_code = 0;
  try {
    auto bare = start_bare_server(2);
    LoadOptions load{bare.port, "/webhooks/line/bench", kSecret, connections, 1.0, seconds, events, "BARE"};
    rows.push_back(measure("bare-beast", bare.pid, load));
    load.connections = 1;
    load.id_prefix = "BAR1";
    rows.push_back(measure("bare-beast", bare.pid, load));
    stop(bare.pid);

    auto gateway = start_gateway(binary, dir);
    LoadResult many, one;
    load = {gateway.port, "/webhooks/line/bench", kSecret, connections, 1.0, seconds, events, "MANY"};
    rows.push_back(measure("madoguchi", gateway.pid, load, &many));
    load.connections = 1;
    load.id_prefix = "ONE0";
    rows.push_back(measure("madoguchi", gateway.pid, load, &one));
    LoadResult some;
    load.connections = mail_connections;
    load.id_prefix = "SOME";
    rows.push_back(measure("madoguchi", gateway.pid, load, &some));
    // The commit counters above are the webhooks' alone; mail comes after this sample.
    const auto metrics = fetch(gateway.port, "/metrics");
    // Mail is measured once triage has caught up with the webhooks' backlog: otherwise the
    // figure is of the triage worker's catching up (it shares the 2 cores and the write lock).
    const auto backlog_from = std::chrono::steady_clock::now();
    const double backlog = metric(metrics, "madoguchi_jobs{kind=\"triage\"}");
    double left = backlog;
    while (left > 0 && std::chrono::steady_clock::now() - backlog_from < std::chrono::seconds(180)) {
      usleep(200'000);
      left = metric(fetch(gateway.port, "/metrics"), "madoguchi_jobs{kind=\"triage\"}");
    }
    const double drained_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - backlog_from).count();
    LmtpLoadOptions mail{gateway.lmtp_port, kMailbox, 1, 1.0, seconds, "one"};
    const auto mail_one = run_lmtp_load(mail);
    rows.push_back(figures("lmtp", gateway.pid, 1, mail_one));
    mail.connections = mail_connections;
    mail.id_prefix = "some";
    const auto mail_some = run_lmtp_load(mail);
    rows.push_back(figures("lmtp", gateway.pid, mail_connections, mail_some));
    const auto postfix = through_postfix(gateway.lmtp_port, dir / "data" / "madoguchi.db", mail_connections, seconds);
    BurstOptions burst_options{gateway.port, "/webhooks/line/bench"};
    const auto burst = run_body_burst(burst_options, gateway.pid);
    const bool serves_after = !fetch(gateway.port, "/healthz").empty();
    stop(gateway.pid);

    print(rows);
    std::printf("ratio madoguchi/bare req/s: %.2f (%d connections), %.2f (1 connection)\n",
                rows[2].rps / std::max(rows[0].rps, 1.0), connections, rows[3].rps / std::max(rows[1].rps, 1.0));
    const double commits = metric(metrics, "madoguchi_commit_batches_total");
    const double batched = metric(metrics, "madoguchi_commit_batched_requests_total");
    const double commit_s = metric(metrics, "madoguchi_commit_latency_seconds_sum");
    if (commits > 0)
      std::printf("group commit: %.0f commits, %.1f webhooks per commit, %.2f ms per commit (mean)\n", commits,
                  batched / commits, 1000.0 * commit_s / commits);
    std::printf("gateway start-up (exec to listening, first start creates keys): %.0f ms\n", gateway.startup_ms);
    std::printf("triage backlog after the webhooks: %.0f jobs, %s in %.1f s\n", backlog,
                left > 0 ? "NOT drained" : "drained", drained_s);
    std::printf("ratio lmtp/webhook (same gateway, same run): %.2f (1 connection), %.2f (%d connections)\n",
                rows[5].rps / std::max(rows[3].rps, 1.0), rows[6].rps / std::max(rows[4].rps, 1.0), mail_connections);
    if (postfix.skipped.empty()) {
      const double end_to_end = static_cast<double>(postfix.stored) / std::max(postfix.stored_after_s, 1e-9);
      std::printf("through Postfix (SMTP in on %d connections for %.0f s, LMTP out as Postfix schedules it): %llu mails "
                  "accepted by Postfix (%llu refused), %lld stored by the gateway %.1f s after the first: %.0f mails/s end "
                  "to end; ratio to direct LMTP (%d connections): %.2f\n",
                  mail_connections, seconds, static_cast<unsigned long long>(postfix.submitted.acknowledged_all),
                  static_cast<unsigned long long>(postfix.submitted.errors), static_cast<long long>(postfix.stored),
                  postfix.stored_after_s, end_to_end, mail_connections, end_to_end / std::max(rows[6].rps, 1.0));
      if (postfix.stored < static_cast<std::int64_t>(postfix.submitted.acknowledged_all)) {
        std::printf("MISMATCH: a mail Postfix accepted was not stored\n");
        exit_code = 1;
      }
    } else {
      std::printf("through Postfix: not run (%s)\n", postfix.skipped.c_str());
    }
    std::printf("body burst: %d connections from %d addresses, %zu KiB each, %.1f s; answers:", burst_options.connections,
                burst_options.addresses, burst_options.body_bytes / 1024, burst.seconds);
    for (const auto& [status, n] : burst.statuses) std::printf(" %u×%d", status, n);
    std::printf(" (0 = closed unanswered)\n");
    std::printf("gateway RSS around the burst: %.0f MB before, %.0f MB peak, %.0f MB %.0f s after (%s); %s\n",
                burst.rss_before_mb, burst.rss_peak_mb, burst.rss_after_mb, burst_options.settle_s,
                burst.rss_after_mb <= burst.rss_before_mb + 32 ? "given back" : "NOT given back",
                serves_after ? "still serving" : "NOT serving afterwards");
    if (!serves_after) exit_code = 1;
    const auto acknowledged = many.acknowledged_all + one.acknowledged_all + some.acknowledged_all +
                              mail_one.acknowledged_all + mail_some.acknowledged_all +
                              (postfix.skipped.empty() ? postfix.submitted.acknowledged_all : 0);
    const auto stored = stored_events(dir / "data" / "madoguchi.db");
    std::printf("events and mails acknowledged: %llu, stored: %lld\n", static_cast<unsigned long long>(acknowledged),
                static_cast<long long>(stored));
    if (stored != static_cast<std::int64_t>(acknowledged)) {
      std::printf("MISMATCH: every acknowledged event must be stored exactly once\n");
      exit_code = 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "bench failed: " << e.what() << "\n";
    exit_code = 1;
  }
  fs::remove_all(dir);
  return exit_code;
}
