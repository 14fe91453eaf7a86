#pragma once
// Structured logs: one JSON object per line on stderr (through spdlog), with an event
// name and fields. Fields carry ids, counts, codes and durations only — never message
// bodies, provider user ids, tokens or secrets. Thread-safe. Owned by main and passed by
// reference (no global logger).
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace madoguchi {

enum class LogLevel { trace, debug, info, warn, error };

// "trace".."error"; nullopt-like false for anything else.
bool parse_log_level(std::string_view text, LogLevel& out);

class Log {
 public:
  // Writes to stderr.
  explicit Log(LogLevel level = LogLevel::info);
  // Writes to a file (appending), for tests that scan logs.
  Log(LogLevel level, const std::string& file);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  void write(LogLevel level, std::string_view event, const boost::json::object& fields = {});
  void info(std::string_view event, const boost::json::object& fields = {}) {
    write(LogLevel::info, event, fields);
  }
  void warn(std::string_view event, const boost::json::object& fields = {}) {
    write(LogLevel::warn, event, fields);
  }
  void error(std::string_view event, const boost::json::object& fields = {}) {
    write(LogLevel::error, event, fields);
  }
  bool enabled(LogLevel level) const { return level >= level_; }
  void flush();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  LogLevel level_;
};

}  // namespace madoguchi
