// The database files are the owner's only, whatever the umask (issue 14, point 8).
#include <sys/stat.h>

#include "tests/unit/store/store_fixture.hpp"

namespace madoguchi::store::testing {
namespace {

using DatabaseFiles = StoreTest;

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

TEST_F(DatabaseFiles, DatabaseWalAndShmAre0600EvenUnderAPermissiveUmask) {
  db_.reset();
  std::filesystem::remove(options_.path);
  const auto old_umask = ::umask(0022);
  db_ = std::make_unique<Database>(options_);
  ASSERT_TRUE(db_->exec("CREATE TABLE probe(x); INSERT INTO probe VALUES (1)"));
  ::umask(old_umask);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const auto path = options_.path.string() + suffix;
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_EQ(mode_of(path), 0600u) << path;
  }
}

TEST_F(DatabaseFiles, FilesFromBeforeAreNarrowedWhenOpened) {
  db_.reset();
  for (const char* suffix : {"", "-wal", "-shm"})
    if (std::filesystem::exists(options_.path.string() + suffix)) ::chmod((options_.path.string() + suffix).c_str(), 0644);
  db_ = std::make_unique<Database>(options_);
  EXPECT_EQ(mode_of(options_.path), 0600u);
}

}  // namespace
}  // namespace madoguchi::store::testing
