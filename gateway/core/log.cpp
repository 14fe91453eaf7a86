#include "gateway/core/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>

namespace madoguchi {

struct Log::Impl {
  std::shared_ptr<spdlog::logger> logger;
};

namespace {

// The line is {"ts":...,"level":...,"event":...,<fields>}: spdlog adds the time and level,
// we add the rest as already-escaped JSON.
constexpr const char* kPattern = R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})";

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::trace: return spdlog::level::trace;
    case LogLevel::debug: return spdlog::level::debug;
    case LogLevel::info: return spdlog::level::info;
    case LogLevel::warn: return spdlog::level::warn;
    case LogLevel::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> configure(std::shared_ptr<spdlog::logger> logger, LogLevel level) {
  logger->set_pattern(kPattern, spdlog::pattern_time_type::utc);
  logger->set_level(to_spdlog(level));
  logger->flush_on(spdlog::level::trace);
  return logger;
}

}  // namespace

bool parse_log_level(std::string_view text, LogLevel& out) {
  static constexpr std::pair<std::string_view, LogLevel> names[] = {
      {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
      {"warn", LogLevel::warn},   {"error", LogLevel::error}};
  for (const auto& [name, level] : names)
    if (name == text) {
      out = level;
      return true;
    }
  return false;
}

Log::Log(LogLevel level) : impl_(std::make_unique<Impl>()), level_(level) {
  // Not registered in spdlog's global registry: each Log is owned by its creator.
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  impl_->logger = configure(std::make_shared<spdlog::logger>("madoguchi", sink), level);
}

Log::Log(LogLevel level, const std::string& file) : impl_(std::make_unique<Impl>()), level_(level) {
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
  impl_->logger = configure(std::make_shared<spdlog::logger>("madoguchi", sink), level);
}

Log::~Log() = default;

void Log::write(LogLevel level, std::string_view event, const boost::json::object& fields) {
  if (!enabled(level)) return;
  boost::json::object line;
  line["event"] = event;
  for (const auto& field : fields) line[field.key()] = field.value();
  auto text = boost::json::serialize(line);
  // Strip the braces: the pattern supplies them around ts and level.
  std::string_view inner(text);
  inner = inner.substr(1, inner.size() - 2);
  impl_->logger->log(to_spdlog(level), "{}", inner);
}

void Log::flush() { impl_->logger->flush(); }

}  // namespace madoguchi
