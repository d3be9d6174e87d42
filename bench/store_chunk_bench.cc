// Content-addressed store, first slice: how fast content-defined chunking plus SHA-256 runs on
// one core, and how well it dedups successive versions of a file.
//
//   store_chunk_bench [GiB to chunk, default 1] [MiB per version, default 256]
//
// Prints MB/s (10^6 bytes per second) for chunking alone, and chunk + SHA-256 of every chunk, on
// random data generated in memory; then the dedup ratio (store size / one version's size) of
// 10 versions of a buffer, each the previous one with 5% rewritten in 3 regions.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/chunker.h"
#include "store/hash.h"
#include "store/test_data.h"

namespace {

using trail::store::Chunk;
using trail::store::ChunkerParams;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Feeds in 8 MiB blocks, as a file reader would, and hashes each chunk as it is cut.
size_t ChunkAndHash(std::string_view data, const ChunkerParams& params, bool hash,
                    std::set<trail::store::Sha256Digest>* ids, uint64_t* new_bytes) {
  constexpr size_t kBlock = 8 << 20;
  trail::store::Chunker chunker(params);
  std::vector<Chunk> chunks;
  size_t count = 0;
  auto consume = [&] {
    for (const Chunk& c : chunks) {
      if (!hash) continue;
      const auto id = trail::store::Sha256Of(data.substr(c.offset, c.length));
      if (ids != nullptr && ids->insert(id).second) *new_bytes += c.length;
    }
    count += chunks.size();
    chunks.clear();
  };
  for (size_t i = 0; i < data.size(); i += kBlock) {
    chunker.Feed(data.substr(i, kBlock), &chunks);
    consume();
  }
  chunker.Finish(&chunks);
  consume();
  return count;
}

void Throughput(const std::string& data, const char* name, const ChunkerParams& params) {
  auto t = Clock::now();
  const size_t n = ChunkAndHash(data, params, false, nullptr, nullptr);
  const double chunk_s = Seconds(t);
  t = Clock::now();
  ChunkAndHash(data, params, true, nullptr, nullptr);
  const double both_s = Seconds(t);
  std::printf("%-10s chunks %6zu  mean %7.0f KiB  chunk %7.0f MB/s  chunk+sha256 %7.0f MB/s\n", name, n,
              data.size() / 1024.0 / n, data.size() / 1e6 / chunk_s, data.size() / 1e6 / both_s);
}

void Dedup(size_t version_size, const char* name, const ChunkerParams& params) {
  constexpr int kVersions = 10;
  constexpr int kRegions = 3;
  std::string data = trail::store::testing::RandomBytes(version_size, 42);
  std::mt19937_64 gen(7);
  const size_t region = version_size / 20 / kRegions;
  std::uniform_int_distribution<size_t> where(0, version_size - region);
  std::set<trail::store::Sha256Digest> ids;
  uint64_t stored = 0;
  for (int v = 0; v < kVersions; ++v) {
    if (v > 0) {
      for (int r = 0; r < kRegions; ++r) {
        trail::store::testing::FillRandom(&data[where(gen)], region, gen());
      }
    }
    ChunkAndHash(data, params, true, &ids, &stored);
  }
  std::printf(
      "%-10s %d versions of %zu MiB, 5%% rewritten in %d regions each: "
      "store %.1f MiB, ratio %.3fx (target <= 1.6x)\n",
      name, kVersions, version_size >> 20, kRegions, stored / 1048576.0, static_cast<double>(stored) / version_size);
}

}  // namespace

int main(int argc, char** argv) {
  const double gib = argc > 1 ? std::atof(argv[1]) : 1.0;
  const size_t version_mib = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 256;

  auto t = Clock::now();
  const std::string data = trail::store::testing::RandomBytes(static_cast<size_t>(gib * (1ull << 30)), 1);
  std::printf("generated %.2f GiB of random data in %.2f s\n", gib, Seconds(t));
  Throughput(data, "checkpoint", trail::store::kCheckpointChunking);
  Throughput(data, "dataset", trail::store::kDatasetChunking);

  t = Clock::now();
  const auto one = trail::store::Sha256Of(data);
  std::printf("sha256 alone: %.0f MB/s (%02x...)\n", data.size() / 1e6 / Seconds(t), one[0]);

  Dedup(version_mib << 20, "checkpoint", trail::store::kCheckpointChunking);
  Dedup(version_mib << 20, "dataset", trail::store::kDatasetChunking);
  return 0;
}
