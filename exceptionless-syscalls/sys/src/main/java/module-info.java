/**
 * Raw Linux system calls and errno values through FFM ({@code java.lang.foreign}): the bottom of vos, which the
 * ring, the storage domain and the perf counters all use. It calls restricted FFM methods (the linker), so a JVM
 * that runs it on the module path grants it native access: {@code --enable-native-access=dev.vos.sys} (on the
 * class path, {@code ALL-UNNAMED}).
 */
module dev.vos.sys {
    exports dev.vos.sys;
}
