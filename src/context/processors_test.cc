#include "context/processors.h"

#include <gtest/gtest.h>

#include "base/files.h"
#include "context/test_util.h"

namespace trail::context {
namespace {

using testing::TempRoot;

const char* kUuid0 = "GPU-4f2a9c1e-1b3d-2e5f-8a7b-0c9d1e2f3a4b";
const char* kUuid1 = "GPU-9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4";

struct FakeGpu {
  std::string name, uuid;
  uint64_t memory = 0;
};

// NVML as a test wants it: a device list, optionally failing calls.
class FakeNvml : public NvmlSession {
 public:
  explicit FakeNvml(std::vector<FakeGpu> gpus) : gpus_(std::move(gpus)) {}
  int DeviceCount(unsigned* count) override {
    *count = static_cast<unsigned>(gpus_.size());
    return 0;
  }
  int DriverVersion(std::string* v) override {
    *v = "550.54.15";
    return 0;
  }
  int Name(unsigned i, std::string* name) override {
    *name = gpus_.at(i).name;
    return 0;
  }
  int Uuid(unsigned i, std::string* uuid) override {
    *uuid = gpus_.at(i).uuid;
    return 0;
  }
  int MemoryTotal(unsigned i, uint64_t* bytes) override {
    if (gpus_.at(i).memory == 0) return 3;  // NVML_ERROR_NOT_SUPPORTED
    *bytes = gpus_.at(i).memory;
    return 0;
  }
  std::string ErrorText(int code) override { return code == 3 ? "Not Supported" : "error"; }

 private:
  std::vector<FakeGpu> gpus_;
};

NvmlOpener NoNvml() {
  return [](std::string*) { return std::unique_ptr<NvmlSession>(); };
}

NvmlOpener Fake(std::vector<FakeGpu> gpus) {
  return [gpus](std::string*) { return std::unique_ptr<NvmlSession>(std::make_unique<FakeNvml>(gpus)); };
}

class ProcessorsTest : public ::testing::Test {
 protected:
  ProcessorsTest() {
    root_.CopyTestdata("root", "");
    env_.root = root_.path();
  }
  Json Read(const NvmlOpener& nvml) { return ReadProcessors(env_, &warnings_, nvml); }

