// What Table 1 detection knows: the framework spellings of loss,
// optimization, activation and regularization functions, mapped to the
// paper's categories and names. The spellings are data, in
// function_table.cc; this header is how the scanner asks about them.
//
// Three kinds of spelling are known:
//  - framework symbols reached through imports (torch.nn.MSELoss,
//    tf.keras.optimizers.Adam, sklearn's Ridge), matched on the resolved
//    dotted name: its root picks the framework, its last component is the
//    symbol, and a module component (losses, optimizers, nn, functional,
//    ...) must appear in between, so keras.metrics.mse is not a loss;
//  - strings in the keyword arguments that take them (loss='mse',
//    optimizer='adam', activation='relu', penalty='l2') and in dict
//    displays with such keys ({'loss': 'mse'}, GridSearchCV grids);
//  - arguments of particular calls: positional slots (Activation('relu'),
//    Dense(10, 'relu')) and scikit-learn's defaults, which are part of an
//    estimator's identity (LogisticRegression() is L2-penalized).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace trail::context {

// The paper's categories (Table 1), plus regularization.
inline constexpr std::string_view kRegressionLoss = "regression loss";
inline constexpr std::string_view kClassificationLoss = "classification loss";
inline constexpr std::string_view kNetworkLoss = "neural network loss";
inline constexpr std::string_view kOptimizer = "optimizer";
inline constexpr std::string_view kActivation = "activation";
inline constexpr std::string_view kRegularization = "regularization";

struct FunctionKind {
  std::string_view category;
  std::string_view name;  // canonical; empty in a string rule that means "none" ('linear', penalty='none')
};

// An argument of a call to a symbol whose value names a function.
struct CallRule {
  std::string_view keyword;
  int position;                    // its positional slot, or -1 when it is keyword-only here
  std::string_view default_value;  // read when the argument is absent; empty: no default
  std::string_view context;        // how the value is read (see KeywordContext)
};

struct SymbolMatch {
  size_t parts = 0;                  // components of the path that matched; 0 = no match
  std::vector<FunctionKind> kinds;   // what a reference to the symbol means by itself
  std::vector<CallRule> call_rules;  // what its call's arguments can add
};

// The rules for a resolved dotted name ("torch.nn.MSELoss"), tried on the
// longest prefix first so that attributes of a symbol still match.
SymbolMatch MatchSymbol(const std::vector<std::string_view>& path);

// The context a keyword argument (or dict key) gives its value: "loss",
// "optimizer", "solver", "activation", "regularizer", "objective" (string
// values), "l1_strength", "l2_strength", "dropout_rate", "sgd_average"
// (numbers: any value but 0, None or False turns the function on). Pipeline
// prefixes are dropped (clf__penalty is penalty). Empty for any other keyword.
std::string_view KeywordContext(std::string_view keyword);
bool IsNumericContext(std::string_view context);

// The rules for the arguments of `method` called on an object that no import
// names (model.compile('adam', 'mse')); empty for most methods.
std::vector<CallRule> MethodCallRules(std::string_view method);

// Is `symbol` (the last part of a call's name) a call that takes a list of
// options (hp.Choice, trial.suggest_categorical, ...)?
bool IsOptionListCall(std::string_view symbol);
// The context the name of a search-space parameter gives its options
// ('optimizer', 'opt', 'activation', 'act', 'loss_fn', ...); empty if none.
std::string_view OptionNameContext(std::string_view name);

// What a string value means in a context; matched without case, '_', '-'
// or spaces ('Adam', 'mean_squared_error', 'LeakyReLU'). nullopt when the
// value is not known; a kind with an empty name when it names no function.
std::optional<FunctionKind> LookupString(std::string_view context, std::string_view value);

// What a numeric context turns on.
FunctionKind NumericMeaning(std::string_view context);

// Every (category, name) the table can report, each once, in table order.
std::vector<FunctionKind> AllFunctionKinds();

}  // namespace trail::context
