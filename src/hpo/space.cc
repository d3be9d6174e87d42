#include "hpo/space.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "base/numbers.h"

namespace trail::hpo {
namespace {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();
// Int bounds must be exact in a double, since the engine computes in doubles.
constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

// Number of decimals in the shortest text of `v`: 0.1 -> 1, 2.5e-05 -> 6, 300 -> 0.
int DecimalPlaces(double v) {
  std::string text = FormatDouble(v);
  int exponent = 0;
  size_t e = text.find_first_of("eE");
  if (e != std::string::npos) {
    exponent = std::atoi(text.c_str() + e + 1);
    text.resize(e);
  }
  size_t dot = text.find('.');
  int fraction = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
  return std::max(0, fraction - exponent);
}

// The double nearest to `v` written with `decimals` decimals. Going through text makes the result
// the same double a user would get by typing the rounded number.
double RoundToDecimals(double v, int decimals) {
  if (decimals > 40) return v;  // beyond any step a user writes; keep the value as computed
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  double out = std::strtod(buf, nullptr);
  return out == 0 ? 0.0 : out;  // no "-0" in records
}

double RoundToSignificant(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return std::strtod(buf, nullptr);
}

// floor(x) + 1 for a count of lattice values, forgiving the rounding error of (end - start) / step
// so that 0.1..0.9 by 0.1 has 9 values, and saturating.
uint64_t LatticeCount(double steps) {
  double n = std::floor(steps * (1 + 1e-12) + 1e-9);
  if (!(n < 1.8e19)) return kSaturated;
  return static_cast<uint64_t>(n) + 1;
}

std::string Show(const Json& v) { return DumpJson(v, -1); }

class DimParser {
 public:
  DimParser(const std::string& name, const Json& spec) : name_(name), spec_(spec) {}

  StatusOr<Dim> Parse() {
    if (!spec_.is_object()) {
      return Error("expected a mapping such as {start: 0.1, end: 1} or {choice: [a, b]}");
    }
    for (const auto& [key, value] : spec_.items()) {
      if (key != "start" && key != "end" && key != "step" && key != "scale" && key != "type" && key != "choice") {
        return Error("unknown key '" + key + "' (expected start, end, step, scale, type or choice)");
      }
    }
    if (spec_.contains("choice")) return ParseChoice();
    return ParseNumeric();
  }

 private:
  Status Error(const std::string& reason) const { return InvalidArgument("space." + name_ + ": " + reason); }

  StatusOr<Dim> ParseChoice() {
    for (const auto& [key, value] : spec_.items()) {
      if (key != "choice") return Error("choice takes no other key (found '" + key + "')");
    }
    const Json& list = spec_["choice"];
    if (!list.is_array()) return Error("choice must be a list, such as [a, b]");
    if (list.empty()) return Error("choice list is empty");
    Dim dim;
    dim.name = name_;
    dim.type = DimType::kChoice;
    for (const Json& v : list) {
      // NaN equals nothing, so a trial's value could never be matched back to its choice.
      if (v.is_number_float() && !std::isfinite(v.get<double>())) {
        return Error("choice values must be finite numbers, strings or booleans (got " + Show(v) + ")");
      }
      for (const Json& seen : dim.choices) {
        if (seen == v) return Error("choice lists " + Show(v) + " twice");
      }
      dim.choices.push_back(v);
    }
    return dim;
  }

  StatusOr<double> Number(const char* key) const {
    if (!spec_.contains(key)) return Error(std::string("missing ") + key);
    const Json& v = spec_[key];
    if (!v.is_number()) return Error(std::string(key) + " must be a number (got " + Show(v) + ")");
    double d = v.get<double>();
    if (!std::isfinite(d)) return Error(std::string(key) + " must be a finite number (got " + Show(v) + ")");
    return d;
  }

