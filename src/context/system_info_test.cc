#include "context/system_info.h"

#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "context/test_util.h"

namespace trail::context {
namespace {

using testing::Keys;
using testing::TempRoot;

TEST(SystemInfoTest, ReadsFixtureMachine) {
  TempRoot root;
  root.CopyTestdata("root", "");
  ContextEnv env;
  env.root = root.path();
  std::vector<std::string> warnings;
  Json sys = ReadSystem(env, &warnings);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  EXPECT_EQ(Keys(sys),
            (std::vector<std::string>{"os", "distribution", "kernel", "arch", "host", "cpu", "memory_bytes"}));
  EXPECT_EQ(sys["os"], "Linux");
  EXPECT_EQ(sys["distribution"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(sys["kernel"], "6.1.0-18-amd64");
  EXPECT_EQ(sys["host"], "trainbox");
  struct utsname u;
  ASSERT_EQ(::uname(&u), 0);
  EXPECT_EQ(sys["arch"], u.machine);  // no file source: always this process's uname
  // 2 sockets x 4 cores x 2 threads.
  EXPECT_EQ(sys["cpu"], (Json{{"model", "Intel(R) Xeon(R) Gold 6138 CPU @ 2.00GHz"}, {"cores", 8}, {"threads", 16}}));
  EXPECT_EQ(sys["memory_bytes"], 263855048ull * 1024);
}

TEST(SystemInfoTest, CoresFromCpuCoresWhenNoCoreIds) {
  TempRoot root;
  std::string block = "processor\t: 0\nmodel name\t: Some CPU\nphysical id\t: 0\ncpu cores\t: 2\n\n";
  root.Write("proc/cpuinfo", block + "processor\t: 1\nphysical id\t: 0\ncpu cores\t: 2\n\n" +
                                 "processor\t: 2\nphysical id\t: 1\ncpu cores\t: 2\n\n" +
                                 "processor\t: 3\nphysical id\t: 1\ncpu cores\t: 2\n");
  ContextEnv env;
  env.root = root.path();
  std::vector<std::string> warnings;
  Json sys = ReadSystem(env, &warnings);
  EXPECT_EQ(sys["cpu"], (Json{{"model", "Some CPU"}, {"cores", 4}, {"threads", 4}}));
}

TEST(SystemInfoTest, ArmCpuinfoWithoutTopology) {
  TempRoot root;
  root.Write("proc/cpuinfo",
             "processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n");
  ContextEnv env;
  env.root = root.path();
  std::vector<std::string> warnings;
  Json sys = ReadSystem(env, &warnings);
  EXPECT_EQ(sys["cpu"], (Json{{"cores", 2}, {"threads", 2}}));
}

TEST(SystemInfoTest, EmptyRootGivesWarningsNotFailure) {
  TempRoot root;
  ContextEnv env;
  env.root = root.path();
  std::vector<std::string> warnings;
  Json sys = ReadSystem(env, &warnings);
  // Only arch, which has no file source.
  EXPECT_EQ(Keys(sys), (std::vector<std::string>{"arch"}));
  ASSERT_EQ(warnings.size(), 6u);
  EXPECT_EQ(warnings[0], "os unknown: cannot read " + root.path() + "/proc/sys/kernel/ostype");
  EXPECT_EQ(warnings[5], "memory unknown: cannot read " + root.path() + "/proc/meminfo: No such file or directory");
}

TEST(SystemInfoTest, OsReleaseQuotingAndFallback) {
  TempRoot root;
  root.Write("usr/lib/os-release", "NAME='Fedora Linux'\nPRETTY_NAME=\"Fedora Linux 39 \\\"Thirty Nine\\\"\"\n");
  ContextEnv env;
  env.root = root.path();
  std::vector<std::string> warnings;
  Json sys = ReadSystem(env, &warnings);
  EXPECT_EQ(sys["distribution"], "Fedora Linux 39 \"Thirty Nine\"");
}

TEST(SystemInfoTest, LiveMachine) {
  std::vector<std::string> warnings;
  Json sys = ReadSystem(ContextEnv::FromProcess(), &warnings);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  struct utsname u;
  ASSERT_EQ(::uname(&u), 0);
  EXPECT_EQ(sys["os"], u.sysname);
  EXPECT_EQ(sys["kernel"], u.release);
  EXPECT_EQ(sys["cpu"]["threads"], ::sysconf(_SC_NPROCESSORS_CONF));
  EXPECT_EQ(sys["memory_bytes"].get<unsigned long long>() % 1024, 0u);
  EXPECT_GT(sys["memory_bytes"].get<unsigned long long>(), 0u);
}

}  // namespace
}  // namespace trail::context
