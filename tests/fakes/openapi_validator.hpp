#pragma once
// Checks HTTP requests against an OpenAPI 3 file (LINE's messaging-api.yml), so the fake
// LINE server refuses what the real one would refuse, plus one stricter rule: JSON
// properties the schema does not declare are reported, which catches typos in what our
// client sends. Everything is driven by the YAML; nothing is hard-coded per endpoint.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::testing {

class OpenApiSpec {
 public:
  // Loads the YAML; throws std::runtime_error if it is unreadable or has no `paths`.
  explicit OpenApiSpec(const std::filesystem::path& yaml_file);

  // Every problem found, as short English sentences
  // ("POST /v2/bot/message/push: messages: 6 items, at most 5"); empty = valid.
  // `target` is the request target (path plus optional query string). `headers` maps
  // lower-case header names to values. `body` is the raw request body (may be empty).
  // `server`: the server URL the request arrived at, as the spec spells it
  // ("https://api-data.line.me"); when given, the operation's `servers` (or the document's)
  // must list it, so a request sent to the wrong host is caught. Empty: not checked.
  // Safe to call from several threads at once.
  std::vector<std::string> check_request(std::string_view method, std::string_view target,
                                         const std::map<std::string, std::string>& headers,
                                         std::string_view body, std::string_view server = {}) const;

 private:
  struct Document;  // the parsed YAML and a lock; keeps yaml-cpp out of this header
  std::shared_ptr<Document> doc_;
};

}  // namespace madoguchi::testing