  StatusOr<std::string> Word(const char* key, const char* a, const char* b, const char* fallback) const {
    if (!spec_.contains(key)) return std::string(fallback);
    const Json& v = spec_[key];
    if (!v.is_string() || (v != a && v != b)) {
      return Error(std::string(key) + " must be " + a + " or " + b + " (got " + Show(v) + ")");
    }
    return v.get<std::string>();
  }

  StatusOr<Dim> ParseNumeric() {
    Dim dim;
    dim.name = name_;
    TRAIL_ASSIGN_OR_RETURN(dim.start, Number("start"));
    TRAIL_ASSIGN_OR_RETURN(dim.end, Number("end"));
    if (spec_.contains("step")) {
      TRAIL_ASSIGN_OR_RETURN(double step, Number("step"));
      dim.step = step;
    }
    TRAIL_ASSIGN_OR_RETURN(std::string scale, Word("scale", "linear", "log", "linear"));
    dim.scale = scale == "log" ? Scale::kLog : Scale::kLinear;
    bool written_as_ints = spec_["start"].is_number_integer() && spec_["end"].is_number_integer() &&
                           dim.step.has_value() && spec_["step"].is_number_integer();
    TRAIL_ASSIGN_OR_RETURN(std::string type, Word("type", "int", "float", written_as_ints ? "int" : "float"));
    dim.type = type == "int" ? DimType::kInt : DimType::kFloat;

    auto num = [](double v) { return FormatDouble(v); };
    if (dim.start == dim.end) return Error("empty range: start and end are both " + num(dim.start));
    if (dim.start > dim.end) {
      return Error("start must be less than end (got start " + num(dim.start) + ", end " + num(dim.end) + ")");
    }
    if (dim.scale == Scale::kLog && dim.start <= 0) {
      return Error("a log scale needs start > 0 (got " + num(dim.start) + ")");
    }
    if (dim.type == DimType::kInt) {
      if (dim.start != std::floor(dim.start) || dim.end != std::floor(dim.end)) {
        return Error("an int parameter needs integer bounds (got start " + num(dim.start) + ", end " + num(dim.end) +
                     ")");
      }
      if (std::abs(dim.start) > kMaxExactInt || std::abs(dim.end) > kMaxExactInt) {
        return Error("int bounds must lie within +-2^53");
      }
    }
    if (dim.step) {
      double step = *dim.step;
      if (dim.scale == Scale::kLinear) {
        if (step <= 0) return Error("step must be positive (got " + num(step) + ")");
        if (step > dim.end - dim.start) {
          return Error("step " + num(step) + " is larger than the range " + num(dim.start) + ".." + num(dim.end));
        }
      } else {
        if (step <= 1) {
          return Error(
              "with a log scale, step is the ratio between neighbouring values and must be greater than 1 (got " +
              num(step) + ")");
        }
        if (step > dim.end / dim.start) {
          return Error("step ratio " + num(step) + " is larger than the range " + num(dim.start) + ".." + num(dim.end));
        }
      }
      if (dim.type == DimType::kInt && step != std::floor(step)) {
        return Error("an int parameter needs an integer step (got " + num(step) + ")");
      }
    }
    return dim;
  }

