#include "model/tf_text_format.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/test_temp_dir.h"

namespace trail::model {
namespace {

class TextProtoReaderTest : public ::testing::Test {
 protected:
  // Every event of `text` as one line each: "{name", "}", "name=value" ('"' marks a string,
  // '~' a cut one), "." at the end; or "error: ..." after the events read before it.
  std::vector<std::string> Events(const std::string& text) {
    std::ofstream(path_, std::ios::binary) << text;
    auto file = RandomFile::Open(path_);
    EXPECT_TRUE(file.ok());
    TextProtoReader reader(*file);
    std::vector<std::string> out;
    while (reader.Next()) {
      switch (reader.event()) {
        case TextProtoReader::Event::kBegin:
          out.push_back("{" + reader.name());
          break;
        case TextProtoReader::Event::kEnd:
          out.push_back("}");
          break;
        case TextProtoReader::Event::kValue:
          out.push_back(reader.name() + "=" + (reader.value_is_string() ? "\"" : "") + (reader.value_cut() ? "~" : "") +
                        reader.value());
          break;
        case TextProtoReader::Event::kDone:
          out.push_back(".");
          break;
      }
    }
    if (!reader.status().ok()) {
      EXPECT_EQ(reader.status().code(), Code::kCorrupt);
      EXPECT_EQ(reader.status().message().rfind(path_ + ":", 0), 0u) << reader.status().message();
      out.push_back("error: " + reader.status().message().substr(path_.size()));
    }
    return out;
  }

  trail::testing::TempDir dir_;
  const std::string path_ = dir_.path() + "/graph.pbtxt";
};

using V = std::vector<std::string>;

TEST_F(TextProtoReaderTest, ReadsTheGrammarTextFormatWrites) {
  EXPECT_EQ(Events("# a comment\n"
                   "node {\n"
                   "  name: \"x\"  # trailing comment\n"
                   "  op: 'Placeholder'\n"
                   "  attr { key: \"shape\" value { shape { dim { size: -1 } unknown_rank: false } } }\n"
                   "}\n"
                   "versions: < producer: 27, min_consumer: 12; >\n"
                   "tags: [\"serve\", 'gpu']\n"
                   "sizes: [1, -2.5e3, inf]\n"
                   "empty: []\n"
                   "nested: [{ a: 1 }, < b: 2 >]\n"
                   "[type.googleapis.com/tensorflow.Foo] { x: DT_FLOAT }\n"
                   "joined: \"ab\" 'cd'\n"
                   "colon_msg: { }\n"),
            (V{"{node",
               "name=\"x",
               "op=\"Placeholder",
               "{attr",
               "key=\"shape",
               "{value",
               "{shape",
               "{dim",
               "size=-1",
               "}",
               "unknown_rank=false",
               "}",
               "}",
               "}",
               "}",
               "{versions",
               "producer=27",
               "min_consumer=12",
               "}",
               "tags=\"serve",
               "tags=\"gpu",
               "sizes=1",
               "sizes=-2.5e3",
               "sizes=inf",
               "{nested",
               "a=1",
               "}",
               "{nested",
               "b=2",
               "}",
               "{[type.googleapis.com/tensorflow.Foo]",
               "x=DT_FLOAT",
               "}",
               "joined=\"abcd",
               "{colon_msg",
               "}",
               "."}));
}

TEST_F(TextProtoReaderTest, UnescapesStrings) {
  EXPECT_EQ(Events(R"(s: "a\n\t\\\"\'\x41\101\0z\u00e9\U0001F600")"),
            (V{std::string("s=\"a\n\t\\\"'AA") + '\0' + "z\xc3\xa9\xf0\x9f\x98\x80", "."}));
}

TEST_F(TextProtoReaderTest, LongStringsAreCutNotKept) {
  const std::string big(kMaxTextValueBytes + 1000, 'q');
  const V events = Events("node { op: \"Const\" value: \"" + big + "\" name: \"c\" }");
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[2], "value=\"~" + big.substr(0, kMaxTextValueBytes));
  EXPECT_EQ(events[3], "name=\"c");
}

TEST_F(TextProtoReaderTest, MalformedTextIsCorruptWithItsLine) {
  EXPECT_EQ(Events("a: 1\nb { c: 2\n"),
            (V{"a=1", "{b", "c=2", "error: :3: bad protobuf text: the file ends inside a message"}));
  EXPECT_EQ(Events("a: \"open\n\""), (V{"error: :1: bad protobuf text: a string runs past the end of its line"}));
  EXPECT_EQ(Events("a: \"x\\q\""), (V{"error: :1: bad protobuf text: unknown escape \\q in a string"}));
  EXPECT_EQ(Events("}"), (V{"error: :1: bad protobuf text: expected a field name, found '}'"}));
  EXPECT_EQ(Events("a 1"), (V{"error: :1: bad protobuf text: expected ':' or '{' after a, found '1'"}));
  EXPECT_EQ(Events("a: [1 2]"), (V{"a=1", "error: :1: bad protobuf text: expected ',' or ']' in the list of a"}));
  EXPECT_EQ(Events("a: }"), (V{"error: :1: bad protobuf text: expected a value for a, found '}'"}));
  EXPECT_EQ(Events("a { b: 1 >"), (V{"{a", "b=1", "error: :1: bad protobuf text: expected a field name, found '>'"}));
  EXPECT_EQ(Events("a: " + std::string(kMaxTextTokenBytes + 1, '7')).back(),
            "error: :1: bad protobuf text: a value over 4096 bytes");
  EXPECT_EQ(Events(std::string(kMaxTextTokenBytes + 1, 'n') + ": 1").back(),
            "error: :1: bad protobuf text: a field name over 4096 bytes");
  // Nesting is bounded: 100 levels are read, 101 are not.
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "m {";
  EXPECT_EQ(Events(deep + std::string(100, '}')).back(), ".");
  EXPECT_EQ(Events("m {" + deep + std::string(101, '}')).back(),
            "error: :1: bad protobuf text: messages nest more than 100 deep");
  EXPECT_EQ(Events(""), (V{"."}));
  EXPECT_EQ(Events(std::string("\0a: 1", 5)),
            (V{"error: :1: bad protobuf text: expected a field name, found '\\x00'"}));
}

TEST_F(TextProtoReaderTest, SkipConsumesOneMessage) {
  std::ofstream(path_) << "a { b { c: 1 } d: [{}, {}] } e: 2";
  auto file = RandomFile::Open(path_);
  ASSERT_TRUE(file.ok());
  TextProtoReader reader(*file);
  ASSERT_TRUE(reader.Next());
  ASSERT_EQ(reader.event(), TextProtoReader::Event::kBegin);
  ASSERT_TRUE(reader.Skip());
  ASSERT_TRUE(reader.Next());
  EXPECT_EQ(reader.name(), "e");
  EXPECT_EQ(reader.value(), "2");
  ASSERT_TRUE(reader.Next());
  EXPECT_TRUE(reader.done());
  EXPECT_FALSE(reader.Next());
}

}  // namespace
}  // namespace trail::model
