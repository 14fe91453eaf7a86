#include "gateway/media/worker.hpp"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <thread>

#include "store/data_keys.hpp"
#include "store/media_store.hpp"
#include "store/transaction.hpp"

namespace madoguchi::media {
namespace {

namespace asio = boost::asio;

void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace

bool type_allowed(const std::string& content_type, const std::vector<std::string>& allowed) {
  return !content_type.empty() && std::find(allowed.begin(), allowed.end(), content_type) != allowed.end();
}

std::string size_label(std::size_t bytes) {
  constexpr std::size_t mib = 1024 * 1024;
  if (bytes >= mib && bytes % mib == 0) return std::to_string(bytes / mib) + "MB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + "KB";
  return std::to_string(bytes) + "バイト";
}

struct MediaWorker::Impl {
  MediaWorkerOptions options;
  crypto::Keyring& keys;
  Log& log;
  const Clock& clock;
  asio::io_context io{1};
  store::Database db;
  store::JobQueue jobs;
  store::MediaStore store;
  store::DataKeys key_store;  // where the keyring finds sealed data keys
  std::string owner;
  std::map<std::int64_t, std::shared_ptr<MediaSource>> sources;
  std::thread thread;
  bool stopping = false;

  Impl(const store::DatabaseOptions& db_options, MediaWorkerOptions o, crypto::Keyring& k, Log& l, const Clock& c)
      : options(std::move(o)), keys(k), log(l), clock(c), db(db_options), jobs(db, c, options.backoff), store(db),
        key_store(db), owner("media:" + options.owner + ":" + std::to_string(::getpid()) + ":") {
    // Like the outbox worker: a status lost on power failure is only fetched again; if the
    // setting cannot be changed the connection stays FULL (safe, slower).
    if (!db.exec("PRAGMA synchronous=NORMAL")) log.warn("media_synchronous_unchanged", {});
  }

  boost::json::object fields(const store::Job& job, const std::string& code = {}) {
    boost::json::object f{{"job", job.id}, {"conversation", job.conversation_id}, {"record", job.message_id},
                          {"attempt", job.attempts}};
    if (!code.empty()) f["code"] = code;
    return f;
  }

