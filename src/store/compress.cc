#include "store/compress.h"

#include <zstd.h>

#include <memory>

namespace trail::store {
namespace {

constexpr size_t kSampleSize = 4 << 10;
constexpr size_t kSamples = 4;
// Compressed sample must be at most 90% of the sample.
constexpr size_t kWorthNumerator = 9;
constexpr size_t kWorthDenominator = 10;

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread: creating a context costs more than compressing a small chunk, and
// contexts are not thread-safe.
ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  return cctx.get();
}

ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  return dctx.get();
}

}  // namespace

bool WorthCompressing(std::string_view chunk) {
  if (chunk.empty()) return false;
  std::string sample;
  if (chunk.size() <= kSampleSize * kSamples) {
    sample.assign(chunk);
  } else {
    // Evenly spaced samples, the last one ending at the chunk's end, so a compressible header
    // followed by incompressible tensors is not judged by its header alone.
    sample.reserve(kSampleSize * kSamples);
    const size_t stride = (chunk.size() - kSampleSize) / (kSamples - 1);
    for (size_t i = 0; i < kSamples; ++i) sample.append(chunk.substr(i * stride, kSampleSize));
  }
  char out[ZSTD_COMPRESSBOUND(kSampleSize * kSamples)];
  ZSTD_CCtx* cctx = ThreadCCtx();
  if (cctx == nullptr) return false;
  const size_t n = ZSTD_compressCCtx(cctx, out, sizeof(out), sample.data(), sample.size(), 1);
  if (ZSTD_isError(n)) return false;
  return n * kWorthDenominator <= sample.size() * kWorthNumerator;
}

StatusOr<std::string> Compress(std::string_view data, int level) {
  ZSTD_CCtx* cctx = ThreadCCtx();
  if (cctx == nullptr) return Internal("zstd: cannot create a compression context");
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compressCCtx(cctx, out.data(), out.size(), data.data(), data.size(), level);
  if (ZSTD_isError(n)) return Internal(std::string("zstd compress: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

StatusOr<std::string> Decompress(std::string_view frame, size_t expected_size) {
  const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return Corrupt("zstd frame: bad header");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != expected_size) {
    return Corrupt("zstd frame: declares " + std::to_string(declared) + " bytes, expected " +
                   std::to_string(expected_size));
  }
  ZSTD_DCtx* dctx = ThreadDCtx();
  if (dctx == nullptr) return Internal("zstd: cannot create a decompression context");
  std::string out(expected_size, '\0');
  const size_t n = ZSTD_decompressDCtx(dctx, out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) return Corrupt(std::string("zstd frame: ") + ZSTD_getErrorName(n));
  if (n != expected_size) {
    return Corrupt("zstd frame: decodes to " + std::to_string(n) + " bytes, expected " + std::to_string(expected_size));
  }
  return out;
}

}  // namespace trail::store
