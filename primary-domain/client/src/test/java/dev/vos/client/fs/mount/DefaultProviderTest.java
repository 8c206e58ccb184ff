package dev.vos.client.fs.mount;

import dev.vos.client.fs.StorageDomain;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.misc.IndexMergeTool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vos as a JVM's default file system provider, by JVM flags alone, in child JVMs whose programs know nothing of
 * vos: a plain {@code Files.writeString(Path.of(...))} lands in the domain; a bad table serves no path (and, with
 * the client as an agent, stops the JVM before main); and Lucene's own tools run unmodified on plain mounted paths:
 * two indexes built there, merged by {@code IndexMergeTool}, and {@code CheckIndex} passes on the result, which
 * answers searches as the same run on the host's disk does. The mount's prefix is a host path in this test's folder
 * that is never created on the host.
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

    /** The problems of {@link #BAD_TABLE}, as the provider prints them. */
    private static final String BAD_TABLE_PROBLEMS = "vos: the mount table has problems, so no path is served:\n"
            + "-Dvos.mounts:1:1: prefix 'srv/data': not absolute (it must start with '/')\n"
            + "-Dvos.mounts:2:9: domain name 'Storage0': a lower-case letter, then up to 30 lower-case letters,"
            + " digits or '-'\n";
    private static final String BAD_TABLE = "srv/data storage0:/; /srv/x Storage0:/";

    @Test
    void aTableWithProblems_withoutTheAgent_servesNoPath_evenOutsideTheMounts() throws Exception {
        // The JDK builds its default file system on the first use of a path, so main runs; that use, and every
        // later one, fails, and no path is served from half a table (the host's file here is outside the mounts).
        ChildJvm.Run run = ChildJvm.run(ChildJvm.classPath(FirstPathMain.class), ChildJvm.vosFlags(BAD_TABLE),
                FirstPathMain.class.getName(), dir.resolve("host.txt").toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("main ran", "refused java.lang.Error", "refused java.lang.NoClassDefFoundError"),
                run.out());
        assertTrue(run.err().startsWith(BAD_TABLE_PROBLEMS), run.err());
    }

    @Test
    void aTableWithProblems_withTheAgent_stopsTheJvmBeforeMain_withEveryProblem() throws Exception {
        List<String> flags = new ArrayList<>(ChildJvm.vosFlags(BAD_TABLE));
        flags.add("-javaagent:" + agentJar());
        ChildJvm.Run run = ChildJvm.run(ChildJvm.classPath(FirstPathMain.class), flags,
                FirstPathMain.class.getName(), dir.resolve("host.txt").toString());
        assertEquals(MountTableAgent.EXIT_BAD_TABLE, run.exit(), run.err());
        assertEquals(List.of(), run.out(), "main never ran");
        assertEquals(BAD_TABLE_PROBLEMS, run.err(), "the problems, and no stack trace");
    }

    @Test
    void aGoodTable_withTheAgent_runsTheProgram() throws Exception {
        List<String> flags = new ArrayList<>(ChildJvm.vosFlags(table));
        flags.add("-javaagent:" + agentJar());
        ChildJvm.Run run = ChildJvm.run(ChildJvm.classPath(FirstPathMain.class), flags,
                FirstPathMain.class.getName(), dir.resolve("host.txt").toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(List.of("main ran", "size 5", "size 5"), run.out());
        assertEquals("", run.err());
    }

    @Test
    void theAgent_withoutVosAsTheDefaultProvider_stopsTheJvm() throws Exception {
        ChildJvm.Run run = ChildJvm.run(ChildJvm.classPath(FirstPathMain.class), List.of("-javaagent:" + agentJar()),
                FirstPathMain.class.getName(), dir.resolve("host.txt").toString());
        assertEquals(MountTableAgent.EXIT_BAD_TABLE, run.exit(), run.err());
        assertEquals(List.of(), run.out());
        assertTrue(run.err().startsWith("vos: -javaagent reads the mount table"), run.err());
    }

    /**
     * A jar holding only the manifest of the client's jar that makes it an agent ({@code Premain-Class}); the
     * class itself comes from the class path, as it does from the client's jar.
     */
    private static Path agentJar() throws IOException {
        Path jar = dir.resolve("agent.jar");
        if (!Files.exists(jar)) {
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), MountTableAgent.class.getName());
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
                out.finish();
            }
        }
        return jar;
    }

    @Test
    @Timeout(600) // seven child JVMs of Lucene on a shared machine
    void lucene_indexMergeToolAndCheckIndex_onPlainMountedPaths_asOnTheHostsDisk() throws Exception {
        String classPath = ChildJvm.classPath(LuceneMain.class, CheckIndex.class, IndexMergeTool.class);
        List<String> host = luceneRun(classPath, List.of(), dir.resolve("host").toString());
        List<String> mounted = luceneRun(classPath, ChildJvm.vosFlags(table), prefix);
        assertEquals(host, mounted, "the same hits, with the same scores, from the domain's index as from the host's");
        assertTrue(mounted.contains("docs 400 segments 1"), String.join("\n", mounted));

        // Lucene's own CheckIndex, unmodified, on the merged index through its plain path.
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

    /**
     * BASE/a and BASE/b indexed, Lucene's IndexMergeTool (unmodified) merging them into BASE/merged as one segment,
     * then the merged index searched: three JVMs with {@code flags}; the search's lines.
     */
    private static List<String> luceneRun(String classPath, List<String> flags, String base) throws Exception {
        ChildJvm.Run build = ChildJvm.run(classPath, flags, LuceneMain.class.getName(), "build", base);
        assertEquals(0, build.exit(), build.err());
        ChildJvm.Run merge = ChildJvm.run(classPath, flags, IndexMergeTool.class.getName(), "-max-segments", "1",
                base + "/merged", base + "/a", base + "/b");
        assertEquals(0, merge.exit(), merge.out() + merge.err());
        ChildJvm.Run search = ChildJvm.run(classPath, flags, LuceneMain.class.getName(), "search", base + "/merged",
                "ring", "mount", "futex");
        assertEquals(0, search.exit(), search.err());
        return search.out();
    }
}
