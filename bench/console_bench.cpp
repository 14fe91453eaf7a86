// The console's queue query on a tenant with 100,000 conversations (ARCHITECTURE.md budget:
// "in milliseconds"), with a baseline measured in the same run: the same columns and joins
// for the same number of rows read in primary-key order (no filter, no sort) — the cost of
// reading a page of the queue at all. Two shapes of store: 5% of conversations open (a
// tenant after a few years) and every one open (the worst case).
//
//   madoguchi_console_bench [conversations]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <stdlib.h>
#include <string>
#include <vector>

#include "store/accounts.hpp"
#include "store/case_store.hpp"
#include "store/schema.hpp"
#include "store/transaction.hpp"

namespace fs = std::filesystem;
using namespace madoguchi;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr int kWindows = 4;
constexpr int kRuns = 200;

struct Figures {
  double p50_ms = 0, p99_ms = 0;
  std::size_t rows = 0;
};

Figures measure(const std::function<std::size_t()>& query) {
  std::vector<double> ms;
  std::size_t rows = query();  // warm the page cache and the statement
  for (int i = 0; i < kRuns; ++i) {
    const auto start = SteadyClock::now();
    rows = query();
    ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[ms.size() * 99 / 100], rows};
}

// `count` conversations over kWindows windows; `open_share` of them open, with urgencies,
// waiting times and assignees spread the way a busy tenant's are.
void populate(store::Database& db, int count, double open_share, std::vector<std::int64_t>& window_ids) {
  auto ids = store::sync_accounts(db, {{"t1", "ベンチ市", {"窓口1", "窓口2", "窓口3", "窓口4"}}}, {{"t1", "line", "bench"}});
  if (!ids) throw std::runtime_error("sync_accounts");
  const auto account = ids->at({"line", "bench"});
  auto w = db.prepare("SELECT id FROM windows WHERE tenant_id = 't1' ORDER BY id");
  while (w.step().value()) window_ids.push_back(w.column_int(0));
  std::mt19937_64 rng(7);
  const std::int64_t now = 1'800'000'000'000;
  auto done = store::in_transaction(db, [&]() -> result<void> {
    if (auto r = db.exec("INSERT INTO data_keys VALUES ('k1', 't1', x'00', 0)"); !r) return r;
    auto contact = db.prepare(
        "INSERT INTO contacts (tenant_id, pseudonym, label, key_id, sealed_provider_id, first_seen_ms, last_seen_ms) "
        "VALUES ('t1', ?, ?, 'k1', x'00', 0, 0)");
    auto conv = db.prepare(
        "INSERT INTO conversations (tenant_id, account_id, contact_id, thread_pseudonym, key_id, sealed_thread_id, "
        "state, created_at_ms, last_message_ms, window_id, urgency, waiting_since_ms, assignee, updated_at_ms) "
        "VALUES ('t1', ?, ?, ?, 'k1', x'00', ?, ?, ?, ?, ?, ?, ?, ?)");
    for (int i = 0; i < count; ++i) {
      const std::string pseudonym = "p" + std::to_string(i);
      contact.bind(1, std::span(reinterpret_cast<const unsigned char*>(pseudonym.data()), pseudonym.size()))
          .bind(2, "BENCH-" + std::to_string(i));
      if (auto r = contact.run(); !r) return r.error();
      const auto contact_id = db.last_insert_rowid();
      const bool open = static_cast<double>(rng() % 10000) / 10000.0 < open_share;
      const int urgency = std::array{0, 1, 1, 2, 2, 2, 2, 2, 3, 3}[rng() % 10];
      const std::int64_t last = now - static_cast<std::int64_t>(rng() % (3LL * 365 * 86'400'000));
      conv.bind(1, account)
          .bind(2, contact_id)
          .bind(3, std::span(reinterpret_cast<const unsigned char*>(pseudonym.data()), pseudonym.size()))
          .bind(4, open ? "open" : "closed")
          .bind(5, last - 86'400'000)
          .bind(6, last)
          .bind(7, window_ids[rng() % kWindows])
          .bind(8, std::int64_t{urgency});
      if (open && rng() % 3) conv.bind(9, last); else conv.bind_null(9);  // a third were answered
      conv.bind(10, rng() % 4 ? std::string() : "staff" + std::to_string(rng() % 20)).bind(11, last);
      if (auto r = conv.run(); !r) return r.error();
    }
    return {};
  });
  if (!done) throw std::runtime_error("populate: " + done.error().message());
  if (!db.exec("ANALYZE")) throw std::runtime_error("ANALYZE");
}

