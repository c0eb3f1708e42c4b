// Declarations only (see include/FuzzDriver.h); this file makes the C target non-empty.
#include "FuzzDriver.h"
