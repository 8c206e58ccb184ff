package dev.vos.backend.xen.libxl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** On a host without Xen, opening libxl fails at once with one line that says what is missing and what to do. */
class XenUnavailableTest {

    @TempDir
    Path dir;

    @Test
    void open_withoutLibxenlight_namesThePackage() {
        Libxl.Loader missing = new Libxl.Loader() {
            @Override
            public Object xenlight() {
                throw new UnsatisfiedLinkError("libxenlight.so.4.17: cannot open shared object file");
            }

            @Override
            public Object xlutil() {
                throw new AssertionError("not reached");
            }
        };
        XenUnavailableException e = assertThrows(XenUnavailableException.class,
                () -> Libxl.open(missing, dir, dir));
        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().startsWith("libxenlight 4.17 is not installed"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install libxenmisc4.17"), e.getMessage());
    }

    @Test
    void open_withLibxenlightButNoHypervisor_saysSo() throws Exception {
        Files.createDirectories(dir.resolve("proc-xen")); // xenfs not mounted, or not a Xen guest at all
        Libxl.Loader present = new Libxl.Loader() {
            @Override
            public Object xenlight() {
                return stub(NativeLibxl.Xenlight.class);
            }

            @Override
            public Object xlutil() {
                return stub(NativeLibxl.Xlutil.class);
            }
        };
        XenUnavailableException e = assertThrows(XenUnavailableException.class,
                () -> Libxl.open(present, dir.resolve("proc-xen"), dir.resolve("dev-xen")));
        assertOneLine(e.getMessage());
        assertTrue(e.getMessage().startsWith("libxenlight is installed but there is no Xen hypervisor here"),
                e.getMessage());
        assertTrue(e.getMessage().contains("privcmd"), e.getMessage());
    }

    @Test
    void open_onThisHost_failsAtOnce() {
        assumeFalse(Files.exists(Path.of("/proc/xen/privcmd")) || Files.exists(Path.of("/dev/xen/privcmd")),
                "this host is a Xen dom0");
        long t0 = System.nanoTime();
        XenUnavailableException e = assertThrows(XenUnavailableException.class, Libxl::open);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertOneLine(e.getMessage());
        assertTrue(ms < 2_000, "took " + ms + " ms");
        System.out.println("on this host: " + e.getMessage());
    }

    private static void assertOneLine(String message) {
        assertFalse(message.contains("\n"), "more than one line: " + message);
        assertTrue(message.contains("use 'backend: process'"), "says what to do: " + message);
    }

    @SuppressWarnings("unchecked")
    private static <T> T stub(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            throw new AssertionError("no native call expected: " + method.getName());
        });
    }
}
