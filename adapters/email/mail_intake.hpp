#pragma once
// One received mail, for one of our addresses, as the gateway's messages: the mail itself
// (text, subject, sealed ids, the sender's verdict) and one media message per attachment.
//
// Threading: a conversation is (reply token, the writer's address). The token is
// HMAC(thread_secret, the thread's first Message-ID) cut to 20 hex digits: it reveals
// nothing and needs no lookup. It comes from, in order: the plus part of the recipient
// (soudan+<token>@…, our replies' Reply-To); one of our own Message-IDs in References or
// In-Reply-To (<uuid.<token>@…>); the root of References; In-Reply-To; else the mail's own
// Message-ID (a new conversation).
#include <string>
#include <vector>

#include "adapters/email/mail_reader.hpp"
#include "gateway/core/message.hpp"
#include "gateway/core/secret.hpp"

namespace madoguchi::adapters::email {

struct Recipient {
  std::string account;  // the configured account the address belongs to
  std::string domain;   // of that account's address
  std::string token;    // the plus part, "" when none (validated: 20 hex digits or dropped)
};

struct Envelope {
  std::string mail_from;  // MAIL FROM, lower-case; "" for the null sender <>
};

// The reply token of a thread whose first mail has `root_id`.
std::string thread_token(const Secret& thread_secret, const std::string& root_id);

// What our replies' Message-IDs look like: "<retry key>.<token>@<domain>"; the token, or "".
std::string token_in_our_id(const std::string& message_id, const std::string& domain);

// `raw_hash`: hex SHA-256 of the raw mail (the de-duplication key when Message-ID is missing).
std::vector<NormalizedMessage> to_messages(const ParsedMail& mail, const Envelope& envelope, const Recipient& to,
                                           const Secret& thread_secret, const std::string& raw_hash,
                                           std::int64_t now_ms);

}  // namespace madoguchi::adapters::email
