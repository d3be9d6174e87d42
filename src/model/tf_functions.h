// What TensorFlow names tell about Table 1 functions and parameters: graph ops that are
// activations, losses or optimizer updates, and checkpoint names that are optimizer state.
#pragma once

#include <string>
#include <string_view>

namespace trail::model {

// The Table 1 kind of a graph op ("activation" for Relu, "loss" for
// SparseSoftmaxCrossEntropyWithLogits, "optimizer" for ApplyAdam and its Resource/Sparse forms),
// or "" when the op is none of these.
std::string_view TfOpFunctionKind(std::string_view op);

// False for checkpoint names that are not model parameters: the object graph, optimizer slots
// (TF2 "/.OPTIMIZER_SLOT/", TF1 ".../Adam", ".../Adam_1", ".../Momentum", ...), optimizer state
// ("optimizer/...", "beta1_power"), Keras metrics' state ("keras_api/metrics/..."), "global_step"
// and "save_counter".
bool IsTfParameterName(std::string_view name);

// The optimizer that a checkpoint name reveals, or "" when it reveals none: TF1 slot names
// (".../Adam" -> "Adam", ".../Momentum" -> "Momentum", "beta1_power" -> "Adam") and TF2 slot names
// (".OPTIMIZER_SLOT/optimizer/m" -> "Adam", "momentum" -> "SGD", "rms" -> "RMSprop", ...).
std::string TfOptimizerFromName(std::string_view name);

}  // namespace trail::model
