package dev.vos.client.fs;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unmodified third-party code over a vos path: Apache Commons Compress writes a zip archive through a
 * {@code FileChannel} of the path it is given (seeking back to patch each entry's sizes and CRC), and a tar
 * archive through an output stream, and reads both back through its own random-access and stream readers. The
 * archive it writes through the storage domain is byte for byte the one it writes on the default file system.
 */
class ThirdPartyLibraryTest {

    @TempDir
    static Path dir;
    private static StorageDomain domain;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir.resolve("vos"));
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    /** Names and contents: text that compresses, random bytes that do not, one entry larger than a payload chunk. */
    private static Map<String, byte[]> contents() {
        Random random = new Random(2013);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("README.txt", "VirtuOS: exceptionless system calls\n".repeat(500).getBytes());
        byte[] noise = new byte[200_000];
        random.nextBytes(noise);
        files.put("data/noise.bin", noise);
        files.put("data/empty", new byte[0]);
        byte[] big = new byte[1_500_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (random.nextInt(16) + 'a');
        }
        files.put("data/big.txt", big);
        return files;
    }

    private static void writeZip(Path zip, Map<String, byte[]> files) throws IOException {
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                ZipArchiveEntry entry = new ZipArchiveEntry(f.getKey());
                entry.setTime(1_385_000_000_000L); // fixed, so two runs can be compared byte for byte
                entry.setMethod(f.getKey().endsWith(".bin") ? ZipEntry.STORED : ZipEntry.DEFLATED);
                out.putArchiveEntry(entry);
                out.write(f.getValue());
                out.closeArchiveEntry();
            }
        }
    }

    private static Map<String, byte[]> readZip(Path zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
            List<ZipArchiveEntry> entries = new ArrayList<>();
            file.getEntries().asIterator().forEachRemaining(entries::add);
            for (ZipArchiveEntry e : entries) {
                try (InputStream in = file.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }

    @Test
    void commonsCompressZip_writesTheSameBytes_andReadsThemBack() throws IOException {
        Map<String, byte[]> files = contents();
        Path local = dir.resolve("local.zip");
        Path remote = domain.fs().getPath("/archive.zip");
        writeZip(local, files);
        writeZip(remote, files);
        byte[] expected = Files.readAllBytes(local);
        assertArrayEquals(expected, Files.readAllBytes(domain.exportRoot().resolve("archive.zip")),
                "the zip written through the storage domain differs from the one written locally");
        Map<String, byte[]> back = readZip(remote);
        assertEquals(files.keySet(), back.keySet());
        files.forEach((name, bytes) -> assertArrayEquals(bytes, back.get(name), name));
    }

    @Test
    void commonsCompressTar_throughStreams_isByteIdentical() throws IOException {
        Map<String, byte[]> files = contents();
        Path local = dir.resolve("local.tar");
        Path remote = domain.fs().getPath("/archive.tar");
        for (Path tar : List.of(local, remote)) {
            try (OutputStream raw = Files.newOutputStream(tar);
                 TarArchiveOutputStream out = new TarArchiveOutputStream(raw)) {
                out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    TarArchiveEntry entry = new TarArchiveEntry(f.getKey());
                    entry.setSize(f.getValue().length);
                    entry.setModTime(1_385_000_000_000L);
                    out.putArchiveEntry(entry);
                    out.write(f.getValue());
                    out.closeArchiveEntry();
                }
            }
        }
        assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(domain.exportRoot().resolve("archive.tar")));
        int count = 0;
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(remote))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                assertArrayEquals(files.get(e.getName()), in.readAllBytes(), e.getName());
                count++;
            }
        }
        assertEquals(files.size(), count);
        assertTrue(Files.size(remote) > 1_500_000);
    }
}
