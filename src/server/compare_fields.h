// Flattening run records for the compare view: every scalar leaf of a record's comparable parts
// under a dotted key (params.lr, metrics.loss.last, derived.val_loss_min, environment.python.version,
// code.commit, data.train.oid, artifacts.model.pt.size, tags.stage, ...), and the table of those
// keys over several runs with the keys whose values differ.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "trail/json.h"

namespace trail::server {

// The record's leaves in record order. Lists of data inputs and artifacts are keyed by role and
// path; other lists are one leaf each (their JSON text), as is an empty map.
std::vector<std::pair<std::string, Json>> FlattenForCompare(const Json& record);

struct CompareTable {
  Json fields = Json::object();  // key -> [value per run, null where a run lacks it]
  Json differing = Json::array();
};
// Keys in the order first met; a key differs when not every run holds the same value.
CompareTable BuildCompareTable(const std::vector<Json>& records);

}  // namespace trail::server
