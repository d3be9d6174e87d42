#include "context/function_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace trail::context {
namespace {

using V = std::vector<std::string>;

// Sources made from text, as FindProgramSources would make them from files.
ProgramSources FromText(const std::vector<std::pair<std::string, std::string>>& files) {
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

Json Scan(const std::string& code) { return ScanFunctions(FromText({{"t.py", code}})); }

// "category: name" per finding.
V Found(const std::string& code) {
  V out;
  for (const Json& f : Scan(code))
    out.push_back(f["category"].get<std::string>() + ": " + f["name"].get<std::string>());
  return out;
}

TEST(FunctionScanTest, NamesResolveThroughImports) {
  EXPECT_EQ(Found("import torch.nn as nn\nm = nn.ReLU()\n"), (V{"activation: ReLU"}));
  EXPECT_EQ(Found("m = nn.ReLU()\n"), V{});  // nn is nothing known here
  EXPECT_EQ(Found("import mylib as nn\nm = nn.ReLU()\n"), V{});
  EXPECT_EQ(Found("import torch\ny = torch.nn.functional.relu(x)\nz = torch.Tensor.relu(x)\nw = x.relu()\n"),
            (V{"activation: ReLU"}));
  EXPECT_EQ(Found("from torch import nn as N, optim\nN.Tanh(); optim.RMSprop(p)\n"),
            (V{"activation: Tanh", "optimizer: RMSProp"}));
  EXPECT_EQ(Found("from .nn import ReLU\nReLU()\n"), V{});  // the project's own
}

TEST(FunctionScanTest, UncalledReferencesCount) {
  EXPECT_EQ(Found("import tensorflow as tf\nDense = tf.keras.layers.Dense\nl = Dense(4, activation=tf.nn.relu)\n"),
            (V{"activation: ReLU"}));
  EXPECT_EQ(Found("import torch.nn as nn\nACTS = {'relu': nn.ReLU, 'elu': nn.ELU}\n"),
            (V{"activation: ReLU", "activation: ELU"}));
}

TEST(FunctionScanTest, StarImports) {
  EXPECT_EQ(Found("from torch.nn import *\nnet = Sequential(Linear(2, 2), ReLU(), Dropout(0.1))\n"),
            (V{"activation: ReLU", "regularization: Dropout"}));
  EXPECT_EQ(Found("from .layers import *\nReLU()\n"), V{});
}

TEST(FunctionScanTest, ModuleLevelDefinitionsShadow) {
  EXPECT_EQ(Found("from torch.nn.functional import relu\ndef f(x):\n    return relu(x)\ndef relu(x):\n    return x\n"),
            V{});
  EXPECT_EQ(Found("from keras.optimizers import Adam\n@dataclass\nclass Adam:\n    pass\nopt = Adam()\n"), V{});
  // A method of the same name is no module-level name.
  EXPECT_EQ(Found("from torch.nn.functional import relu\nclass A:\n    def relu(self, x):\n        return x\n"
                  "y = relu(x)\n"),
            (V{"activation: ReLU"}));
}

TEST(FunctionScanTest, AssignmentsMakeAliasesOrHideNames) {
  EXPECT_EQ(Found("import torch\nact = torch.nn\nm = act.GELU()\n"), (V{"activation: GELU"}));
  EXPECT_EQ(Found("from torch import nn\nnn = MyLayers()\nnn.ReLU()\n"), V{});
  EXPECT_EQ(Found("import torch.nn as nn\nx = nn\ny = x.SiLU()\n"), (V{"activation: Swish / SiLU"}));
  EXPECT_EQ(Found("from torch.optim import Adam\nopt: Adam = Adam(params)\n"), (V{"optimizer: Adam"}));
}

TEST(FunctionScanTest, KeywordStrings) {
  EXPECT_EQ(Found("model.compile(loss='mse', optimizer=\"Adam\", metrics=['mae'])\n"),
            (V{"regression loss: L2 (mean squared error)", "optimizer: Adam"}));
  EXPECT_EQ(Found("f(activation='linear', loss='my_own_loss', optimizer=opt_name)\n"), V{});
  EXPECT_EQ(
      Found("f(loss='mse' if regression else 'binary_crossentropy')\n"),
      (V{"regression loss: L2 (mean squared error)", "classification loss: Cross entropy / negative log likelihood"}));
  EXPECT_EQ(Found("f(penalty=['l1', 'l2'], solver=('saga',))\n"),
            (V{"regularization: L1", "regularization: L2", "optimizer: SAGA"}));
  EXPECT_EQ(Found("f(loss=f'{name}', optimizer=b'adam', activation=get('relu'))\n"), V{});
  // Not keyword arguments: an assignment, a comparison, a subscript, argparse defaults.
  EXPECT_EQ(Found("loss = 'mse'\nif optimizer == 'adam': pass\ncfg['loss'] = 'mse'\n"
                  "p.add_argument('--optimizer', default='adam')\n"),
            V{});
  // A default in a signature is a choice the program makes.
  EXPECT_EQ(Found("def build(units, activation='selu'):\n    pass\n"), (V{"activation: SELU"}));
  // Pipeline prefixes and *_regularizer keywords.
  EXPECT_EQ(Found("pipe.set_params(clf__loss='log_loss')\nDense(2, bias_regularizer='l1_l2')\n"),
            (V{"classification loss: Cross entropy / negative log likelihood", "regularization: L1+L2 (elastic net)"}));
}

TEST(FunctionScanTest, NumericKeywords) {
  EXPECT_EQ(Found("SGD(p, weight_decay=0)\nSGD(p, weight_decay=0.0)\nSGD(p, weight_decay=None)\n"), V{});
  Json f = Scan("AdamW(p, weight_decay=args.wd)\nLSTM(4, dropout=0.3, recurrent_dropout=0e0)\n");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0]["name"], "L2");
  EXPECT_EQ(f[0]["found"], (Json{"weight_decay=args.wd"}));
  EXPECT_EQ(f[1]["name"], "Dropout");
  EXPECT_EQ(f[1]["found"], (Json{"dropout=0.3"}));
}

