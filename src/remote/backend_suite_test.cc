// The shared Backend suite (see backend_suite.h); each backend instantiates it in its own test.
#include "remote/backend_suite.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "base/files.h"
#include "base/test_temp_dir.h"

namespace trail::remote::testing {
namespace {

using trail::testing::TempDir;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::vector<std::string> Names(const std::vector<ObjectInfo>& infos) {
  std::vector<std::string> names;
  for (const auto& i : infos) names.push_back(i.name);
  return names;
}

// Runs fn(i) for i in [0, n) on `threads` threads.
void ParallelFor(int n, int threads, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i; (i = next++) < n;) fn(i);
    });
  }
  for (auto& t : pool) t.join();
}

TEST_P(BackendSuite, SaveThenLoadRoundTrips) {
  ASSERT_TRUE(backend().Save("a/b/c.txt", "hello").ok());
  auto loaded = backend().Load("a/b/c.txt");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(*loaded, "hello");
}

TEST_P(BackendSuite, KeepsEveryByteValueIncludingNul) {
  std::string bytes;
  for (int round = 0; round < 4; ++round) {
    for (int c = 0; c < 256; ++c) bytes.push_back(static_cast<char>(c));
  }
  bytes += std::string(3, '\0');
  ASSERT_TRUE(backend().Save("bin", bytes).ok());
  auto loaded = backend().Load("bin");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(*loaded, bytes);
}

TEST_P(BackendSuite, StoresEmptyFiles) {
  ASSERT_TRUE(backend().Save("empty", "").ok());
  auto loaded = backend().Load("empty");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(*loaded, "");
  auto size = backend().Stat("empty");
  ASSERT_TRUE(size.ok()) << size.status().message();
  EXPECT_EQ(*size, std::optional<uint64_t>(0));
  TempDir local;
  ASSERT_TRUE(backend().LoadFile("empty", local.File("e")).ok());
  EXPECT_EQ(ReadFile(local.File("e")).value_or("x"), "");
  auto listed = backend().List("");
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].size, 0u);
}

TEST_P(BackendSuite, SaveOverwrites) {
  ASSERT_TRUE(backend().Save("x", "first version, longer").ok());
  ASSERT_TRUE(backend().Save("x", "second").ok());
  EXPECT_EQ(backend().Load("x").value_or(""), "second");
  EXPECT_EQ(backend().Stat("x").value_or(std::nullopt), std::optional<uint64_t>(6));
}

TEST_P(BackendSuite, LoadsRanges) {
  ASSERT_TRUE(backend().Save("r", "0123456789").ok());
  EXPECT_EQ(backend().Load("r", 3).value_or("?"), "3456789");
  EXPECT_EQ(backend().Load("r", 3, 4).value_or("?"), "3456");
  EXPECT_EQ(backend().Load("r", 0, 1).value_or("?"), "0");
  EXPECT_EQ(backend().Load("r", 0, 10).value_or("?"), "0123456789");
  // A range reaching past the end yields what exists; one starting at or past it yields nothing.
  EXPECT_EQ(backend().Load("r", 8, 10).value_or("?"), "89");
  EXPECT_EQ(backend().Load("r", 10).value_or("?"), "");
  EXPECT_EQ(backend().Load("r", 25, 5).value_or("?"), "");
}

TEST_P(BackendSuite, AbsentFilesAreNotFound) {
  auto loaded = backend().Load("no/such/file");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), Code::kNotFound) << loaded.status().message();
  EXPECT_EQ(backend().Load("no/such/file", 5, 5).status().code(), Code::kNotFound);
  TempDir local;
  Status s = backend().LoadFile("no/such/file", local.File("out"));
  EXPECT_EQ(s.code(), Code::kNotFound) << s.message();
  EXPECT_TRUE(ListDirectory(local.path()).empty()) << "a failed LoadFile left a file behind";
}

TEST_P(BackendSuite, StatsPresentAndAbsentFiles) {
  ASSERT_TRUE(backend().Save("dir/s", "12345").ok());
  auto present = backend().Stat("dir/s");
  ASSERT_TRUE(present.ok()) << present.status().message();
  EXPECT_EQ(*present, std::optional<uint64_t>(5));
  auto absent = backend().Stat("dir/none");
  ASSERT_TRUE(absent.ok()) << absent.status().message();
  EXPECT_EQ(*absent, std::nullopt);
  auto under_file = backend().Stat("dir/s/deeper");
  ASSERT_TRUE(under_file.ok()) << under_file.status().message();
  EXPECT_EQ(*under_file, std::nullopt);
}