  TempRoot root_;
  ContextEnv env_;
  std::vector<std::string> warnings_;
};

TEST_F(ProcessorsTest, ProcFallbackWithoutNvml) {
  Json p = Read(NoNvml());
  EXPECT_TRUE(warnings_.empty());
  Json gpu0 = {{"index", 0},
               {"vendor", "nvidia"},
               {"model", "NVIDIA A100-SXM4-40GB"},
               {"driver", "535.104.05"},
               {"uuid", kUuid0}};
  Json gpu1 = {{"index", 1},
               {"vendor", "nvidia"},
               {"model", "NVIDIA A100-SXM4-40GB"},
               {"driver", "535.104.05"},
               {"uuid", kUuid1}};
  Json expected = {{"gpus", {gpu0, gpu1}}, {"gpu_count", 2}, {"tpus", Json::array()}, {"tpu_count", 0}};
  EXPECT_EQ(p, expected) << p.dump();
}

TEST_F(ProcessorsTest, CudaVisibleDevicesIndex) {
  env_.env["CUDA_VISIBLE_DEVICES"] = "1";
  Json p = Read(NoNvml());
  EXPECT_EQ(p["gpu_count"], 1);
  ASSERT_EQ(p["gpus"].size(), 1u);
  EXPECT_EQ(p["gpus"][0]["index"], 1);
  EXPECT_EQ(p["gpus"][0]["uuid"], kUuid1);
  EXPECT_EQ(p["cuda_visible_devices"], "1");
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(ProcessorsTest, CudaVisibleDevicesEmptyHidesAll) {
  env_.env["CUDA_VISIBLE_DEVICES"] = "";
  Json p = Read(NoNvml());
  EXPECT_EQ(p["gpu_count"], 0);
  EXPECT_EQ(p["gpus"], Json::array());
  EXPECT_EQ(p["cuda_visible_devices"], "");
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(ProcessorsTest, CudaVisibleDevicesMinusOneHidesAllQuietly) {
  env_.env["CUDA_VISIBLE_DEVICES"] = "-1";
  EXPECT_EQ(Read(NoNvml())["gpu_count"], 0);
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(ProcessorsTest, CudaVisibleDevicesUuid) {
  env_.env["CUDA_VISIBLE_DEVICES"] = kUuid1;
  Json p = Read(NoNvml());
  ASSERT_EQ(p["gpu_count"], 1);
  EXPECT_EQ(p["gpus"][0]["index"], 1);
  EXPECT_EQ(p["gpus"][0]["uuid"], kUuid1);
}

TEST_F(ProcessorsTest, CudaVisibleDevicesInvalidEntryEndsList) {
  env_.env["CUDA_VISIBLE_DEVICES"] = "0,7,1";
  Json p = Read(NoNvml());
  ASSERT_EQ(p["gpu_count"], 1);
  EXPECT_EQ(p["gpus"][0]["index"], 0);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0],
            "CUDA_VISIBLE_DEVICES entry '7' names no GPU of this machine; CUDA ignores it and the entries after it");
}

TEST_F(ProcessorsTest, CudaVisibleDevicesReordersAsCudaNumbers) {
  env_.env["CUDA_VISIBLE_DEVICES"] = "1,0";
  Json p = Read(NoNvml());
  ASSERT_EQ(p["gpu_count"], 2);
  EXPECT_EQ(p["gpus"][0]["index"], 1);
  EXPECT_EQ(p["gpus"][1]["index"], 0);
}

TEST_F(ProcessorsTest, NvmlPreferredWhenItReportsDevices) {
  Json p = Read(Fake({{"NVIDIA H100 80GB HBM3", "GPU-aaaa1111-0000-0000-0000-000000000000", 85520809984ull},
                      {"NVIDIA H100 80GB HBM3", "GPU-bbbb2222-0000-0000-0000-000000000000", 85520809984ull},
                      {"NVIDIA H100 80GB HBM3", "GPU-cccc3333-0000-0000-0000-000000000000", 85520809984ull}}));
  EXPECT_TRUE(warnings_.empty());
  ASSERT_EQ(p["gpu_count"], 3);
  Json expected = {{"index", 2},
                   {"vendor", "nvidia"},
                   {"model", "NVIDIA H100 80GB HBM3"},
                   {"memory_bytes", 85520809984ull},
                   {"driver", "550.54.15"},
                   {"uuid", "GPU-cccc3333-0000-0000-0000-000000000000"}};
  EXPECT_EQ(p["gpus"][2], expected);
}

TEST_F(ProcessorsTest, NvmlUuidPrefixAndFailedCallBecomesWarning) {
  env_.env["CUDA_VISIBLE_DEVICES"] = "GPU-bbbb";
  Json p = Read(Fake({{"A", "GPU-aaaa1111", 1}, {"B", "GPU-bbbb2222", 0}}));
  ASSERT_EQ(p["gpu_count"], 1);
  EXPECT_EQ(p["gpus"][0]["model"], "B");
  EXPECT_FALSE(p["gpus"][0].contains("memory_bytes"));
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0], "NVML: GPU 1 memory: Not Supported");
}

TEST_F(ProcessorsTest, NvmlWithoutDevicesFallsBackToProc) {
  Json p = Read(Fake({}));
  EXPECT_EQ(p["gpu_count"], 2);
  EXPECT_EQ(p["gpus"][0]["driver"], "535.104.05");
}

TEST_F(ProcessorsTest, NvmlInitFailureIsWarningAndProcFallback) {
  Json p = Read([](std::string* error) {
    *error = "NVML did not initialize: Driver/library version mismatch";
    return std::unique_ptr<NvmlSession>();
  });
  EXPECT_EQ(p["gpu_count"], 2);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0],
            "NVML: NVML did not initialize: Driver/library version mismatch; reading /proc/driver/nvidia instead");
}

