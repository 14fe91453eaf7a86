#include "tests/fakes/smtp_sink.hpp"

#include <boost/json/parse.hpp>
#include <sstream>
#include <stdexcept>

#include "tests/fakes/wait.hpp"

namespace madoguchi::testing {

SmtpSink::SmtpSink(const std::filesystem::path& script, std::string username, std::string password) {
  LaunchOptions cert;
  cert.program = "/usr/bin/openssl";
  cert.args = {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", (dir_ / "key.pem").string(),
               "-out", ca_file().string(), "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
               "-days", "2"};
  cert.env = {"PATH=/usr/bin:/bin"};
  auto made = run_command(cert, std::chrono::seconds(60));
  if (!made.status.exited || made.status.code != 0) throw std::runtime_error("openssl req: " + made.err);

  LaunchOptions o;
  o.program = "/usr/bin/python3";  // Debian's, which has aiosmtpd (not a pyenv one on PATH)
  o.args = {script.string(), dir_.path().string(), ca_file().string(), (dir_ / "key.pem").string(),
            std::move(username), std::move(password)};
  o.env = {"PATH=/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE=1"};
  o.stderr_file = dir_ / "stderr.log";
  process_ = std::make_unique<ChildProcess>(o);
  auto line = process_->read_stdout_line(std::chrono::seconds(20));
  if (!line || line->rfind("port ", 0) != 0)
    throw std::runtime_error("smtp_sink.py did not start: " + read_file(dir_ / "stderr.log"));
  port_ = static_cast<std::uint16_t>(std::stoi(line->substr(5)));
}

SmtpSink::~SmtpSink() {
  if (process_) process_->terminate(std::chrono::seconds(5));
}

std::vector<boost::json::object> SmtpSink::received() const {
  std::vector<boost::json::object> out;
  const auto file = dir_ / "received.jsonl";
  if (!std::filesystem::exists(file)) return out;
  std::istringstream lines(read_file(file));
  std::string line;
  while (std::getline(lines, line)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (!ec && v.is_object()) out.push_back(std::move(v.as_object()));
  }
  return out;
}

bool SmtpSink::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return received().size() >= count; }, static_cast<int>(timeout.count()));
}

}  // namespace madoguchi::testing
