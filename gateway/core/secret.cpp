#include "gateway/core/secret.hpp"

#include <sodium.h>

#include <cstring>
#include <new>
#include <utility>

namespace madoguchi {

Secret::Secret(std::size_t size) : size_(size) {
  if (size_ == 0) return;
  // sodium_init is idempotent and thread-safe; secrets may be created before main's init.
  if (sodium_init() < 0) throw std::bad_alloc();
  data_ = static_cast<unsigned char*>(sodium_malloc(size_));
  if (data_ == nullptr) throw std::bad_alloc();
  sodium_memzero(data_, size_);
}

Secret::Secret(std::string_view bytes) : Secret(bytes.size()) {
  if (size_ != 0) std::memcpy(data_, bytes.data(), size_);
}

Secret::Secret(Secret&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

Secret::~Secret() { release(); }

Secret Secret::clone() const { return Secret(view()); }

void Secret::release() noexcept {
  if (data_ != nullptr) sodium_free(data_);  // sodium_free wipes before freeing
  data_ = nullptr;
  size_ = 0;
}

}  // namespace madoguchi
