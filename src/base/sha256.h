// SHA-256, through OpenSSL's EVP interface (which uses the SHA-NI / ARMv8 SHA instructions where
// the CPU has them): the store's chunk and file ids, S3's payload hashes. `trail add` hashes with
// store/sha256_pair.h instead, which gives the same digests two streams at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace trail {

using Sha256Digest = std::array<uint8_t, 32>;

// Hashes `data` in one call.
Sha256Digest Sha256Of(std::string_view data);

// Lower-case hex, two characters a byte, as ids are written in file names and documents and as
// SigV4 writes every hash.
std::string HexEncode(std::string_view bytes);
// HexEncode of a digest: 64 characters.
std::string ToHex(const Sha256Digest& digest);

// Incremental hashing, for data that arrives in pieces. OpenSSL only fails here when it cannot
// allocate, which is reported as std::bad_alloc like any other allocation failure.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // Returns the digest of everything given to Update and starts over.
  Sha256Digest Final();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

}  // namespace trail
