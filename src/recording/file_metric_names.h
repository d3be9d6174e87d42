// How metrics read from files are named when several sources would give the same names.
//
// A source is one run's worth of files: a TensorBoard run folder (its event files, including
// those in its train/ and validation/ split folders) or one CSV log. On its own a source names
// its metrics as it always has ("train/epoch_loss", "val_loss"). A program that writes several
// runs (logs/Exp_0_adam/train/..., logs/Exp_2_sgd/train/..., as the TensorBoard HParams tutorial
// does) would then put two runs' points into one series with duplicate steps, so sources whose
// names collide are told apart by where they lie: each gets its id relative to the common parent
// of the colliding sources as a prefix ("Exp_0_adam/train/epoch_loss"). Sources that collide
// with none, such as the single-run layout logs/train + logs/validation, keep their names.
#pragma once

#include <string>
#include <vector>

namespace trail {

struct NamedSource {
  std::string id;                 // '/'-separated path relative to the run's folder; "" for the folder
  std::vector<std::string> keys;  // the names the source gives its metrics on its own
};

// Per source, "" or the prefix ("Exp_0_adam/") that keeps its names apart from the others'.
std::vector<std::string> DistinguishingPrefixes(const std::vector<NamedSource>& sources);

}  // namespace trail
