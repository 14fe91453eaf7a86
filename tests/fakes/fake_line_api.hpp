#pragma once
// A fake LINE Messaging API on 127.0.0.1:<port 0>, a Beast server on its own thread.
// Every request is checked against ../shared/specs/line-openapi/messaging-api.yml (path,
// method, Bearer token, header formats such as the retry key's UUID, message objects and
// their limits) plus the limits LINE documents outside the schema (text ≤ 5,000
// characters); a request with problems is answered 400 and recorded.
// It behaves like LINE where the outbox depends on it: a push retry key already accepted
// gets 409; a reply token works once (then 400 "Invalid reply token") and can be expired;
// and faults can be injected: no answer before or after accepting, 500, 429 + Retry-After.
// A second port is the data API host (api-data.line.me in the spec): it serves message
// content (GET /v2/bot/message/{messageId}/content) that a test added, 404 for any other id
// (as LINE does once content has expired), and chosen failures first. Requests on either
// port are also checked against the operation's `servers`: content asked of the main host,
// or a push sent to the data host, is a spec violation.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace madoguchi::testing {

enum class LineFault {
  hang_before_accept,  // no answer, nothing accepted (the client times out)
  hang_after_accept,   // accepted, then no answer (the client times out)
  server_error,        // 500, nothing accepted
  rate_limited,        // 429 with Retry-After, nothing accepted
};

// Moments of a push/reply request a test can stop the fake at (to kill the gateway there).
enum class SendPhase {
  received,  // the request is read, nothing decided yet (what an injected fault does follows)
  answered,  // the answer is written to the gateway's socket
};

struct LineRequest {
  bool data_host = false;  // arrived on the data API port
  std::string method, target, authorization, retry_key;
  std::string reply_token, to;          // from the body
  std::vector<std::string> texts;       // text message objects
  unsigned status = 0;                  // what the fake answered (0 = no answer)
  std::vector<std::string> problems;    // spec violations found
};

// A message LINE accepted (it reaches the person): one per accepted push or reply.
struct LineAccepted {
  std::string method;  // "push" or "reply"
  std::string key;     // retry key or reply token
  std::string to;      // push target ("" for replies)
  std::string reply_token;
  std::vector<std::string> texts;
};

class FakeLineApi {
 public:
  // access_token: the Bearer token the fake expects (401 otherwise).
  FakeLineApi(const std::filesystem::path& spec_file, std::string access_token);
  ~FakeLineApi();
  FakeLineApi(const FakeLineApi&) = delete;
  FakeLineApi& operator=(const FakeLineApi&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;  // http://127.0.0.1:<port>
  std::string data_base_url() const;  // the data API host: http://127.0.0.1:<other port>

  // Content of a message on the data API. `chunked`: sent without Content-Length (a client
  // can only find out its size while reading).
  void add_content(const std::string& message_id, std::string content_type, std::string bytes, bool chunked = false);
  // The next `times` content requests for `message_id` are answered `status` (500, 404, 410…).
  void fail_content(const std::string& message_id, unsigned status, int times = 1);
  // Content requests seen for `message_id` (any answer).
  int content_requests(const std::string& message_id) const;

  // The next `times` push/reply requests meet `fault`.
  void inject(LineFault fault, int times = 1, int retry_after_s = 1);
  // Each push/reply request meets a random fault with this probability (seeded).
  void random_faults(double probability, std::uint32_t seed, int retry_after_s = 0);
  // How long a hang lasts before the fake closes the connection.
  void set_hang_ms(int ms);
  void expire_reply_token(const std::string& token);
  void set_quota(bool limited, std::int64_t limit, std::int64_t used);
  // Delay before every answer (for the benchmark's latency).
  void set_latency_ms(int ms);
  // Called on the fake's thread at each phase of every push/reply request; it may block
  // (the fake waits, e.g. while the test kills the gateway). An empty function removes it.
  void on_send(std::function<void(SendPhase)> hook);

  std::vector<LineRequest> requests() const;
  std::vector<LineAccepted> accepted() const;
  std::vector<std::string> problems() const;  // every spec violation seen so far
  std::size_t accepted_count() const;

  // Polls until `done()` or the timeout; true when done.
  bool wait_until(const std::function<bool()>& done, int timeout_ms) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace madoguchi::testing
