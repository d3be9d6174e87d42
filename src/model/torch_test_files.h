// Test-only: the PyTorch and ONNX files tests/models/make_torch.py writes with the real libraries
// (torch 1.13, onnx), made once per version of the script, and helpers to compare what trail reads with
// the values the script wrote to expected.json.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "model/model_file.h"
#include "model/values.h"

namespace trail::model::testing {

struct TorchFiles {
  std::string dir;     // holds the files and expected.json
  std::string marker;  // a hostile pickle would create it
  Json expected;
};

// The generated files, or nullptr (with a test failure) when the script fails. ctest runs each
// test in its own process, so the files are made once per version of the script and kept beside
// this binary (model_test_files/torch-<hash>): made in a folder of this process's own, then
// renamed into place, so processes running side by side never see half a set.
inline const TorchFiles* GeneratedTorchFiles() {
  static const TorchFiles* files = []() -> const TorchFiles* {
    namespace fs = std::filesystem;
    // __FILE__ is absolute, or relative to the build folder, where Ninja compiles and this binary lies.
    const fs::path exe_dir = fs::read_symlink("/proc/self/exe").parent_path();
    fs::path file = __FILE__;
    if (file.is_relative()) file = exe_dir / file;
    const std::string script = file.parent_path().parent_path().parent_path().string() + "/tests/models/make_torch.py";
    std::ifstream in(script);
    std::stringstream text;
    text << in.rdbuf();
    const std::string name = "torch-" + std::to_string(std::hash<std::string>{}(text.str()));
    const fs::path root = exe_dir / "model_test_files";
    static TorchFiles f;
    f.dir = (root / name).string();
    f.marker = (root / (name + ".MARKER")).string();
    std::error_code ignored;
    if (!fs::exists(f.dir + "/expected.json")) {
      const std::string mine = f.dir + ".tmp-" + std::to_string(::getpid());
      fs::create_directories(mine, ignored);
      const std::string command =
          "/usr/bin/python3 '" + script + "' '" + mine + "' '" + f.marker + "' >'" + mine + "/make.log' 2>&1";
      if (std::system(command.c_str()) != 0) return nullptr;
      fs::rename(mine, f.dir, ignored);  // fails when another process got there first: use theirs
      fs::remove_all(mine, ignored);
    }
    std::ifstream json(f.dir + "/expected.json");
    std::stringstream json_text;
    json_text << json.rdbuf();
    f.expected = Json::parse(json_text.str(), nullptr, false);
    return f.expected.is_object() ? &f : nullptr;
  }();
  return files;
}

inline std::string TorchFile(const std::string& name) { return GeneratedTorchFiles()->dir + "/" + name; }

// All values of tensor `index` as doubles, through the stream.
inline std::vector<double> ReadValues(ModelFile& model, size_t index) {
  std::vector<double> values;
  const DType dtype = model.info().tensors[index].dtype;
  Status s = ForEachChunk(model, index, [&](std::string_view raw) {
    std::vector<double> chunk(raw.size() / DTypeSize(dtype));
    ToDoubles(dtype, raw.data(), chunk.size(), chunk.data());
    values.insert(values.end(), chunk.begin(), chunk.end());
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return values;
}

// Checks every tensor of `path` against expected[key]: names in order, dtype, shape, values,
// checksum, is_parameter.
inline void ExpectTensorsAsWritten(const std::string& path, const std::string& key) {
  const TorchFiles* files = GeneratedTorchFiles();
  ASSERT_NE(files, nullptr) << "tests/models/make_torch.py failed";
  auto model = OpenModel(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  ASSERT_TRUE(ComputeChecksums(**model).ok());
  const ModelInfo& info = (*model)->info();
  const Json& want = files->expected[key];
  ASSERT_EQ(info.tensors.size(), want.size()) << key;
  for (size_t i = 0; i < want.size(); ++i) {
    const TensorInfo& t = info.tensors[i];
    const Json& w = want[i];
    SCOPED_TRACE(key + ": " + w["name"].get<std::string>());
    EXPECT_EQ(t.name, w["name"].get<std::string>());
    EXPECT_EQ(t.dtype_name, w["dtype"].get<std::string>());
    EXPECT_EQ(t.shape, w["shape"].get<std::vector<int64_t>>());
    EXPECT_EQ(t.checksum, w["checksum"].get<std::string>());
    EXPECT_EQ(t.is_parameter, w["is_parameter"].get<bool>());
    EXPECT_EQ(ReadValues(**model, i), w["values"].get<std::vector<double>>());
  }
}

}  // namespace trail::model::testing
