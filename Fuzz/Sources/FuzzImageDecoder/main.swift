import CFuzzerDriver
import Glibc

// SwiftPM gives every executable its own main, so libFuzzer's is not used: hand the command
// line to libFuzzer's driver with the test function.
var arguments = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &argv, FuzzImageDecoderEntry))
