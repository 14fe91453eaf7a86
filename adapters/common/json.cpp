#include "adapters/common/json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace madoguchi::adapters {
namespace {

namespace json = boost::json;
using ec_t = boost::system::error_code;

// A validating pre-pass: Boost.JSON's object keeps one of two equal keys silently, so
// duplicates (also spelled differently, "a" vs "\u0061": keys arrive decoded here) are
// found while parsing, before any value is built.
struct DuplicateKeyCheck {
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  std::vector<std::set<std::string>> objects;
  std::vector<bool> in_object;  // per open container
  std::string key;
  bool duplicate = false;
  bool out_of_range = false;  // a number beyond a double's range

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) { in_object.push_back(false); return true; }
  bool on_array_end(std::size_t, ec_t&) { in_object.pop_back(); return true; }
  bool on_object_begin(ec_t&) {
    in_object.push_back(true);
    objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, ec_t&) {
    in_object.pop_back();
    objects.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, ec_t&) { return true; }
  bool on_string(json::string_view, std::size_t, ec_t&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, ec_t&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, ec_t& ec) {
    key.append(s.data(), s.size());
    if (!objects.back().insert(std::move(key)).second) {
      duplicate = true;
      ec = make_error_code(errc::json_duplicate_key);
      key.clear();
      return false;
    }
    key.clear();
    return true;
  }
  bool on_number_part(json::string_view, ec_t&) { return true; }
  bool on_int64(std::int64_t, json::string_view, ec_t&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, ec_t&) { return true; }
  // Boost.JSON reads 1e400 as infinity and would write it back as "Infinity", which no
  // JSON parser reads: a value we could not store and read again is refused here.
  bool on_double(double d, json::string_view, ec_t& ec) {
    if (std::isfinite(d)) return true;
    out_of_range = true;
    ec = make_error_code(errc::json_malformed);
    return false;
  }
  bool on_bool(bool, ec_t&) { return true; }
  bool on_null(ec_t&) { return true; }
  bool on_comment_part(json::string_view, ec_t&) { return true; }
  bool on_comment(json::string_view, ec_t&) { return true; }
};

errc classify(const ec_t& ec, std::string_view text, int max_depth) {
  if (ec == json::error::too_deep) return errc::json_too_deep;
  // Did it fail only because of the bytes? A lenient parse tells.
  json::parse_options lenient;
  lenient.max_depth = static_cast<std::size_t>(max_depth);
  lenient.allow_invalid_utf8 = true;
  ec_t lenient_ec;
  json::parse(text, lenient_ec, {}, lenient);
  return lenient_ec ? errc::json_malformed : errc::json_invalid_utf8;
}

}  // namespace

result<json::value> parse_untrusted_json(std::string_view text, JsonLimits limits) {
  json::parse_options options;
  options.max_depth = static_cast<std::size_t>(limits.max_depth);
  json::basic_parser<DuplicateKeyCheck> checker(options);
  ec_t ec;
  checker.write_some(false, text.data(), text.size(), ec);
  if (checker.handler().duplicate) return errc::json_duplicate_key;
  if (checker.handler().out_of_range) return errc::json_malformed;
  if (ec) return classify(ec, text, limits.max_depth);
  auto value = json::parse(text, ec, {}, options);
  if (ec) return classify(ec, text, limits.max_depth);
  return value;
}

}  // namespace madoguchi::adapters
