#include <gtest/gtest.h>

#include "model/keras_test_files.h"
#include "model/model_file.h"

namespace trail::model {
namespace {

using testing::ExpectManifestTensors;
using testing::KerasFile;

TEST(NumpyTest, NpyFilesGiveEveryValueInCOrderLittleEndian) {
  // float32, big-endian int64 (swapped), float16, bool, a 0-d array, big-endian complex128
  // (swapped per component) and a Fortran-order 3-D array (transposed to C order).
  for (const char* name :
       {"weights.npy", "big_endian.npy", "half.npy", "mask.npy", "scalar.npy", "complex.npy", "fortran.npy"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(DetectModelFormat(KerasFile(name)), "npy");
    auto model = OpenModel(KerasFile(name));
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ((*model)->info().framework, "numpy");
    ExpectManifestTensors(**model, name);
  }
  auto scalar = OpenModel(KerasFile("scalar.npy"));
  ASSERT_TRUE(scalar.ok());
  EXPECT_TRUE((*scalar)->info().tensors[0].shape.empty());
  EXPECT_EQ((*scalar)->info().tensors[0].elements, 1u);
  EXPECT_EQ((*scalar)->info().parameters, 1u);
}

TEST(NumpyTest, NonNumericDtypesAreListedWithoutValues) {
  auto model = OpenModel(KerasFile("strings.npy"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  ExpectManifestTensors(**model, "strings.npy");
  EXPECT_EQ((*model)->OpenTensor(0).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ((*model)->info().notes.size(), 1u);
}

TEST(NumpyTest, NpzMembersStoredAndDeflated) {
  for (const char* name : {"stored.npz", "deflated.npz"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(DetectModelFormat(KerasFile(name)), "npz");
    auto model = OpenModel(KerasFile(name));
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ((*model)->info().framework, "numpy");
    ExpectManifestTensors(**model, name);
    EXPECT_EQ((*model)->info().parameters, 12u + 3u + 10u + 1u);
  }
}

TEST(NumpyTest, HostileFilesAreCorruptNamingTheFile) {
  for (const char* name : {"hostile/huge.npy", "hostile/overflow.npy", "hostile/truncated_weights.npy",
                           "hostile/truncated_stored.npz", "hostile/bomb.npz"}) {
    SCOPED_TRACE(name);
    const std::string path = KerasFile(name);
    auto model = OpenModel(path);
    if (model.ok()) {
      // A bomb whose first bytes still parse may open; its values must then fail, boundedly.
      EXPECT_FALSE(ComputeChecksums(**model).ok());
      continue;
    }
    EXPECT_TRUE(model.status().code() == Code::kCorrupt || model.status().code() == Code::kInvalidArgument)
        << model.status().message();
    EXPECT_NE(model.status().message().find(path), std::string::npos) << model.status().message();
  }
}

}  // namespace
}  // namespace trail::model
