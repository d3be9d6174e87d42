// The paper's Table 1 for one program: the loss, optimization, activation
// and regularization functions its sources use, found by reading them —
// nothing is run or imported.
//
// Names are resolved through each file's imports (import tensorflow as tf;
// from torch import nn; from keras.optimizers import Adam as MyAdam), so
// nn.ReLU counts only where nn is torch.nn, and a class or function the
// file defines at module level hides a framework name it shadows. Comments,
// docstrings and other strings never count; a string counts only as the
// value of a keyword that takes one (loss='mse'), a dict entry under such a
// key, or a known positional slot (Activation('relu')). The spellings and
// their meanings are data: function_table.cc.
#pragma once

#include "base/yaml.h"
#include "context/program_sources.h"

namespace trail::context {

// One entry per (category, name), in the order first found (files in
// ProgramSources order, each top to bottom):
//   [{category: "optimizer", name: "Adam",
//     found: ["tf.keras.optimizers.Adam", "optimizer='adam'"],   // source spellings, at most 5
//     at: ["train.py:42", "model.py:7"]}, ...]                    // at most 5
// Categories: "regression loss", "classification loss", "neural network
// loss", "optimizer", "activation", "regularization". An empty array when
// nothing is found. Never fails: it reads only what FindProgramSources read.
Json ScanFunctions(const ProgramSources& sources);

}  // namespace trail::context
