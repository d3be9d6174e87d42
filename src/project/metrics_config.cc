#include "project/metrics_config.h"

#include <cmath>

#include "base/numbers.h"

namespace trail {
namespace {

constexpr const char* kMetricsWhere = ".trail/config.yaml: metrics.";

StatusOr<std::vector<std::string>> Paths(const Json& v, const std::string& key) {
  std::vector<std::string> out;
  Json list = v.is_string() ? Json::array({v}) : v;
  if (!list.is_array()) return InvalidArgument(kMetricsWhere + key + ": expected a list of paths");
  for (const auto& item : list) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      return InvalidArgument(kMetricsWhere + key + ": expected a list of paths");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

// `auto` (or true): search the run's folder; `off` (or false): read none; a list: read those
// (and search nothing).
Status AutoOffOrPaths(const Json& v, const std::string& key, bool& search, std::vector<std::string>& paths) {
  if (v == "auto" || v == true) {
    search = true;
  } else if (v == "off" || v == false) {
    search = false;
  } else {
    TRAIL_ASSIGN_OR_RETURN(paths, Paths(v, key));
    search = false;
  }
  return Status::Ok();
}

}  // namespace

Status CheckSystemInterval(double seconds, const std::string& where) {
  if (std::isfinite(seconds) && seconds >= kMinSystemInterval && seconds <= kMaxSystemInterval) return Status::Ok();
  return InvalidArgument(where + " " + FormatDouble(seconds) + ": expected seconds from " +
                         FormatDouble(kMinSystemInterval) + " to " + FormatDouble(kMaxSystemInterval));
}

StatusOr<MetricsConfig> ParseMetricsConfig(const Json& config) {
  MetricsConfig c;
  if (!config.is_object() || !config.contains("metrics") || config["metrics"].is_null()) return c;
  const Json& m = config["metrics"];
  if (!m.is_object()) return InvalidArgument(".trail/config.yaml: metrics: expected a mapping");
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    if (key == "parse_output") {
      if (v.is_boolean()) {
        c.parse_output = v.get<bool>();
      } else if (v == "key_values") {
        c.key_values = true;
      } else {
        return InvalidArgument(std::string(kMetricsWhere) + "parse_output: expected true, false or key_values");
      }
    } else if (key == "tensorboard") {
      TRAIL_RETURN_IF_ERROR(AutoOffOrPaths(v, key, c.tensorboard_auto, c.tensorboard_dirs));
    } else if (key == "csv") {
      TRAIL_RETURN_IF_ERROR(AutoOffOrPaths(v, key, c.csv_auto, c.csv_files));
    } else if (key == "system") {
      if (v == "off" || v == false) {
        c.system = false;
      } else if (v == "on" || v == true) {
        c.system = true;
      } else if (v.is_number()) {
        TRAIL_RETURN_IF_ERROR(CheckSystemInterval(v.get<double>(), kMetricsWhere + key));
        c.system_interval = v.get<double>();
      } else {
        return InvalidArgument(kMetricsWhere + key + ": expected off, on or the seconds between samples");
      }
    } else if (key == "dvc") {
      if (v == "auto" || v == true) {
        c.dvc = true;
      } else if (v == "off" || v == false) {
        c.dvc = false;
      } else {
        return InvalidArgument(std::string(kMetricsWhere) + "dvc: expected auto or off");
      }
    } else if (key == "train_loss" || key == "val_loss" || key == "accuracy") {
      if (!v.is_string() || v.get<std::string>().empty()) {
        return InvalidArgument(kMetricsWhere + key + ": expected a metric name");
      }
      std::string& slot = key == "train_loss" ? c.derived.train_loss
                          : key == "val_loss" ? c.derived.val_loss
                                              : c.derived.accuracy;
      slot = v.get<std::string>();
    } else {
      return InvalidArgument(
          std::string(kMetricsWhere) + key +
          ": unknown key (expected parse_output, tensorboard, csv, system, dvc, train_loss, val_loss, accuracy)");
    }
  }
  return c;
}

}  // namespace trail
