#include "gateway/outbox/worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <thread>
#include <unistd.h>

#include "gateway/core/hex.hpp"
#include "gateway/outbox/compose.hpp"
#include "gateway/outbox/split.hpp"
#include "store/data_keys.hpp"
#include "store/outbox_store.hpp"
#include "store/transaction.hpp"

namespace madoguchi::outbox {
namespace {

namespace asio = boost::asio;
using store::ReplyState;

constexpr const char* kUnconfirmedReason =
    "自動返信が届いたか確認できませんでした（届いている可能性があります）。必要なら改めて送信してください。";

}  // namespace

struct OutboxWorker::Impl {
  WorkerOptions options;
  crypto::Keyring& keys;
  Senders& senders;
  DeliveryFeed& feed;
  Metrics& metrics;
  Log& log;
  const Clock& clock;
  asio::io_context io{1};
  store::Database db;
  store::JobQueue jobs;
  store::OutboxStore store;
  store::DataKeys data_keys;
  std::string owner;
  std::vector<asio::steady_timer*> idle_timers;
  std::vector<std::function<asio::awaitable<void>()>> tasks;
  std::thread thread;
  bool stopping = false;

  Impl(const store::DatabaseOptions& db_options, WorkerOptions o, crypto::Keyring& k, Senders& s,
       DeliveryFeed& f, Metrics& m, Log& l, const Clock& c)
      : options(std::move(o)), keys(k), senders(s), feed(f), metrics(m), log(l),
        clock(c), db(db_options), jobs(db, c, options.backoff), store(db, c), data_keys(db),
        owner(options.owner + ":" + std::to_string(::getpid()) + ":") {
    // The worker's own writes may be lost on power failure (not on a crash: WAL) without
    // harm: a lost lease or status is redone, and a repeated push meets its retry key
    // (409). The one write that must reach the disk first, the reply-handle mark, switches
    // back to FULL (durable_reply_mark).
    if (!db.exec("PRAGMA synchronous=NORMAL")) log.warn("outbox_synchronous_unchanged", {});  // FULL: safe, slower
  }

  // Marks that a reply handle may be used, durably, before the request goes out.
  result<void> durable_reply_mark(const std::string& id, const std::string& method) {
    if (auto r = db.exec("PRAGMA synchronous=FULL"); !r) return r;
    auto marked = store::in_transaction(db, [&]() -> result<void> {
      if (auto r = store.set_status(id, store::kSending, method, "", "", true); !r) return r;
      return store.set_reply_state(id, ReplyState::uncertain);
    });
    // Left at FULL when this fails: every later write is then durable too, only slower.
    if (!db.exec("PRAGMA synchronous=NORMAL")) log.warn("outbox_synchronous_unchanged", {});
    return marked;
  }

  template <class Row>
  void publish(const Row& row, const std::string& status, const std::string& code, const std::string& reason) {
    feed.publish({row.id, row.tenant_id, row.conversation_id, status, code, reason});
  }

  // Job-level log fields: ids and codes only ("record": the outbound row, or for a first
  // reply the inbound message it answers).
  boost::json::object fields(const store::Job& job, const std::string& code = {}) {
    boost::json::object f{{"job", job.id}, {"kind", job.kind}, {"conversation", job.conversation_id}, {"record", job.message_id},
                          {"attempt", job.attempts}};
    if (!code.empty()) f["code"] = code;
    return f;
  }

