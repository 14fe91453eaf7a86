#pragma once
// What the triage worker records on a conversation: its tags merged over its messages, and the
// reasons text counselors read on the case (sealed: it names words of the message).
#include <string>
#include <utility>
#include <vector>

#include "gateway/triage/classifier.hpp"

namespace madoguchi::triage {

// At most this many words per reason in reasons_text.
inline constexpr std::size_t kShownWords = 4;

// The tags already on the conversation (a JSON array), then the message's new ones; and
// whether any was new. Who is writing: the first writer tag the conversation got stays its
// only one — a later message that reads otherwise (the mother quotes her son, the person
// mentions a parent) does not add a second, contradicting tag; a counselor who knows better
// sets the case's writer. A stored list that already holds two (triaged before this rule)
// keeps its first.
std::pair<std::string, bool> merge_tags(const std::string& stored, const std::vector<std::string>& found);

// 「自動判定: 緊急\n・手段と時間・場所（緊急）: 飛び降りる、今夜」: each rule's Japanese label,
// its level and at most kShownWords words as the message spells them. Rules that only tell
// who is writing are left out. No rule id: those are for machines.
std::string reasons_text(const Decision& d);

}  // namespace madoguchi::triage
