#include "store/sha256_pair.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define TRAIL_SHA256_KERNEL 1
#define TRAIL_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#endif

namespace trail::store {
namespace {

constexpr size_t kBlock = 64;
constexpr uint32_t kInitialState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

#ifdef TRAIL_SHA256_KERNEL

alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// The SHA instructions keep the eight state words (a..h) as two vectors, (a, b, e, f) and
// (c, d, g, h), highest lane first.
struct Vectors {
  __m128i abef;
  __m128i cdgh;
};

TRAIL_SHA_TARGET inline Vectors ToVectors(const uint32_t s[8]) {
  const __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)), 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 4)), 0x1B);
  return {_mm_alignr_epi8(dcba, efgh, 8), _mm_blend_epi16(efgh, dcba, 0xF0)};
}

TRAIL_SHA_TARGET inline void FromVectors(const Vectors& v, uint32_t s[8]) {
  const __m128i feba = _mm_shuffle_epi32(v.abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(v.cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s + 4), _mm_alignr_epi8(dchg, feba, 8));
}

// Runs `blocks` blocks of each of N messages through the compression function, the N streams'
// rounds interleaved step by step so one stream's latency is covered by the other's work.
//
// Rounds go four at a time (group g: rounds 4g..4g+3, message words w[4g..4g+3] in one vector).
// Groups 0-3 take their words from the block; later words follow the schedule
//   w[t] = s1(w[t-2]) + w[t-7] + s0(w[t-15]) + w[t-16],
// with sha256msg1 adding s0(w[t-15]) to w[t-16] and sha256msg2 adding s1(w[t-2]), so a ring of
// four vectors holds the schedule: during group g the vector for group g+1 is completed and the
// one for group g+3 started.
template <int N>
TRAIL_SHA_TARGET inline void CompressBlocks(uint32_t* const* states, const unsigned char* const* data, size_t blocks) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  Vectors v[N];
  for (int n = 0; n < N; ++n) v[n] = ToVectors(states[n]);
  for (size_t b = 0; b < blocks; ++b) {
    Vectors start[N];
    __m128i w[N][4];
    for (int n = 0; n < N; ++n) start[n] = v[n];
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
#pragma GCC unroll 2
      for (int n = 0; n < N; ++n) {
        if (g < 4) {
          const auto* p = reinterpret_cast<const __m128i*>(data[n] + b * kBlock + 16 * g);
          w[n][g] = _mm_shuffle_epi8(_mm_loadu_si128(p), byte_swap);
        }
        const __m128i words = w[n][g & 3];
        const __m128i k =
            _mm_add_epi32(words, _mm_load_si128(reinterpret_cast<const __m128i*>(kRoundConstants + 4 * g)));
        v[n].cdgh = _mm_sha256rnds2_epu32(v[n].cdgh, v[n].abef, k);
        v[n].abef = _mm_sha256rnds2_epu32(v[n].abef, v[n].cdgh, _mm_shuffle_epi32(k, 0x0E));
        if (g >= 3 && g < 15) {  // complete group g+1: + w[t-7] (from groups g-1 and g), + s1
          __m128i& next = w[n][(g + 1) & 3];
          next = _mm_add_epi32(next, _mm_alignr_epi8(words, w[n][(g - 1) & 3], 4));
          next = _mm_sha256msg2_epu32(next, words);
        }
        if (g >= 1 && g < 13) w[n][(g - 1) & 3] = _mm_sha256msg1_epu32(w[n][(g - 1) & 3], words);  // group g+3
      }
    }
    for (int n = 0; n < N; ++n) {
      v[n].abef = _mm_add_epi32(v[n].abef, start[n].abef);
      v[n].cdgh = _mm_add_epi32(v[n].cdgh, start[n].cdgh);
    }
  }
  for (int n = 0; n < N; ++n) FromVectors(v[n], states[n]);
}

TRAIL_SHA_TARGET void CompressOne(uint32_t* state, const unsigned char* data, size_t blocks) {
  CompressBlocks<1>(&state, &data, blocks);
}

TRAIL_SHA_TARGET void CompressTwo(uint32_t* a, const unsigned char* a_data, uint32_t* b, const unsigned char* b_data,
                                  size_t blocks) {
  uint32_t* states[2] = {a, b};
  const unsigned char* data[2] = {a_data, b_data};
  CompressBlocks<2>(states, data, blocks);
}

bool CpuHasKernel() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  const bool ssse3 = ecx & (1u << 9), sse41 = ecx & (1u << 19);
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  const bool sha = ebx & (1u << 29);
  return ssse3 && sse41 && sha;
}

#else

void CompressOne(uint32_t*, const unsigned char*, size_t) {}
void CompressTwo(uint32_t*, const unsigned char*, uint32_t*, const unsigned char*, size_t) {}
bool CpuHasKernel() { return false; }

#endif

// A function's static, so a hash taken during another file's static initialisation still sees
// the CPU's answer.
std::atomic<bool>& UseKernel() {
  static std::atomic<bool> use{CpuHasKernel()};
  return use;
}

