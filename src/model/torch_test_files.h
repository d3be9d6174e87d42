// Test-only: the PyTorch and ONNX files tests/models/make_torch.py writes with the real libraries
// (torch 1.13, onnx), made once per test process, and helpers to compare what trail reads with
// the values the script wrote to expected.json.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/test_temp_dir.h"
#include "base/yaml.h"
#include "model/model_file.h"
#include "model/values.h"

namespace trail::model::testing {

struct TorchFiles {
  trail::testing::TempDir dir{"trail-torch"};
  std::string marker;  // a hostile pickle would create it
  Json expected;
  bool ok = false;
};

// The generated files, or nullptr (with a test failure) when the script fails.
inline const TorchFiles* GeneratedTorchFiles() {
  static TorchFiles files;  // removed with its folder at exit
  static const bool made = [](TorchFiles* f) {
    // __FILE__ is absolute, or relative to the build folder, where Ninja compiles and this binary lies.
    std::filesystem::path file = __FILE__;
    if (file.is_relative()) file = std::filesystem::read_symlink("/proc/self/exe").parent_path() / file;
    const std::string source = file.parent_path().parent_path().parent_path().string();
    f->marker = f->dir.File("MARKER");
    const std::string out = f->dir.File("files");
    const std::string command = "mkdir -p '" + out + "' && /usr/bin/python3 '" + source +
                                "/tests/models/make_torch.py' '" + out + "' '" + f->marker + "' >'" +
                                f->dir.File("make.log") + "' 2>&1";
    if (std::system(command.c_str()) == 0) {
      std::ifstream in(out + "/expected.json");
      std::stringstream text;
      text << in.rdbuf();
      f->expected = Json::parse(text.str(), nullptr, false);
      f->ok = f->expected.is_object();
    }
    return f->ok;
  }(&files);
  return made ? &files : nullptr;
}

inline std::string TorchFile(const std::string& name) { return GeneratedTorchFiles()->dir.File("files/" + name); }

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
