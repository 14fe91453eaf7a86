#pragma once
// A delivery status notification (RFC 3464 bounce) that came back about one of our replies
// is not a consultation: it marks the reply it names 送信できませんでした with a reason a
// counselor can act on. The reason never quotes the remote server (its words often carry the
// resident's address); it is chosen from the DSN's status code.
#include <optional>
#include <string>

namespace madoguchi::triage {

struct ReportedFailure {
  std::string retry_key;  // of the outbound message (our Message-ID is "<key>.<token>@domain")
  std::string code;       // "bounce_5.1.1"
  std::string reason_ja;
};

// The stored body of an inbound message (sealed JSON, opened): whether it is a delivery
// report (`is_report`) and, when it reports a permanent failure of one of our mails, which.
struct DeliveryReportReading {
  bool is_report = false;
  std::optional<ReportedFailure> failure;
};
DeliveryReportReading read_delivery_report(const std::string& body_plaintext);

// The Japanese reason for a DSN status ("5.1.1", "5.2.2", "5.7.1", …).
std::string bounce_reason_ja(const std::string& status);

}  // namespace madoguchi::triage
