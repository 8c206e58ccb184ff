package dev.vos.backend.xen.libxl;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An xl.cfg file as libxlutil reads it ({@code xlu_cfg_readfile}): the same syntax, quoting, lists and errors as
 * {@code xl create}. What the settings mean is up to the caller ({@code xl} turns them into a domain config in its
 * own code, not in a library; vos does it in {@code GuestConfig}).
 */
public final class XlConfigFile implements ConfigSource, AutoCloseable {

    private static final int ESRCH = 3;

    private final NativeLibxl.Xlutil xlu;
    private final NativeLibxl.LibC libc;
    private final Path file;
    // glibc writes the memory stream's buffer address and size through these two at every flush and at fclose:
    // they must live as long as the stream (a temporary here once let the collector free one, and fclose then
    // corrupted the heap: "malloc(): unaligned tcache chunk detected").
    private final PointerByReference reportBuffer;
    private final NativeLongByReference reportSize;
    private Pointer report;
    private Pointer cfg;

    private XlConfigFile(NativeLibxl.Xlutil xlu, NativeLibxl.LibC libc, Path file, PointerByReference reportBuffer,
                         NativeLongByReference reportSize, Pointer report, Pointer cfg) {
        this.xlu = xlu;
        this.libc = libc;
        this.file = file;
        this.reportBuffer = reportBuffer;
        this.reportSize = reportSize;
        this.report = report;
        this.cfg = cfg;
    }

    static XlConfigFile read(NativeLibxl.Xlutil xlu, NativeLibxl.LibC libc, Path file) throws LibxlException {
        PointerByReference buffer = new PointerByReference();
        NativeLongByReference size = new NativeLongByReference(new NativeLong(0));
        Pointer report = libc.open_memstream(buffer, size);
        if (report == null) {
            throw new LibxlException("open_memstream failed (out of memory?)", LibxlLayout.ERROR_NOMEM);
        }
        Pointer cfg = xlu.xlu_cfg_init(report, file.toString());
        XlConfigFile config = new XlConfigFile(xlu, libc, file, buffer, size, report, cfg);
        if (cfg == null) {
            config.close();
            throw new LibxlException("xlu_cfg_init failed (out of memory?)", LibxlLayout.ERROR_NOMEM);
        }
        int rc = xlu.xlu_cfg_readfile(cfg, file.toString());
        if (rc != 0) {
            String why = config.closeReport().strip().replace('\n', ';');
            config.close();
            throw new LibxlException("xl.cfg " + file + " is not valid: " + (why.isEmpty() ? "errno " + rc : why), rc);
        }
        return config;
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public Optional<String> string(String name) throws LibxlException {
        PointerByReference value = new PointerByReference();
        int rc = xlu.xlu_cfg_get_string(cfg, name, value, 1);
        if (rc == ESRCH) {
            return Optional.empty();
        }
        if (rc != 0) {
            throw new LibxlException(file + ": '" + name + "' must be a string", rc);
        }
        return Optional.of(value.getValue().getString(0, StandardCharsets.UTF_8.name()));
    }

    @Override
    public Optional<Long> number(String name) throws LibxlException {
        NativeLongByReference value = new NativeLongByReference();
        int rc = xlu.xlu_cfg_get_long(cfg, name, value, 1);
        if (rc == ESRCH) {
            return Optional.empty();
        }
        if (rc != 0) {
            throw new LibxlException(file + ": '" + name + "' must be a number", rc);
        }
        return Optional.of(value.getValue().longValue());
    }

    @Override
    public boolean has(String name) {
        PointerByReference s = new PointerByReference();
        if (xlu.xlu_cfg_get_string(cfg, name, s, 1) != ESRCH) {
            return true;
        }
        return xlu.xlu_cfg_get_list(cfg, name, new PointerByReference(), new IntByReference(), 1) != ESRCH;
    }

    @Override
    public Optional<List<String>> list(String name) throws LibxlException {
        PointerByReference list = new PointerByReference();
        IntByReference count = new IntByReference();
        int rc = xlu.xlu_cfg_get_list(cfg, name, list, count, 1);
        if (rc == ESRCH) {
            return Optional.empty();
        }
        if (rc != 0) {
            throw new LibxlException(file + ": '" + name + "' must be a list", rc);
        }
        List<String> items = new ArrayList<>();
        for (int i = 0; i < count.getValue(); i++) {
            items.add(xlu.xlu_cfg_get_listitem(list.getValue(), i));
        }
        return Optional.of(items);
    }

    private String closeReport() {
        if (report == null) {
            return "";
        }
        libc.fclose(report);
        report = null;
        Pointer text = reportBuffer.getValue();
        long length = reportSize.getValue().longValue();
        if (text == null) {
            return "";
        }
        try {
            return new String(text.getByteArray(0, (int) Math.min(length, 64 * 1024)), StandardCharsets.UTF_8);
        } finally {
            libc.free(text);
        }
    }

    @Override
    public void close() {
        if (cfg != null) {
            xlu.xlu_cfg_destroy(cfg);
            cfg = null;
        }
        closeReport();
    }
}
