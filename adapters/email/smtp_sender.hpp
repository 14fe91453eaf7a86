#pragma once
// Replies out as mail: SMTP submission to the municipality's relay with libcurl (STARTTLS or
// implicit TLS with the certificate checked, AUTH when configured), on a small thread pool
// so the outbox's thread never blocks. 250 = delivered; 4xx, connection and TLS failures =
// retry; 5xx = permanent, with the code in a Japanese reason. SMTP has no idempotency key:
// "exactly once" here means the Message-ID (made from the outbox's retry key, stored before
// the first attempt) is the same on every attempt, so a duplicate after an ambiguous failure
// (no answer to the final dot) is recognisably the same mail.
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "adapters/email/email_config.hpp"
#include "gateway/core/outbound.hpp"

namespace madoguchi::adapters::email {

class SmtpSender final : public OutboundAdapter {
 public:
  explicit SmtpSender(const EmailSettings& settings);
  ~SmtpSender() override;
  OutboundCapabilities capabilities() const override;
  boost::asio::awaitable<DeliveryResult> send(const OutboundRequest& request) override;

 private:
  struct Impl;
  static boost::asio::awaitable<DeliveryResult> perform_on(Impl* impl, std::string envelope_from, std::string to,
                                                           std::string data);
  std::unique_ptr<Impl> impl_;
};

// The Message-ID of a reply: "<retry key>.<conversation token>@<the window's domain>".
std::string reply_message_id(const std::string& retry_key, const std::string& token, const std::string& domain);

}  // namespace madoguchi::adapters::email