  const std::string& name_;
  const Json& spec_;
};

}  // namespace

uint64_t Dim::Count() const {
  if (type == DimType::kChoice) return choices.size();
  if (scale == Scale::kLog && step) return LatticeCount(std::log(end / start) / std::log(*step));
  double spacing = step.value_or(type == DimType::kInt ? 1.0 : 0.0);
  if (spacing <= 0) return kSaturated;  // a continuous float; callers check IsDiscrete first
  return LatticeCount((end - start) / spacing);
}

Json Dim::ValueAt(uint64_t k) const {
  if (type == DimType::kChoice) return choices[k];
  const double kd = static_cast<double>(k);
  if (type == DimType::kInt) {
    // Exact in int64: bounds are within 2^53 and the step is an integer.
    auto first = static_cast<int64_t>(start);
    if (scale == Scale::kLog && step) {
      int64_t v = first;
      for (uint64_t i = 0; i < k; ++i) v *= static_cast<int64_t>(*step);
      return v;
    }
    return first + static_cast<int64_t>(k) * static_cast<int64_t>(step.value_or(1.0));
  }
  if (scale == Scale::kLog) {
    // Rounding may step just outside the range (a start written with more
    // than 12 significant digits): the range wins.
    double v = RoundToSignificant(start * std::pow(*step, kd), 12);
    return std::clamp(v, start, end);
  }
  int decimals = std::max(DecimalPlaces(start), DecimalPlaces(*step));
  return std::clamp(RoundToDecimals(start + kd * *step, decimals), start, end);
}

double Dim::ValueAtFraction(double t) const {
  t = std::clamp(t, 0.0, 1.0);
  double v = scale == Scale::kLog ? std::exp(std::log(start) + t * std::log(end / start)) : start + t * (end - start);
  return std::clamp(v, start, end);
}

const Dim* Space::Find(std::string_view name) const {
  for (const Dim& d : dims) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::optional<uint64_t> Space::GridSize() const {
  uint64_t total = 1;
  for (const Dim& d : dims) {
    if (!d.IsDiscrete()) return std::nullopt;
    uint64_t n = d.Count();
    total = (n != 0 && total > kSaturated / n) ? kSaturated : total * n;
  }
  return total;
}

StatusOr<Space> ParseSpace(const Json& spec) {
  if (!spec.is_object()) return InvalidArgument("space: expected a mapping of parameter names to ranges or choices");
  if (spec.empty()) return InvalidArgument("space: no parameters");
  Space space;
  for (const auto& [name, dim_spec] : spec.items()) {
    if (name.empty()) return InvalidArgument("space: a parameter has an empty name");
    TRAIL_ASSIGN_OR_RETURN(Dim dim, DimParser(name, dim_spec).Parse());
    space.dims.push_back(std::move(dim));
  }
  return space;
}

Json SpaceToJson(const Space& space) {
  Json out = Json::object();
  for (const Dim& d : space.dims) {
    Json spec = Json::object();
    if (d.type == DimType::kChoice) {
      spec["choice"] = Json(d.choices);
    } else {
      auto number = [&](double v) { return d.type == DimType::kInt ? Json(static_cast<int64_t>(v)) : Json(v); };
      spec["start"] = number(d.start);
      spec["end"] = number(d.end);
      if (d.step) spec["step"] = number(*d.step);
      spec["scale"] = d.scale == Scale::kLog ? "log" : "linear";
      spec["type"] = d.type == DimType::kInt ? "int" : "float";
    }
    out[d.name] = std::move(spec);
  }
  return out;
}

Status CheckPoint(const Space& space, const Point& point) {
  if (!point.is_object()) return InvalidArgument("a point must be a mapping of parameter names to values");
  for (const Dim& d : space.dims) {
    auto it = point.find(d.name);
    if (it == point.end()) return InvalidArgument(d.name + ": missing");
    const Json& v = *it;
    if (d.type == DimType::kChoice) {
      bool listed = false;
      for (const Json& c : d.choices) listed = listed || c == v;
      if (!listed) return InvalidArgument(d.name + ": " + Show(v) + " is not one of the choices");
      continue;
    }
    if (!v.is_number()) return InvalidArgument(d.name + ": " + Show(v) + " is not a number");
    double x = v.get<double>();
    if (!std::isfinite(x) || x < d.start || x > d.end) {
      return InvalidArgument(d.name + ": " + Show(v) + " is outside " + FormatDouble(d.start) + ".." +
                             FormatDouble(d.end));
    }
    if (d.type == DimType::kInt && x != std::floor(x))
      return InvalidArgument(d.name + ": " + Show(v) + " is not an integer");
  }
  return Status::Ok();
}

}  // namespace trail::hpo
