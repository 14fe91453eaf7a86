#include "gateway/triage/worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "crypto/envelope.hpp"
#include "gateway/outbox/compose.hpp"
#include "gateway/triage/case_record.hpp"
#include "gateway/triage/delivery_report.hpp"
#include "store/case_store.hpp"
#include "store/data_keys.hpp"
#include "store/outbox_store.hpp"
#include "store/transaction.hpp"
#include "store/triage_store.hpp"

namespace madoguchi::triage {
namespace {

namespace json = boost::json;

}  // namespace

struct TriageWorker::Impl {
  TriageWorkerOptions options;
  const Assessor& assessor;
  std::map<std::string, std::string> first_replies;
  crypto::Keyring& keys;
  const outbox::Senders& senders;
  DeliveryFeed& feed;
  std::function<void()> on_reply_queued;
  Log& log;
  const Clock& clock;
  store::Database db;
  store::JobQueue jobs;
  std::string owner;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;

  Impl(const store::DatabaseOptions& o, TriageWorkerOptions opts, const Assessor& a, std::map<std::string, std::string> r,
       crypto::Keyring& k, const outbox::Senders& s, DeliveryFeed& f, std::function<void()> q, Log& l,
       const Clock& c)
      : options(std::move(opts)), assessor(a), first_replies(std::move(r)), keys(k), senders(s), feed(f),
        on_reply_queued(std::move(q)), log(l), clock(c), db(o), jobs(db, c, options.backoff),
        owner("triage:" + options.owner + ":" + std::to_string(::getpid())) {}  // apart from the outbox's leases

  struct AutoReply {
    std::string kind, text;  // kind: first_reply / after_hours / emergency
  };

  // Which automatic reply, if any (see the header).
  std::optional<AutoReply> choose_reply(const store::TriageState& state, const Assessment& a,
                                        const config::TriageTenantConfig* tenant, store::TriageUpdate& u) {
    if (!a.open && tenant) {
      const auto period = a.closed_since.value_or(0);
      if (a.decision.urgency == kEmergency && state.emergency_period != period && !tenant->emergency_reply.empty()) {
        u.emergency_period = period;
        u.after_hours_period = period;  // the emergency reply also says when we open
        u.first_reply_queued = true;
        return AutoReply{"emergency", fill_reply(tenant->emergency_reply, *tenant, a.next_opening)};
      }
      if (state.after_hours_period != period && state.emergency_period != period && !tenant->after_hours_reply.empty()) {
        u.after_hours_period = period;
        u.first_reply_queued = true;
        return AutoReply{"after_hours", fill_reply(tenant->after_hours_reply, *tenant, a.next_opening)};
      }
      return std::nullopt;
    }
    if (state.first_reply_queued) return std::nullopt;
    u.first_reply_queued = true;
    auto it = first_replies.find(state.tenant_id);
    if (it == first_replies.end() || it->second.empty()) return std::nullopt;
    return AutoReply{"first_reply", it->second};
  }

  bool run_once() {
    auto leased = jobs.lease("triage", owner, options.lease_ms);
    if (!leased) {
      log.warn("triage_lease_failed", {{"reason", leased.error().message()}});
      return false;
    }
    if (!*leased) return false;
    const auto job = **leased;
    auto done = handle(job);
    if (!done) {
      log.warn("triage_failed", {{"job", job.id}, {"conversation", job.conversation_id}, {"reason", done.error().message()}});
      // Unrecorded, the lease still expires and the job runs again: logged, not lost.
      if (auto failed = jobs.fail(job, done.error().message()); !failed)
        log.warn("triage_job_update_failed", {{"job", job.id}, {"reason", failed.error().message()}});
    }
    return true;
  }

  // A bounce about one of our replies: that reply is marked failed; nothing is triaged or
  // answered (a report is never a consultation).
  result<void> handle_report(const store::Job& job, const DeliveryReportReading& report) {
    store::OutboxStore outbox_store(db, clock);
    std::optional<store::OutboundRow> reported;
    if (report.failure) {
      auto rows = outbox_store.by_conversation(job.conversation_id);
      if (!rows) return rows.error();
      const auto& key = report.failure->retry_key;
      auto it = std::find_if(rows->begin(), rows->end(), [&](const store::OutboundRow& row) {
        return std::find(row.retry_keys.begin(), row.retry_keys.end(), key) != row.retry_keys.end();
      });
      if (it != rows->end()) reported = std::move(*it);
    }
    auto written = store::in_transaction(db, [&]() -> result<void> {
      if (reported)
        if (auto r = outbox_store.set_status(reported->id, store::kFailed, reported->method, report.failure->code,
                                             report.failure->reason_ja, false);
            !r)
          return r;
      return jobs.complete(job);
    });
    if (!written) return written.error();
    log.info("delivery_report", {{"job", job.id}, {"conversation", job.conversation_id},
                                 {"matched", reported.has_value()}, {"code", report.failure ? report.failure->code : ""}});
    if (reported)
      feed.publish({reported->id, reported->tenant_id, job.conversation_id, store::kFailed, report.failure->code,
                    report.failure->reason_ja});
    return {};
  }

