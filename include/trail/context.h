// The Table 1 alias table (loss, optimisation, activation, regularisation functions), for front
// ends that see live objects rather than source: the Python client's framework hooks ask it
// what a call means, so a spelling is taught to trail in one place (the source scanner uses the
// same table).
//
// Every string_view returned here points into the table itself, which lives as long as the
// program.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace trail::api {

struct FunctionKind {
  std::string_view category;  // "regression loss", "optimizer", "activation", ...
  std::string_view name;      // canonical; empty for a value that means "none" ('linear')
};

// A keyword argument of a call that can name a function.
struct CallRule {
  std::string_view keyword;
  std::string_view default_value;  // read when the argument is absent; empty: no default
  std::string_view context;        // how its value is read (see KeywordContext)
};

struct SymbolMatch {
  std::vector<FunctionKind> kinds;   // what a reference to the symbol means by itself
  std::vector<CallRule> call_rules;  // what its call's arguments can add
};

// What a dotted symbol (["torch", "nn", "MSELoss"]) means; empty when it is not in the table.
SymbolMatch MatchFunctionSymbol(const std::vector<std::string_view>& path);
// The context a keyword argument is read in by every call (loss=, activation=, weight_decay=);
// empty when the keyword means nothing by itself.
std::string_view KeywordContext(std::string_view keyword);
// Numeric contexts (weight_decay=, dropout=) mean their function when the value is not 0.
bool IsNumericContext(std::string_view context);
FunctionKind NumericMeaning(std::string_view context);
// What a string means in a context (loss='mse'); nullopt when it is not known.
std::optional<FunctionKind> LookupFunctionString(std::string_view context, std::string_view value);

}  // namespace trail::api
