#include <gtest/gtest.h>

#include "model/pickle_reader.h"
#include "model/pytorch_walk.h"

namespace trail::model {
namespace {

using Kind = PickleNode::Kind;
using namespace std::string_literals;

PickleTree Parse(const std::string& bytes) {
  auto tree = ParsePickle(bytes, "t.pkl");
  EXPECT_TRUE(tree.ok()) << tree.status().message();
  return tree.ok() ? std::move(*tree) : PickleTree();
}

// The value of `key` in dict node `dict`.
const PickleNode& At(const PickleTree& t, const PickleNode& dict, const std::string& key) {
  for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    if (t.nodes[dict.items[i]].text == key) return t.nodes[dict.items[i + 1]];
  }
  ADD_FAILURE() << "no key " << key;
  return dict;
}

TEST(PickleTest, ProtocolZeroText) {
  // {'a': [1, 2.5, True], 'q': 12345678901234567890123, 'n': None} as pickle.dumps(protocol=0) spells it.
  const PickleTree t = Parse("(dp0\nVa\np1\n(lp2\nI1\naF2.5\naI01\nasVq\np3\nL12345678901234567890123L\nsVn\nNs.");
  const PickleNode& root = t.nodes[t.root];
  ASSERT_EQ(root.kind, Kind::kDict);
  ASSERT_EQ(root.items.size(), 6u);
  const PickleNode& a = At(t, root, "a");
  ASSERT_EQ(a.kind, Kind::kList);
  ASSERT_EQ(a.items.size(), 3u);
  EXPECT_EQ(t.nodes[a.items[0]].number, 1);
  EXPECT_EQ(t.nodes[a.items[1]].real, 2.5);
  EXPECT_EQ(t.nodes[a.items[2]].kind, Kind::kBool);
  EXPECT_EQ(t.nodes[a.items[2]].number, 1);
  EXPECT_TRUE(At(t, root, "q").big);
  EXPECT_EQ(At(t, root, "n").kind, Kind::kNone);
}

TEST(PickleTest, ProtocolTwoBinaryValuesAndMemo) {
  // {'a': 32767 (LONG1), 'b': 1.5 (BINFLOAT), 'c': -1 (BININT), 'd': <memo 1: 'a'>}
  const PickleTree t = Parse(
      "\x80\x02}q\x00(X\x01\x00\x00\x00"
      "aq\x01\x8a\x02\xff\x7fX\x01\x00\x00\x00"
      "bG\x3f\xf8\x00\x00\x00\x00\x00\x00"
      "X\x01\x00\x00\x00"
      "cJ\xff\xff\xff\xffX\x01\x00\x00\x00"
      "dh\x01u."s);
  const PickleNode& root = t.nodes[t.root];
  EXPECT_EQ(At(t, root, "a").number, 32767);
  EXPECT_EQ(At(t, root, "b").real, 1.5);
  EXPECT_EQ(At(t, root, "c").number, -1);
  EXPECT_EQ(At(t, root, "d").text, "a");
}

TEST(PickleTest, ProtocolFourStackGlobalFramesAndMemoize) {
  // OrderedDict() through STACK_GLOBAL inside a FRAME, with MEMOIZE.
  const PickleTree t = Parse(
      "\x80\x04\x95\x20\x00\x00\x00\x00\x00\x00\x00\x8c\x0b"
      "collections\x94\x8c\x0bOrderedDict\x94\x93\x94)R\x94."s);
  EXPECT_EQ(t.nodes[t.root].kind, Kind::kDict);
}

TEST(PickleTest, CallsOffTheAllowlistAreRefused) {
  struct Case {
    std::string bytes;
    std::string says;
  } cases[] = {
      {"cposix\nsystem\n(S'touch x'\ntR.", "t.pkl: refused: the pickle calls posix.system"},
      {"(S'touch x'\nios\nsystem\n.", "t.pkl: refused: the pickle calls os.system"},
      {"\x80\x02"
       "c__builtin__\neval\n)\x81.",
       "t.pkl: refused: the pickle creates builtins.eval"},
      {"\x80\x02"
       "ccollections\nOrderedDict\n)R)R.",
       "t.pkl: refused: the pickle calls a computed callable"},
      {"\x80\x02\x82\x01)R.", "t.pkl: refused: the pickle uses the copyreg extension registry"},
      {"\x80\x02"
       "ccopyreg\n_reconstructor\ncos\nsystem\ncos\nsystem\nN\x87R.",
       "t.pkl: refused: the pickle calls copyreg._reconstructor with a base other than object"},
  };
  for (const Case& c : cases) {
    auto tree = ParsePickle(c.bytes, "t.pkl");
    ASSERT_FALSE(tree.ok()) << c.says;
    EXPECT_EQ(tree.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(tree.status().message().rfind(c.says, 0), 0u) << tree.status().message();
  }
}

TEST(PickleTest, MalformedPicklesAreCorrupt) {
  for (const std::string& bytes :
       {"\xff"s,
        "\x80\x02X\xff\xff\xff\x7f"
        "abc."s,
        "\x80\x02."s, "\x80\x02)"s, "\x80\x02h\x05."s, "\x80\x02)u."s, "\x80\x02(."s + "\x85."s}) {
    auto tree = ParsePickle(bytes, "t.pkl");
    ASSERT_FALSE(tree.ok());
    EXPECT_EQ(tree.status().code(), Code::kCorrupt) << tree.status().message();
    EXPECT_EQ(tree.status().message().rfind("t.pkl: pickle: ", 0), 0u) << tree.status().message();
  }
  PickleLimits small;
  small.max_nodes = 3;
  auto many = ParsePickle("\x80\x02(NNNNl."s, "t.pkl", small);
  EXPECT_EQ(many.status().code(), Code::kCorrupt);
  EXPECT_NE(many.status().message().find("more than 3 objects"), std::string::npos);
}

TEST(PickleTest, WalkSurvivesCyclesAndNamesByPath) {
  // A list that holds itself: walked once, no tensors, no error.
  const PickleTree cycle = Parse(
      "\x80\x02]q\x00h\x00"
      "a."s);
  auto walk = WalkPickle(cycle, "t.pkl");
  ASSERT_TRUE(walk.ok()) << walk.status().message();
  EXPECT_TRUE(walk->tensors.empty());
  // Nesting deeper than the walker follows is Corrupt, not a stack overflow.
  std::string deep = "\x80\x02";
  for (int i = 0; i < 300; ++i) deep += "]";
  for (int i = 0; i < 299; ++i) deep += "a";
  deep += ".";
  auto too_deep = WalkPickle(Parse(deep), "t.pkl");
  EXPECT_EQ(too_deep.status().code(), Code::kCorrupt);
}

}  // namespace
}  // namespace trail::model
