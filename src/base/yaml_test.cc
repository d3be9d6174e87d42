#include "base/yaml.h"

#include <gtest/gtest.h>

#include <cmath>

namespace trail {
namespace {

TEST(Yaml, RoundTripKeepsTypesAndOrder) {
  Json v = Json::object();
  v["id"] = "fraud-58";
  v["number"] = 58;
  v["lr"] = 0.01;
  v["whole_float"] = 3.0;
  v["numeric_string"] = "100";
  v["bool_string"] = "yes";
  v["flag"] = true;
  v["nothing"] = nullptr;
  v["colon"] = "a: b";
  v["multi"] = "line one\nline two";
  v["empty_map"] = Json::object();
  v["list"] = Json::array({1, "two", 3.5});
  v["maps"] = Json::array({Json{{"path", "m.pt"}, {"size", 10}}, Json{{"path", "x"}, {"size", 2}}});
  v["nested"] = Json{{"z", 1}, {"a", Json{{"deep", "x"}}}};
  std::string text = EmitYaml(v);
  auto back = ParseYaml(text, "test");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << text;
  EXPECT_EQ(*back, v) << text;
  EXPECT_EQ(back->begin().key(), "id");
  EXPECT_NE(text.find("whole_float: 3.0\n"), std::string::npos);
  EXPECT_NE(text.find("numeric_string: \"100\"\n"), std::string::npos);
}

TEST(Yaml, NanAndInfinity) {
  Json v = {{"a", std::nan("")}, {"b", HUGE_VAL}, {"c", -HUGE_VAL}};
  auto back = ParseYaml(EmitYaml(v), "t");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(std::isnan((*back)["a"].get<double>()));
  EXPECT_EQ((*back)["b"].get<double>(), HUGE_VAL);
  EXPECT_EQ((*back)["c"].get<double>(), -HUGE_VAL);
}

TEST(Yaml, MalformedNamesLine) {
  auto r = ParseYaml("a: 1\nb: [unclosed\n", "runs/x/run.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("runs/x/run.yaml: line"), std::string::npos);
}

}  // namespace
}  // namespace trail

namespace trail {
namespace {

TEST(Yaml, Yaml11ReadersGetTheSameTypes) {
  Json v = {{"a", 1e-05},  {"b", 1e20}, {"c", "0x1F"}, {"d", "1_000"}, {"e", "2024-01-01"},
            {"f", "1:30"}, {"g", "="},  {"h", "<<"},   {"i", ".5x"}};
  std::string text = EmitYaml(v);
  EXPECT_NE(text.find("a: 1.0e-05\n"), std::string::npos) << text;
  EXPECT_NE(text.find("b: 1.0e+20\n"), std::string::npos) << text;
  for (const char* quoted : {"\"0x1F\"", "\"1_000\"", "\"2024-01-01\"", "\"1:30\"", "\"=\"", "\"<<\""})
    EXPECT_NE(text.find(quoted), std::string::npos) << quoted << "\n" << text;
  auto back = ParseYaml(text, "t");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, v);
}

}  // namespace
}  // namespace trail

namespace trail {
namespace {

// Issue 13: yaml-cpp's own depth guard said only "bad file".
TEST(YamlDepthTest, TooDeepNamesTheFileAndLine) {
  std::string deep = "a: 1\nb: " + std::string(1000, '[') + std::string(1000, ']') + "\n";
  auto parsed = ParseYaml(deep, "runs/000/p-2/run.yaml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "runs/000/p-2/run.yaml: line 2: nested too deeply (more than 64 levels)");
  std::string deep_for_us = "b: " + std::string(70, '[') + std::string(70, ']') + "\n";
  parsed = ParseYaml(deep_for_us, "run.yaml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "run.yaml: line 1: nested too deeply (more than 64 levels)");
}

}  // namespace
}  // namespace trail
