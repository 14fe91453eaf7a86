// `madoguchi serve`: the composition root. Builds every service from the configuration,
// in dependency order, and tears them down in reverse: the listener stops first, then the
// committer finishes what was accepted.
#include <boost/json/serialize.hpp>
#include <iostream>

#include "crypto/keys.hpp"
#include "gateway/channels.hpp"
#include "gateway/commands.hpp"
#include "gateway/console/api.hpp"
#include "gateway/console/origin.hpp"
#include "gateway/console/staff_admin.hpp"
#include "gateway/core/log.hpp"
#include "gateway/http/peer.hpp"
#include "gateway/http/server.hpp"
#include "gateway/ingest/intake.hpp"
#include "gateway/ingest/webhook_handler.hpp"
#include "gateway/media/worker.hpp"
#include "gateway/outbox/outbox.hpp"
#include "gateway/outbox/worker.hpp"
#include "gateway/triage/assessor.hpp"
#include "gateway/triage/worker.hpp"
#include "gateway/startup.hpp"
#include "store/accounts.hpp"
#include "store/jobs.hpp"
#include "store/schema.hpp"
#include "store/staff_store.hpp"

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
  o.max_connections = c.server.limits.max_connections;
  o.body_budget_bytes = c.server.limits.body_budget_bytes;
  o.min_body_bytes_per_second = c.server.limits.min_body_bytes_per_second;
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

outbox::WorkerOptions worker_options(const config::Config& c) {
  outbox::WorkerOptions o;
  o.lanes = c.outbox.lanes;
  o.backoff = {c.outbox.backoff_base_ms, c.outbox.backoff_cap_ms};
  o.lease_ms = std::int64_t{c.outbox.lease_s} * 1000;
  o.poll_ms = c.outbox.poll_ms;
  return o;
}

// One entry per configured channel account: its factory and its row in the store.
struct ChannelAccount {
  const config::ChannelConfig* config;
  adapters::ChannelFactory* factory;
  std::int64_t row_id;
};

std::vector<ChannelAccount> channel_accounts(const config::Config& c, const adapters::ChannelList& channels,
                                             const store::AccountIds& ids) {
  std::vector<ChannelAccount> out;
  for (const auto& a : c.channels) out.push_back({&a, find_channel(channels, a.type), ids.at({a.type, a.name})});
  return out;
}

// Webhooks in: verify, parse, seal, group commit.
struct Ingest {
  AdapterRegistry registry;
  std::map<std::string, std::unique_ptr<ingest::TenantIngest>> tenants;
  std::unique_ptr<store::GroupCommitter> committer;
};

Ingest build_ingest(const config::Config& c, const std::vector<ChannelAccount>& accounts, Metrics& metrics,
                    const Clock& clock, Log& log) {
  Ingest in;
  in.tenants = load_tenants(c, clock, log);
  const adapters::InboundContext context{c.server.limits.json_max_depth};
  for (const auto& a : accounts)
    in.registry.add({a.config->type, a.config->name, a.config->tenant, a.row_id, a.factory->inbound(*a.config, context)});
  store::CommitterOptions options{database_options(c), c.store.max_batch};
  in.committer = std::make_unique<store::GroupCommitter>(std::move(options), metrics, clock);
  return in;
}

// The channels' own listeners (email over LMTP), handing what they receive to the same
// sealing and group commit as webhooks.
std::vector<std::unique_ptr<adapters::Listener>> build_listeners(const adapters::ChannelList& channels,
                                                                 const std::vector<ChannelAccount>& accounts,
                                                                 MessageSink& sink, Log& log) {
  std::vector<std::unique_ptr<adapters::Listener>> out;
  for (const auto& channel : channels) {
    std::vector<const config::ChannelConfig*> of_type;
    for (const auto& a : accounts)
      if (a.factory == channel.get()) of_type.push_back(a.config);
    if (of_type.empty()) continue;
    for (auto& l : channel->listeners(of_type, {sink, log})) out.push_back(std::move(l));
  }
  return out;
}

// Replies out: counselor-side keys, one sender per channel account, the worker thread,
// and the entry point the console and triage queue replies through.
struct Delivery {
  std::unique_ptr<crypto::Keyring> keys;
  std::unique_ptr<outbox::Senders> senders;
  std::unique_ptr<DeliveryFeed> feed;
  std::unique_ptr<outbox::OutboxWorker> worker;
  std::unique_ptr<outbox::Outbox> outbox;
};