// Pads the message's last, partial block (`tail`, under 64 bytes) with its length in bits and
// compresses it: one block, or two when the 9 bytes of padding do not fit.
Sha256Digest FinishMessage(uint32_t state[8], const unsigned char* tail, size_t tail_size, uint64_t length) {
  unsigned char last[2 * kBlock] = {};
  if (tail_size > 0) std::memcpy(last, tail, tail_size);  // an empty message's data may be null
  last[tail_size] = 0x80;
  const size_t blocks = tail_size + 9 <= kBlock ? 1 : 2;
  const uint64_t bits = length * 8;
  for (int i = 0; i < 8; ++i) last[blocks * kBlock - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  CompressOne(state, last, blocks);
  Sha256Digest digest;
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<unsigned char>(state[i] >> (24 - 8 * j));
  }
  return digest;
}

// A message a lane is working through: its state and the whole blocks it has left.
struct Message {
  uint32_t* state = nullptr;
  const unsigned char* next = nullptr;
  size_t blocks = 0;
  int piece = -1;  // index into the pieces, or -1 for the stream
};

}  // namespace

bool HasSha256PairKernel() { return UseKernel().load(std::memory_order_relaxed); }

namespace internal {
void UseSha256PairKernel(bool use) { UseKernel().store(use && CpuHasKernel()); }
}  // namespace internal

Sha256Stream::Sha256Stream() {
  if (!HasSha256PairKernel()) openssl_ = std::make_unique<Sha256>();
  Reset();
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::Reset() {
  std::memcpy(state_, kInitialState, sizeof state_);
  partial_size_ = 0;
  length_ = 0;
}

void Sha256Stream::Update(std::string_view data) { HashWithStream(this, data, {}, nullptr); }

Sha256Digest Sha256Stream::Final() {
  if (openssl_ != nullptr) return openssl_->Final();
  const Sha256Digest digest = FinishMessage(state_, partial_, partial_size_, length_);
  Reset();
  return digest;
}

void HashWithStream(Sha256Stream* stream, std::string_view stream_bytes, std::span<const std::string_view> pieces,
                    Sha256Digest* ids) {
  if (stream != nullptr && stream->openssl_ != nullptr) {
    stream->openssl_->Update(stream_bytes);
    stream = nullptr;
  }
  if (!HasSha256PairKernel()) {
    for (size_t i = 0; i < pieces.size(); ++i) ids[i] = Sha256Of(pieces[i]);
    return;
  }
  const auto* s = reinterpret_cast<const unsigned char*>(stream_bytes.data());
  size_t s_size = stream != nullptr ? stream_bytes.size() : 0;
  Message stream_message;
  bool stream_taken = true;
  if (stream != nullptr) {
    stream->length_ += s_size;
    if (stream->partial_size_ > 0) {  // top up the block left over from the last call
      const size_t take = std::min(kBlock - stream->partial_size_, s_size);
      if (take > 0) std::memcpy(stream->partial_ + stream->partial_size_, s, take);
      stream->partial_size_ += take;
      s += take;
      s_size -= take;
      if (stream->partial_size_ == kBlock) {
        CompressOne(stream->state_, stream->partial_, 1);
        stream->partial_size_ = 0;
      }
    }
    stream_message = {stream->state_, s, s_size / kBlock, -1};
    stream_taken = stream_message.blocks == 0;
  }

  // Two lanes take messages in order (the stream first) and hash two at a time; a lane whose
  // message runs out of whole blocks finishes it and takes the next.
  uint32_t piece_states[2][8];
  size_t next_piece = 0;
  Message lanes[2];
  bool busy[2] = {false, false};
  auto take = [&](int lane) {
    if (!stream_taken) {
      stream_taken = true;
      lanes[lane] = stream_message;
      return true;
    }
    if (next_piece == pieces.size()) return false;
    std::memcpy(piece_states[lane], kInitialState, sizeof kInitialState);
    const std::string_view piece = pieces[next_piece];
    lanes[lane] = {piece_states[lane], reinterpret_cast<const unsigned char*>(piece.data()), piece.size() / kBlock,
                   static_cast<int>(next_piece)};
    ++next_piece;
    return true;
  };
  auto refill = [&](int lane) {
    while (busy[lane] && lanes[lane].blocks == 0) {
      const Message& m = lanes[lane];
      if (m.piece >= 0) {
        const std::string_view piece = pieces[m.piece];
        const size_t whole = piece.size() / kBlock * kBlock;
        ids[m.piece] = FinishMessage(m.state, reinterpret_cast<const unsigned char*>(piece.data()) + whole,
                                     piece.size() - whole, piece.size());
      }
      busy[lane] = take(lane);
    }
  };
  busy[0] = take(0);
  busy[1] = take(1);
  while (true) {
    refill(0);
    refill(1);
    if (busy[0] && busy[1]) {
      const size_t n = std::min(lanes[0].blocks, lanes[1].blocks);
      CompressTwo(lanes[0].state, lanes[0].next, lanes[1].state, lanes[1].next, n);
      for (Message& m : lanes) {
        m.next += n * kBlock;
        m.blocks -= n;
      }
    } else if (busy[0] || busy[1]) {
      Message& m = lanes[busy[0] ? 0 : 1];
      CompressOne(m.state, m.next, m.blocks);
      m.next += m.blocks * kBlock;
      m.blocks = 0;
    } else {
      break;
    }
  }
  if (stream != nullptr && s_size % kBlock != 0) {  // keep the partial block for the next call
    std::memcpy(stream->partial_, s + s_size / kBlock * kBlock, s_size % kBlock);
    stream->partial_size_ = s_size % kBlock;
  }
}

}  // namespace trail::store
