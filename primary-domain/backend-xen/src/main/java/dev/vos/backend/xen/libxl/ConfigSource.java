package dev.vos.backend.xen.libxl;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The settings of an xl.cfg file, by name, as xl's parser typed them. */
public interface ConfigSource {

    /** The file they came from, for messages. */
    Path file();

    /** A string setting ({@code kernel = "/boot/vmlinuz"}). */
    Optional<String> string(String name) throws LibxlException;

    /** A number setting ({@code memory = 128}). */
    Optional<Long> number(String name) throws LibxlException;

    /** A list setting ({@code disk = [ "..." ]}). */
    Optional<List<String>> list(String name) throws LibxlException;

    /** Whether the setting is there at all, whatever its type. */
    boolean has(String name);
}
