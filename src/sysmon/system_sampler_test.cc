#include "sysmon/system_sampler.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace trail::sysmon {
namespace {

namespace fs = std::filesystem;

// A copy of testdata/proc that a test can change between samples.
class SystemSamplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("trail_sysmon_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::copy(fs::path(TRAIL_SYSMON_TESTDATA) / "proc", root_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& name, const std::string& text) {
    fs::create_directories((root_ / name).parent_path());
    std::ofstream(root_ / name, std::ios::trunc) << text;
  }
  static std::string Stat(int pid, int ppid, int utime, int stime, int threads, int rss) {
    return std::to_string(pid) + " (p) S " + std::to_string(ppid) + " 1 1 0 -1 0 0 0 0 0 " + std::to_string(utime) +
           " " + std::to_string(stime) + " 0 0 20 0 " + std::to_string(threads) + " 0 1 1 " + std::to_string(rss) +
           " 0 0\n";
  }
  SamplerOptions Options(std::vector<std::string> env = {}) {
    SamplerOptions o;
    o.root_pid = 100;
    o.proc_root = root_.string();
    o.ticks_per_second = 100;
    o.page_size = 4096;
    o.env = LookupIn(std::move(env));
    return o;
  }
  static std::map<std::string, double> AsMap(const SampleValues& values) {
    return std::map<std::string, double>(values.begin(), values.end());
  }

  fs::path root_;
};

TEST_F(SystemSamplerTest, TheTreeOverTheInterval) {
  SystemSampler sampler(Options(), 10.0);
  // 2 s later: the root used 1.5 s of CPU, its grandchild 0.5 s; 1000 bytes read, 1000 bytes in
  // and 500 out on eth0 (lo moved too, and is not counted); the machine half busy.
  Write("100/stat", Stat(100, 1, 1150, 200, 8, 25600));
  Write("102/stat", Stat(102, 101, 10, 55, 1, 256));
  Write("100/io", "read_bytes: 5096\nwrite_bytes: 8192\n");
  Write("100/net/dev",
        "h1\nh2\n    lo: 99999999 1 0 0 0 0 0 0 99999999 1 0 0 0 0 0 0\n"
        "  eth0: 6000 41 0 0 0 0 0 0 3500 31 0 0 0 0 0 0\n");
  Write("stat", "cpu  9373285 705320 3012085 1524664 57271 0 18157 0 0 0\n");
  auto m = AsMap(sampler.Sample(12.0));
  EXPECT_DOUBLE_EQ(m["system/cpu_percent"], 100.0);                               // 2 s of CPU in 2 s: one core
  EXPECT_DOUBLE_EQ(m["system/rss_bytes"], (25600.0 + 12800.0 + 256.0) * 4096.0);  // pid 200 is not the run's
  EXPECT_DOUBLE_EQ(m["system/threads"], 11.0);
  EXPECT_DOUBLE_EQ(m["system/disk_read_bytes"], 1000.0);
  EXPECT_DOUBLE_EQ(m["system/disk_write_bytes"], 0.0);
  EXPECT_DOUBLE_EQ(m["system/net_recv_bytes"], 1000.0);
  EXPECT_DOUBLE_EQ(m["system/net_sent_bytes"], 500.0);
  EXPECT_DOUBLE_EQ(m["system/machine_cpu_percent"], 50.0);
  EXPECT_DOUBLE_EQ(m["system/machine_mem_used_bytes"], (24683748.0 - 23850608.0) * 1024.0);
  EXPECT_EQ(sampler.gpu_count(), 0u);  // no NVML asked for
}

TEST_F(SystemSamplerTest, NewProcessesCountWholeAndTheGoneAreForgotten) {
  SystemSampler sampler(Options(), 0.0);
  fs::remove_all(root_ / "101");  // its child 102 is reparented to init: no longer the run's
  Write("102/stat", Stat(102, 1, 10, 5, 1, 256));
  Write("103/stat", Stat(103, 100, 30, 20, 3, 100));  // started during the interval
  auto m = AsMap(sampler.Sample(1.0));
  EXPECT_DOUBLE_EQ(m["system/cpu_percent"], 50.0);
  EXPECT_DOUBLE_EQ(m["system/threads"], 8.0 + 3.0);
  EXPECT_DOUBLE_EQ(m["system/rss_bytes"], (25600.0 + 100.0) * 4096.0);
  // A pid taken over by another process (counters went down) counts from zero, never negative.
  Write("103/stat", Stat(103, 100, 1, 1, 1, 100));
  m = AsMap(sampler.Sample(2.0));
  EXPECT_DOUBLE_EQ(m["system/cpu_percent"], 2.0);
}