TEST_P(BackendSuite, ListsByPrefixInNameOrder) {
  for (const char* name : {"packs/cd/3.pack", "packs/ab/2.pack", "packs/ab/1.pack", "index/x.idx", "packsx", "top"}) {
    ASSERT_TRUE(backend().Save(name, name).ok()) << name;
  }
  auto all = backend().List("");
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(Names(*all), (std::vector<std::string>{"index/x.idx", "packs/ab/1.pack", "packs/ab/2.pack",
                                                   "packs/cd/3.pack", "packsx", "top"}));
  for (const auto& info : *all) EXPECT_EQ(info.size, info.name.size()) << info.name;
  EXPECT_EQ(Names(backend().List("packs/").value_or({})),
            (std::vector<std::string>{"packs/ab/1.pack", "packs/ab/2.pack", "packs/cd/3.pack"}));
  EXPECT_EQ(Names(backend().List("packs/a").value_or({})),
            (std::vector<std::string>{"packs/ab/1.pack", "packs/ab/2.pack"}));
  EXPECT_EQ(Names(backend().List("packs").value_or({})),
            (std::vector<std::string>{"packs/ab/1.pack", "packs/ab/2.pack", "packs/cd/3.pack", "packsx"}));
  auto none = backend().List("nothing/");
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->empty());
}

// More than one S3 page (1000 keys): the listing must follow continuation tokens.
TEST_P(BackendSuite, ListsPastOnePage) {
  constexpr int kCount = 1100;
  std::mutex mu;
  std::vector<std::string> failures;
  ParallelFor(kCount, 8, [&](int i) {
    char name[32];
    std::snprintf(name, sizeof name, "many/%05d", i);
    Status s = backend().Save(name, "x");
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      failures.push_back(s.message());
    }
  });
  ASSERT_TRUE(failures.empty()) << failures.front();
  ASSERT_TRUE(backend().Save("other", "y").ok());
  auto listed = backend().List("many/");
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  ASSERT_EQ(listed->size(), static_cast<size_t>(kCount));
  EXPECT_EQ(listed->front().name, "many/00000");
  EXPECT_EQ(listed->back().name, "many/01099");
  EXPECT_TRUE(std::is_sorted(listed->begin(), listed->end(),
                             [](const ObjectInfo& a, const ObjectInfo& b) { return a.name < b.name; }));
  const std::vector<std::string> names = Names(*listed);
  std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kCount));
}

TEST_P(BackendSuite, RemovesAndToleratesAbsent) {
  ASSERT_TRUE(backend().Save("gone/soon", "x").ok());
  ASSERT_TRUE(backend().Remove("gone/soon").ok());
  EXPECT_EQ(backend().Stat("gone/soon").value_or(std::optional<uint64_t>(99)), std::nullopt);
  EXPECT_EQ(backend().Load("gone/soon").status().code(), Code::kNotFound);
  Status again = backend().Remove("gone/soon");
  EXPECT_TRUE(again.ok()) << again.message();
  Status never = backend().Remove("never/existed");
  EXPECT_TRUE(never.ok()) << never.message();
  EXPECT_TRUE(backend().List("gone/").value_or({ObjectInfo{}}).empty());
}

