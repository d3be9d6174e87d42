// SHA-256 of two messages at once, for `trail add`'s two passes over the same bytes (the file's
// id and its chunks' ids).
//
// Why not just OpenSSL: with the CPU's SHA instructions (x86 SHA-NI) one SHA-256 stream is
// bound by latency, not by the hashing unit. Each 64-byte block is 32 dependent sha256rnds2
// steps, and the unit could start the next step of an independent stream meanwhile. OpenSSL
// hashes one stream at a time, so it runs at half the unit's rate: 1.8 GB/s on the machine of
// bench/RESULTS.md. Interleaving two streams in one loop gives 3.6 GB/s on one core (three or
// four streams give no more: the unit is then the limit). That halves the CPU cost of adding a
// file, which on two cores is the difference between beating `openssl dgst` by 1.5x or not.
//
// The kernel below is only the SHA-256 compression function (FIPS 180-4, section 6.2.2) over
// whole blocks; padding and lengths are done here in plain C++. It runs only where the CPU has
// SHA-NI; elsewhere (ARM, older x86) every digest comes from OpenSSL. Both paths give the same
// digests, which sha256_pair_test.cc checks against OpenSSL on thousands of inputs.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "store/hash.h"

namespace trail::store {

// True when this CPU runs the two-stream kernel (x86-64 with SHA-NI, SSSE3 and SSE4.1).
bool HasSha256PairKernel();

// An incremental SHA-256, like Sha256, that HashWithStream can advance in the same pass as a
// list of pieces. Not thread-safe.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(std::string_view data);
  // The digest of everything given so far; starts over.
  Sha256Digest Final();

 private:
  friend void HashWithStream(Sha256Stream*, std::string_view, std::span<const std::string_view>, Sha256Digest*);
  void Reset();
  std::unique_ptr<Sha256> openssl_;  // set where the CPU has no kernel
  uint32_t state_[8];
  unsigned char partial_[64];
  size_t partial_size_ = 0;
  uint64_t length_ = 0;
};

// Feeds `stream_bytes` to `stream` (it may be null when there is no stream) and writes the
// SHA-256 of pieces[i] to ids[i]. With the kernel, two of these messages are hashed at a time.
void HashWithStream(Sha256Stream* stream, std::string_view stream_bytes, std::span<const std::string_view> pieces,
                    Sha256Digest* ids);

namespace internal {
// Tests run both paths on a CPU with the kernel: false makes everything above use OpenSSL.
void UseSha256PairKernel(bool use);
}  // namespace internal

}  // namespace trail::store
