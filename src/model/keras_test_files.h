// Test-only: the Keras and NumPy files tests/models/make_keras.py writes (with h5py and numpy),
// and a check of a ModelFile's tensors against the manifest the script writes beside them.
//
// ctest runs every test in its own process, so the files are generated once per machine and
// script version, not per test: into $TMPDIR/trail-make-keras-<uid>-<hash of the script>,
// completed by an atomic rename, and reused by every later test process.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "base/yaml.h"
#include "model/model_file.h"
#include "model/values.h"

namespace trail::model::testing {

// The repository root, from this header's path. Ninja passes paths relative to the build folder
// when it lies inside the source tree: those are resolved against the test program's folder
// (the build folder, where CMake puts it).
inline std::filesystem::path SourceRoot() {
  std::filesystem::path header(__FILE__);
  if (header.is_relative()) {
    std::error_code ec;
    header = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / header;
  }
  return header.parent_path().parent_path().parent_path();
}

inline std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The folder holding the generated files; aborts the test program when they cannot be made.
inline const std::string& KerasFiles() {
  static const std::string dir = [] {
    const std::filesystem::path script = SourceRoot() / "tests/models/make_keras.py";
    const std::string text = ReadText(script);
    if (text.empty()) {
      std::fprintf(stderr, "cannot read %s\n", script.c_str());
      std::abort();
    }
    const Sha256Digest d = Sha256Of(text);
    const std::filesystem::path tmp = std::filesystem::temp_directory_path();
    const std::filesystem::path done = tmp / ("trail-make-keras-" + std::to_string(::getuid()) + "-" +
                                              HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), 8)));
    if (std::filesystem::exists(done / "manifest.json")) return done.string();
    std::string work = (tmp / "trail-make-keras-XXXXXX").string();
    if (::mkdtemp(work.data()) == nullptr) std::abort();
    const std::string command = "/usr/bin/python3 " + script.string() + " " + work + "/files";
    if (std::system(command.c_str()) != 0) {
      std::fprintf(stderr, "%s failed\n", command.c_str());
      std::abort();
    }
    std::error_code ec;
    std::filesystem::rename(work + "/files", done, ec);  // another process may have won: use its
    std::filesystem::remove_all(work, ec);
    return done.string();
  }();
  return dir;
}

inline std::string KerasFile(const std::string& name) { return KerasFiles() + "/" + name; }

inline const Json& KerasManifest() {
  static const Json manifest = Json::parse(ReadText(KerasFiles() + "/manifest.json"));
  return manifest;
}

// Every tensor of `file` as the manifest lists it for `name`: name, dtype, shape, elements,
// bytes, parameter, checksum and (for small tensors) every value.
inline void ExpectManifestTensors(ModelFile& file, const std::string& name) {
  const Json& expected = KerasManifest().at(name);
  EXPECT_EQ(file.info().format, expected.at("format").get<std::string>()) << name;
  ASSERT_TRUE(ComputeChecksums(file).ok()) << name;
  const std::vector<TensorInfo>& tensors = file.info().tensors;
  const Json& want = expected.at("tensors");
  ASSERT_EQ(tensors.size(), want.size()) << name;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo& t = tensors[i];
    const Json& w = want[i];
    const std::string where = name + ": " + t.name;
    EXPECT_EQ(t.name, w.at("name").get<std::string>()) << where;
    EXPECT_EQ(t.dtype_name, w.at("dtype").get<std::string>()) << where;
    EXPECT_EQ(t.shape, w.at("shape").get<std::vector<int64_t>>()) << where;
    if (!w.contains("checksum")) {
      EXPECT_EQ(t.dtype, DType::kOther) << where;
      EXPECT_TRUE(t.checksum.empty()) << where;
      continue;
    }
    EXPECT_EQ(t.elements, w.at("elements").get<uint64_t>()) << where;
    EXPECT_EQ(t.bytes, w.at("bytes").get<uint64_t>()) << where;
    EXPECT_EQ(t.is_parameter, w.at("parameter").get<bool>()) << where;
    EXPECT_EQ(t.checksum, w.at("checksum").get<std::string>()) << where;
    if (!w.contains("values")) continue;
    std::vector<double> values;
    const Status s = ForEachChunk(file, i, [&](std::string_view raw) {
      const size_t n = raw.size() / DTypeSize(t.dtype);
      std::vector<double> chunk(n);
      ToDoubles(t.dtype, raw.data(), n, chunk.data());
      values.insert(values.end(), chunk.begin(), chunk.end());
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << where << ": " << s.message();
    EXPECT_EQ(values, w.at("values").get<std::vector<double>>()) << where;
  }
}

}  // namespace trail::model::testing