TEST(FunctionScanTest, DictEntries) {
  EXPECT_EQ(Found("cfg = {'loss': 'mse', 'loss_name': 'mae', 'nested': {\"optimizer\": \"sgd\"}}\n"),
            (V{"regression loss: L2 (mean squared error)", "optimizer: Stochastic gradient descent"}));
  EXPECT_EQ(Found("grid = {'clf__activation': ['relu', 'tanh'], 'clf__alpha': [1e-4]}\n"),
            (V{"activation: ReLU", "activation: Tanh"}));
  Json f = Scan("c = {'weight_decay': 1e-2}\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["found"], (Json{"'weight_decay': 1e-2"}));
  // Sets and subscripts hold no keys.
  EXPECT_EQ(Found("s = {'loss', 'mse'}\nx = d['loss':'mse']\n"), V{});
}

TEST(FunctionScanTest, PositionalSlots) {
  EXPECT_EQ(Found("from keras.layers import Activation, Dense\nActivation('relu')\nDense(3, 'softmax')\n"
                  "Dense('relu')\n"),
            (V{"activation: ReLU", "activation: Softmax"}));
  EXPECT_EQ(Found("import tensorflow as tf\nl = tf.keras.losses.get('huber')\n"), (V{"regression loss: Huber"}));
}

TEST(FunctionScanTest, ScikitLearnDefaults) {
  EXPECT_EQ(Found("from sklearn.linear_model import LogisticRegression\nLogisticRegression()\n"),
            (V{"classification loss: Cross entropy / negative log likelihood", "regularization: L2"}));
  EXPECT_EQ(Found("from sklearn.linear_model import LogisticRegression\nLogisticRegression(penalty=None)\n"),
            (V{"classification loss: Cross entropy / negative log likelihood"}));
  EXPECT_EQ(Found("from sklearn.linear_model import LogisticRegression\nLogisticRegression(penalty='none')\n"),
            (V{"classification loss: Cross entropy / negative log likelihood"}));
  // **params may hold the argument: no default is assumed.
  EXPECT_EQ(Found("from sklearn.linear_model import LogisticRegression\nLogisticRegression(**params)\n"),
            (V{"classification loss: Cross entropy / negative log likelihood"}));
  // Passed uncalled: the estimator, not its defaults.
  EXPECT_EQ(Found("from sklearn import svm\nGridSearchCV(svm.LinearSVC, grid)\n"), V{});
  EXPECT_EQ(Found("from sklearn.neural_network import MLPClassifier\nMLPClassifier(alpha=0)\n"),
            (V{"classification loss: Cross entropy / negative log likelihood", "activation: ReLU", "optimizer: Adam"}));
  Json f = Scan("from sklearn.neural_network import MLPRegressor as M\nM(alpha=1e-3)\n");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[3]["found"], (Json{"alpha=1e-3"}));
  EXPECT_EQ(f[1]["found"], (Json{"M default activation='relu'"}));
}

