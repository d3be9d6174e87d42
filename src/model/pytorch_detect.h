// Recognising PyTorch files that libzip cannot open: a torch.save or torch.jit.save zip cut short
// (its central directory, at the end, is gone) and the legacy pre-1.6 torch.save stream (a bare
// pickle stream that begins with torch's magic number). Used by format detection
// (open_model.cc) and by pytorch.cc to say what is wrong.
#pragma once

#include <string>
#include <string_view>

#include "model/random_file.h"

namespace trail::model {

// True when `head` (the first bytes of a file; 32 are enough) is the pickled magic number
// 0x1950a86a20f9469cfc6c that torch.save wrote first before PyTorch 1.6, under any pickle
// protocol from 2 (an optional FRAME, then LONG1 of 10 bytes).
bool IsLegacyTorchSave(std::string_view head);

// The member name of the local file header at offset 0 ("archive/data.pkl"), "" when the file
// does not start with one or the name does not fit in the file. Untrusted: compare, never a path.
std::string FirstZipEntryName(const RandomFile& file);

// True when the end-of-central-directory record's signature ("PK\5\6") lies in the last 64 KB +
// 22 bytes of the file, where the zip format puts it.
bool HasZipEndRecord(const RandomFile& file);

}  // namespace trail::model
