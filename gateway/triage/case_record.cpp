#include "gateway/triage/case_record.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace madoguchi::triage {

namespace json = boost::json;

std::pair<std::string, bool> merge_tags(const std::string& stored, const std::vector<std::string>& found) {
  boost::system::error_code ec;
  auto v = json::parse(stored, ec);
  json::array tags;
  bool has_writer = false;
  if (!ec && v.is_array())
    for (const auto& t : v.as_array()) {
      const bool writer = t.is_string() && is_writer_tag(t.as_string());
      if (writer && has_writer) continue;  // a second writer tag from before: dropped
      has_writer = has_writer || writer;
      tags.push_back(t);
    }
  bool added = false;
  for (const auto& t : found) {
    if (is_writer_tag(t) && has_writer) continue;  // the first established writer wins
    if (std::find(tags.begin(), tags.end(), json::value(t)) == tags.end()) {
      tags.emplace_back(t);
      has_writer = has_writer || is_writer_tag(t);
      added = true;
    }
  }
  return {json::serialize(tags), added};
}

std::string reasons_text(const Decision& d) {
  std::string out = "自動判定: " + std::string(urgency_label(d.urgency));
  for (const auto& r : d.reasons) {
    if (!r.urgency && !r.writer.empty()) continue;  // who is writing: the tags say it
    out += "\n・" + (r.label.empty() ? std::string(kUnlabelledRule) : r.label) +
           (r.urgency ? "（" + std::string(urgency_label(*r.urgency)) + "）" : std::string());
    if (!r.words.empty()) out += ": ";
    for (std::size_t i = 0; i < r.words.size() && i < kShownWords; ++i) out += (i ? "、" : "") + r.words[i];
    if (r.words.size() > kShownWords) out += " ほか";
    if (r.third_party) out += "（第三者について）";
  }
  return out;
}

}  // namespace madoguchi::triage