Delivery build_outbox(const config::Config& c, const adapters::ChannelList& channels,
                      const std::vector<ChannelAccount>& accounts, Metrics& metrics, Log& log, const Clock& clock) {
  Delivery d;
  d.keys = std::make_unique<crypto::Keyring>(clock);
  load_counselor_keys(c, *d.keys);
  d.senders = std::make_unique<outbox::Senders>();
  d.feed = std::make_unique<DeliveryFeed>();
  d.worker = std::make_unique<outbox::OutboxWorker>(database_options(c), worker_options(c), *d.keys, *d.senders,
                                                    *d.feed, metrics, log, clock);
  const adapters::OutboundContext context{d.worker->executor(), log};
  for (const auto& a : accounts) {
    auto parts = a.factory->outbound(*a.config, context);
    d.senders->add(a.row_id, a.factory->info(), a.config->name, parts.adapter, a.config->send_per_second);
    for (auto& task : parts.tasks) d.worker->spawn(std::move(task));
  }
  for (const auto& channel : channels) channel->add_metrics(metrics);
  auto* worker = d.worker.get();
  d.outbox = std::make_unique<outbox::Outbox>(database_options(c), *d.keys, *d.senders,
                                              outbox::OutboxLimits{c.outbox.max_text_chars, c.outbox.max_attempts},
                                              [worker] { worker->wake(); }, clock);
  return d;
}

// Triage: classify, route, and the automatic replies (first, after hours, emergency).
struct Triage {
  std::unique_ptr<triage::Assessor> assessor;
  std::unique_ptr<triage::TriageWorker> worker;
};

Triage build_triage(const config::Config& c, Delivery& d, Log& log, const Clock& clock) {
  Triage t;
  t.assessor = std::make_unique<triage::Assessor>(c);
  std::map<std::string, std::string> first_replies;
  for (const auto& tenant : c.tenants) first_replies[tenant.id] = tenant.first_reply;
  triage::TriageWorkerOptions options;
  options.poll_ms = c.triage.poll_ms;
  options.lease_ms = std::int64_t{c.triage.lease_s} * 1000;
  options.reply_max_attempts = c.outbox.max_attempts;
  auto* worker = d.worker.get();
  t.worker = std::make_unique<triage::TriageWorker>(database_options(c), options, *t.assessor, first_replies, *d.keys,
                                                    *d.senders, *d.feed, [worker] { worker->wake(); }, log, clock);
  return t;
}