TEST(FunctionScanTest, OrderFilesAndCaps) {
  std::string many = "import torch.nn as nn\n";
  for (int i = 0; i < 7; ++i) many += "a" + std::to_string(i) + " = nn.ReLU()\n";
  many += "b = nn.modules.activation.ReLU()\n";
  Json f = ScanFunctions(FromText({{"a.py", "from torch import optim\noptim.Adam(p)\n"}, {"b/c.py", many}}));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0]["name"], "Adam");
  EXPECT_EQ(f[0]["at"], (Json{"a.py:2"}));
  EXPECT_EQ(f[1]["found"], (Json{"nn.ReLU", "nn.modules.activation.ReLU"}));
  EXPECT_EQ(f[1]["at"], (Json{"b/c.py:2", "b/c.py:3", "b/c.py:4", "b/c.py:5", "b/c.py:6"}));
  EXPECT_EQ(ScanFunctions(ProgramSources{}), Json::array());
}

TEST(FunctionScanTest, OutsideBytesBecomeValidUtf8) {
  Json f = ScanFunctions(FromText({{"caf\xe9.py", "f(loss='mse', optimizer='\xff')\n"}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["at"], (Json{"caf\xEF\xBF\xBD.py:1"}));
  EXPECT_NO_THROW(f.dump());
}

TEST(FunctionScanTest, PerOutputLosses) {
  EXPECT_EQ(
      Found("model.compile(loss={'out': 'mse', 'aux': 'binary_crossentropy'})\n"),
      (V{"regression loss: L2 (mean squared error)", "classification loss: Cross entropy / negative log likelihood"}));
}

TEST(FunctionScanTest, MetricsAreNotLosses) {
  EXPECT_EQ(Found("from sklearn.metrics import mean_squared_error, log_loss\nimport tensorflow as tf\n"
                  "e = mean_squared_error(a, b) + log_loss(a, b)\nm = tf.keras.metrics.mse\n"),
            V{});
}

TEST(FunctionScanTest, BrokenCodeDoesNotThrow) {
  for (const char* code : {"model.compile(loss=", "f(((", ")))\nimport", "from . import", "x = {'loss':", "Dense(3, ",
                           "import torch.nn as nn\nnn.", "def", "class", "'''", "a=\\"}) {
    EXPECT_NO_THROW(Scan(code)) << code;
  }
}

// Random programs from Python's vocabulary: never a crash, and findings
// always well formed (under ASan in the sanitizer build).
TEST(FunctionScanTest, RandomProgramsAreScannedSafely) {
  const std::vector<std::string> words = {"import ",
                                          "from ",
                                          "torch",
                                          "tensorflow",
                                          "sklearn.linear_model",
                                          ".",
                                          "nn",
                                          "as ",
                                          "F",
                                          "(",
                                          ")",
                                          "[",
                                          "]",
                                          "{",
                                          "}",
                                          ":",
                                          ",",
                                          "=",
                                          "==",
                                          "*",
                                          "**",
                                          "\n",
                                          "    ",
                                          ";",
                                          "class ",
                                          "def ",
                                          "loss",
                                          "'mse'",
                                          "\"l2\"",
                                          "penalty",
                                          "weight_decay",
                                          "0",
                                          "1e-4",
                                          "None",
                                          "ReLU",
                                          "relu",
                                          "Adam",
                                          "LogisticRegression",
                                          "Dense",
                                          "'relu'",
                                          "'''",
                                          "f'{x}'",
                                          "#",
                                          "\\\n",
                                          "clf__loss",
                                          "'loss'",
                                          "Activation",
                                          "keras.layers",
                                          "optim"};
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string code;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) code += words[rng() % words.size()];
    Json f;
    ASSERT_NO_THROW(f = Scan(code)) << code;
    for (const Json& e : f) {
      ASSERT_FALSE(e["name"].get<std::string>().empty()) << code;
      ASSERT_FALSE(e["found"].empty()) << code;
    }
  }
}

// Keras' Model.compile(optimizer, loss, ...) takes them positionally too, as
// an official Keras example does; re.compile and torch.compile are not it.
TEST(FunctionScanTest, CompilePositionalArguments) {
  EXPECT_EQ(Found("model = build()\nmodel.compile(\"adam\", \"binary_crossentropy\", metrics=['accuracy'])\n"),
            (V{"optimizer: Adam", "classification loss: Cross entropy / negative log likelihood"}));
  EXPECT_EQ(Found("self.model.compile('rmsprop')\n"), (V{"optimizer: RMSProp"}));
  EXPECT_EQ(Found("import re\nimport torch\np = re.compile('adam')\nm = torch.compile(model, 'sgd')\n"), V{});
  EXPECT_EQ(Found("model.compile(optimizer, 'mse')\n"), (V{"regression loss: L2 (mean squared error)"}));
  EXPECT_EQ(Found("model.fit('adam', 'mse')\nmodel.compile(x='adam')\n"), V{});
  Json f = Scan("model.compile('adam', 'mse')\n");
  EXPECT_EQ(f[0]["found"], (Json{"model.compile('adam')"}));
  EXPECT_EQ(f[1]["found"], (Json{"model.compile(..., 'mse')"}));
}

