#include "sysmon/gpu_filter.h"

#include <gtest/gtest.h>

namespace trail::sysmon {
namespace {

const std::vector<std::string> kUuids = {"GPU-aaaa-0", "GPU-bbbb-1", "GPU-cccc-2", "GPU-dddd-3"};

std::vector<size_t> Gpus(std::vector<std::string> env) { return RunGpus(LookupIn(std::move(env)), kUuids); }

TEST(RunGpusTest, EveryGpuWhenNothingIsSet) { EXPECT_EQ(Gpus({"PATH=/bin"}), (std::vector<size_t>{0, 1, 2, 3})); }

TEST(RunGpusTest, CudaVisibleDevicesIndicesAndUuids) {
  EXPECT_EQ(Gpus({"CUDA_VISIBLE_DEVICES=2,0"}), (std::vector<size_t>{2, 0}));
  EXPECT_EQ(Gpus({"CUDA_VISIBLE_DEVICES=GPU-dddd,GPU-bbbb-1"}), (std::vector<size_t>{3, 1}));
  EXPECT_EQ(Gpus({"CUDA_VISIBLE_DEVICES="}), std::vector<size_t>{});  // empty: none
  EXPECT_EQ(Gpus({"CUDA_VISIBLE_DEVICES=-1"}), std::vector<size_t>{});
  EXPECT_EQ(Gpus({"CUDA_VISIBLE_DEVICES=1,9,2"}), std::vector<size_t>{1});  // CUDA stops at a bad entry
}

TEST(RunGpusTest, CudaVisibleDevicesWinsOverSlurmAndTheContainer) {
  EXPECT_EQ(Gpus({"SLURM_JOB_GPUS=2,3", "NVIDIA_VISIBLE_DEVICES=all", "CUDA_VISIBLE_DEVICES=1"}),
            std::vector<size_t>{1});
}

TEST(RunGpusTest, NvidiaVisibleDevices) {
  EXPECT_EQ(Gpus({"NVIDIA_VISIBLE_DEVICES=all"}), (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(Gpus({"NVIDIA_VISIBLE_DEVICES=none"}), std::vector<size_t>{});
  EXPECT_EQ(Gpus({"NVIDIA_VISIBLE_DEVICES=void"}), std::vector<size_t>{});
  EXPECT_EQ(Gpus({"NVIDIA_VISIBLE_DEVICES="}), std::vector<size_t>{});
  EXPECT_EQ(Gpus({"NVIDIA_VISIBLE_DEVICES=GPU-cccc,3", "SLURM_JOB_GPUS=0"}), (std::vector<size_t>{2, 3}));
}

TEST(RunGpusTest, SlurmStepBeforeJob) {
  EXPECT_EQ(Gpus({"SLURM_JOB_GPUS=1,2"}), (std::vector<size_t>{1, 2}));
  EXPECT_EQ(Gpus({"SLURM_JOB_GPUS=1,2", "SLURM_STEP_GPUS=2"}), std::vector<size_t>{2});
}

TEST(RunGpusTest, FirstEntryOfANameWins) {
  EXPECT_EQ(Gpus({"CUDA_VISIBLE_DEVICES=3", "CUDA_VISIBLE_DEVICES=0"}), std::vector<size_t>{3});
  EXPECT_EQ(Gpus({"CUDA_VISIBLE_DEVICES_X=3"}), (std::vector<size_t>{0, 1, 2, 3}));  // another name
}

}  // namespace
}  // namespace trail::sysmon