// Media content: each channel account's media source (if its channel has one) on the
// media stage's own thread; the content is sealed with the counselor side's keys.
std::unique_ptr<media::MediaWorker> build_media(const config::Config& c, const std::vector<ChannelAccount>& accounts,
                                                Delivery& d, Log& log, const Clock& clock) {
  media::MediaWorkerOptions o;
  o.lanes = c.media.lanes;
  o.backoff = {c.media.backoff_base_ms, c.media.backoff_cap_ms};
  o.lease_ms = std::int64_t{c.media.lease_s} * 1000;
  o.poll_ms = c.media.poll_ms;
  o.max_bytes = c.media.max_bytes;
  o.allowed_types = c.media.allowed_types;
  auto worker = std::make_unique<media::MediaWorker>(database_options(c), std::move(o), *d.keys, log, clock);
  const adapters::MediaContext context{worker->executor(), log};
  for (const auto& a : accounts)
    if (auto source = a.factory->media(*a.config, context)) worker->add_source(a.row_id, std::move(source));
  return worker;
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
void seed_demo_users(const config::Config& c, console::ConsoleDb& db, crypto::Keyring& keys,
                     console::AuditLog& audit, const Clock& clock, Log& log) {
  if (c.console.demo_users.empty()) return;
  std::lock_guard lock(db.mutex);
  std::cout << "デモ用ログイン / demo logins:\n";
  for (const auto& u : c.console.demo_users) {
    auto existing = store::StaffStore(db.db).by_username(u.username);
    if (!existing) throw std::runtime_error("cannot read staff users: " + existing.error().message());
    if (!*existing) {
      console::NewStaff staff{u.tenant, u.username, u.role, u.windows, std::string(u.password.view()), false, true};
      auto created = console::add_staff(db.db, keys, audit, staff, "demo-setup", crypto::KdfLimits::interactive(), clock);
      if (!created) throw std::runtime_error("cannot create demo user " + u.username + ": " + created.error().message());
      log.info("demo_user_created", {{"user", u.username}, {"role", u.role}});
    }
    std::string windows;
    for (const auto& w : u.windows) windows += (windows.empty() ? "" : "、") + w;
    std::cout << "  " << u.username << "  (" << u.role << (windows.empty() ? "" : ": " + windows) << ")\n";
  }
  // Where the password is, never the password: the start-up output lands in terminals,
  // journals and CI logs.
  std::cout << "  パスワード: [console.demo_users] の password が指す環境変数（scripts/demo.sh では "
               "MADOGUCHI_DEMO_PASSWORD、既定値は README）\n"
               "  password: the variable [console.demo_users] password names (scripts/demo.sh: "
               "MADOGUCHI_DEMO_PASSWORD, default in README)\n";
}

// What 定型文 placeholders say about a window now: its weekly hours and next opening from
// triage's calendars (no hours configured: always open), the tenant's 24-hour numbers.
console::WindowFactsSource window_facts(const triage::Assessor& assessor) {
  return [&assessor](const std::string& tenant, const std::string& window, std::int64_t now_ms) {
    console::WindowFacts f;
    if (const auto* calendar = assessor.calendar(tenant, window)) {
      f.hours = triage::describe_week(calendar->hours());
      if (!calendar->is_open(now_ms))
        if (auto next = calendar->next_opening(now_ms)) f.next_opening = triage::format_next_opening(*next);
    } else {
      f.hours = "24時間";
    }
    if (const auto* t = assessor.tenant(tenant)) f.hotlines = triage::hotlines_text(*t);
    return f;
  };
}

// The console: its own store connection (shared by login, cases and the audit log).
struct Console {
  std::unique_ptr<console::ConsoleDb> db;
  std::unique_ptr<console::AuditLog> audit;
  std::unique_ptr<console::Auth> auth;
  std::unique_ptr<console::Cases> cases;
  std::unique_ptr<console::LiveHub> live;
};

Console build_console(const config::Config& c, Delivery& d, const Clock& clock, Log& log) {
  Console k;
  k.db = std::make_unique<console::ConsoleDb>(database_options(c));
  k.audit = std::make_unique<console::AuditLog>(k.db->db, console::load_audit_key(c.console.audit_key_file, true), clock);
  seed_demo_users(c, *k.db, *d.keys, *k.audit, clock, log);
  k.auth = std::make_unique<console::Auth>(*k.db, *d.keys, *k.audit, auth_policy(c), clock);
  k.cases = std::make_unique<console::Cases>(*k.db, *d.keys, *d.outbox, *k.audit,
                                             console::CaseLimits{c.console.max_note_chars, c.outbox.max_text_chars}, clock);
  if (auto sealed = k.cases->seal_clear_households(); !sealed)
    throw std::runtime_error("cannot seal household numbers: " + sealed.error().message());
  else if (*sealed)
    log.info("households_sealed", {{"conversations", *sealed}});
  k.live = std::make_unique<console::LiveHub>(database_options(c, true), *k.cases, *d.feed);
  return k;
}

// Scrape-time gauges of the queue, read through their own connection (the writer's is its own).
struct QueueGauges {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<store::JobQueue> jobs;
  std::mutex mutex;
};

void add_queue_gauges(const config::Config& c, QueueGauges& g, store::GroupCommitter& committer, Metrics& metrics,
                      const Clock& clock) {
  g.db = std::make_unique<store::Database>(database_options(c, true));
  g.jobs = std::make_unique<store::JobQueue>(*g.db, clock);
  metrics.add_gauge("madoguchi_jobs", "Jobs ready or leased, by kind", [&g] {
    std::lock_guard lock(g.mutex);
    std::vector<std::pair<std::string, double>> out;
    if (auto depth = g.jobs->depth())
      for (auto& [kind, n] : *depth) out.emplace_back("kind=\"" + kind + "\"", static_cast<double>(n));
    return out;
  });
  metrics.add_gauge("madoguchi_commit_pending", "Webhooks waiting for a commit", [&committer] {
    return std::vector<std::pair<std::string, double>>{{"", static_cast<double>(committer.pending())}};
  });
}

void add_health_routes(http::Router& router, Metrics& metrics, const Secret& metrics_token) {
  router.add("GET", "/healthz", [](http::Request&&, const http::RouteParams&, http::Respond respond) {
    respond({200, "application/json", R"({"status":"ok"})", {}});
  });
  // Counts and gauges tell an outsider how busy each window is: loopback peers (a local
  // Prometheus or an SSH tunnel) or the bearer token only. 404 so the route is not advertised.
  router.add("GET", "/metrics", [&metrics, &metrics_token](http::Request&& r, const http::RouteParams&,
                                                          http::Respond respond) {
    if (!http::metrics_allowed(r.remote_address, r.header("authorization"), metrics_token.view()))
      return respond(http::error_response(404, "not_found", "見つかりません / not found"));
    respond({200, "text/plain; version=0.0.4; charset=utf-8", metrics.render_prometheus(), {}});
  });
}

std::string listen_url(const http::Server& server, const std::string& host) {
  auto shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(server.tls() ? "https" : "http") + "://" + shown + ":" + std::to_string(server.port());
}

}  // namespace

