#include "context/function_table.h"

#include <gtest/gtest.h>

#include <set>

namespace trail::context {
namespace {

std::vector<std::string_view> Path(std::initializer_list<std::string_view> parts) { return parts; }

TEST(FunctionTableTest, CategoriesAndNamesAreWellFormed) {
  std::set<std::string_view> categories = {kRegressionLoss, kClassificationLoss, kNetworkLoss,
                                           kOptimizer,      kActivation,         kRegularization};
  std::set<std::string_view> names;
  for (const FunctionKind& k : AllFunctionKinds()) {
    EXPECT_TRUE(categories.count(k.category)) << k.category;
    EXPECT_FALSE(k.name.empty());
    names.insert(k.name);
  }
  // The paper's Table 1 names that a framework spells. Mean bias error and
  // mini-batch gradient descent have no framework spelling (docs/functions.md).
  for (std::string_view paper :
       {"L1 (mean absolute error)", "L2 (mean squared error)", "Huber", "Cross entropy / negative log likelihood",
        "Hinge / multi-class SVM", "Squared hinge", "MLE (maximum likelihood estimation)",
        "Stochastic gradient descent", "Adagrad", "RMSProp", "Adam", "Sigmoid (logistic)", "Softmax", "Softplus",
        "Tanh", "ELU", "ReLU", "Leaky ReLU"}) {
    EXPECT_TRUE(names.count(paper)) << paper;
  }
}

TEST(FunctionTableTest, SymbolsNeedTheirFrameworkAndModule) {
  SymbolMatch m = MatchSymbol(Path({"torch", "nn", "MSELoss"}));
  EXPECT_EQ(m.parts, 3u);
  ASSERT_EQ(m.kinds.size(), 1u);
  EXPECT_EQ(m.kinds[0].name, "L2 (mean squared error)");
  EXPECT_EQ(MatchSymbol(Path({"torch", "nn", "modules", "loss", "MSELoss"})).parts, 5u);
  EXPECT_EQ(MatchSymbol(Path({"keras", "src", "losses", "losses", "MeanSquaredError"})).parts, 5u);
  EXPECT_EQ(MatchSymbol(Path({"tensorflow", "keras", "metrics", "mse"})).parts, 0u);
  EXPECT_EQ(MatchSymbol(Path({"mylib", "nn", "ReLU"})).parts, 0u);
  EXPECT_EQ(MatchSymbol(Path({"torch", "Tensor", "relu"})).parts, 0u);
  EXPECT_EQ(MatchSymbol(Path({"torch", "relu"})).parts, 2u);
  // tensorflow is both tf.keras and TF itself.
  EXPECT_EQ(MatchSymbol(Path({"tensorflow", "compat", "v1", "train", "AdamOptimizer"})).kinds[0].name, "Adam");
  EXPECT_EQ(MatchSymbol(Path({"tensorflow", "keras", "optimizers", "Adam"})).kinds[0].name, "Adam");
  // An attribute of a symbol is still the symbol.
  EXPECT_EQ(MatchSymbol(Path({"torch", "nn", "ReLU", "__name__"})).parts, 3u);
}

TEST(FunctionTableTest, SymbolsWithSeveralMeaningsKeepTableOrder) {
  SymbolMatch m = MatchSymbol(Path({"sklearn", "linear_model", "Lasso"}));
  ASSERT_EQ(m.kinds.size(), 2u);
  EXPECT_EQ(m.kinds[0].category, kRegressionLoss);
  EXPECT_EQ(m.kinds[1].category, kRegularization);
  m = MatchSymbol(Path({"sklearn", "neural_network", "MLPClassifier"}));
  ASSERT_EQ(m.call_rules.size(), 3u);
  EXPECT_EQ(m.call_rules[0].keyword, "activation");
  EXPECT_EQ(m.call_rules[1].keyword, "solver");
  EXPECT_EQ(m.call_rules[2].keyword, "alpha");
}

TEST(FunctionTableTest, KeywordContexts) {
  EXPECT_EQ(KeywordContext("loss"), "loss");
  EXPECT_EQ(KeywordContext("clf__penalty"), "regularizer");
  EXPECT_EQ(KeywordContext("kernel_regularizer"), "regularizer");
  EXPECT_EQ(KeywordContext("_regularizer"), "");
  EXPECT_EQ(KeywordContext("weight_decay"), "l2_strength");
  EXPECT_EQ(KeywordContext("metrics"), "");
  EXPECT_TRUE(IsNumericContext("dropout_rate"));
  EXPECT_FALSE(IsNumericContext("loss"));
}

TEST(FunctionTableTest, StringsMatchWithoutCaseOrSeparators) {
  EXPECT_EQ(LookupString("loss", "Mean_Squared-Error")->name, "L2 (mean squared error)");
  EXPECT_EQ(LookupString("loss", "MSE")->name, "L2 (mean squared error)");
  EXPECT_EQ(LookupString("activation", "LeakyReLU")->name, "Leaky ReLU");
  EXPECT_EQ(LookupString("optimizer", "RMSprop")->name, "RMSProp");
  EXPECT_EQ(LookupString("objective", "reg:squarederror")->name, "L2 (mean squared error)");
  ASSERT_TRUE(LookupString("activation", "linear"));
  EXPECT_EQ(LookupString("activation", "linear")->name, "");
  EXPECT_FALSE(LookupString("loss", "relu"));  // right word, wrong keyword
  EXPECT_FALSE(LookupString("loss", "my_loss"));
}

}  // namespace
}  // namespace trail::context