  asio::awaitable<void> lane(int index) {
    asio::steady_timer idle(io);
    idle_timers[static_cast<std::size_t>(index)] = &idle;
    const auto worker = owner + std::to_string(index);
    while (!stopping) {
      bool worked = false;
      auto leased = jobs.lease(store::kDeliverJob, worker, options.lease_ms);
      if (!leased) log.warn("outbox_lease_failed", {{"reason", leased.error().message()}});
      else if (*leased) {
        worked = true;
        co_await deliver(**leased);
      }
      if (worked || stopping) continue;
      idle.expires_after(std::chrono::milliseconds(options.poll_ms));
      co_await idle.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  // Ends a job: the outbound row's status and the job's state change in one transaction.
  enum class End { delivered, retry, failed, dead_letter };
  void finish(const store::Job& job, const store::OutboundRow& row, const Sender* sender, End end,
              const DeliveryResult& r, const std::string& method) {
    std::string status = store::kFailed;
    std::string reason = r.reason_ja;
    bool dead = end == End::dead_letter;
    if (end == End::delivered) status = store::kDelivered;
    if (end == End::retry) {
      if (job.attempts >= job.max_attempts) {
        dead = true;
        reason = "再送を繰り返しましたが届きませんでした：" + r.reason_ja;
      } else {
        status = store::kQueued;
      }
    }
    auto done = store::in_transaction(db, [&]() -> result<void> {
      if (auto s = store.set_status(row.id, status, method, end == End::delivered ? "" : r.code,
                                    end == End::delivered ? "" : reason, false);
          !s)
        return s;
      if (end == End::delivered) {
        if (auto d = store.set_requests_done(row.id, static_cast<int>(row.retry_keys.size())); !d) return d;
        return jobs.complete(job);
      }
      if (end == End::failed) return jobs.complete(job);
      if (dead) return jobs.dead_letter(job, r.code);
      return jobs.fail(job, r.code, r.retry_after_ms);
    });
    if (!done) {
      // The lease was lost (another lane took the job over) or the store failed: the job
      // runs again and reaches the same outcome through the retry key.
      log.warn("outbox_record_failed", fields(job, done.error().message()));
      return;
    }
    const std::string channel = sender ? sender->channel : "", account = sender ? sender->account : "";
    const char* outcome = end == End::delivered ? "delivered" : dead ? "dead_letter" : end == End::retry ? "retry" : "failed";
    metrics.count_delivery(channel, account, outcome);
    publish(row, status, end == End::delivered ? "" : r.code, end == End::delivered ? "" : reason);
    auto f = fields(job, r.code);
    f["method"] = method;
    if (dead)
      log.error("outbox_dead_letter", f);  // the alert: staff must look at it
    else if (end == End::delivered)
      log.info("outbox_delivered", f);
    else
      log.info(end == End::retry ? "outbox_retry" : "outbox_failed", f);
  }

  DeliveryResult permanent(std::string code, std::string reason) {
    DeliveryResult r;
    r.kind = DeliveryKind::permanent;
    r.code = std::move(code);
    r.reason_ja = std::move(reason);
    return r;
  }

  // A job whose end cannot be recorded keeps its lease until it expires and then runs
  // again; the retry key and the reply state make that run safe. Logged, never silent.
  void note_job_update(const store::Job& job, const result<void>& updated) {
    if (!updated) log.warn("outbox_job_update_failed", fields(job, updated.error().message()));
  }

  asio::awaitable<void> deliver(store::Job job) {
    auto found = store.find(job.message_id);
    if (!found || !*found) {
      note_job_update(job, found ? jobs.dead_letter(job, "outbound row missing") : jobs.fail(job, "store error"));
      co_return;
    }
    auto row = std::move(**found);
    if (row.status == store::kDelivered || row.status == store::kFailed) {  // finished before a crash
      note_job_update(job, jobs.complete(job));
      co_return;
    }
    auto target = store.target(row.conversation_id);
    if (!target || !*target) {
      finish(job, row, nullptr, End::dead_letter, permanent("conversation_missing", "会話が見つかりません。"), "");
      co_return;
    }
    Sender* sender = senders.find((*target)->account_id);
    if (!sender) {
      finish(job, row, nullptr, End::dead_letter,
             permanent("no_sender", "このチャネルの送信設定がありません。管理者に連絡してください。"), "");
      co_return;
    }
    if (!(*target)->reachable) {
      finish(job, row, sender, End::failed, permanent("blocked", sender->info.unreachable_reason_ja), "");
      co_return;
    }
    // Decrypted only now, for this attempt; dropped when the coroutine ends.
    auto to = keys.open(data_keys, row.tenant_id, (*target)->key_id,
                        "thread:" + to_hex((*target)->thread_pseudonym), (*target)->sealed_thread_id);
    auto plaintext = keys.open(data_keys, row.tenant_id, row.key_id, row.id, row.body);
    auto text = plaintext ? crypto::body_text(*plaintext) : result<std::string>(plaintext.error());
    if (!to || !text) {
      finish(job, row, sender, End::dead_letter,
             permanent("decrypt_failed", "送信内容を復号できません。管理者に連絡してください。"), "");
      co_return;
    }
    const auto requests = requests_for(*text, sender->caps);
    if (requests.size() != row.retry_keys.size()) {
      finish(job, row, sender, End::dead_letter,
             permanent("split_mismatch", "送信内容の分割が一致しません。管理者に連絡してください。"), "");
      co_return;
    }

    for (auto i = static_cast<std::size_t>(row.requests_done); i < requests.size(); ++i) {
      OutboundRequest request{*to, "", requests[i], row.retry_keys[i], row.origin == "auto"};
      const ReplyState before = row.reply_state;
      bool via_reply = false;
      if (i == 0 && !row.in_reply_to.empty() && before != ReplyState::abandoned) {
        std::string token;
        bool fresh = false;
        if (auto inbound = store.inbound(row.in_reply_to); inbound && *inbound) {
          fresh = clock.now_ms() - (*inbound)->received_at_ms < sender->caps.reply_window_ms;
          if (auto body = keys.open(data_keys, row.tenant_id, (*inbound)->key_id, row.in_reply_to, (*inbound)->body))
            token = crypto::body_reply_handle(*body);
        }
        if (fresh && !token.empty()) {
          via_reply = true;
          request.reply_handle = std::move(token);
        } else if (before == ReplyState::uncertain) {
          // An earlier reply may have arrived; pushing now could say it twice.
          finish(job, row, sender, End::failed, permanent("reply_unconfirmed", kUnconfirmedReason), "reply");
          co_return;
        }
      }
      const std::string method = via_reply ? "reply" : "push";
      // "sending" for the counselor; for a reply, durably, that its handle may be used.
      auto marked = via_reply ? durable_reply_mark(row.id, method)
                              : store.set_status(row.id, store::kSending, method, "", "", true);
      if (!marked) {
        note_job_update(job, jobs.fail(job, marked.error().message()));
        co_return;
      }
      publish(row, store::kSending, "", "");

      co_await sender->limiter->acquire();
      auto outcome = co_await sender->adapter->send(request);
      std::string used = method;
      if (via_reply && outcome.kind == DeliveryKind::permanent && outcome.reply_handle_spent) {
        if (before == ReplyState::uncertain) {
          outcome.kind = DeliveryKind::delivered;  // our earlier attempt used the token
          outcome.code = "reply_already_used";
        } else {
          // Expired or never valid: the same text goes by push, with its retry key. The
          // store must say so first: a later run that still read "uncertain" would take the
          // refused handle for our own earlier reply and count the message delivered.
          if (auto r = store.set_reply_state(row.id, ReplyState::abandoned); !r) {
            log.error("outbox_reply_state_unrecorded", fields(job, r.error().message()));
            note_job_update(job, jobs.fail(job, r.error().message()));
            co_return;
          }
          row.reply_state = ReplyState::abandoned;
          request.reply_handle.clear();
          co_await sender->limiter->acquire();
          outcome = co_await sender->adapter->send(request);
          used = "push";
        }
      } else if (via_reply && outcome.kind == DeliveryKind::retriable && !outcome.maybe_sent &&
                 before != ReplyState::uncertain) {
        // Certainly not used. If this is not recorded the state stays "uncertain", and the
        // next run answers conservatively (reply_unconfirmed) rather than push a second time.
        if (auto r = store.set_reply_state(row.id, ReplyState::refused); !r)
          log.warn("outbox_reply_state_unrecorded", fields(job, r.error().message()));
      }

      if (outcome.kind == DeliveryKind::retriable) {
        finish(job, row, sender, End::retry, outcome, used);
        co_return;
      }
      if (outcome.kind == DeliveryKind::permanent) {
        finish(job, row, sender, End::dead_letter, outcome, used);
        co_return;
      }
      if (i + 1 < requests.size()) {
        if (auto r = store.set_requests_done(row.id, static_cast<int>(i + 1)); !r) {
          note_job_update(job, jobs.fail(job, r.error().message()));
          co_return;
        }
        row.requests_done = static_cast<int>(i + 1);
        continue;
      }
      finish(job, row, sender, End::delivered, outcome, used);
    }
  }

};

OutboxWorker::OutboxWorker(const store::DatabaseOptions& db, WorkerOptions options, crypto::Keyring& keys,
                           Senders& senders, DeliveryFeed& feed, Metrics& metrics, Log& log, const Clock& clock)
    : impl_(std::make_unique<Impl>(db, std::move(options), keys, senders, feed, metrics, log, clock)) {}

OutboxWorker::~OutboxWorker() { stop(); }

asio::any_io_executor OutboxWorker::executor() { return impl_->io.get_executor(); }

void OutboxWorker::spawn(std::function<asio::awaitable<void>()> task) { impl_->tasks.push_back(std::move(task)); }

void OutboxWorker::start() {
  auto& d = *impl_;
  if (auto released = d.jobs.release_leases(d.options.owner + ":"); released && *released > 0)
    d.log.info("outbox_leases_released", {{"jobs", *released}});
  d.idle_timers.assign(static_cast<std::size_t>(std::max(d.options.lanes, 1)), nullptr);
  for (int i = 0; i < std::max(d.options.lanes, 1); ++i)
    asio::co_spawn(d.io, d.lane(i), asio::detached);
  for (auto& task : d.tasks) asio::co_spawn(d.io, task(), asio::detached);
  d.thread = std::thread([&d] { d.io.run(); });
}

void OutboxWorker::wake() {
  asio::post(impl_->io, [d = impl_.get()] {
    for (auto* t : d->idle_timers)
      if (t) t->cancel();
  });
}

void OutboxWorker::stop() {
  if (impl_->thread.joinable()) {
    asio::post(impl_->io, [d = impl_.get()] { d->stopping = true; });
    impl_->io.stop();
    impl_->thread.join();
  }
  impl_->senders.clear();  // their sockets must close while the io_context still exists
}

}  // namespace madoguchi::outbox