TEST_P(BackendSuite, SavesAndLoadsFilesWithProgress) {
  TempDir local;
  const std::string bytes = RandomBytes((3 << 20) + 17, 7);
  ASSERT_TRUE(WriteFileAtomic(local.File("in"), bytes, false).ok());

  std::vector<uint64_t> up;
  std::mutex mu;
  ProgressFn record_up = [&](uint64_t done) {
    std::lock_guard<std::mutex> lock(mu);
    up.push_back(done);
  };
  Status saved = backend().SaveFile("big/file", local.File("in"), record_up);
  ASSERT_TRUE(saved.ok()) << saved.message();
  ASSERT_FALSE(up.empty());
  EXPECT_TRUE(std::is_sorted(up.begin(), up.end()));
  EXPECT_EQ(up.back(), bytes.size());
  EXPECT_EQ(backend().Stat("big/file").value_or(std::nullopt), std::optional<uint64_t>(bytes.size()));

  // LoadFile replaces an existing file.
  ASSERT_TRUE(WriteFileAtomic(local.File("out"), "old content", false).ok());
  std::vector<uint64_t> down;
  ProgressFn record_down = [&](uint64_t done) {
    std::lock_guard<std::mutex> lock(mu);
    down.push_back(done);
  };
  Status loaded = backend().LoadFile("big/file", local.File("out"), record_down);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_TRUE(ReadFile(local.File("out")).value_or("") == bytes) << "LoadFile changed the bytes";
  ASSERT_FALSE(down.empty());
  EXPECT_TRUE(std::is_sorted(down.begin(), down.end()));
  EXPECT_EQ(down.back(), bytes.size());
  EXPECT_EQ(ListDirectory(local.path()).size(), 2u) << "LoadFile left a temp file behind";

  EXPECT_EQ(backend().Load("big/file", 1 << 20, 5).value_or(""), bytes.substr(1 << 20, 5));
  EXPECT_FALSE(backend().SaveFile("x", local.File("missing")).ok());
}

TEST_P(BackendSuite, SurvivesConcurrentSavesAndLoads) {
  constexpr int kThreads = 8, kRounds = 10;
  std::vector<std::string> contents;
  for (int t = 0; t < kThreads; ++t) contents.push_back(RandomBytes(10000 + t * 1000, t));
  std::mutex mu;
  std::vector<std::string> failures;
  auto fail = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    failures.push_back(what);
  };
  ParallelFor(kThreads, kThreads, [&](int t) {
    const std::string own = "conc/own-" + std::to_string(t);
    for (int round = 0; round < kRounds; ++round) {
      if (Status s = backend().Save(own, contents[t]); !s.ok()) fail(s.message());
      auto back = backend().Load(own);
      if (!back.ok() || *back != contents[t]) fail("thread " + std::to_string(t) + " read back other bytes");
      if (!GetParam().atomic_overwrite) continue;
      // Everyone overwrites one shared name: a reader must see one whole version, never a mix.
      if (Status s = backend().Save("conc/shared", contents[t]); !s.ok()) fail(s.message());
      auto shared = backend().Load("conc/shared");
      if (!shared.ok() || std::find(contents.begin(), contents.end(), *shared) == contents.end()) {
        fail("shared file is not one whole version");
      }
    }
  });
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front();
  EXPECT_EQ(backend().List("conc/").value_or({}).size(),
            static_cast<size_t>(kThreads + (GetParam().atomic_overwrite ? 1 : 0)));
}

TEST_P(BackendSuite, HandlesOddButLegalNames) {
  const std::vector<std::string> names = {
      "odd/a+b=c d.bin",     "odd/plus+",      "odd/=eq",         "odd/two  spaces",
      "odd/amp&lt;'quote\"", "odd/tilde~_-.x", "odd/caf\xc3\xa9", "odd/(paren),semi;colon:at@"};
  for (const auto& name : names) {
    Status s = backend().Save(name, "content of " + name);
    ASSERT_TRUE(s.ok()) << name << ": " << s.message();
  }
  for (const auto& name : names) {
    EXPECT_EQ(backend().Load(name).value_or("?"), "content of " + name) << name;
    EXPECT_EQ(backend().Load(name, 3, 4).value_or("?"), std::string("tent")) << name;
    EXPECT_EQ(backend().Stat(name).value_or(std::nullopt), std::optional<uint64_t>(11 + name.size())) << name;
  }
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(Names(backend().List("odd/").value_or({})), sorted);
  EXPECT_EQ(Names(backend().List("odd/a+b=c").value_or({})), std::vector<std::string>{"odd/a+b=c d.bin"});
  for (const auto& name : names) EXPECT_TRUE(backend().Remove(name).ok()) << name;
  EXPECT_TRUE(backend().List("odd/").value_or({ObjectInfo{}}).empty());
}

TEST_P(BackendSuite, RejectsMalformedNames) {
  for (const char* name : {"", "/abs", "a/../b", "a//b", "./a", "a/", "x.trail-tmp-123"}) {
    EXPECT_EQ(backend().Save(name, "x").code(), Code::kInvalidArgument) << name;
    EXPECT_EQ(backend().Load(name).status().code(), Code::kInvalidArgument) << name;
  }
}

}  // namespace
}  // namespace trail::remote::testing