// Search spaces name the options a trial picks from: every one is a function
// the program can use.
TEST(FunctionScanTest, OptionListsOfSearchSpaces) {
  const V adam_sgd = {"optimizer: Adam", "optimizer: Stochastic gradient descent"};
  EXPECT_EQ(Found("opt = hp.Choice('opt', ['adam', 'sgd'])\n"), adam_sgd);
  EXPECT_EQ(Found("model.compile(optimizer=hp.Choice('x', values=['adam', 'sgd']))\n"), adam_sgd);
  EXPECT_EQ(Found("o = trial.suggest_categorical('optimizer', ['adam', 'sgd'])\n"), adam_sgd);
  EXPECT_EQ(Found("from tensorboard.plugins.hparams import api as hp\n"
                  "HP_OPT = hp.HParam('optimizer', hp.Discrete(['adam', 'sgd']))\n"),
            adam_sgd);
  EXPECT_EQ(Found("space = {'activation': hp.choice('act', ['relu', 'tanh'])}\n"),
            (V{"activation: ReLU", "activation: Tanh"}));
  EXPECT_EQ(Found("config = {'optimizer': tune.grid_search(['adam', 'sgd'])}\n"), adam_sgd);
  EXPECT_EQ(Found("import random\nact = random.choice(['relu', 'tanh'])\n"), V{}) << "no name says what they are";
  EXPECT_EQ(Found("u = hp.Choice('units', ['adam', 'sgd'])\nd = hp.Choice('dropout', [0.0, 0.5])\n"), V{});
  EXPECT_EQ(Found("opt = hp.Choice('opt', ['adam', 'sgd'])\n")[0], "optimizer: Adam");
  EXPECT_EQ(Scan("opt = hp.Choice('opt', ['adam', 'sgd'])\n")[0]["found"], (Json{"hp.Choice(...'adam'...)"}));
}

// scikit-learn's defaults apply to what a literal dict unpacked with ** does not set.
TEST(FunctionScanTest, DefaultsThroughLiteralDicts) {
  const std::string import = "from sklearn.linear_model import LogisticRegression\n";
  EXPECT_EQ(Found(import + "params = {'C': 1.0, 'max_iter': 100}\nclf = LogisticRegression(**params)\n"),
            (V{"classification loss: Cross entropy / negative log likelihood", "regularization: L2"}));
  EXPECT_EQ(Found(import + "params = dict(C=1.0)\nclf = LogisticRegression(**params)\n"),
            (V{"classification loss: Cross entropy / negative log likelihood", "regularization: L2"}));
  EXPECT_EQ(
      Found(import + "params = {'penalty': 'l1', 'solver': 'saga'}\nclf = LogisticRegression(**params)\n"),
      (V{"regularization: L1", "optimizer: SAGA", "classification loss: Cross entropy / negative log likelihood"}));
  // Not known: no default is assumed.
  for (const char* unknown :
       {"params = load()\n", "params = {'C': 1}\nparams['penalty'] = 'l1'\n", "params = {'C': 1}\nparams.update(p)\n",
        "params = {'C': 1, **extra}\n", "params = {'C': 1}\ndef fit(params):\n  pass\n",
        "params = {'C': 1}\nfor params in grid:\n  pass\n", "params = {'C': 1}[0]\n"}) {
    EXPECT_EQ(Found(import + std::string(unknown) + "clf = LogisticRegression(**params)\n"),
              (V{"classification loss: Cross entropy / negative log likelihood"}))
        << unknown;
  }
  EXPECT_EQ(Found(import + "params = {'C': 1}\nclf = LogisticRegression(*args, **params)\n"),
            (V{"classification loss: Cross entropy / negative log likelihood"}));
}

TEST(FunctionScanTest, AveragedSgd) {
  const std::string import = "from sklearn.linear_model import SGDClassifier, SGDRegressor\n";
  V found = Found(import + "clf = SGDClassifier(average=True)\n");
  EXPECT_NE(std::find(found.begin(), found.end(), "optimizer: Averaged SGD"), found.end());
  found = Found(import + "reg = SGDRegressor(average=10)\n");
  EXPECT_NE(std::find(found.begin(), found.end(), "optimizer: Averaged SGD"), found.end());
  for (const char* off : {"SGDClassifier()", "SGDClassifier(average=False)", "SGDClassifier(average=0)"}) {
    found = Found(import + "clf = " + off + "\n");
    EXPECT_EQ(std::find(found.begin(), found.end(), "optimizer: Averaged SGD"), found.end()) << off;
  }
}

}  // namespace
}  // namespace trail::context