TEST_F(SystemSamplerTest, UnreadableAndMalformedFilesLeaveTheirPartOut) {
  fs::remove(root_ / "100/io");
  fs::remove(root_ / "101/io");
  Write("100/net/dev", "not a net/dev file");
  Write("meminfo", "MemTotal: 1 kB\n");
  SystemSampler sampler(Options(), 0.0);
  Write("101/stat", "101 (cut short) S 100 1");  // mid-exit: read as gone
  auto m = AsMap(sampler.Sample(1.0));
  EXPECT_EQ(m.count("system/disk_read_bytes"), 0u);
  EXPECT_EQ(m.count("system/net_recv_bytes"), 0u);
  EXPECT_EQ(m.count("system/machine_mem_used_bytes"), 0u);
  EXPECT_DOUBLE_EQ(m["system/threads"], 8.0);  // the root only: 102 hangs off an unreadable 101
  EXPECT_EQ(m.count("system/cpu_percent"), 1u);
}

TEST_F(SystemSamplerTest, NothingOnceTheRootIsGone) {
  SystemSampler sampler(Options(), 0.0);
  fs::remove_all(root_ / "100");
  EXPECT_TRUE(sampler.Sample(1.0).empty());
}

TEST_F(SystemSamplerTest, AParentLoopInTheFilesEnds) {
  Write("1/stat", Stat(1, 102, 1, 1, 1, 1));  // a hostile fixture: 1 -> 102 -> 101 -> 100 -> 1
  Write("100/stat", Stat(100, 1, 1000, 200, 8, 25600));
  SystemSampler sampler(Options(), 0.0);
  auto m = AsMap(sampler.Sample(1.0));
  // 100, 101, 102, 1 and 1's child 200, each once.
  EXPECT_DOUBLE_EQ(m["system/threads"], 8.0 + 2.0 + 1.0 + 1.0 + 50.0);
}

// The real dlopen path against a fake libnvidia-ml.so.1 (testdata/fake_nvml.cc): GPU i reports
// 40 + 10 i % utilization, (1 + i) GiB used of 16, 100 + 50 i W, 50 + i C.
class FakeNvmlTest : public SystemSamplerTest {
 protected:
  void SetUp() override {
    SystemSamplerTest::SetUp();
    ::setenv("TRAIL_NVML_LIBRARY", TRAIL_FAKE_NVML, 1);  // read at the process's first open
  }
};

TEST_F(FakeNvmlTest, OnlyTheGpusTheRunMayUseNumberedAsItSeesThem) {
  SamplerOptions o = Options({"CUDA_VISIBLE_DEVICES=1"});
  o.open_nvml = context::OpenSystemNvml;
  SystemSampler sampler(std::move(o), 0.0);
  ASSERT_EQ(sampler.gpu_count(), 1u);
  auto m = AsMap(sampler.Sample(1.0));
  EXPECT_DOUBLE_EQ(m["system/gpu0/utilization_percent"], 50.0);
  EXPECT_DOUBLE_EQ(m["system/gpu0/memory_used_bytes"], 2.0 * (1 << 30));
  EXPECT_DOUBLE_EQ(m["system/gpu0/memory_total_bytes"], 16.0 * (1 << 30));
  EXPECT_DOUBLE_EQ(m["system/gpu0/power_watts"], 150.0);
  EXPECT_DOUBLE_EQ(m["system/gpu0/temperature_c"], 51.0);
  EXPECT_EQ(m.count("system/gpu1/utilization_percent"), 0u);
}

TEST_F(FakeNvmlTest, EveryGpuUnlessHiddenAndNoneWhenHidden) {
  SamplerOptions all = Options({"SLURM_JOB_GPUS=0,1"});
  all.open_nvml = context::OpenSystemNvml;
  SystemSampler both(std::move(all), 0.0);
  auto m = AsMap(both.Sample(1.0));
  EXPECT_DOUBLE_EQ(m["system/gpu0/utilization_percent"], 40.0);
  EXPECT_DOUBLE_EQ(m["system/gpu1/utilization_percent"], 50.0);

  SamplerOptions hidden = Options({"CUDA_VISIBLE_DEVICES="});
  hidden.open_nvml = context::OpenSystemNvml;
  SystemSampler none(std::move(hidden), 0.0);
  EXPECT_EQ(none.gpu_count(), 0u);
  for (const auto& [name, value] : none.Sample(1.0)) EXPECT_EQ(name.find("gpu"), std::string::npos) << name;
}

}  // namespace
}  // namespace trail::sysmon
