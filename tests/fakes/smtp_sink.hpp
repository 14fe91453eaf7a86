#pragma once
// The municipality's mail relay for outbound email tests: tests/fakes/smtp_sink.py (Debian's
// aiosmtpd) on 127.0.0.1, port 0, STARTTLS with a certificate made for this run (the gateway
// must check it: relay_ca_file), AUTH required, scripted answers by recipient (tempfail-once…
// 451 once, reject… 550). Each DATA received is parsed by Python's email package and kept as
// one JSON object. Stopped by PID in the destructor.
#include <boost/json/object.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/fakes/child_process.hpp"
#include "tests/fakes/temp_dir.hpp"

namespace madoguchi::testing {

class SmtpSink {
 public:
  // Throws std::runtime_error when the certificate or the server cannot be made.
  SmtpSink(const std::filesystem::path& script, std::string username, std::string password);
  ~SmtpSink();

  std::uint16_t port() const { return port_; }
  std::filesystem::path ca_file() const { return dir_ / "cert.pem"; }
  // Every DATA received so far, oldest first (answer, headers, decoded text, line lengths…).
  std::vector<boost::json::object> received() const;
  // Waits until at least `count` DATA were received.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  TempDir dir_{"madoguchi-sink-"};
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

}  // namespace madoguchi::testing
