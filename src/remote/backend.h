// The Backend interface is public, for backend authors: its canonical definition is
// include/trail/sys/backend.h. The folder and S3 backends of this layer implement it.
#pragma once

#include "trail/sys/backend.h"
