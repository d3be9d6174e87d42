#include "sysmon/proc_stats.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace trail::sysmon {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(TRAIL_SYSMON_TESTDATA) + "/proc/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ProcStatTest, ReadsTheFieldsAfterTheCommandName) {
  auto st = ParseProcStat(Fixture("100/stat"));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->ppid, 1);
  EXPECT_EQ(st->cpu_ticks, 1200u);  // utime 1000 + stime 200; children's times are not counted
  EXPECT_EQ(st->threads, 8);
  EXPECT_EQ(st->rss_pages, 25600u);
}

TEST(ProcStatTest, CommandNamesWithSpacesAndParentheses) {
  auto st = ParseProcStat(Fixture("101/stat"));
  ASSERT_TRUE(st);
  EXPECT_EQ(st->ppid, 100);
  EXPECT_EQ(st->cpu_ticks, 400u);
  EXPECT_EQ(st->threads, 2);
}

TEST(ProcStatTest, MalformedTextGivesNothing) {
  EXPECT_FALSE(ParseProcStat(""));
  EXPECT_FALSE(ParseProcStat("12 (x) S 1 2 3"));  // cut short
  EXPECT_FALSE(ParseProcStat("12 no parenthesis S 1"));
  EXPECT_FALSE(ParseProcStat("12 (x) S -4 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 1 1 1"));  // negative ppid
  EXPECT_FALSE(ParseProcStat("12 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 1 0 0 20 0 1 0 1 1 1"));
  // utime + stime past 2^64 is corrupt, not a wrap-around.
  EXPECT_FALSE(ParseProcStat("12 (x) S 1 1 1 0 -1 0 0 0 0 0 18446744073709551615 1 0 0 20 0 1 0 1 1 1"));
}

TEST(ProcIoTest, StorageBytesNotCharacters) {
  auto io = ParseProcIo(Fixture("100/io"));
  ASSERT_TRUE(io);
  EXPECT_EQ(io->read, 4096u);
  EXPECT_EQ(io->written, 8192u);
  EXPECT_FALSE(ParseProcIo("rchar: 1\nwchar: 2\n"));
  EXPECT_FALSE(ParseProcIo("read_bytes: x\nwrite_bytes: 1\n"));
}

TEST(NetDevTest, SumsEveryInterfaceButLoopback) {
  auto net = ParseNetDev(Fixture("100/net/dev"));
  ASSERT_TRUE(net);
  EXPECT_EQ(net->received, 5000u);
  EXPECT_EQ(net->sent, 3000u);
  EXPECT_FALSE(ParseNetDev("garbage"));
  EXPECT_FALSE(ParseNetDev("h1\nh2\n  eth0 no colon 1 2 3\n"));
  EXPECT_FALSE(ParseNetDev("h1\nh2\n  eth0: 1 2 3\n"));  // too few fields
}

TEST(ProcStatCpuTest, BusyAndTotalTicks) {
  auto cpu = ParseProcStatCpu(Fixture("stat"));
  ASSERT_TRUE(cpu);
  EXPECT_EQ(cpu->busy, 9373185u + 705320u + 3012085u + 18157u);
  EXPECT_EQ(cpu->total, cpu->busy + 1524564u + 57271u);
  EXPECT_FALSE(ParseProcStatCpu("cpu0 1 2 3 4 5 6 7 8\n"));
  EXPECT_FALSE(ParseProcStatCpu("cpu 1 2 3\n"));
}

TEST(MemInfoTest, TotalLessAvailable) {
  auto used = ParseMemUsedBytes(Fixture("meminfo"));
  ASSERT_TRUE(used);
  EXPECT_EQ(*used, (24683748u - 23850608u) * 1024ull);
  EXPECT_FALSE(ParseMemUsedBytes("MemTotal: 10 kB\n"));
  EXPECT_FALSE(ParseMemUsedBytes("MemTotal: 10 kB\nMemAvailable: 20 kB\n"));  // more available than there is
}

}  // namespace
}  // namespace trail::sysmon
