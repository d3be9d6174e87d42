// How `trail model inspect`, `trail model diff`, `trail diff --models` and `trail show` print
// models: from the JSON shapes of include/trail/models.h (docs/models.md).
#pragma once

#include <cstdint>
#include <string>

#include "trail/json.h"
#include "trail/models.h"

namespace trail::cli {

// "1.2M", "340K", "7.0B", "12" (parameter counts).
std::string ShortCount(uint64_t n);
// "1,234,567".
std::string Grouped(uint64_t n);

// A command-line model reference: an existing path (a file, a checkpoint prefix, a SavedModel
// folder) is a file; otherwise "ID" or "ID:ARTIFACT" names a run's model.
api::ModelRef ParseModelRef(const std::string& text);
// True when `text` names a path that exists (or a checkpoint prefix whose .index does).
bool IsModelPath(const std::string& text);

// The whole `trail model inspect` text: header, architecture, functions, tensor table, notes.
std::string RenderInspection(const api::ModelReport& report);
// The lines `trail show` prints under an artifact from its `model:` summary, each indented.
std::string RenderModelSummary(const Json& summary, const std::string& indent);
// The `trail model diff` text: summary line, architecture changes, changed tensors.
std::string RenderModelDiff(const api::ModelDiffReport& report);

}  // namespace trail::cli
