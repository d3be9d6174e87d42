#include "model/tf_functions.h"

#include <array>
#include <cctype>

namespace trail::model {
namespace {

constexpr std::array<std::string_view, 14> kActivations = {"Relu",     "Relu6",   "Elu",        "Selu",      "Sigmoid",
                                                           "Tanh",     "Softmax", "LogSoftmax", "LeakyRelu", "Softplus",
                                                           "Softsign", "Gelu",    "Swish",      "Mish"};
constexpr std::array<std::string_view, 6> kLosses = {"SparseSoftmaxCrossEntropyWithLogits",
                                                     "SoftmaxCrossEntropyWithLogits",
                                                     "SigmoidCrossEntropyWithLogits",
                                                     "L2Loss",
                                                     "CTCLoss",
                                                     "CTCLossV2"};
// The algorithm part of TF's training ops: Apply<X>, ResourceApply<X>, SparseApply<X>,
// ResourceSparseApply<X> (tensorflow/core/ops/training_ops.cc).
constexpr std::array<std::string_view, 18> kOptimizerUpdates = {"Adam",
                                                                "AdamWithAmsgrad",
                                                                "GradientDescent",
                                                                "Momentum",
                                                                "KerasMomentum",
                                                                "RMSProp",
                                                                "CenteredRMSProp",
                                                                "Adagrad",
                                                                "AdagradV2",
                                                                "AdagradDA",
                                                                "ProximalAdagrad",
                                                                "ProximalGradientDescent",
                                                                "Adadelta",
                                                                "Ftrl",
                                                                "FtrlV2",
                                                                "AdaMax",
                                                                "AddSign",
                                                                "PowerSign"};

template <size_t N>
bool In(const std::array<std::string_view, N>& list, std::string_view s) {
  for (std::string_view x : list) {
    if (x == s) return true;
  }
  return false;
}

std::string_view LastComponent(std::string_view name) {
  const size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

std::string_view FirstComponent(std::string_view name) { return name.substr(0, name.find('/')); }

// "Adam", "Adam_1", "Adam_12" -> "Adam".
std::string_view WithoutCopyNumber(std::string_view s) {
  const size_t underscore = s.rfind('_');
  if (underscore == std::string_view::npos || underscore + 1 == s.size()) return s;
  for (size_t i = underscore + 1; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return s;
  }
  return s.substr(0, underscore);
}

// TF1 optimizers' slot variables are named "<variable>/<OptimizerName>[_N]".
constexpr std::array<std::string_view, 7> kTf1Slots = {"Adam", "Momentum", "RMSProp",  "Adagrad",
                                                       "Ftrl", "Adadelta", "AdagradDA"};

constexpr std::string_view kSlotMarker = "/.OPTIMIZER_SLOT/";

// The slot name of a TF2 slot variable: "<var>/.OPTIMIZER_SLOT/<optimizer path>/<slot>/.ATTRIBUTES/...".
std::string_view Tf2Slot(std::string_view name) {
  const size_t at = name.find(kSlotMarker);
  if (at == std::string_view::npos) return "";
  std::string_view rest = name.substr(at + kSlotMarker.size());
  const size_t attributes = rest.find("/.ATTRIBUTES/");
  if (attributes != std::string_view::npos) rest = rest.substr(0, attributes);
  return LastComponent(rest);
}

}  // namespace

std::string_view TfOpFunctionKind(std::string_view op) {
  if (In(kActivations, op)) return "activation";
  if (In(kLosses, op)) return "loss";
  for (std::string_view prefix : {"ResourceSparseApply", "ResourceApply", "SparseApply", "Apply"}) {
    if (op.starts_with(prefix) && In(kOptimizerUpdates, op.substr(prefix.size()))) return "optimizer";
  }
  return "";
}

bool IsTfParameterName(std::string_view name) {
  if (name == "_CHECKPOINTABLE_OBJECT_GRAPH") return false;
  if (name.find(kSlotMarker) != std::string_view::npos) return false;
  // Keras metrics' state (count, total) saved with a model.
  if (name.find("keras_api/metrics/") != std::string_view::npos) return false;
  const std::string_view first = FirstComponent(name);
  if (first == "optimizer" || first == "global_step" || first == "save_counter") return false;
  const std::string_view base = WithoutCopyNumber(first);
  if (base == "beta1_power" || base == "beta2_power") return false;
  if (name.find('/') != std::string_view::npos) {
    const std::string_view last = WithoutCopyNumber(LastComponent(name));
    if (In(kTf1Slots, last) || last == "ExponentialMovingAverage") return false;
  }
  return true;
}

std::string TfOptimizerFromName(std::string_view name) {
  const std::string_view slot = Tf2Slot(name);
  if (!slot.empty()) {
    if (slot == "m" || slot == "v" || slot == "vhat") return "Adam";
    if (slot == "momentum") return "SGD";
    if (slot == "rms" || slot == "mg") return "RMSprop";
    if (slot == "accumulator") return "Adagrad";
    if (slot == "accum_grad" || slot == "accum_var") return "Adadelta";
    if (slot == "linear") return "Ftrl";
    return "";
  }
  const std::string_view first = WithoutCopyNumber(FirstComponent(name));
  if (first == "beta1_power" || first == "beta2_power") return "Adam";
  if (name.find('/') == std::string_view::npos) return "";
  const std::string_view last = WithoutCopyNumber(LastComponent(name));
  if (In(kTf1Slots, last)) return std::string(last);
  return "";
}

}  // namespace trail::model
