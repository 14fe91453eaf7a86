#include "tests/fakes/openapi_validator.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <regex>
#include <stdexcept>

namespace madoguchi::testing {

// yaml-cpp does not promise that concurrent reads of one document are safe, and the fake
// server may check requests from several threads, so every check holds this lock.
struct OpenApiSpec::Document {
  explicit Document(const YAML::Node& r) : root(r) {}
  YAML::Node root;
  std::mutex mutex;
};

namespace {

namespace json = boost::json;
using YAML::Node;
using HeaderMap = std::map<std::string, std::string>;

// Two yaml-cpp traps shape this file. Looking up a missing key yields an invalid "zombie"
// node whose IsMap() etc. throw, so lookups go through child(), which returns a valid
// undefined node instead. And assigning one Node to another rewrites the document (the
// target is aliased), so Nodes are only copy-constructed or rebound with reset().
Node undefined_node() { return Node(YAML::NodeType::Undefined); }

Node child(const Node& node, const std::string& key) {
  if (!node.IsDefined() || !node.IsMap()) return undefined_node();
  const Node found = node[key];
  return found.IsDefined() ? found : undefined_node();
}

std::string scalar(const Node& node) { return node.IsDefined() && node.IsScalar() ? node.Scalar() : std::string(); }
std::string str(const Node& node, const std::string& key) { return scalar(child(node, key)); }
bool is_true(const Node& node, const std::string& key) { return str(node, key) == "true"; }

std::optional<double> number(const Node& node) {
  const std::string text = scalar(node);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string join(const std::vector<std::string>& items, std::size_t limit = 12) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) out += (i ? ", " : "") + items[i];
  return items.size() > limit ? out + ", ..." : out;
}

std::vector<std::string> keys(const Node& map) {
  std::vector<std::string> out;
  if (map.IsMap())
    for (const auto& entry : map) out.push_back(scalar(entry.first));
  return out;
}

std::string number_text(double x) {
  return std::floor(x) == x && std::fabs(x) < 1e15 ? std::to_string(static_cast<long long>(x)) : std::to_string(x);
}

// Lengths in JSON Schema count Unicode code points: skip UTF-8 continuation bytes.
double code_points(std::string_view utf8) {
  return static_cast<double>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_uuid(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return s.size() == 36;
}

// Built by appending: `"\"" + std::string(s)` trips GCC 12's false -Wrestrict at -O3.
std::string quote(std::string_view s) { return std::string(1, '"').append(s).append(1, '"'); }

std::string_view text_of(const json::string& s) { return {s.data(), s.size()}; }

std::string kind_of(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return "integer";
  if (v.is_double()) return "number";
  if (v.is_bool()) return "boolean";
  return v.is_object() ? "object" : v.is_array() ? "array" : v.is_string() ? "string" : "null";
}

double as_double(const json::value& v) {
  return v.is_int64()    ? static_cast<double>(v.get_int64())
         : v.is_uint64() ? static_cast<double>(v.get_uint64())
                         : v.get_double();
}

bool type_matches(const std::string& type, const json::value& v) {
  if (type == "number") return v.is_number();
  if (type == "integer") return v.is_number() && std::floor(as_double(v)) == as_double(v);
  if (type == "object" || type == "array" || type == "string" || type == "boolean") return kind_of(v) == type;
  return true;  // no type, or one we do not know: anything goes
}

bool enum_matches(const json::value& v, const Node& entry) {
  if (v.is_null()) return entry.IsNull();
  if (v.is_string()) return text_of(v.get_string()) == scalar(entry);
  if (v.is_bool()) return scalar(entry) == (v.get_bool() ? "true" : "false");
  const auto n = number(entry);
  return v.is_number() && n && *n == as_double(v);
}

std::string at(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

// Collects problems, each prefixed with the request line. Repeats are dropped: several
// allOf parts may state the same rule.
class Report {
 public:
  explicit Report(std::string prefix) : prefix_(std::move(prefix)) {}
  void add(const std::string& where, const std::string& text) {
    add_raw((where.empty() ? "body" : where) + ": " + text);
  }
  void add_raw(const std::string& text) {
    if (std::find(lines_.begin(), lines_.end(), prefix_ + text) == lines_.end()) lines_.push_back(prefix_ + text);
  }
  std::vector<std::string> take() { return std::move(lines_); }

 private:
  std::string prefix_;
  std::vector<std::string> lines_;
};

// Validates JSON values against the schemas of one spec document.
class SchemaChecker {
 public:
  SchemaChecker(const Node& root, Report& report) : root_(root), report_(report) {}

  // "#/components/schemas/Message" → that node; undefined (and reported) if it does not
  // resolve. Follows chains; OpenAPI 3.0 ignores whatever sits beside a $ref.
  Node resolve(const Node& schema) {
    Node node(schema);
    for (int hop = 0; hop < 32; ++hop) {
      const std::string ref = str(node, "$ref");
      if (ref.empty()) return node;
      if (!lookup(ref, node)) {
        report_.add_raw("spec: cannot resolve $ref " + ref);
        return undefined_node();
      }
    }
    return undefined_node();
  }

  void check(const json::value& value, const Node& schema, const std::string& where) {
    std::vector<Node> facets;
    flatten(schema, facets);
    if (value.is_null() && std::any_of(facets.begin(), facets.end(), [](auto& f) { return is_true(f, "nullable"); }))
      return;
    const bool subtype_known = !value.is_object() || apply_discriminators(value.get_object(), facets, where);
    for (const Node& facet : facets) check_facet(value, facet, where);
    if (value.is_object()) check_properties(value.get_object(), facets, where, subtype_known);
  }

 private:
  // Rebinds `node` to the target of a local reference; false if there is none.
  bool lookup(const std::string& ref, Node& node) const {
    if (!ref.starts_with("#/")) return false;
    node.reset(root_);
    for (std::size_t start = 2; start <= ref.size();) {
      const std::size_t slash = std::min(ref.find('/', start), ref.size());
      const Node next = child(node, ref.substr(start, slash - start));
      if (!next.IsDefined()) return false;
      node.reset(next);
      start = slash + 1;
    }
    return true;
  }

  // The schema and, recursively, its allOf parts: the value must satisfy each of them, and
  // together they declare its properties. A schema already collected is skipped, which
  // stops $ref cycles (TextMessage → allOf → Message → discriminator → TextMessage).
  void flatten(const Node& schema, std::vector<Node>& facets) {
    const Node resolved = resolve(schema);
    if (!resolved.IsMap() || std::any_of(facets.begin(), facets.end(), [&](const Node& f) { return f.is(resolved); }))
      return;
    facets.push_back(resolved);
    const Node parts = child(resolved, "allOf");
    if (parts.IsSequence())
      for (const auto& part : parts) flatten(part, facets);
  }

  // A discriminator picks the concrete schema from a property value (Message.type "text" →
  // TextMessage), whose facets are appended. Its allOf leads back to Message, already
  // collected, so Message's discriminator is applied once and never re-entered. Returns
  // false when a subtype could not be determined (its properties are then unknown).
  bool apply_discriminators(const json::object& object, std::vector<Node>& facets, const std::string& where) {
    bool known = true;
    for (std::size_t i = 0; i < facets.size(); ++i) {  // facets grows inside this loop
      const Node discriminator = child(facets[i], "discriminator");
      const std::string name = str(discriminator, "propertyName");
      if (name.empty()) continue;
      const json::value* tag = object.if_contains(name);
      if (!tag || !tag->is_string()) {  // OpenAPI requires the property: `required` reports it
        known = false;
        continue;
      }
      const std::string tag_text(text_of(tag->get_string()));
      const Node mapping = child(discriminator, "mapping");
      std::string ref = mapping.IsMap() ? str(mapping, tag_text) : tag_text;  // no mapping: schema names
      if (!ref.empty() && !ref.starts_with("#")) ref = "#/components/schemas/" + ref;
      Node target(root_);
      if (ref.empty() || !lookup(ref, target)) {
        known = false;
        report_.add(at(where, name),
                    quote(tag_text) + " is not a known value (known: " + join(keys(mapping), 20) + ")");
        continue;
      }
      flatten(target, facets);
    }
    return known;
  }

  // The keywords of one schema that are about the value itself, not its properties.
  void check_facet(const json::value& value, const Node& facet, const std::string& where) {
    const std::string type = str(facet, "type");
    if (!type_matches(type, value)) return report_.add(where, "expected " + type + ", got " + kind_of(value));
    const Node choices = child(facet, "enum");
    if (choices.IsSequence() &&
        std::none_of(choices.begin(), choices.end(), [&](const Node& e) { return enum_matches(value, e); })) {
      std::vector<std::string> names;
      for (const auto& entry : choices) names.push_back(scalar(entry));
      report_.add(where, json::serialize(value) + " is not one of " + join(names));
    }
    if (value.is_string()) check_string(text_of(value.get_string()), facet, where);
    if (value.is_number()) bounds(where, "", as_double(value), facet, "minimum", "maximum");
    if (value.is_array()) check_array(value.get_array(), facet, where);
    const Node required = child(facet, "required");
    if (value.is_object() && required.IsSequence())
      for (const auto& name : required)
        if (!value.get_object().contains(scalar(name)))
          report_.add(at(where, scalar(name)), "required property missing");
  }

  // "6 items, at most 5": one wording for lengths, item counts and numbers.
  void bounds(const std::string& where, const std::string& unit, double actual, const Node& facet,
              const std::string& min_key, const std::string& max_key) {
    const auto min = number(child(facet, min_key));
    const auto max = number(child(facet, max_key));
    if (min && actual < *min) report_.add(where, number_text(actual) + unit + ", at least " + number_text(*min));
    if (max && actual > *max) report_.add(where, number_text(actual) + unit + ", at most " + number_text(*max));
  }

  void check_string(std::string_view s, const Node& facet, const std::string& where) {
    bounds(where, " characters", code_points(s), facet, "minLength", "maxLength");
    const std::string pattern = str(facet, "pattern");
    try {
      if (!pattern.empty() && !std::regex_search(std::string(s), std::regex(pattern, std::regex::ECMAScript)))
        report_.add(where, quote(s) + " does not match " + pattern);
    } catch (const std::regex_error&) {
      report_.add_raw("spec: cannot compile pattern " + pattern);
    }
    if (str(facet, "format") == "uuid" && !is_uuid(s))
      report_.add(where, quote(s) + " is not a UUID (8-4-4-4-12 hex digits)");
  }

  void check_array(const json::array& array, const Node& facet, const std::string& where) {
    bounds(where, " items", static_cast<double>(array.size()), facet, "minItems", "maxItems");
    for (std::size_t i = 0; is_true(facet, "uniqueItems") && i < array.size(); ++i)
      if (std::find(array.begin() + static_cast<std::ptrdiff_t>(i) + 1, array.end(), array[i]) != array.end())
        report_.add(where, json::serialize(array[i]) + " appears more than once");
    const Node items = child(facet, "items");
    for (std::size_t i = 0; items.IsDefined() && i < array.size(); ++i)
      check(array[i], items, where + "[" + std::to_string(i) + "]");
  }

  // Properties are checked against every facet that declares them. A property no facet
  // declares is reported (our rule, stricter than OpenAPI, to catch typos in our client)
  // unless a facet has additionalProperties, no facet declares any properties (a free-form
  // object), or the subtype is unknown (we cannot tell what it would declare).
  void check_properties(const json::object& object, const std::vector<Node>& facets, const std::string& where,
                        bool subtype_known) {
    bool declares_any = false;
    bool open = false;
    for (const Node& facet : facets) {
      declares_any = declares_any || child(facet, "properties").IsMap();
      open = open || child(facet, "additionalProperties").IsMap() || is_true(facet, "additionalProperties");
    }
    for (const auto& member : object) {
      const std::string name(member.key().data(), member.key().size());
      bool declared = false;
      for (const Node& facet : facets) {
        const Node property = child(child(facet, "properties"), name);
        if (property.IsDefined()) check(member.value(), property, at(where, name));
        declared = declared || property.IsDefined();
      }
      for (const Node& facet : facets)
        if (!declared && child(facet, "additionalProperties").IsMap())
          check(member.value(), child(facet, "additionalProperties"), at(where, name));
      if (!declared && !open && declares_any && subtype_known) report_.add(at(where, name), "unknown property");
    }
  }

  const Node& root_;
  Report& report_;
};

// ---- request line, security, parameters, body ----

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto hex = [&](std::size_t j) { return j < s.size() && std::isxdigit(static_cast<unsigned char>(s[j])); };
    if (s[i] == '%' && hex(i + 1) && hex(i + 2)) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

// Splits at `separator`, keeping empty pieces ("/a//b" → "", "a", "", "b").
std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  for (std::size_t next = 0; next != std::string_view::npos; s.remove_prefix(next + 1)) {
    next = s.find(separator);
    out.push_back(s.substr(0, next));
  }
  return out;
}

struct Route {
  std::string path_key;  // the key under `paths`, e.g. "/v2/bot/message/{messageId}/content"
  std::map<std::string, std::string> params;
  int literals = 0;  // literal segments matched: the most specific template wins
};

// A "{name}" segment matches one non-empty segment; other segments must be equal, so
// /v2/bot/richmenu/list beats /v2/bot/richmenu/{richMenuId}. Servers declared per path
// (api-data.line.me) do not matter: only the path is compared.
std::optional<Route> find_route(const Node& paths, std::string_view path) {
  std::optional<Route> best;
  const auto actual = split(path, '/');
  for (const std::string& key : keys(paths)) {
    Route route{key, {}, 0};
    const auto wanted = split(key, '/');
    bool match = wanted.size() == actual.size();
    for (std::size_t i = 0; match && i < wanted.size(); ++i) {
      const std::string_view w = wanted[i];
      const bool variable = w.size() > 2 && w.front() == '{' && w.back() == '}';
      match = variable ? !actual[i].empty() : w == actual[i];
      if (variable) route.params[std::string(w.substr(1, w.size() - 2))] = percent_decode(actual[i]);
      route.literals += variable ? 0 : 1;
    }
    if (match && (!best || route.literals > best->literals)) best = std::move(route);
  }
  return best;
}

// `security` lists alternatives, each naming schemes that must all hold; an operation's
// own list replaces the global one, and an empty list means no authentication. Only http
// schemes (LINE's Bearer) are checked: the header must be exactly "Bearer <token>".
void check_security(const Node& root, const Node& operation, const HeaderMap& headers, Report& report) {
  const Node own = child(operation, "security");
  const Node requirements = own.IsDefined() ? own : child(root, "security");
  if (!requirements.IsSequence() || requirements.size() == 0) return;
  const auto auth = headers.find("authorization");
  std::string first_reason;
  for (const auto& requirement : requirements) {
    std::string reason;
    for (const std::string& name : keys(requirement)) {
      const Node scheme = child(child(child(root, "components"), "securitySchemes"), name);
      std::string kind = lower(str(scheme, "scheme"));  // "bearer" → "Bearer"
      if (!kind.empty()) kind[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(kind[0])));
      if (!scheme.IsDefined())
        reason = "spec: undefined security scheme " + name;
      else if (str(scheme, "type") != "http")
        continue;
      else if (auth == headers.end() || auth->second.empty())  // empty: a server's map may insert one
        reason = "authorization header missing (" + kind + " token required)";
      else if (!auth->second.starts_with(kind + " ") ||
               auth->second.find_first_not_of(' ', kind.size()) == std::string::npos)
        reason = "authorization header is not \"" + kind + " <token>\"";
    }
    if (reason.empty()) return;
    if (first_reason.empty()) first_reason = reason;
  }
  report.add_raw(first_reason);
}

// Parameter values arrive as text; numbers and booleans are parsed so that the schema
// rules apply as in a body. Unparsable text stays a string and fails the type check.
json::value parameter_value(const std::string& raw, const std::string& type) {
  json::error_code ec;
  json::value parsed = type == "integer" || type == "number" || type == "boolean" ? json::parse(raw, ec) : nullptr;
  return !ec && (parsed.is_number() || parsed.is_bool()) ? parsed : json::value(json::string(raw));
}

void check_parameters(SchemaChecker& checker, const Node& path_item, const Node& operation, const Route& route,
                      std::string_view query, const HeaderMap& headers, Report& report) {
  std::map<std::string, std::vector<std::string>> query_params;  // ?status=A&status=B → two values
  for (std::string_view pair : split(query, '&'))
    if (!pair.empty())
      query_params[percent_decode(pair.substr(0, pair.find('=')))].push_back(
          pair.find('=') == std::string_view::npos ? "" : percent_decode(pair.substr(pair.find('=') + 1)));
  std::vector<std::string> seen;  // the operation's parameters override path-level ones
  for (const Node& list : {child(operation, "parameters"), child(path_item, "parameters")})
    for (const auto& item : list.IsSequence() ? list : undefined_node()) {
      const Node param = checker.resolve(item);
      const std::string in = str(param, "in");
      const std::string name = str(param, "name");
      if (std::find(seen.begin(), seen.end(), in + ":" + name) != seen.end()) continue;
      seen.push_back(in + ":" + name);
      std::vector<std::string> raw;
      if (in == "path" && route.params.contains(name)) raw.push_back(route.params.at(name));
      if (in == "query" && query_params.contains(name)) raw = query_params.at(name);
      if (in == "header" && headers.contains(lower(name))) raw.push_back(headers.at(lower(name)));
      if (raw.empty()) {
        if (is_true(param, "required")) report.add(in + " " + name, "required parameter missing");
        continue;
      }
      const Node schema = checker.resolve(child(param, "schema"));
      json::value value = parameter_value(raw.front(), str(schema, "type"));
      if (str(schema, "type") == "array") {
        const std::string item_type = str(checker.resolve(child(schema, "items")), "type");
        value = json::array();
        for (const std::string& r : raw) value.as_array().push_back(parameter_value(r, item_type));
      }
      checker.check(value, schema, in + " " + name);
    }
}

bool is_json_media(const std::string& media) { return media == "application/json" || media.ends_with("+json"); }

void check_body(SchemaChecker& checker, const Node& operation, const HeaderMap& headers, std::string_view body,
                Report& report) {
  const Node request_body = checker.resolve(child(operation, "requestBody"));
  if (!request_body.IsDefined() || body.empty()) {
    if (!request_body.IsDefined() && !body.empty()) report.add("", "this operation takes no request body");
    if (is_true(request_body, "required") && body.empty()) report.add("", "required but empty");
    return;
  }
  // The media type without parameters: "application/json; charset=utf-8" → "application/json".
  const auto header = headers.find("content-type");
  std::string actual = header == headers.end() ? "" : lower(header->second.substr(0, header->second.find(';')));
  actual.erase(actual.find_last_not_of(" \t") + 1);
  actual.erase(0, actual.find_first_not_of(" \t"));
  const Node content = child(request_body, "content");
  const std::vector<std::string> declared = keys(content);
  const bool accepted = std::any_of(declared.begin(), declared.end(), [&](const std::string& d) {
    const std::string m = lower(d);  // exact, "*/*" or "image/*"
    return m == actual || m == "*/*" || (m.ends_with("/*") && actual.starts_with(m.substr(0, m.size() - 1)));
  });
  if (actual.empty())
    report.add_raw("content-type header missing (expected " + join(declared) + ")");
  else if (!accepted)
    report.add_raw("content-type " + actual + " is not accepted (expected " + join(declared) + ")");
  // Parse the body as JSON even when the header is wrong, so one run shows every problem.
  const auto json_media =
      std::find_if(declared.begin(), declared.end(), [](auto& d) { return is_json_media(lower(d)); });
  if (json_media == declared.end() || (accepted && !is_json_media(actual))) return;
  json::error_code ec;
  const json::value value = json::parse(json::string_view(body.data(), body.size()), ec);
  if (ec) return report.add("", "not valid JSON (" + ec.message() + ")");
  checker.check(value, child(child(content, *json_media), "schema"), "");
}

// The operation's servers, else the path item's, else the document's, must list `server`.
void check_server(const Node& root, const Node& path_item, const Node& operation, std::string_view server,
                  Report& report) {
  if (server.empty()) return;
  Node servers = child(operation, "servers");
  if (!servers.IsSequence()) servers = child(path_item, "servers");
  if (!servers.IsSequence()) servers = child(root, "servers");
  std::vector<std::string> urls;
  for (const auto& s : servers.IsSequence() ? servers : undefined_node()) urls.push_back(str(s, "url"));
  if (std::find(urls.begin(), urls.end(), server) == urls.end())
    report.add_raw("sent to " + std::string(server) + ", but the operation is served by " + join(urls));
}

void check(const Node& root, std::string_view method, std::string_view target, const HeaderMap& headers,
           std::string_view body, std::string_view server, Report& report) {
  const std::size_t query_start = std::min(target.find('?'), target.size());
  const Node paths = child(root, "paths");
  const auto route = find_route(paths, target.substr(0, query_start));
  if (!route) return report.add_raw("unknown path (not in the spec)");
  const Node path_item = child(paths, route->path_key);
  const Node operation = child(path_item, lower(method));
  if (!operation.IsMap()) {
    std::vector<std::string> declared;
    for (std::string m : {"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})
      if (child(path_item, lower(m)).IsMap()) declared.push_back(m);
    return report.add_raw("method not declared for " + route->path_key + " (declared: " + join(declared) + ")");
  }
  SchemaChecker checker(root, report);
  check_server(root, path_item, operation, server, report);
  check_security(root, operation, headers, report);
  check_parameters(checker, path_item, operation, *route, target.substr(std::min(query_start + 1, target.size())),
                   headers, report);
  check_body(checker, operation, headers, body, report);
}

YAML::Node load(const std::filesystem::path& yaml_file) {
  try {
    const Node root = YAML::LoadFile(yaml_file.string());
    if (!child(root, "paths").IsMap()) throw std::runtime_error(yaml_file.string() + ": no `paths`, not OpenAPI");
    return root;
  } catch (const YAML::Exception& e) {
    throw std::runtime_error("cannot load OpenAPI file " + yaml_file.string() + ": " + e.what());
  }
}

}  // namespace

OpenApiSpec::OpenApiSpec(const std::filesystem::path& yaml_file) : doc_(std::make_shared<Document>(load(yaml_file))) {}

std::vector<std::string> OpenApiSpec::check_request(std::string_view method, std::string_view target,
                                                    const std::map<std::string, std::string>& headers,
                                                    std::string_view body, std::string_view server) const {
  const std::lock_guard lock(doc_->mutex);
  Report report(std::string(method) + " " + std::string(target.substr(0, target.find('?'))) + ": ");
  try {
    check(doc_->root, method, target, headers, body, server, report);
  } catch (const std::exception& e) {  // a bug here must fail the test, not crash the fake server
    report.add_raw(std::string("validator error: ") + e.what());
  }
  return report.take();
}

}  // namespace madoguchi::testing
