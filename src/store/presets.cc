#include "store/presets.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace trail::store {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

bool IsModelFileName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string name = Lower(slash == std::string_view::npos ? path : path.substr(slash + 1));
  static constexpr std::array<std::string_view, 14> kSuffixes = {".pt",     ".pth",         ".bin", ".h5",   ".hdf5",
                                                                 ".keras",  ".onnx",        ".pb",  ".meta", ".index",
                                                                 ".joblib", ".safetensors", ".pkl", ".ckpt"};
  for (std::string_view s : kSuffixes) {
    if (name.ends_with(s)) return true;
  }
  // TensorFlow's "model.ckpt-1000.data-00000-of-00001" and friends.
  return name.find(".ckpt") != std::string::npos || name.find(".data-0") != std::string::npos;
}

ChunkerParams ChunkingFor(std::string_view path) {
  return IsModelFileName(path) ? kCheckpointChunking : kDatasetChunking;
}

}  // namespace trail::store
