// SHA-256 and HMAC-SHA256 for request signing, over OpenSSL.
//
// The store layer has its own SHA-256 for chunk ids; this layer may only use util, so it keeps
// the few lines it needs here rather than reaching sideways into store.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace trail::remote {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex, as SigV4 writes every hash.
std::string HexEncode(std::string_view bytes);
inline std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

// Incremental SHA-256, for hashing a file without holding it in memory.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view data);
  std::string FinishHex();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

}  // namespace trail::remote
