#pragma once
// A fresh directory from mkdtemp, removed with everything in it when the owner goes away,
// so integration tests never share state or leave data behind.
#include <filesystem>
#include <string>

namespace madoguchi::testing {

class TempDir {
 public:
  // Creates $TMPDIR (or /tmp) / <prefix>XXXXXX. Throws std::runtime_error when it cannot.
  explicit TempDir(const std::string& prefix = "madoguchi-it-");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes `content` to `file` (truncating). Throws std::runtime_error on failure.
void write_file(const std::filesystem::path& file, std::string_view content);

// The whole file as raw bytes; empty when it does not exist.
std::string read_file(const std::filesystem::path& file);

}  // namespace madoguchi::testing
