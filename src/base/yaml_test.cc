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

namespace trail {
namespace {

TEST(YamlReadTest, ScalarsResolveByStyleAndTag) {
  auto v = ParseYaml("a: 1\nb: '1'\nc: \"2.5\"\nd: !!str 3\ne: |\n  4\nf: ~\ng:\nh: [1, x, 2.0]\n", "t");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(*v, Json::parse(R"({"a":1,"b":"1","c":"2.5","d":"3","e":"4\n","f":null,"g":null,"h":[1,"x",2.0]})"));
  EXPECT_TRUE(ParseYaml("", "t")->is_null());
  // The first document is the value; later ones are not read.
  EXPECT_EQ(*ParseYaml("a: 1\n---\na: [unclosed\n", "t"), Json::parse(R"({"a":1})"));
}

TEST(YamlReadTest, AliasesCopyTheirNodeWithinTheLimits) {
  auto v = ParseYaml("base: &b {lr: 0.1, layers: [1, 2]}\ncopy: *b\n&k key: 1\nagain: {*k : 2}\n", "t");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ((*v)["copy"], (*v)["base"]);
  EXPECT_EQ((*v)["again"], Json::parse(R"({"key":2})"));
  // A node that contains an alias to itself is infinitely deep.
  auto cycle = ParseYaml("x: 1\na: &a [1, *a]\n", "cyclic.yaml");
  ASSERT_FALSE(cycle.ok());
  EXPECT_EQ(cycle.status().message(), "cyclic.yaml: line 2: nested too deeply (more than 64 levels)");
  // "Billion laughs": each level doubles; refused once the values made pass the bound.
  std::string laughs = "l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n";
  for (int i = 1; i < 12; ++i)
    laughs += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) + ", *l" +
              std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + "]\n";
  auto bomb = ParseYaml(laughs, "bomb.yaml");
  ASSERT_FALSE(bomb.ok());
  EXPECT_NE(bomb.status().message().find("too many values"), std::string::npos) << bomb.status().message();
  // An alias used deep enough to pass the depth bound counts its own depth.
  auto deep = ParseYaml("a: &a " + std::string(40, '[') + std::string(40, ']') + "\nb: " + std::string(30, '[') + "*a" +
                            std::string(30, ']') + "\n",
                        "deep.yaml");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message(), "deep.yaml: line 2: nested too deeply (more than 64 levels)");
}

TEST(YamlReadTest, MalformedInputIsOneLineNamingTheFileAndLine) {
  for (const char* text : {"a: *nowhere\n", "? [a, b]\n: 1\n", "a: 1\n b: 2\nc: [\n", "a: \"unterminated\n"}) {
    auto r = ParseYaml(text, "params.yaml");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().message().rfind("params.yaml: line ", 0), 0u) << r.status().message();
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << r.status().message();
  }
}

TEST(YamlReadTest, BytesThatAreNotUtf8AreReplaced) {
  auto v = ParseYaml("name: caf\xe9\n", "t");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ((*v)["name"], "caf\xef\xbf\xbd");
}

}  // namespace
}  // namespace trail

namespace trail {
namespace {

TEST(YamlReadTest, CharactersYamlRefusesRoundTripEscaped) {
  // DEL, C1 controls, U+FFFE and the line breaks YAML folds (U+0085, U+2028), as keys and values.
  const std::string odd =
      "a\x7f"
      "b\xc2\x80"
      "c\xc2\x85"
      "d\xe2\x80\xa8"
      "e\xef\xbf\xbe"
      "f\x01";
  Json v = {{"k" + odd, odd}, {"list", {odd, "plain"}}};
  const std::string text = EmitYaml(v);
  EXPECT_EQ(text.find('\x7f'), std::string::npos) << text;
  auto back = ParseYaml(text, "t");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << text;
  EXPECT_EQ(*back, v);
}

TEST(YamlReadTest, RecordsWrittenBeforeTheEscapesStillRead) {
  // What the writer once left raw inside quoted strings, and a plain scalar with a C1 control.
  auto v = ParseYaml("a: \"x\x7fy\"\nb: p\xc2\x9fq\n", "old.yaml");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ((*v)["a"], "x\x7fy");
  EXPECT_EQ((*v)["b"], "p\xc2\x9fq");
  // A text already holding the private-use characters used to carry them: replaced, not mixed up.
  auto mixed = ParseYaml("a: \"x\x7fy\"\nb: \"\xf3\xb0\x80\x80\"\n", "old.yaml");
  ASSERT_TRUE(mixed.ok()) << mixed.status().message();
  EXPECT_EQ((*mixed)["a"], "x\xef\xbf\xbdy");
  EXPECT_EQ((*mixed)["b"], "\xf3\xb0\x80\x80");
}

}  // namespace
}  // namespace trail
