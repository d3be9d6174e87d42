#include "base/sha256.h"

#include <openssl/evp.h>

#include <new>

namespace trail {

struct Sha256::Context {
  EVP_MD_CTX* md = nullptr;
  ~Context() { EVP_MD_CTX_free(md); }
};

namespace {

void Check(int ok) {
  if (ok != 1) throw std::bad_alloc();
}

}  // namespace

Sha256Digest Sha256Of(std::string_view data) {
  Sha256Digest digest;
  unsigned int len = 0;
  Check(EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr));
  return digest;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    hex[2 * i] = kHex[c >> 4];
    hex[2 * i + 1] = kHex[c & 0xf];
  }
  return hex;
}

std::string ToHex(const Sha256Digest& digest) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

Sha256::Sha256() : ctx_(std::make_unique<Context>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (ctx_->md == nullptr) throw std::bad_alloc();
  Check(EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr));
}

Sha256::~Sha256() = default;

void Sha256::Update(std::string_view data) { Check(EVP_DigestUpdate(ctx_->md, data.data(), data.size())); }

Sha256Digest Sha256::Final() {
  Sha256Digest digest;
  unsigned int len = 0;
  Check(EVP_DigestFinal_ex(ctx_->md, digest.data(), &len));
  Check(EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr));
  return digest;
}

}  // namespace trail
