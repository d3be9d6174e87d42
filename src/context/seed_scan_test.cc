#include "context/seed_scan.h"

#include <gtest/gtest.h>

namespace trail::context {
namespace {

using V = std::vector<std::string>;

ProgramSources SeedSourcesFromText(const std::vector<std::pair<std::string, std::string>>& files) {
  ProgramSources s;
  for (const auto& [name, text] : files) {
    SourceFile f;
    f.display = name;
    f.text = text;
    f.tokens = Tokenize(f.text).tokens;
    f.imports = FindImports(f.text, f.tokens);
    s.files.push_back(std::move(f));
  }
  return s;
}

// "call(value) @at" per seed found in `code` (file t.py).
V Seeds(const std::string& code) {
  V out;
  for (const Json& s : ScanSeeds(SeedSourcesFromText({{"t.py", code}}))) {
    out.push_back(s["call"].get<std::string>() + "(" + s["value"].get<std::string>() + ") @" +
                  s["at"].get<std::string>());
  }
  return out;
}

TEST(SeedScanTest, CommonSeedCalls) {
  EXPECT_EQ(Seeds("import random\nimport numpy as np\nimport torch\n"
                  "random.seed(1)\nnp.random.seed(42)\ntorch.manual_seed(7)\n"
                  "torch.cuda.manual_seed_all(7)\ntorch.cuda.manual_seed(seed=8)\n"),
            (V{"random.seed(1) @t.py:4", "np.random.seed(42) @t.py:5", "torch.manual_seed(7) @t.py:6",
               "torch.cuda.manual_seed_all(7) @t.py:7", "torch.cuda.manual_seed(8) @t.py:8"}));
  EXPECT_EQ(Seeds("import tensorflow as tf\ntf.random.set_seed(3)\ntf.set_random_seed(4)\n"
                  "tf.keras.utils.set_random_seed(5)\n"),
            (V{"tf.random.set_seed(3) @t.py:2", "tf.set_random_seed(4) @t.py:3",
               "tf.keras.utils.set_random_seed(5) @t.py:4"}));
  EXPECT_EQ(Seeds("import keras\nkeras.utils.set_random_seed(1)\n"), (V{"keras.utils.set_random_seed(1) @t.py:2"}));
  EXPECT_EQ(Seeds("import pytorch_lightning as pl\npl.seed_everything(11, workers=True)\n"
                  "import lightning\nlightning.seed_everything(seed=12)\n"),
            (V{"pl.seed_everything(11) @t.py:2", "lightning.seed_everything(12) @t.py:4"}));
  EXPECT_EQ(Seeds("import trail\ntrail.seed()\ntrail.seed(5)\n"), (V{"trail.seed() @t.py:2", "trail.seed(5) @t.py:3"}));
}

TEST(SeedScanTest, GeneratorsAndRandomState) {
  EXPECT_EQ(Seeds("import numpy as np\nrng = np.random.default_rng(seed=0)\nrs = np.random.RandomState(1)\n"
                  "rs.seed(2)\n"),
            (V{"np.random.default_rng(0) @t.py:2", "np.random.RandomState(1) @t.py:3", "rs.seed(2) @t.py:4"}));
  EXPECT_EQ(Seeds("import random\nr = random.Random(3)\nr.seed(4)\n"),
            (V{"random.Random(3) @t.py:2", "r.seed(4) @t.py:3"}));
  EXPECT_EQ(Seeds("from sklearn.model_selection import train_test_split\n"
                  "a, b = train_test_split(X, test_size=0.2,\n    random_state=7)\n"
                  "m = LogisticRegression(C=1.0, random_state=args.seed)\n"),
            (V{"random_state(7) @t.py:3", "random_state(args.seed) @t.py:4"}));
}

TEST(SeedScanTest, AliasesResolveThroughImports) {
  EXPECT_EQ(Seeds("from torch import manual_seed\nmanual_seed(1)\n"), (V{"manual_seed(1) @t.py:2"}));
  EXPECT_EQ(Seeds("from torch import manual_seed as ms\nms(2)\n"), (V{"ms(2) @t.py:2"}));
  EXPECT_EQ(Seeds("import numpy.random as npr\nnpr.seed(3)\n"), (V{"npr.seed(3) @t.py:2"}));
  EXPECT_EQ(Seeds("from numpy import random\nrandom.seed(4)\n"), (V{"random.seed(4) @t.py:2"}));
  EXPECT_EQ(Seeds("import numpy\nseed = numpy.random.seed\nseed(5)\n"), (V{"seed(5) @t.py:3"}));
  EXPECT_EQ(Seeds("from lightning.pytorch import seed_everything\nseed_everything(6)\n"),
            (V{"seed_everything(6) @t.py:2"}));
}

TEST(SeedScanTest, ValuesAsWritten) {
  EXPECT_EQ(Seeds("import time, random\nrandom.seed(int(time.time()))\n"),
            (V{"random.seed(int(time.time())) @t.py:2"}));
  EXPECT_EQ(Seeds("import numpy as np\nnp.random.seed(  # the run's seed\n    cfg['seed'] +\n    rank)\n"),
            (V{"np.random.seed(cfg['seed'] + rank) @t.py:2"}));
  EXPECT_EQ(Seeds("import numpy as np\nnp.random.seed()\nrng = np.random.default_rng()\n"),
            (V{"np.random.seed() @t.py:2", "np.random.default_rng() @t.py:3"}));
  EXPECT_EQ(Seeds("import trail\ntrail.seed(*sys.argv[1:])\ntrail.seed(**cfg)\n"),
            (V{"trail.seed(*sys.argv[1:]) @t.py:2", "trail.seed(**cfg) @t.py:3"}));
  const Json long_one =
      ScanSeeds(SeedSourcesFromText({{"t.py", "import random\nrandom.seed('" + std::string(200, 'x') + "')\n"}}));
  ASSERT_EQ(long_one.size(), 1u);
  EXPECT_EQ(long_one[0]["value"].get<std::string>().size(), 80u);
  EXPECT_TRUE(long_one[0]["value"].get<std::string>().ends_with("..."));
}

TEST(SeedScanTest, NoFalsePositives) {
  // .seed() of an object no import names, of a module the file does not import, of an attribute.
  EXPECT_EQ(Seeds("env.seed(1)\nself.rng.seed(2)\nrandom.seed(3)\nnp.random.seed(4)\n"), V{});
  EXPECT_EQ(Seeds("import gym\nenv = gym.make('x')\nenv.seed(1)\n"), V{});
  EXPECT_EQ(Seeds("import random\nrandom = MyRandom()\nrandom.seed(1)\n"), V{});  // rebound
  EXPECT_EQ(Seeds("from .utils import random\nrandom.seed(1)\n"), V{});           // the project's own
  EXPECT_EQ(Seeds("import mylib as np\nnp.random.seed(1)\n"), V{});
  // Comments and strings are not code; a def's default is not a call's argument.
  EXPECT_EQ(Seeds("import random\n# random.seed(1)\ns = 'random.seed(2)'\n\"\"\"random_state=3\"\"\"\n"), V{});
  EXPECT_EQ(Seeds("def fit(X, random_state=None):\n    return X\nfit(1)\n"), V{});
  EXPECT_EQ(Seeds("x = dict(random_state=1)\n"), (V{"random_state(1) @t.py:1"}));  // still passed to something
}

TEST(SeedScanTest, OwnHelperAndEveryFile) {
  const Json seeds =
      ScanSeeds(SeedSourcesFromText({{"train.py", "from utils import seed_everything\nseed_everything(9)\n"},
                                     {"utils.py", "import random\ndef seed_everything(s):\n    random.seed(s)\n"}}));
  ASSERT_EQ(seeds.size(), 2u);
  EXPECT_EQ(seeds[0], (Json{{"call", "seed_everything"}, {"value", "9"}, {"at", "train.py:2"}}));
  EXPECT_EQ(seeds[1], (Json{{"call", "random.seed"}, {"value", "s"}, {"at", "utils.py:3"}}));
  EXPECT_EQ(ScanSeeds(ProgramSources{}), Json::array());
}

}  // namespace
}  // namespace trail::context
