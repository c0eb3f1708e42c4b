// libFuzzer's driver entry point (compiler-rt, linked by -sanitize=fuzzer). SwiftPM names an
// executable's entry point <module>_main and links `main` to it, which replaces libFuzzer's own
// main: each fuzz target defines LLVMFuzzerTestOneInput (FuzzerMain.o, pulled in whole, refers to it)
// and its <module>_main hands control to this driver.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
