#include "trail/context.h"

#include "context/function_table.h"

namespace trail::api {
namespace {

FunctionKind ToApi(const context::FunctionKind& k) { return {k.category, k.name}; }

}  // namespace

SymbolMatch MatchFunctionSymbol(const std::vector<std::string_view>& path) {
  context::SymbolMatch match = context::MatchSymbol(path);
  SymbolMatch out;
  for (const auto& k : match.kinds) out.kinds.push_back(ToApi(k));
  for (const auto& r : match.call_rules) out.call_rules.push_back({r.keyword, r.default_value, r.context});
  return out;
}

std::string_view KeywordContext(std::string_view keyword) { return context::KeywordContext(keyword); }
bool IsNumericContext(std::string_view ctx) { return context::IsNumericContext(ctx); }
FunctionKind NumericMeaning(std::string_view ctx) { return ToApi(context::NumericMeaning(ctx)); }
std::optional<FunctionKind> LookupFunctionString(std::string_view ctx, std::string_view value) {
  auto kind = context::LookupString(ctx, value);
  if (!kind) return std::nullopt;
  return ToApi(*kind);
}

}  // namespace trail::api
