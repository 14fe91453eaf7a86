// The console's media: a media message's state in the message list (取得中 until the media
// stage records it, then a download link or the reason), and the download route — the
// stored bytes as an attachment for staff who may see the conversation, audited; 403 for
// another window, 404 for content not stored, unsent messages and other conversations.
#include "tests/unit/console/api_fixture.hpp"

#include "store/media_store.hpp"

namespace madoguchi::console::test {
namespace {

class MediaApiTest : public ApiTest {
 protected:
  // An image message in the fixture's conversation; returns its record id.
  std::string receive_image(const std::string& external_id, const std::string& line_id) {
    NormalizedMessage m;
    m.channel = "line";
    m.account = "demo";
    m.external_id = external_id;
    m.event_type = "message";
    m.message_type = "image";
    m.provider_timestamp_ms = clock_.now_ms();
    m.source_kind = "user";
    m.sender_id = m.thread_id = "U1";
    m.provider_message_id = line_id;
    m.media_handle = line_id;
    m.has_media = true;
    m.payload_json = R"({"type":"message"})";
    return store_message(m).events.at(0).message_id;
  }

  // What the media stage records for a fetched content.
  void store_content(const std::string& message_id, const std::string& type, const std::string& bytes) {
    auto sealed = keys_.seal("t1", "media:" + message_id, bytes);
    ASSERT_TRUE(sealed);
    store::MediaRecord r;
    r.message_id = message_id;
    r.tenant_id = "t1";
    r.state = store::kMediaFetched;
    r.content_type = type;
    r.size_bytes = static_cast<std::int64_t>(bytes.size());
    r.key_id = sealed->key.key_id;
    r.body = sealed->body;
    r.updated_at_ms = clock_.now_ms();
    ASSERT_TRUE(store::in_transaction(db_->db, [&] { return store::MediaStore(db_->db).record(r, &sealed->key); }));
  }

  void store_state(const std::string& message_id, const char* state, const std::string& reason) {
    store::MediaRecord r;
    r.message_id = message_id;
    r.tenant_id = "t1";
    r.state = state;
    r.reason = reason;
    r.updated_at_ms = clock_.now_ms();
    ASSERT_TRUE(store::in_transaction(db_->db, [&] { return store::MediaStore(db_->db).record(r, nullptr); }));
  }

  json::object media_of(const Session& s, const std::string& message_id) {
    auto res = call("GET", conv("/messages"), "", &s);
    EXPECT_EQ(res.status, 200u) << res.body;
    const auto listed = json::parse(res.body);
    for (const auto& m : listed.at("messages").as_array())
      if (m.at("id").as_string() == message_id) return m.at("media").as_object();
    ADD_FAILURE() << "message " << message_id << " not listed";
    return {};
  }

  std::int64_t downloads() {
    auto s = db_->db.prepare("SELECT count(*) FROM audit_events WHERE action = 'download_media'");
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }

