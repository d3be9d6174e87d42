// The seeds a program sets, found by reading its sources (the function
// scan's tokenizer and import resolution; nothing is run or imported).
//
// A seed call counts when its callee resolves through the file's imports to
// a known seeding function (random.seed, numpy.random.seed/default_rng/
// RandomState, torch.manual_seed, torch.cuda.manual_seed(_all),
// tf.random.set_seed, tf.set_random_seed, keras.utils.set_random_seed,
// lightning's seed_everything, transformers.set_seed, jax.random.PRNGKey,
// trail.seed: the table is in seed_scan.cc), or is the `.seed(...)` method
// of a name the file bound to a random.Random or numpy RandomState instance.
// A `.seed(...)` on any other object is not a seed call. Besides calls, every
// `random_state=` keyword argument counts (scikit-learn's spelling), and a
// bare `seed_everything(...)`, the usual name of a project's own helper.
#pragma once

#include "base/yaml.h"
#include "context/program_sources.h"

namespace trail::context {

// One entry per seed call, in source order (files in ProgramSources order):
//   [{call: "np.random.seed", value: "42", at: "train.py:7"},
//    {call: "random_state", value: "args.seed", at: "train.py:30"}, ...]
// `call` is the callee as the source spells it ("random_state" for the
// keyword), `value` the seed argument's source text with its whitespace
// collapsed, at most 80 bytes (longer is cut and ends in "..."); "" when the
// call passes no seed (seeded from the OS: not reproducible). At most 100
// entries. An empty array when there are none. Never fails.
Json ScanSeeds(const ProgramSources& sources);

}  // namespace trail::context
