#include "context/py_imports.h"

#include <gtest/gtest.h>

namespace trail::context {
namespace {

// One line per statement: "line: module [as alias]" or
// "line: from <dots>module import a as b, c".
std::vector<std::string> Imports(const std::string& src) {
  TokenizedSource t = Tokenize(src);
  std::vector<std::string> out;
  for (const ImportStatement& s : FindImports(src, t.tokens)) {
    std::string line = std::to_string(s.line) + ": ";
    if (!s.is_from) {
      line += s.module + (s.alias.empty() ? "" : " as " + s.alias);
    } else {
      line += "from " + std::string(static_cast<size_t>(s.level), '.') + s.module + " import ";
      for (size_t i = 0; i < s.names.size(); ++i) {
        line += (i ? ", " : "") + s.names[i].name + (s.names[i].alias.empty() ? "" : " as " + s.names[i].alias);
      }
    }
    out.push_back(line);
  }
  return out;
}

using V = std::vector<std::string>;

TEST(PyImportsTest, PlainImports) {
  EXPECT_EQ(Imports("import os\nimport tensorflow as tf, numpy\nimport torch.nn.functional as F\n"),
            (V{"1: os", "2: tensorflow as tf", "2: numpy", "3: torch.nn.functional as F"}));
}

TEST(PyImportsTest, FromImports) {
  EXPECT_EQ(Imports("from keras import layers, losses as L\n"
                    "from torch import (\n    nn,\n    optim as O,\n)\n"
                    "from sklearn.linear_model import *\n"),
            (V{"1: from keras import layers, losses as L", "2: from torch import nn, optim as O",
               "6: from sklearn.linear_model import *"}));
}

TEST(PyImportsTest, RelativeImports) {
  EXPECT_EQ(Imports("from . import model\nfrom .sub import y\nfrom ..pkg.mod import z as w\nfrom ... import q\n"
                    "from .import r\n"),
            (V{"1: from . import model", "2: from .sub import y", "3: from ..pkg.mod import z as w",
               "4: from ... import q", "5: from . import r"}));
}

TEST(PyImportsTest, ImportsAnywhereAStatementStarts) {
  EXPECT_EQ(Imports("def f():\n    import torch\n"
                    "try:\n    import cPickle as pickle\nexcept ImportError:\n    import pickle\n"
                    "if x: import yaml\n"
                    "a = 1; import json\n"
                    "class C:\n    from numpy import array\n"),
            (V{"2: torch", "4: cPickle as pickle", "6: pickle", "7: yaml", "8: json", "10: from numpy import array"}));
}

TEST(PyImportsTest, NotImports) {
  // yield from / raise from, words in strings and comments, attribute names.
  EXPECT_EQ(Imports("def g():\n    yield from h()\n"
                    "raise E from err\n"
                    "s = 'import torch'\n"
                    "# import tensorflow\n"
                    "\"\"\"\nimport keras\n\"\"\"\n"
                    "x = {'from': 1}\n"),
            V{});
}

TEST(PyImportsTest, MalformedStatementsAreSkipped) {
  EXPECT_EQ(Imports("import\nfrom x\nfrom import y\nimport os\n"), (V{"4: os"}));
}

TEST(PyImportsTest, TopLevel) {
  ImportStatement s;
  s.module = "torch.nn.functional";
  EXPECT_EQ(s.TopLevel(), "torch");
  s.level = 1;
  EXPECT_EQ(s.TopLevel(), "");
}

}  // namespace
}  // namespace trail::context
