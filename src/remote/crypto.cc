#include "remote/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

namespace trail::remote {
namespace {

// OpenSSL digests fail only on allocation failure or a broken library: a bug, not an input error.
void Check(int ok) {
  if (ok != 1) std::abort();
}

}  // namespace

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Check(EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr));
  return std::string(reinterpret_cast<char*>(digest), len);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
            data.size(), digest, &len)) {
    std::abort();
  }
  return std::string(reinterpret_cast<char*>(digest), len);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

struct Sha256Stream::Context {
  EVP_MD_CTX* md = nullptr;
  ~Context() { EVP_MD_CTX_free(md); }
};

Sha256Stream::Sha256Stream() : ctx_(std::make_unique<Context>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (!ctx_->md) std::abort();
  Check(EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr));
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::Update(std::string_view data) { Check(EVP_DigestUpdate(ctx_->md, data.data(), data.size())); }

std::string Sha256Stream::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Check(EVP_DigestFinal_ex(ctx_->md, digest, &len));
  Check(EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr));
  return HexEncode(std::string_view(reinterpret_cast<char*>(digest), len));
}

}  // namespace trail::remote
