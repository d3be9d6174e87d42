#include "record/models.h"

namespace trail::record {

const Json* PrimaryModelArtifact(const Json& record) {
  auto artifacts = record.find("artifacts");
  if (artifacts == record.end() || !artifacts->is_array()) return nullptr;
  const Json* best = nullptr;
  double best_parameters = -1;
  for (const Json& a : *artifacts) {
    if (!a.is_object()) continue;
    auto model = a.find("model");
    if (model == a.end() || !model->is_object() || model->contains("error")) continue;
    auto p = model->find("parameters");
    // Records from other clones are untrusted: a summary without a numeric count counts as 0.
    const double parameters = p != model->end() && p->is_number() ? p->get<double>() : 0;
    if (parameters > best_parameters) {
      best = &a;
      best_parameters = parameters;
    }
  }
  return best;
}

}  // namespace trail::record
