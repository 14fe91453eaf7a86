// `madoguchi outbox list|retry|cancel`: for stuck or dead-lettered replies. They work on
// the store directly, beside a running gateway (whose worker picks a retried job up at its
// next poll). Nothing here prints content: ids, states, codes and Japanese reasons only.
#include <ctime>
#include <iostream>

#include "gateway/commands.hpp"
#include "gateway/core/delivery_feed.hpp"
#include "gateway/startup.hpp"
#include "store/outbox_store.hpp"
#include "store/schema.hpp"
#include "store/transaction.hpp"

namespace madoguchi::app {
namespace {

std::string local_time(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

// Opens the store for a command; nullptr (after printing why) when it cannot be used.
std::unique_ptr<store::Database> open_store(const config::Config& config) {
  if (!std::filesystem::exists(config.store.database)) {
    std::cerr << "データベースがありません / no database yet: " << config.store.database.string() << "\n";
    return nullptr;
  }
  auto db = std::make_unique<store::Database>(database_options(config));
  if (store::schema_version(*db) != store::latest_schema_version()) {
    std::cerr << "データベースのスキーマが古いか新しすぎます。serve を一度起動してください / "
                 "schema version mismatch: start `madoguchi serve` once to migrate\n";
    return nullptr;
  }
  return db;
}

// Loads the configuration, opens the store and runs `body(db, store)`; start-up failures
// are reported with `failure` ("cannot list jobs").
template <class Body>
int with_store(const std::filesystem::path& config_file, const char* failure, Body body) {
  auto config = load_or_report(config_file, config::Secrets::skip);
  if (!config) return 2;
  try {
    auto db = open_store(*config);
    if (!db) return 1;
    SystemClock clock;
    store::OutboxStore store(*db, clock);
    return body(*db, store);
  } catch (const std::exception& e) {
    std::cerr << failure << ": " << e.what() << "\n";
    return 1;
  }
}

template <class Action>
int change_job(const std::filesystem::path& config_file, std::int64_t job, Action action, const char* done,
               const char* refused) {
  return with_store(config_file, "変更できません / cannot change the job", [&](store::Database& db, store::OutboxStore& store) {
    bool changed = false;
    auto written = store::in_transaction(db, [&]() -> result<void> {
      auto r = action(store, job);
      if (!r) return r.error();
      changed = *r;
      return {};
    });
    if (!written) {
      std::cerr << "変更できません / cannot change the job: " << written.error().message() << "\n";
      return 1;
    }
    if (!changed) {
      std::cerr << refused << ": job " << job << "\n";
      return 1;
    }
    std::cout << done << ": job " << job << "\n";
    return 0;
  });
}

}  // namespace

int outbox_list(const std::filesystem::path& config_file, const std::string& state) {
  return with_store(config_file, "一覧を取得できません / cannot list jobs", [&](store::Database&, store::OutboxStore& store) {
    auto jobs = store.list(state);
    if (!jobs) {
      std::cerr << "一覧を取得できません / cannot list jobs: " << jobs.error().message() << "\n";
      return 1;
    }
    std::cout << "job\tkind\tstate\tconversation\tattempts\tstatus\tlast_error\tupdated\n";
    for (const auto& j : *jobs)
      std::cout << j.job_id << "\t" << j.kind << "\t" << j.job_state << "\t" << j.conversation_id << "\t"
                << j.attempts << "/" << j.max_attempts << "\t"
                << (j.status.empty() ? "-" : status_label_ja(j.status)) << "\t"
                << (j.last_error.empty() ? "-" : j.last_error) << "\t" << local_time(j.updated_at_ms) << "\n";
    std::cout << jobs->size() << " 件 / jobs\n";
    return 0;
  });
}

int outbox_retry(const std::filesystem::path& config_file, std::int64_t job) {
  return change_job(
      config_file, job, [](store::OutboxStore& s, std::int64_t id) { return s.retry(id); },
      "再送します / queued again",
      "再送できるジョブがありません（失敗または送信待ちのジョブだけです） / no dead or waiting job with this id");
}

int outbox_cancel(const std::filesystem::path& config_file, std::int64_t job) {
  return change_job(
      config_file, job, [](store::OutboxStore& s, std::int64_t id) { return s.cancel(id); },
      "取り消しました / cancelled",
      "取り消せるジョブがありません（送信中・送信済みは取り消せません） / no waiting or dead job with this id");
}

}  // namespace madoguchi::app