int serve(const std::filesystem::path& config_file) {
  const auto channels = make_channels();
  auto config = load_or_report(config_file, channels);
  if (!config) return 2;
  LogLevel level = LogLevel::info;
  parse_log_level(config->logging.level, level);
  Log log(level);
  try {
    SystemClock clock;
    ensure_data_dir(*config);
    InstanceLock lock(*config);
    const auto accounts = channel_accounts(*config, channels, prepare_store(*config));
    Metrics metrics;

    auto ingest = build_ingest(*config, accounts, metrics, clock, log);
    QueueGauges gauges;
    add_queue_gauges(*config, gauges, *ingest.committer, metrics, clock);
    auto delivery = build_outbox(*config, channels, accounts, metrics, log, clock);
    delivery.worker->start();
    auto triage = build_triage(*config, delivery, log, clock);
    triage.worker->start();
    auto media = build_media(*config, accounts, delivery, log, clock);
    media->start();
    auto console = build_console(*config, delivery, clock, log);
    console.live->start();

    http::Router router;
    add_health_routes(router, metrics, config->server.metrics_token);
    ingest::WebhookHandler webhooks(ingest.registry, ingest.tenants, *ingest.committer, metrics, log, clock);
    webhooks.add_routes(router);
    console::ApiOptions api_options;
    api_options.secure_cookie = config->server.tls.has_value();
    for (const auto& channel : channels) api_options.channels.push_back(channel->info());
    api_options.login_threads = config->console.login_threads;
    api_options.login_queue = static_cast<std::size_t>(config->console.login_queue);
    api_options.login_per_address_per_minute = config->console.login_per_address_per_minute;
    for (const auto& origin : config->console.origins) {
      if (!console::normalize_origin(origin)) throw std::runtime_error("console.origins: not an origin: " + origin);
      api_options.origins.push_back(origin);
    }
    console::Templates templates(*console.db, *console.audit, window_facts(*triage.assessor), {}, clock);
    console::ConsoleApi console_api(*console.auth, *console.cases, templates, *console.live, api_options);
    console_api.add_routes(router);

    ingest::Intake intake(ingest.registry, ingest.tenants, *ingest.committer, metrics, clock);
    auto listeners = build_listeners(channels, accounts, intake, log);
    for (auto& l : listeners) {
      l->start();
      // Before the HTTP line: scripts wait for that one as "ready".
      log.info("listening", {{"endpoint", l->endpoint()}});
      std::cout << "listening on " << l->endpoint() << std::endl;
    }

    http::Server server(server_options(*config), router, metrics, log);
    server.stop_on_signals();
    const auto url = listen_url(server, config->server.host);
    console_api.allow_origins({url});  // the listener's own address (its port is known only now)
    log.info("listening", {{"url", url}, {"tenants", config->tenants.size()}, {"channel_accounts", accounts.size()}});
    if (!config->console.demo_users.empty()) std::cout << "console: " << url << "/console/" << std::endl;
    std::cout << "listening on " << url << std::endl;
    server.run();
    console_api.stop();  // answers the logins still queued while the server's executor exists
    // Every listener answers what it accepted before the committer stops.
    for (auto& l : listeners) l->stop();
    console.live->stop();
    media->stop();
    triage.worker->stop();
    delivery.worker->stop();
    ingest.committer->stop();
    log.info("stopped");
    return 0;
  } catch (const std::exception& e) {
    log.error("startup_failed", {{"reason", e.what()}});
    std::cerr << "起動できません / cannot start: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace madoguchi::app