  static std::string header(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }
};

TEST_F(MediaApiTest, PendingThenADownloadOfTheExactBytes) {
  const auto id = receive_image("ev-img-1", "354718705033693859");
  auto s = login("a-counselor");
  auto pending = media_of(s, id);
  EXPECT_EQ(pending.at("state").as_string(), "pending");
  EXPECT_EQ(pending.at("label").as_string(), "取得中");
  EXPECT_TRUE(pending.at("download_url").is_null());
  EXPECT_EQ(call("GET", conv("/messages/" + id + "/media"), "", &s).status, 404u);  // not fetched yet

  using namespace std::string_literals;
  const std::string bytes = "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01 photo"s;  // NULs included: 18 bytes
  store_content(id, "image/jpeg", bytes);
  auto fetched = media_of(s, id);
  EXPECT_EQ(fetched.at("state").as_string(), "fetched");
  EXPECT_EQ(fetched.at("label").as_string(), "画像：ダウンロード");
  EXPECT_EQ(fetched.at("size_bytes").as_int64(), 18);
  const std::string url(fetched.at("download_url").as_string());
  EXPECT_EQ(url, conv("/messages/" + id + "/media"));

  const auto before = downloads();
  auto file = call("GET", url, "", &s);
  ASSERT_EQ(file.status, 200u) << file.body;
  EXPECT_EQ(file.body, bytes);
  EXPECT_EQ(file.content_type, "image/jpeg");
  EXPECT_EQ(header(file, "Content-Disposition"), "attachment; filename=\"madoguchi-" + id.substr(0, 8) + ".jpg\"");
  EXPECT_EQ(header(file, "Cache-Control"), "no-store");
  EXPECT_EQ(header(file, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(downloads(), before + 1);
  auto chief = login("chief");
  EXPECT_EQ(call("GET", url, "", &chief).status, 200u);
  EXPECT_EQ(downloads(), before + 2);
}

TEST_F(MediaApiTest, AnotherWindowAndStrangersGetNothing) {
  const auto id = receive_image("ev-img-2", "354718705033693860");
  store_content(id, "image/png", "png-bytes");
  const auto url = conv("/messages/" + id + "/media");
  auto other = login("b-counselor");
  auto denied = call("GET", url, "", &other);
  EXPECT_EQ(denied.status, 403u);
  EXPECT_EQ(error_of(denied), "forbidden");
  EXPECT_EQ(downloads(), 0);
  EXPECT_EQ(call("GET", url).status, 401u);  // no session
  auto s = login("a-counselor");
  // Another conversation's path, an unknown id, a malformed id.
  const auto elsewhere = receive("U2", "別の相談です");
  EXPECT_NE(elsewhere, conversation_);
  EXPECT_EQ(call("GET", "/api/conversations/" + std::to_string(elsewhere) + "/messages/" + id + "/media", "", &s).status, 404u);
  EXPECT_EQ(call("GET", conv("/messages/" + std::string(32, 'a') + "/media"), "", &s).status, 404u);
  EXPECT_EQ(call("GET", conv("/messages/../media"), "", &s).status, 404u);
  EXPECT_EQ(call("GET", conv("/messages/" + id.substr(0, 31) + "Z/media"), "", &s).status, 404u);
  EXPECT_EQ(downloads(), 0);
}

TEST_F(MediaApiTest, StatesWithoutContentHaveTheirJapaneseLabelsAndNoDownload) {
  auto s = login("a-counselor");
  const auto big = receive_image("ev-img-3", "1");
  store_state(big, store::kMediaTooLarge, "ファイルが大きすぎるため保存していません（上限20MB）。");
  const auto refused = receive_image("ev-img-4", "2");
  store_state(refused, store::kMediaTypeRefused, "この形式のファイルは保存していません。");
  const auto failed = receive_image("ev-img-5", "3");
  store_state(failed, store::kMediaFailed, "LINEの保存期間が過ぎたため、取得できませんでした。");
  EXPECT_EQ(media_of(s, big).at("label").as_string(), "ファイルが大きすぎるため保存していません（上限20MB）");
  EXPECT_EQ(media_of(s, refused).at("label").as_string(), "この形式のファイルは保存していません");
  auto f = media_of(s, failed);
  EXPECT_EQ(f.at("label").as_string(), "取得できませんでした");
  EXPECT_EQ(f.at("reason").as_string(), "LINEの保存期間が過ぎたため、取得できませんでした。");
  for (const auto& id : {big, refused, failed}) {
    EXPECT_TRUE(media_of(s, id).at("download_url").is_null());
    EXPECT_EQ(call("GET", conv("/messages/" + id + "/media"), "", &s).status, 404u);
  }
}

TEST_F(MediaApiTest, AnUnsentMessageIsNotOffered) {
  const auto id = receive_image("ev-img-6", "354718705033693861");
  store_content(id, "image/jpeg", "jpeg");
  ASSERT_TRUE(db_->db.exec("UPDATE messages SET hidden = 1 WHERE id = '" + id + "'"));
  auto s = login("a-counselor");
  EXPECT_EQ(call("GET", conv("/messages/" + id + "/media"), "", &s).status, 404u);
  auto res = call("GET", conv("/messages"), "", &s);
  const auto listed = json::parse(res.body);
  bool seen = false;
  for (const auto& m : listed.at("messages").as_array())
    if (m.at("id").as_string() == id) {
      seen = true;
      EXPECT_FALSE(m.as_object().contains("media"));
    }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace madoguchi::console::test
