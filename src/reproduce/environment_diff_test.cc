#include "reproduce/environment_diff.h"

#include <gtest/gtest.h>

namespace trail::reproduce {
namespace {

Json Env() {
  return Json{{"os", "Linux"},
              {"distribution", "Debian GNU/Linux 12 (bookworm)"},
              {"kernel", "6.1"},
              {"arch", "x86_64"},
              {"cpu", {{"model", "AMD EPYC"}, {"cores", 2}}},
              {"memory_bytes", 1000},
              {"processors", {{"gpus", Json::array({{{"model", "H100"}}, {{"model", "H100"}}})}, {"gpu_count", 2}}},
              {"python", {{"interpreter", "/usr/bin/python3.11"}, {"version", "3.11.2"}}},
              {"frameworks", {{"numpy", "1.24.2"}}},
              {"packages", {{"numpy", "1.24.2"}, {"scikit-learn", "1.2.1"}, {"unresolved", {"tensorflow"}}}}};
}

TEST(CompareEnvironments, SameIsEmpty) {
  Json now = Env();
  now["kernel"] = "6.18";      // not compared: does not change a result
  now["memory_bytes"] = 2000;  // neither
  EXPECT_TRUE(CompareEnvironments(Env(), now).empty());
}

TEST(CompareEnvironments, ListsEveryDifference) {
  Json recorded = Env();
  recorded["packages"]["numpy"] = "9.9";
  recorded["frameworks"]["numpy"] = "9.9";
  recorded["packages"]["pandas"] = "2.0.0";
  Json now = Env();
  now["python"]["version"] = "3.12.1";
  now["processors"] = {{"gpus", Json::array({{{"model", "H100"}}})}, {"gpu_count", 1}};
  now["frameworks_installed"] = {{"scikit-learn", "1.2.1"}};
  auto diffs = CompareEnvironments(recorded, now);
  std::vector<std::string> items;
  for (const auto& d : diffs) items.push_back(d.item + ": " + d.recorded + " -> " + d.now);
  EXPECT_EQ(items,
            (std::vector<std::string>{"gpus: H100 x2 -> H100", "gpu_count: 2 -> 1", "python.version: 3.11.2 -> 3.12.1",
                                      "package numpy: 9.9 -> 1.24.2", "package pandas: 2.0.0 -> not installed"}));
}

TEST(CompareEnvironments, NoGpusRecordedAsZero) {
  Json a = Env(), b = Env();
  a.erase("processors");
  b["processors"] = {{"gpus", Json::array()}, {"gpu_count", 0}};
  EXPECT_TRUE(CompareEnvironments(a, b).empty());
  EXPECT_TRUE(CompareEnvironments(Json("junk"), Json(3)).empty());
}

TEST(Requirements, PinnedSortedWithHeader) {
  Json record = {{"id", "p-7"}, {"environment", Env()}};
  EXPECT_EQ(RequirementsText(record),
            "# Packages run p-7 imported, as recorded by trail (trail env p-7 --format requirements).\n"
            "# Python 3.11.2 on Debian GNU/Linux 12 (bookworm), x86_64.\n"
            "numpy==1.24.2\n"
            "scikit-learn==1.2.1\n");
}

}  // namespace
}  // namespace trail::reproduce
