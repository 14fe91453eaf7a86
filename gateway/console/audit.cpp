#include "gateway/console/audit.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include "crypto/chain_hash.hpp"
#include "store/audit_store.hpp"

namespace madoguchi::console {
namespace {

std::vector<std::string_view> fields(const store::AuditRow& r, const std::string& seq, const std::string& at) {
  return {seq, at, r.tenant_id, r.actor, r.action, r.target, r.detail};
}

std::string hex(const store::Blob& b) {
  std::string out(b.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
  out.pop_back();
  return out;
}

}  // namespace

Secret load_audit_key(const std::filesystem::path& file, bool create) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (!create) throw std::runtime_error("audit key missing: " + file.string());
    Secret key(32);
    randombytes_buf(key.data(), key.size());
    const auto old_mask = ::umask(077);
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(key.data()), static_cast<std::streamsize>(key.size()));
      if (!out) {
        ::umask(old_mask);
        throw std::runtime_error("cannot write the audit key " + file.string());
      }
    }
    ::umask(old_mask);
    return key;
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() != 32) throw std::runtime_error("audit key " + file.string() + " is not 32 bytes");
  Secret key(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

result<void> AuditLog::append(const AuditEvent& e) {
  store::AuditStore store(db_);
  auto last = store.last();
  if (!last) return last.error();
  crypto::ChainHash previous{};
  std::int64_t seq = 1;
  if (*last) {
    if ((*last)->hash.size() != previous.size()) return errc::store_failed;
    std::copy((*last)->hash.begin(), (*last)->hash.end(), previous.begin());
    seq = (*last)->seq + 1;
  }
  store::AuditRow row{seq, clock_.now_ms(), e.tenant_id, e.actor, e.action, e.target, e.detail, {}};
  const auto seq_text = std::to_string(row.seq), at_text = std::to_string(row.at_ms);
  auto link = crypto::chain_link(key_, previous, fields(row, seq_text, at_text));
  row.hash.assign(link.begin(), link.end());
  return store.append(row);
}

result<AuditReport> verify_audit(store::Database& db, const Secret& key) {
  store::AuditStore store(db);
  AuditReport report;
  crypto::ChainHash previous{};
  std::int64_t expected_seq = 1;
  auto walked = store.each([&](const store::AuditRow& row) {
    auto fail = [&](std::string problem) {
      report.intact = false;
      report.first_bad_seq = row.seq;
      report.problem = std::move(problem);
      return false;
    };
    if (row.seq != expected_seq)
      return fail("entry " + std::to_string(expected_seq) + " is missing (next is " + std::to_string(row.seq) + ")");
    const auto seq_text = std::to_string(row.seq), at_text = std::to_string(row.at_ms);
    auto link = crypto::chain_link(key, previous, fields(row, seq_text, at_text));
    if (row.hash.size() != link.size() || sodium_memcmp(row.hash.data(), link.data(), link.size()) != 0)
      return fail("entry " + std::to_string(row.seq) + " does not match its hash (changed, inserted, or an earlier entry removed)");
    previous = link;
    ++report.entries;
    ++expected_seq;
    return true;
  });
  if (!walked) return walked.error();
  report.head = hex(store::Blob(previous.begin(), previous.end()));
  return report;
}

}  // namespace madoguchi::console
