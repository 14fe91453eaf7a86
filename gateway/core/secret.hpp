#pragma once
// Secret bytes (keys, channel secrets, tokens) kept in sodium_malloc memory:
// guarded pages, locked against swapping, wiped on release. Move-only.
#include <cstddef>
#include <span>
#include <string_view>

namespace madoguchi {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::size_t size);  // zero-filled
  explicit Secret(std::string_view bytes);
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  Secret clone() const;
  unsigned char* data() noexcept { return data_; }
  const unsigned char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::span<const unsigned char> bytes() const noexcept { return {data_, size_}; }
  std::string_view view() const noexcept {
    return {reinterpret_cast<const char*>(data_), size_};
  }

 private:
  void release() noexcept;
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace madoguchi