  asio::awaitable<void> lane(int index) {
    asio::steady_timer idle(io);
    const auto worker = owner + std::to_string(index);
    while (!stopping) {
      auto leased = jobs.lease(store::kFetchMediaJob, worker, options.lease_ms);
      if (!leased) {
        log.warn("media_lease_failed", {{"reason", leased.error().message()}});
      } else if (*leased) {
        co_await fetch(**leased);
        continue;
      }
      if (stopping) break;
      idle.expires_after(std::chrono::milliseconds(options.poll_ms));
      co_await idle.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  enum class End { complete, dead_letter };

  // Records the message's media outcome and ends the job, in one transaction.
  void finish(const store::Job& job, store::MediaRecord record, const store::DataKeyRecord* key, End end) {
    record.message_id = job.message_id;
    record.updated_at_ms = clock.now_ms();
    auto done = store::in_transaction(db, [&]() -> result<void> {
      if (!record.key_id.empty()) {
        // Unsent while it was being fetched (ingest hides it under the same write lock):
        // keep nothing.
        auto now = store.message(job.message_id);
        if (!now) return now.error();
        if (*now && (*now)->hidden) {
          record = unsent(record.tenant_id);
          record.message_id = job.message_id;
          record.updated_at_ms = clock.now_ms();
          key = nullptr;
        }
      }
      if (auto r = store.record(record, key); !r) return r;
      return end == End::complete ? jobs.complete(job) : jobs.dead_letter(job, record.error_code);
    });
    if (!done) {
      // The lease was lost or the store failed: the job runs again and fetches again.
      log.warn("media_record_failed", fields(job, done.error().message()));
      return;
    }
    auto f = fields(job, record.error_code);
    f["state"] = record.state;
    if (!record.content_type.empty()) f["content_type"] = record.content_type;
    if (record.size_bytes > 0) f["bytes"] = record.size_bytes;
    if (end == End::dead_letter) log.error("media_dead_letter", f);
    else if (record.state == store::kMediaFetched) log.info("media_fetched", f);
    else log.info("media_not_stored", f);
  }

  store::MediaRecord outcome(const std::string& tenant, const char* state, std::string code, std::string reason) {
    store::MediaRecord r;
    r.tenant_id = tenant;
    r.state = state;
    r.error_code = std::move(code);
    r.reason = std::move(reason);
    return r;
  }

  // The person took the message back: nothing is fetched or kept.
  store::MediaRecord unsent(const std::string& tenant) {
    return outcome(tenant, store::kMediaFailed, "unsent", "相談者が送信を取り消したため、取得していません。");
  }

  asio::awaitable<void> fetch(store::Job job) {
    auto found = store.message(job.message_id);
    if (!found) {
      if (!jobs.fail(job, "store error")) log.warn("media_record_failed", fields(job, "store_error"));
      co_return;
    }
    if (!*found) {  // nothing to attach a state to
      if (!jobs.dead_letter(job, "message missing")) log.warn("media_record_failed", fields(job, "message_missing"));
      log.error("media_dead_letter", fields(job, "message_missing"));
      co_return;
    }
    const auto m = std::move(**found);
    if (auto recorded = store.state(m.id); recorded && *recorded) {  // recorded before a crash
      if (!jobs.complete(job)) log.warn("media_record_failed", fields(job, "complete_failed"));
      co_return;
    }
    if (m.hidden) {
      finish(job, unsent(m.tenant_id), nullptr, End::complete);
      co_return;
    }
    auto source = sources.find(m.account_id);
    if (source == sources.end() || !source->second) {
      finish(job, outcome(m.tenant_id, store::kMediaFailed, "no_media_source", "このチャネルからは取得できません。"),
             nullptr, End::complete);
      co_return;
    }
    auto plaintext = keys.open(key_store, m.tenant_id, m.key_id, m.id, m.body);
    if (!plaintext) {
      finish(job, outcome(m.tenant_id, store::kMediaFailed, "decrypt_failed", "メッセージを復号できません。管理者に連絡してください。"),
             nullptr, End::dead_letter);
      co_return;
    }
    auto handle = crypto::body_media_handle(*plaintext);
    wipe(*plaintext);
    if (handle.empty()) {
      finish(job, outcome(m.tenant_id, store::kMediaFailed, "no_media_handle", "取得に必要な情報がありません。"),
             nullptr, End::complete);
      co_return;
    }
    // Keeps the source alive across the suspension even if stop() clears the map.
    auto media_source = source->second;
    auto r = co_await media_source->fetch(handle, options.max_bytes);
    wipe(handle);
    const std::string limit = size_label(options.max_bytes);
    switch (r.kind) {
      case MediaKind::fetched: {
        if (r.content.size() > options.max_bytes) {  // a source that did not enforce the limit
          wipe(r.content);
          r.kind = MediaKind::too_large;
          break;
        }
        if (!type_allowed(r.content_type, options.allowed_types)) {
          auto refused = outcome(m.tenant_id, store::kMediaTypeRefused, "type_refused", "この形式のファイルは保存していません。");
          refused.content_type = r.content_type;
          refused.size_bytes = static_cast<std::int64_t>(r.content.size());
          wipe(r.content);
          finish(job, std::move(refused), nullptr, End::complete);
          co_return;
        }
        auto sealed = keys.seal(m.tenant_id, "media:" + m.id, r.content);
        const auto size = static_cast<std::int64_t>(r.content.size());
        wipe(r.content);
        if (!sealed) {  // the tenant has no counselor-side keys here: try again later
          if (!jobs.fail(job, "seal_failed")) log.warn("media_record_failed", fields(job, "seal_failed"));
          log.warn("media_retry", fields(job, "seal_failed"));
          co_return;
        }
        store::MediaRecord stored = outcome(m.tenant_id, store::kMediaFetched, "", "");
        stored.content_type = r.content_type;
        stored.size_bytes = size;
        stored.key_id = sealed->key.key_id;
        stored.body = std::move(sealed->body);
        finish(job, std::move(stored), &sealed->key, End::complete);
        co_return;
      }
      case MediaKind::too_large:
      case MediaKind::permanent:
      case MediaKind::retriable:
        break;
    }
    if (r.kind == MediaKind::too_large) {
      finish(job, outcome(m.tenant_id, store::kMediaTooLarge, "too_large",
                          "ファイルが大きすぎるため保存していません（上限" + limit + "）。"),
             nullptr, End::complete);
      co_return;
    }
    if (r.kind == MediaKind::permanent) {
      finish(job, outcome(m.tenant_id, store::kMediaFailed, r.code, r.reason_ja), nullptr, End::complete);
      co_return;
    }
    if (job.attempts >= job.max_attempts) {
      finish(job, outcome(m.tenant_id, store::kMediaFailed, r.code, "再試行しましたが取得できませんでした：" + r.reason_ja),
             nullptr, End::dead_letter);
      co_return;
    }
    if (auto retried = jobs.fail(job, r.code, r.retry_after_ms); !retried)
      log.warn("media_record_failed", fields(job, retried.error().message()));
    else
      log.info("media_retry", fields(job, r.code));
  }
};

MediaWorker::MediaWorker(const store::DatabaseOptions& db, MediaWorkerOptions options, crypto::Keyring& keys,
                         Log& log, const Clock& clock)
    : impl_(std::make_unique<Impl>(db, std::move(options), keys, log, clock)) {}

MediaWorker::~MediaWorker() { stop(); }

asio::any_io_executor MediaWorker::executor() { return impl_->io.get_executor(); }

void MediaWorker::add_source(std::int64_t account_row_id, std::shared_ptr<MediaSource> source) {
  impl_->sources[account_row_id] = std::move(source);
}

void MediaWorker::start() {
  auto& d = *impl_;
  if (auto released = d.jobs.release_leases("media:" + d.options.owner + ":"); released && *released > 0)
    d.log.info("media_leases_released", {{"jobs", *released}});
  for (int i = 0; i < std::max(d.options.lanes, 1); ++i) asio::co_spawn(d.io, d.lane(i), asio::detached);
  d.thread = std::thread([&d] { d.io.run(); });
}

void MediaWorker::stop() {
  if (impl_->thread.joinable()) {
    asio::post(impl_->io, [d = impl_.get()] { d->stopping = true; });
    impl_->io.stop();
    impl_->thread.join();
  }
  impl_->sources.clear();  // their sockets must close while the io_context still exists
}

}  // namespace madoguchi::media
