// libFuzzer's entry for programs that have their own main (SwiftPM executables always do):
// runs the fuzzing loop with `callback` as the test function.
#ifndef FUZZ_CFUZZERDRIVER_H
#define FUZZ_CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
