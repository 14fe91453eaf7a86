#include "gateway/core/metrics.hpp"

#include <cstdio>

namespace madoguchi {
namespace {

std::string format_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Label values here are route and account names from configuration; escape anyway.
std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void render_family(std::string& out, std::string_view name, std::string_view help,
                   const std::vector<std::string_view>& label_names,
                   const std::map<std::vector<std::string>, std::uint64_t>& family) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" counter\n");
  for (const auto& [labels, value] : family) {
    out.append(name).append("{");
    for (std::size_t i = 0; i < labels.size() && i < label_names.size(); ++i) {
      if (i) out += ',';
      out.append(label_names[i]).append("=\"").append(escape_label(labels[i])).append("\"");
    }
    out.append("} ").append(std::to_string(value)).append("\n");
  }
}

}  // namespace

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < bounds.size() && seconds > bounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out.append(name).append("_bucket{le=\"").append(format_double(bounds[i])).append("\"} ");
    out.append(std::to_string(cumulative)).append("\n");
  }
  cumulative += buckets_[bounds.size()].load(std::memory_order_relaxed);
  out.append(name).append("_bucket{le=\"+Inf\"} ").append(std::to_string(cumulative)).append("\n");
  out.append(name).append("_sum ").append(format_double(sum_micros_.load() / 1e6)).append("\n");
  out.append(name).append("_count ").append(std::to_string(count_.load())).append("\n");
}

void Metrics::bump(std::map<LabelKey, std::uint64_t>& family, LabelKey key, std::uint64_t n) {
  std::lock_guard lock(mutex_);
  family[std::move(key)] += n;
}

void Metrics::count_request(std::string_view route, unsigned status) {
  bump(requests_, {std::string(route), std::to_string(status)}, 1);
}

void Metrics::count_signature_failure(std::string_view channel, std::string_view account) {
  signature_failures_total_.fetch_add(1);
  bump(signature_failures_, {std::string(channel), std::string(account)}, 1);
}

void Metrics::count_duplicates(std::string_view channel, std::uint64_t n) {
  if (n == 0) return;
  duplicates_total_.fetch_add(n);
  bump(duplicates_, {std::string(channel)}, n);
}

void Metrics::count_delivery(std::string_view channel, std::string_view account, std::string_view outcome) {
  bump(deliveries_, {std::string(channel), std::string(account), std::string(outcome)}, 1);
}

void Metrics::count_events(std::string_view channel, std::uint64_t n) {
  if (n == 0) return;
  bump(events_, {std::string(channel)}, n);
}

void Metrics::observe_batch_size(std::uint64_t requests) {
  batches_.fetch_add(1);
  batched_requests_.fetch_add(requests);
}

void Metrics::add_gauge(std::string name, std::string help, GaugeSource source) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(source)});
}

std::string Metrics::render_prometheus() const {
  std::string out;
  std::vector<Gauge> gauges;
  {
    std::lock_guard lock(mutex_);
    render_family(out, "madoguchi_http_requests_total", "HTTP requests by route and status",
                  {"route", "status"}, requests_);
    render_family(out, "madoguchi_signature_failures_total",
                  "Webhooks refused for a missing or wrong signature", {"channel", "account"},
                  signature_failures_);
    render_family(out, "madoguchi_duplicates_refused_total",
                  "Redelivered events recognised and not stored again", {"channel"}, duplicates_);
    render_family(out, "madoguchi_events_stored_total", "Provider events stored", {"channel"},
                  events_);
    render_family(out, "madoguchi_outbox_attempts_total",
                  "Outbound delivery attempts by outcome (delivered, retry, failed, dead_letter)",
                  {"channel", "account", "outcome"}, deliveries_);
    gauges = gauges_;
  }
  out.append("# HELP madoguchi_commit_latency_seconds Time of one group commit\n");
  out.append("# TYPE madoguchi_commit_latency_seconds histogram\n");
  commit_latency_.render(out, "madoguchi_commit_latency_seconds");
  out.append("# HELP madoguchi_commit_batches_total Group commits and the requests they held\n");
  out.append("# TYPE madoguchi_commit_batches_total counter\n");
  out.append("madoguchi_commit_batches_total ").append(std::to_string(batches_.load())).append("\n");
  out.append("madoguchi_commit_batched_requests_total ")
      .append(std::to_string(batched_requests_.load()))
      .append("\n");
  for (const auto& g : gauges) {
    out.append("# HELP ").append(g.name).append(" ").append(g.help).append("\n");
    out.append("# TYPE ").append(g.name).append(" gauge\n");
    for (const auto& [labels, value] : g.source()) {
      out.append(g.name);
      if (!labels.empty()) out.append("{").append(labels).append("}");
      out.append(" ").append(format_double(value)).append("\n");
    }
  }
  return out;
}

}  // namespace madoguchi
