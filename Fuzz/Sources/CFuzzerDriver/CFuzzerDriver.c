// Declarations only (see include/); libFuzzer itself comes from -sanitize=fuzzer.
#include "CFuzzerDriver.h"