void run_shape(const fs::path& dir, int count, double open_share) {
  store::DatabaseOptions options;
  options.path = dir / ("bench-" + std::to_string(static_cast<int>(open_share * 100)) + ".db");
  store::Database db(options);
  if (!store::migrate(db)) throw std::runtime_error("migrate");
  std::vector<std::int64_t> windows;
  const auto start = SteadyClock::now();
  populate(db, count, open_share, windows);
  const double fill_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
  store::CaseStore store(db);
  auto run = [&](store::QueueFilter f) {
    return [&store, f] { return store.queue(f).value().size(); };
  };
  store::QueueFilter all{"t1", {}, "open", std::nullopt, "", 500};
  store::QueueFilter one_window{"t1", {windows[0]}, "open", std::nullopt, "", 500};
  store::QueueFilter two_windows{"t1", {windows[0], windows[1]}, "open", std::nullopt, "", 500};
  store::QueueFilter emergencies{"t1", {}, "open", 0, "", 500};
  store::QueueFilter mine{"t1", {windows[0]}, "open", std::nullopt, "staff3", 500};
  store::QueueFilter closed{"t1", {windows[0]}, "closed", std::nullopt, "", 500};
  // Baseline: the same columns and joins, 500 rows in primary-key order.
  auto baseline = db.prepare(
      "SELECT c.id, c.tenant_id, a.channel, a.name, coalesce(k.label, ''), coalesce(c.window_id, 0), "
      "coalesce(w.name, ''), c.urgency, c.state, c.assignee, c.waiting_since_ms, c.last_message_ms, c.created_at_ms, "
      "c.writer, c.age_band, c.household, c.consent FROM conversations c "
      "JOIN channel_accounts a ON a.id = c.account_id LEFT JOIN contacts k ON k.id = c.contact_id "
      "LEFT JOIN windows w ON w.id = c.window_id ORDER BY c.id LIMIT 500");
  auto base = measure([&] {
    std::size_t n = 0;
    baseline.reset();
    while (baseline.step().value()) {
      (void)baseline.column_text(4);
      ++n;
    }
    return n;
  });
  std::printf("\n%d conversations, %.0f%% open (filled in %.1f s)\n", count, open_share * 100, fill_s);
  std::printf("| query | rows | p50 ms | p99 ms | p50 / baseline |\n|---|---|---|---|---|\n");
  auto row = [&](const char* name, const Figures& f) {
    std::printf("| %s | %zu | %.3f | %.3f | %.1f |\n", name, f.rows, f.p50_ms, f.p99_ms, f.p50_ms / base.p50_ms);
  };
  row("baseline: 500 rows by id", base);
  row("supervisor: all windows, open", measure(run(all)));
  row("counselor: one window, open", measure(run(one_window)));
  row("counselor: two windows, open", measure(run(two_windows)));
  row("緊急 only, all windows", measure(run(emergencies)));
  row("mine, one window", measure(run(mine)));
  row("closed, one window", measure(run(closed)));
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 100'000;
  char pattern[] = "/tmp/madoguchi-console-bench-XXXXXX";
  const fs::path dir = mkdtemp(pattern);
  try {
    run_shape(dir, count, 0.05);
    run_shape(dir, count, 1.0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "console bench failed: %s\n", e.what());
    fs::remove_all(dir);
    return 1;
  }
  if (std::getenv("MADOGUCHI_BENCH_KEEP")) std::printf("kept: %s\n", dir.c_str());  // for EXPLAIN QUERY PLAN
  else fs::remove_all(dir);
  return 0;
}
