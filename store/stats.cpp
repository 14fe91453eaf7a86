#include "store/stats.hpp"

namespace madoguchi::store {
namespace {

template <class F>
result<void> each_row(Database& db, std::string_view sql, F&& f) {
  auto s = db.prepare(sql);
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) return {};
    f(s);
  }
}

}  // namespace

result<Stats> compute_stats(Database& db) {
  Stats stats;
  auto r = each_row(db, "SELECT channel, event_type, message_type, count(*) FROM messages GROUP BY 1, 2, 3",
                    [&](Statement& s) {
                      auto type = s.column_text(1);
                      if (auto m = s.column_text(2); !m.empty()) type += "/" + m;
                      stats.events[{s.column_text(0), type}] += s.column_int(3);
                    });
  if (!r) return r.error();
  r = each_row(db, "SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM contacts)", [&](Statement& s) {
    stats.conversations = s.column_int(0);
    stats.contacts = s.column_int(1);
  });
  if (!r) return r.error();
  r = each_row(db, "SELECT name, value FROM counters", [&](Statement& s) {
    if (s.column_text(0) == "duplicates_refused") stats.duplicates_refused = s.column_int(1);
    if (s.column_text(0) == "signature_failures") stats.signature_failures = s.column_int(1);
  });
  if (!r) return r.error();
  r = each_row(db, "SELECT state, count(*) FROM jobs GROUP BY state",
               [&](Statement& s) { stats.jobs_by_state[s.column_text(0)] = s.column_int(1); });
  if (!r) return r.error();
  return stats;
}

}  // namespace madoguchi::store
