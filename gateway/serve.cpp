// `madoguchi serve`: the composition root. Builds every service from the configuration,
// in dependency order, and tears them down in reverse: the listener stops first, then the
// committer finishes what was accepted.
#include <boost/json/serialize.hpp>
#include <iostream>

#include "adapters/line/line_inbound.hpp"
#include "adapters/line/line_outbound.hpp"
#include "crypto/keys.hpp"
#include "gateway/commands.hpp"
#include "gateway/console/api.hpp"
#include "gateway/console/staff_admin.hpp"
#include "gateway/core/log.hpp"
#include "gateway/http/server.hpp"
#include "gateway/ingest/webhook_handler.hpp"
#include "gateway/outbox/line_quota.hpp"
#include "gateway/outbox/outbox.hpp"
#include "gateway/outbox/worker.hpp"
#include "gateway/triage/assessor.hpp"
#include "gateway/triage/worker.hpp"
#include "gateway/startup.hpp"
#include "queue/accounts.hpp"
#include "queue/jobs.hpp"
#include "queue/schema.hpp"
#include "queue/staff_store.hpp"

namespace madoguchi::app {
namespace {

http::ServerOptions server_options(const config::Config& c) {
  http::ServerOptions o;
  o.host = c.server.host;
  o.port = c.server.port;
  o.threads = c.server.threads;
  if (c.server.tls) o.tls = http::TlsFiles{c.server.tls->certificate_file, c.server.tls->private_key_file};
  o.header_bytes = c.server.limits.header_bytes;
  o.body_bytes = c.server.limits.body_bytes;
  o.header_timeout = std::chrono::seconds(c.server.limits.header_timeout_s);
  o.request_timeout = std::chrono::seconds(c.server.limits.request_timeout_s);
  o.max_connections_per_address = c.server.limits.max_connections_per_address;
  return o;
}

// Loads (or, for the demo, first creates) each tenant's ingest keys.
std::map<std::string, std::unique_ptr<ingest::TenantIngest>> load_tenants(const config::Config& c,
                                                                         const Clock& clock, Log& log) {
  std::map<std::string, std::unique_ptr<ingest::TenantIngest>> tenants;
  for (const auto& t : c.tenants) {
    if (!crypto::tenant_keys_exist(t.keys_dir)) {
      if (!t.create_keys_if_missing)
        throw std::runtime_error("tenant " + t.id + ": no keys in " + t.keys_dir.string() +
                                 " (run: madoguchi keys init --config FILE --tenant " + t.id + ")");
      // Interactive Argon2id limits keep the demo's first start fast; `keys init` uses moderate.
      auto created = crypto::init_tenant_keys(t.keys_dir, t.key_passphrase.view(), crypto::KdfLimits::interactive());
      if (!created) throw std::runtime_error("tenant " + t.id + ": cannot create keys: " + created.error().message());
      log.info("tenant_keys_created", {{"tenant", t.id}});
    }
    auto keys = crypto::load_ingest_keys(t.keys_dir, t.key_passphrase.view());
    if (!keys) throw std::runtime_error("tenant " + t.id + ": cannot load keys: " + keys.error().message());
    tenants.emplace(t.id, std::make_unique<ingest::TenantIngest>(t.id, std::move(*keys), clock,
                                                                 t.epoch_seconds * 1000, t.epoch_messages));
  }
  return tenants;
}

void register_line_accounts(const config::Config& c, const queue::AccountIds& ids, AdapterRegistry& registry) {
  for (const auto& a : c.line_accounts) {
    std::vector<Secret> secrets;
    for (const auto& s : a.channel_secrets) secrets.push_back(s.clone());
    adapters::JsonLimits limits{c.server.limits.json_max_depth};
    registry.add({"line", a.name, a.tenant, ids.at({"line", a.name}),
                  std::make_unique<adapters::line::LineInbound>(a.name, std::move(secrets), limits)});
  }
}

outbox::WorkerOptions worker_options(const config::Config& c) {
  outbox::WorkerOptions o;
  o.lanes = c.outbox.lanes;
  o.backoff = {c.outbox.backoff_base_ms, c.outbox.backoff_cap_ms};
  o.lease_ms = std::int64_t{c.outbox.lease_s} * 1000;
  o.poll_ms = c.outbox.poll_ms;
  return o;
}

// LINE senders (and quota monitors) on the worker's thread.
std::vector<std::unique_ptr<outbox::LineQuotaMonitor>> add_line_senders(const config::Config& c,
                                                                       const queue::AccountIds& ids,
                                                                       outbox::OutboxWorker& worker,
                                                                       outbox::Senders& senders, Log& log) {
  std::vector<std::unique_ptr<outbox::LineQuotaMonitor>> monitors;
  for (const auto& a : c.line_accounts) {
    adapters::HttpClientOptions http{a.api_base, std::chrono::seconds(a.send_timeout_s)};
    auto line = std::make_shared<adapters::line::LineOutbound>(
        a.access_token.clone(), std::make_unique<adapters::HttpClient>(worker.executor(), http),
        std::int64_t{a.reply_window_s} * 1000);
    senders.add(ids.at({"line", a.name}), "line", a.name, line, a.send_per_second);
    if (a.quota_poll_s > 0) {
      monitors.push_back(std::make_unique<outbox::LineQuotaMonitor>(a.name, *line, log, std::chrono::seconds(a.quota_poll_s)));
      worker.spawn([m = monitors.back().get(), line] { return m->run(); });
    }
  }
  return monitors;
}

console::AuthPolicy auth_policy(const config::Config& c) {
  console::AuthPolicy p;
  p.idle_ms = std::int64_t{c.console.session_idle_s} * 1000;
  p.absolute_ms = std::int64_t{c.console.session_absolute_s} * 1000;
  p.lock_after_failures = c.console.lock_after_failures;
  p.lock_base_ms = std::int64_t{c.console.lock_seconds} * 1000;
  p.lock_cap_ms = std::int64_t{c.console.lock_cap_seconds} * 1000;
  return p;
}

// Demo only: creates the configured demo users that do not exist yet, and says how to log in.
void seed_demo_users(const config::Config& c, console::ConsoleDb& db, outbox::TenantKeys& keys,
                     console::AuditLog& audit, const Clock& clock, Log& log) {
  if (c.console.demo_users.empty()) return;
  std::lock_guard lock(db.mutex);
  std::cout << "デモ用ログイン / demo logins:\n";
  for (const auto& u : c.console.demo_users) {
    auto existing = queue::StaffStore(db.db).by_username(u.username);
    if (!existing) throw std::runtime_error("cannot read staff users: " + existing.error().message());
    if (!*existing) {
      console::NewStaff staff{u.tenant, u.username, u.role, u.windows, std::string(u.password.view()), false};
      auto created = console::add_staff(db.db, keys, audit, staff, "demo-setup", crypto::KdfLimits::interactive(), clock);
      if (!created) throw std::runtime_error("cannot create demo user " + u.username + ": " + created.error().message());
      log.info("demo_user_created", {{"user", u.username}, {"role", u.role}});
    }
    std::string windows;
    for (const auto& w : u.windows) windows += (windows.empty() ? "" : "、") + w;
    std::cout << "  " << u.username << " / " << u.password.view() << "  (" << u.role
              << (windows.empty() ? "" : ": " + windows) << ")\n";
  }
}

std::string listen_url(const http::Server& server, const std::string& host) {
  auto shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(server.tls() ? "https" : "http") + "://" + shown + ":" + std::to_string(server.port());
}

}  // namespace

int serve(const std::filesystem::path& config_file) {
  auto config = load_or_report(config_file);
  if (!config) return 2;
  LogLevel level = LogLevel::info;
  parse_log_level(config->logging.level, level);
  Log log(level);
  try {
    SystemClock clock;
    ensure_data_dir(*config);
    InstanceLock lock(*config);
    const auto account_ids = prepare_store(*config);
    auto tenants = load_tenants(*config, clock, log);
    AdapterRegistry registry;
    register_line_accounts(*config, account_ids, registry);

    Metrics metrics;
    queue::CommitterOptions committer_options{database_options(*config), config->store.max_batch};
    queue::GroupCommitter committer(std::move(committer_options), metrics, clock);

    // Scrape-time gauges read through their own connection (the writer's is its own).
    queue::Database gauge_db(database_options(*config, true));
    std::mutex gauge_mutex;
    queue::JobQueue gauge_jobs(gauge_db, clock);
    metrics.add_gauge("madoguchi_jobs", "Jobs ready or leased, by kind", [&] {
      std::lock_guard lock(gauge_mutex);
      std::vector<std::pair<std::string, double>> out;
      if (auto depth = gauge_jobs.depth())
        for (auto& [kind, n] : *depth) out.emplace_back("kind=\"" + kind + "\"", static_cast<double>(n));
      return out;
    });
    metrics.add_gauge("madoguchi_commit_pending", "Webhooks waiting for a commit", [&] {
      return std::vector<std::pair<std::string, double>>{{"", static_cast<double>(committer.pending())}};
    });

    // The outbox: counselor-side keys, one sender per channel account, the worker thread.
    outbox::TenantKeys outbox_keys(clock);
    load_counselor_keys(*config, outbox_keys);
    outbox::Senders senders;
    outbox::DeliveryFeed feed;
    outbox::OutboxWorker worker(database_options(*config), worker_options(*config), outbox_keys, senders, feed, metrics,
                                log, clock);
    auto quota_monitors = add_line_senders(*config, account_ids, worker, senders, log);
    metrics.add_gauge("madoguchi_line_quota_used", "LINE messages sent this month (quota consumption)", [&] {
      std::vector<std::pair<std::string, double>> out;
      for (const auto& m : quota_monitors)
        if (m->known()) out.emplace_back("account=\"" + m->account() + "\"", static_cast<double>(m->used()));
      return out;
    });
    metrics.add_gauge("madoguchi_line_quota_limit", "LINE monthly message limit (-1 = none)", [&] {
      std::vector<std::pair<std::string, double>> out;
      for (const auto& m : quota_monitors)
        if (m->known()) out.emplace_back("account=\"" + m->account() + "\"", static_cast<double>(m->limit()));
      return out;
    });
    // The entry point the console uses to queue replies (issue C).
    outbox::Outbox outbox(database_options(*config), outbox_keys, senders,
                          {config->outbox.max_text_chars, config->outbox.max_attempts}, [&worker] { worker.wake(); },
                          clock);
    worker.start();

    // Triage: classify, route, and the automatic replies (first, after hours, emergency).
    const triage::Assessor assessor(*config);
    std::map<std::string, std::string> first_replies;
    for (const auto& t : config->tenants) first_replies[t.id] = t.first_reply;
    triage::TriageWorkerOptions triage_options;
    triage_options.poll_ms = config->triage.poll_ms;
    triage_options.lease_ms = std::int64_t{config->triage.lease_s} * 1000;
    triage_options.reply_max_attempts = config->outbox.max_attempts;
    triage::TriageWorker triage_worker(database_options(*config), triage_options, assessor, first_replies, outbox_keys,
                                       senders, feed, [&worker] { worker.wake(); }, log, clock);
    triage_worker.start();

    // The console: its own store connection (shared by login, cases and the audit log).
    console::ConsoleDb console_db(database_options(*config));
    console::AuditLog audit(console_db.db, console::load_audit_key(config->console.audit_key_file, true), clock);
    seed_demo_users(*config, console_db, outbox_keys, audit, clock, log);
    console::Auth auth(console_db, outbox_keys, audit, auth_policy(*config), clock);
    console::Cases cases(console_db, outbox_keys, outbox, audit,
                         {config->console.max_note_chars, config->outbox.max_text_chars}, clock);
    console::LiveHub live(database_options(*config, true), cases, feed);
    live.start();

    http::Router router;
    router.add("GET", "/healthz", [](http::Request&&, const http::RouteParams&, http::Respond respond) {
      respond({200, "application/json", R"({"status":"ok"})", {}});
    });
    router.add("GET", "/metrics", [&metrics](http::Request&&, const http::RouteParams&, http::Respond respond) {
      respond({200, "text/plain; version=0.0.4; charset=utf-8", metrics.render_prometheus(), {}});
    });
    ingest::WebhookHandler webhooks(registry, tenants, committer, metrics, log, clock);
    webhooks.add_routes(router);
    console::ConsoleApi console_api(auth, cases, live, {config->server.tls.has_value()});
    console_api.add_routes(router);

    http::Server server(server_options(*config), router, metrics, log);
    server.stop_on_signals();
    const auto url = listen_url(server, config->server.host);
    log.info("listening", {{"url", url}, {"tenants", config->tenants.size()},
                           {"line_accounts", config->line_accounts.size()}});
    if (!config->console.demo_users.empty()) std::cout << "console: " << url << "/console/" << std::endl;
    std::cout << "listening on " << url << std::endl;
    server.run();
    live.stop();
    triage_worker.stop();
    worker.stop();
    committer.stop();
    log.info("stopped");
    return 0;
  } catch (const std::exception& e) {
    log.error("startup_failed", {{"reason", e.what()}});
    std::cerr << "起動できません / cannot start: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace madoguchi::app