  result<void> handle(const store::Job& job) {
    store::OutboxStore outbox_store(db, clock);
    store::DataKeys data_keys(db);
    store::TriageStore store(db);
    auto inbound = outbox_store.inbound(job.message_id);
    if (!inbound) return inbound.error();
    auto state = store.state(job.conversation_id);
    if (!state) return state.error();
    if (!*inbound || !*state) return jobs.complete(job);  // nothing left to triage
    const auto& in = **inbound;
    std::string text;
    bool machine_written = false;
    if (!in.key_id.empty()) {
      auto plain = keys.open(data_keys, in.tenant_id, in.key_id, job.message_id, in.body);
      if (!plain) return plain.error();
      if (auto t = crypto::body_text(*plain)) text = std::move(*t);  // media: no text, still triaged
      // An email's subject is often where the worry is said first.
      if (auto subject = crypto::body_subject(*plain); !subject.empty()) text = subject + "\n" + text;
      machine_written = crypto::body_no_auto_reply(*plain);
      if (auto report = read_delivery_report(*plain); report.is_report) return handle_report(job, report);
    }
    const auto& s = **state;
    const auto a = assessor.assess(s.tenant_id, text, s.channel, in.received_at_ms, s.routed ? s.window_name : "");

    store::TriageUpdate u;
    // Sticky: the highest level any message reached (情報提供 only while every message was
    // one). Before the first assessment there is no level to keep.
    const int before = s.triaged ? s.urgency : a.decision.urgency;
    u.urgency = std::min(before, a.decision.urgency);
    bool tags_added = false;
    std::tie(u.tags_json, tags_added) = merge_tags(s.tags_json, a.decision.tags);
    if (!s.routed) {
      auto window = store.window_id(s.tenant_id, a.route.window);
      if (!window) return window.error();
      // A tenant without windows (or a route to an unknown one) leaves the conversation
      // unrouted: 0 is no window, and writing it would break the windows reference.
      if (const auto id = window->value_or(s.window_id); id != 0) u.window_id = id;
    }
    // Never an automatic answer to an automatic mail (RFC 3834): two robots would loop.
    const auto reply = machine_written ? std::nullopt : choose_reply(s, a, assessor.tenant(s.tenant_id), u);
    std::optional<outbox::Composed> composed;
    if (reply) {
      auto target = outbox_store.target(job.conversation_id);
      if (!target) return target.error();
      const auto* sender = *target ? senders.find((*target)->account_id) : nullptr;
      if (sender) {
        auto c = outbox::compose(keys, {s.tenant_id, job.conversation_id, reply->text, "auto", reply->kind,
                                        job.message_id, options.reply_max_attempts},
                                 sender->caps);
        if (!c) return c.error();
        composed = std::move(*c);
      }
    }
    const bool routed_now = u.window_id && *u.window_id != s.window_id;
    const bool record = u.urgency != s.urgency || routed_now || tags_added || composed;

    store::CaseEntryRow entry;
    std::optional<crypto::SealedText> sealed;
    if (record) {
      entry.id = crypto::random_id();
      entry.tenant_id = s.tenant_id;
      entry.conversation_id = job.conversation_id;
      entry.kind = "triage";
      entry.author = "triage";
      entry.created_at_ms = clock.now_ms();
      json::array rules;
      for (const auto& r : a.decision.reasons) rules.emplace_back(r.rule);
      json::object detail{{"from", urgency_code(s.urgency)}, {"to", urgency_code(u.urgency)}, {"rules", std::move(rules)},
                          {"window", routed_now ? a.route.window : std::string()}, {"route", a.route.why}};
      if (composed) detail["reply"] = reply->kind;
      entry.detail = json::serialize(detail);
      auto box = keys.seal_text(s.tenant_id, entry.id, reasons_text(a.decision));
      if (!box) return box.error();
      sealed = std::move(*box);
      entry.key_id = sealed->key.key_id;
      entry.body = sealed->body;
    }
    auto written = store::in_transaction(db, [&]() -> result<void> {
      if (auto r = store.apply(job.conversation_id, u, clock.now_ms()); !r) return r;
      if (record)
        if (auto r = store::CaseStore(db).add_entry(entry, &sealed->key); !r) return r;
      if (composed)
        if (auto r = outbox_store.insert(composed->row, composed->key); !r) return r;
      return jobs.complete(job);
    });
    if (!written) return written.error();
    json::object fields{{"job", job.id}, {"conversation", job.conversation_id}, {"urgency", urgency_code(u.urgency)}};
    if (composed) fields["reply"] = reply->kind;
    if (routed_now) fields["routed"] = true;
    // The on-call alert: the console shows 緊急 at once; this line is for whoever watches logs.
    if (u.urgency == kEmergency && s.urgency != kEmergency) log.warn("triage_emergency", fields);
    else log.info("triage_done", fields);
    if (composed) {
      feed.publish({composed->row.id, s.tenant_id, job.conversation_id, store::kQueued, "", ""});
      if (on_reply_queued) on_reply_queued();
    }
    return {};
  }

  void loop() {
    while (true) {
      {
        std::lock_guard lock(mutex);
        if (stopping) return;
      }
      if (run_once()) continue;
      std::unique_lock lock(mutex);
      wake.wait_for(lock, std::chrono::milliseconds(options.poll_ms), [&] { return stopping; });
    }
  }
};

TriageWorker::TriageWorker(const store::DatabaseOptions& db, TriageWorkerOptions options, const Assessor& assessor,
                           std::map<std::string, std::string> first_replies, crypto::Keyring& keys,
                           const outbox::Senders& senders, DeliveryFeed& feed,
                           std::function<void()> on_reply_queued, Log& log, const Clock& clock)
    : impl_(std::make_unique<Impl>(db, std::move(options), assessor, std::move(first_replies), keys, senders, feed,
                                   std::move(on_reply_queued), log, clock)) {}

TriageWorker::~TriageWorker() { stop(); }

void TriageWorker::start() {
  // Leases of an earlier process expire on their own; releasing them only saves the wait.
  if (auto released = impl_->jobs.release_leases("triage:" + impl_->options.owner + ":"); !released)
    impl_->log.warn("triage_leases_not_released", {{"reason", released.error().message()}});
  impl_->thread = std::thread([this] { impl_->loop(); });
}

void TriageWorker::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool TriageWorker::run_once() { return impl_->run_once(); }

}  // namespace madoguchi::triage
