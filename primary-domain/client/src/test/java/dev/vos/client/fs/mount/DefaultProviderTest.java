package dev.vos.client.fs.mount;

import dev.vos.client.fs.StorageDomain;
import org.apache.lucene.index.CheckIndex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vos as a JVM's default file system provider, by JVM flags alone, in child JVMs whose programs know nothing of
 * vos: a plain {@code Files.writeString(Path.of(...))} lands in the domain, and Lucene's own {@code CheckIndex}
 * passes on an index built and merged through plain mounted paths, which answers searches as the same index on the
 * host's disk does. The mount's prefix is a host path in this test's folder that is never created on the host.
 */
@Timeout(300)
class DefaultProviderTest {

    @TempDir
    static Path dir;
    private static StorageDomain domain;
    private static String prefix;
    private static String table;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir.resolve("vos"));
        Files.createDirectories(domain.exportRoot().resolve("mounted"));
        prefix = dir.resolve("srv/data").toString();
        table = prefix + " storage0:/mounted stateDir=" + domain.plane().stateDir();
        Files.writeString(dir.resolve("host.txt"), "12345");
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    @Test
    void plainPaths_underTheMount_areServedByTheDomain_otherPathsByTheHost() throws Exception {
        ChildJvm.Run run = ChildJvm.run(ChildJvm.classPath(PlainPathsMain.class), ChildJvm.vosFlags(table),
                PlainPathsMain.class.getName(), prefix, dir.resolve("host.txt").toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("provider=" + MountedFileSystemProvider.class.getName(),
                "path=" + MountedPath.class.getName(), "read=hello from a plain path", "store=vos://storage0",
                "host=5"), run.out());
        assertEquals("hello from a plain path\n",
                Files.readString(domain.exportRoot().resolve("mounted/hello.txt")));
        assertFalse(Files.exists(Path.of(prefix)), "nothing was written on the host beneath the mount");
    }

    @Test
    void aTableWithProblems_stopsTheJvm_withEveryProblem() throws Exception {
        ChildJvm.Run run = ChildJvm.run(ChildJvm.classPath(PlainPathsMain.class),
                ChildJvm.vosFlags("srv/data storage0:/; /srv/x Storage0:/"), PlainPathsMain.class.getName(), prefix,
                dir.resolve("host.txt").toString());
        assertNotEquals(0, run.exit());
        assertTrue(run.err().contains("-Dvos.mounts:1:1: prefix 'srv/data': not absolute (it must start with '/')\n"
                + "-Dvos.mounts:2:9: domain name 'Storage0'"), run.err());
        assertEquals(List.of(), run.out(), "the program did nothing with a half-read table");
        assertFalse(Files.exists(Path.of(prefix, "hello.txt")));
    }

    @Test
    void lucene_indexesMergesAndChecks_onPlainMountedPaths_asOnTheHostsDisk() throws Exception {
        String classPath = ChildJvm.classPath(LuceneMain.class, CheckIndex.class);
        ChildJvm.Run host = ChildJvm.run(classPath, List.of(), LuceneMain.class.getName(), "all",
                dir.resolve("host").toString(), "ring", "mount", "futex");
        assertEquals(0, host.exit(), host.err());
        ChildJvm.Run mounted = ChildJvm.run(classPath, ChildJvm.vosFlags(table), LuceneMain.class.getName(), "all",
                prefix, "ring", "mount", "futex");
        assertEquals(0, mounted.exit(), mounted.err());
        assertEquals(host.out().subList(3, host.out().size()), mounted.out().subList(3, mounted.out().size()),
                "the same hits, with the same scores, from the domain's index as from the host's");
        assertTrue(mounted.out().contains("docs 400 segments 1"), String.join("\n", mounted.out()));

        // Lucene's own tool, unmodified, on the merged index through its plain path.
        ChildJvm.Run check = ChildJvm.run(classPath, ChildJvm.vosFlags(table), CheckIndex.class.getName(),
                prefix + "/merged");
        assertEquals(0, check.exit(), check.out() + check.err());
        assertTrue(check.out().contains("No problems were detected with this index."), String.join("\n", check.out()));
        try (Stream<Path> files = Files.list(domain.exportRoot().resolve("mounted/merged"))) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("segments_")),
                    "the merged index is in the domain's export root");
        }
        assertFalse(Files.exists(Path.of(prefix)), "nothing was written on the host beneath the mount");
    }
}
