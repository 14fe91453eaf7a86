#include "tests/fakes/gateway_process.hpp"

#include <charconv>
#include <stdexcept>

#include "tests/fakes/temp_dir.hpp"

namespace madoguchi::testing {
namespace {

LaunchOptions launch_options(const GatewayLaunch& launch) {
  LaunchOptions o;
  o.program = launch.binary;
  o.args = {"serve", "--config", launch.config.string()};
  o.env = launch.env;
  o.stderr_file = launch.stderr_log;
  o.file_size_limit = launch.file_size_limit;
  return o;
}

std::string log_tail(const std::filesystem::path& log) {
  auto text = read_file(log);
  return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
}

}  // namespace

std::uint16_t parse_listening_port(std::string_view line) {
  constexpr std::string_view prefix = "listening on http://127.0.0.1:";
  if (!line.starts_with(prefix)) return 0;
  auto digits = line.substr(prefix.size());
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) return 0;
  return static_cast<std::uint16_t>(value);
}

GatewayProcess::GatewayProcess(const GatewayLaunch& launch) : child_(launch_options(launch)) {
  // Lines before the listening line (a demo configuration's logins and console address) are
  // information for people; the listening line says the gateway is ready.
  const auto deadline = std::chrono::steady_clock::now() + launch.ready_timeout;
  std::optional<std::string> line;
  for (int lines = 0; lines < 64; ++lines) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    line = left.count() > 0 ? child_.read_stdout_line(left) : std::nullopt;
    if (!line || line->starts_with("listening on http")) break;
    startup_stdout_ += *line + "\n";
  }
  if (!line) {
    auto status = child_.running() ? std::string("still running, silent") : child_.wait({})->describe();
    child_.kill_and_wait();
    throw std::runtime_error("gateway not ready within " + std::to_string(launch.ready_timeout.count()) +
                             " ms (" + status + "); stderr:\n" + log_tail(launch.stderr_log));
  }
  listening_line_ = *line;
  port_ = parse_listening_port(*line);
  if (port_ == 0) {
    child_.kill_and_wait();
    throw std::runtime_error("unexpected listening line: \"" + *line + "\"");
  }
}

ExitStatus GatewayProcess::stop(std::chrono::milliseconds grace, bool* clean, int signal_number) {
  bool killed = false;
  auto status = child_.terminate(grace, &killed, signal_number);
  if (clean) *clean = !killed;
  return status;
}

ExitStatus GatewayProcess::kill() { return child_.kill_and_wait(); }

std::string GatewayProcess::extra_stdout() {
  const auto& all = child_.stdout_text();
  auto at = all.find(listening_line_ + "\n");
  return at == std::string::npos ? std::string() : all.substr(at + listening_line_.size() + 1);
}

}  // namespace madoguchi::testing
