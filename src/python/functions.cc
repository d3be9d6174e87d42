#include "functions.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trail/context.h"

namespace trail::python {

namespace {

using api::FunctionKind;

class Kinds {
 public:
  void Add(const FunctionKind& kind) {
    if (kind.name.empty()) return;
    for (const auto& [c, n] : seen_) {
      if (c == kind.category && n == kind.name) return;
    }
    seen_.emplace_back(std::string(kind.category), std::string(kind.name));
  }
  py::list ToList() const {
    py::list out;
    for (const auto& [c, n] : seen_) out.append(py::make_tuple(c, n));
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::string>> seen_;
};

// A numeric context is on for any value but 0, None and False (the scanner's rule).
bool NumericOn(py::handle value) {
  if (value.is_none()) return false;
  if (PyBool_Check(value.ptr())) return value.ptr() == Py_True;
  if (PyLong_Check(value.ptr()) || PyFloat_Check(value.ptr())) return PyObject_IsTrue(value.ptr()) == 1;
  return !py::isinstance<py::str>(value);
}

// Reads a keyword's value in `ctx`: a string, or strings directly in a list,
// tuple or dict (per-output losses); numbers in numeric contexts.
void ReadValue(std::string_view ctx, py::handle value, Kinds* out) {
  if (api::IsNumericContext(ctx)) {
    if (NumericOn(value)) out->Add(api::NumericMeaning(ctx));
    return;
  }
  auto read_string = [&](py::handle v) {
    if (!py::isinstance<py::str>(v)) return;
    if (auto kind = api::LookupFunctionString(ctx, v.cast<std::string>())) out->Add(*kind);
  };
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    for (py::handle v : value) read_string(v);
  } else if (py::isinstance<py::dict>(value)) {
    for (auto item : py::reinterpret_borrow<py::dict>(value)) read_string(item.second);
  } else {
    read_string(value);
  }
}

}  // namespace

py::list FunctionsOf(const std::string& dotted, py::dict kwargs) {
  std::vector<std::string_view> path;
  std::string_view rest = dotted;
  while (!rest.empty()) {
    size_t dot = rest.find('.');
    path.push_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  Kinds out;
  api::SymbolMatch match = api::MatchFunctionSymbol(path);
  for (const FunctionKind& kind : match.kinds) out.Add(kind);
  std::vector<std::string> ruled;
  for (const api::CallRule& rule : match.call_rules) {
    std::string keyword(rule.keyword);
    ruled.push_back(keyword);
    if (kwargs.contains(keyword)) {
      ReadValue(rule.context, kwargs[py::str(keyword)], &out);
    } else if (!rule.default_value.empty()) {
      if (api::IsNumericContext(rule.context)) {
        out.Add(api::NumericMeaning(rule.context));
      } else if (auto kind = api::LookupFunctionString(rule.context, rule.default_value)) {
        out.Add(*kind);
      }
    }
  }
  // Keywords every call understands (weight_decay=, dropout=, activation=).
  for (auto item : kwargs) {
    if (!py::isinstance<py::str>(item.first)) continue;
    std::string keyword = item.first.cast<std::string>();
    bool done = false;
    for (const std::string& r : ruled) done = done || r == keyword;
    std::string_view ctx = api::KeywordContext(keyword);
    if (!done && !ctx.empty()) ReadValue(ctx, item.second, &out);
  }
  return out.ToList();
}

py::object LookupFunction(const std::string& keyword, const std::string& value) {
  std::string_view ctx = api::KeywordContext(keyword);
  if (ctx.empty() || api::IsNumericContext(ctx)) return py::none();
  auto kind = api::LookupFunctionString(ctx, value);
  if (!kind || kind->name.empty()) return py::none();
  return py::make_tuple(std::string(kind->category), std::string(kind->name));
}

}  // namespace trail::python