TEST_F(ProcessorsTest, UnreadableGpuInformationIsWarning) {
  ASSERT_TRUE(RemoveAll(root_ / "proc/driver/nvidia/gpus/0000:3b:00.0/information").ok());
  Json p = Read(NoNvml());
  EXPECT_EQ(p["gpu_count"], 2);  // the GPU is there, its details are not
  EXPECT_EQ(p["gpus"][1], (Json{{"index", 1}, {"vendor", "nvidia"}, {"driver", "535.104.05"}}));
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0].rfind("cannot read " + root_.path(), 0), 0u) << warnings_[0];
}

TEST_F(ProcessorsTest, NoNvidiaDriverMeansNoGpusAndNoWarning) {
  ASSERT_TRUE(RemoveAll(root_ / "proc/driver").ok());
  Json p = Read(NoNvml());
  EXPECT_EQ(p["gpu_count"], 0);
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(ProcessorsTest, TpuDevicesAndEnvironment) {
  for (const char* d : {"dev/accel0", "dev/accel1", "dev/accel2", "dev/accel3", "dev/accel10"}) root_.Write(d, "");
  root_.MakeDir("dev/accel/accel0");  // Linux's accel subsystem (other NPUs): not a TPU
  root_.Write("dev/accelerometer", "");
  env_.env["TPU_ACCELERATOR_TYPE"] = "v4-8";
  env_.env["TPU_WORKER_ID"] = "0";
  env_.env["TPUNOT"] = "x";
  Json p = Read(NoNvml());
  EXPECT_EQ(p["tpu_count"], 5);
  EXPECT_EQ(p["tpus"], (Json{{{"device", "/dev/accel0"}},
                             {{"device", "/dev/accel1"}},
                             {{"device", "/dev/accel2"}},
                             {{"device", "/dev/accel3"}},
                             {{"device", "/dev/accel10"}}}));
  EXPECT_EQ(p["tpu_env"], (Json{{"TPU_ACCELERATOR_TYPE", "v4-8"}, {"TPU_WORKER_ID", "0"}}));
  EXPECT_EQ(testing::Keys(p), (std::vector<std::string>{"gpus", "gpu_count", "tpus", "tpu_count", "tpu_env"}));
}

TEST(VisibleGpusTest, Rules) {
  std::vector<std::string> uuids = {"GPU-aa11", "GPU-aa22", "GPU-bb33"};
  std::vector<std::string> w;
  EXPECT_EQ(VisibleGpus(nullptr, uuids, &w), (std::vector<size_t>{0, 1, 2}));
  std::string s = " 2 , 0";
  EXPECT_EQ(VisibleGpus(&s, uuids, &w), (std::vector<size_t>{2, 0}));
  s = "GPU-bb";
  EXPECT_EQ(VisibleGpus(&s, uuids, &w), (std::vector<size_t>{2}));
  s = "gpu-BB33";  // hex digits in either case
  EXPECT_EQ(VisibleGpus(&s, uuids, &w), (std::vector<size_t>{2}));
  EXPECT_TRUE(w.empty());
  s = "1,GPU-aa,2";  // ambiguous prefix ends the list
  EXPECT_EQ(VisibleGpus(&s, uuids, &w), (std::vector<size_t>{1}));
  s = "0,0,1";  // a repeat ends it too
  EXPECT_EQ(VisibleGpus(&s, uuids, &w), (std::vector<size_t>{0}));
  s = "abc,0";
  EXPECT_EQ(VisibleGpus(&s, uuids, &w), (std::vector<size_t>{}));
  EXPECT_EQ(w.size(), 3u);
}

// This machine: whatever NVIDIA driver it has, the count matches its /proc
// view, and reading never fails (on a machine without GPU: 0, no warning).
TEST(ProcessorsLiveTest, RealRoot) {
  ContextEnv env;  // root "/", no CUDA_VISIBLE_DEVICES
  std::vector<std::string> warnings;
  Json p = ReadProcessors(env, &warnings);
  size_t proc_gpus = ListDirectory("/proc/driver/nvidia/gpus").size();
  EXPECT_EQ(p["gpu_count"], proc_gpus);
  if (proc_gpus == 0) {
    EXPECT_EQ(p["gpus"], Json::array());
    EXPECT_TRUE(warnings.empty()) << warnings.front();
  }
}

}  // namespace
}  // namespace trail::context
