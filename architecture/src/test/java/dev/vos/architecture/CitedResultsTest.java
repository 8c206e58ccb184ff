package dev.vos.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every raw result a document cites is in {@code benchmarks/results/}: a figure in {@code docs/} or a README is only
 * as good as the lines it was read from, and a reader must be able to open them. A citation is a path under
 * {@code benchmarks/results/}, or a result file's bare name in backticks ({@code `net-20261206-025710.md`}). A name
 * that ends in a dash or says {@code STAMP} is a pattern (what a script writes), not a citation.
 */
class CitedResultsTest {

    private static final Path ROOT = Path.of(System.getProperty("vos.repository"));
    private static final Path RESULTS = Path.of("benchmarks", "results");
    private static final String EXTENSIONS = "(?:md|txt|tsv|csv|svg|json|log)";
    private static final Pattern PATH = Pattern.compile("benchmarks/results/([\\w.-]+)");
    private static final Pattern BARE = Pattern.compile("`([a-z][a-z0-9-]*-20\\d{6}-[\\w.-]*\\." + EXTENSIONS + ")`");
    private static final Pattern FILE = Pattern.compile("[\\w.-]+\\." + EXTENSIONS);

    /** The documents a reader takes figures from: docs/*.md and every README.md outside build output. */
    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>();
        try (Stream<Path> all = Files.walk(ROOT)) {
            all.filter(p -> p.getFileName().toString().equals("README.md") || isDoc(p))
                    .filter(p -> !ROOT.relativize(p).toString().contains("target/"))
                    .filter(p -> !ROOT.relativize(p).startsWith(".git"))
                    .forEach(docs::add);
        }
        return docs;
    }

    private static boolean isDoc(Path p) {
        Path parent = ROOT.relativize(p).getParent();
        return parent != null && parent.toString().equals("docs") && p.toString().endsWith(".md");
    }

    /** The result files {@code text} cites, by name. */
    static TreeSet<String> cited(String text) {
        TreeSet<String> names = new TreeSet<>();
        Matcher path = PATH.matcher(text);
        while (path.find()) {
            String name = path.group(1).replaceAll("\\.$", ""); // a sentence's full stop after the path
            if (FILE.matcher(name).matches() && !name.contains("STAMP")) {
                names.add(name);
            }
        }
        Matcher bare = BARE.matcher(text);
        while (bare.find()) {
            names.add(bare.group(1));
        }
        return names;
    }

    @Test
    void everyCitedResult_isInTheRepository() throws IOException {
        List<String> missing = new ArrayList<>();
        int citations = 0;
        for (Path doc : documents()) {
            for (String name : cited(Files.readString(doc))) {
                citations++;
                if (!Files.isRegularFile(ROOT.resolve(RESULTS).resolve(name))) {
                    missing.add(ROOT.relativize(doc) + " cites " + name);
                }
            }
        }
        assertTrue(citations > 50, "the documents cite " + citations + " results: the patterns no longer match them");
        assertTrue(missing.isEmpty(), "results cited but not in " + RESULTS + ": " + missing);
    }

    @Test
    void citations_areFoundInBothForms_andPatternsAreNot() {
        TreeSet<String> names = cited("""
                raw lines: `benchmarks/results/storage-20261207-0936-lone-writer-waits.txt`; the script's
                `net-20261206-025710.md`, and benchmarks/results/recovery-20261207-105904.md. It writes
                `benchmarks/results/xen-lab-STAMP.md`, and benchmarks/results/paired-<date>.tsv.
                """);
        assertTrue(names.contains("storage-20261207-0936-lone-writer-waits.txt"), names.toString());
        assertTrue(names.contains("net-20261206-025710.md"), names.toString());
        assertTrue(names.contains("recovery-20261207-105904.md"), names.toString());
        assertFalse(names.stream().anyMatch(n -> n.contains("STAMP") || n.startsWith("paired")), names.toString());
    }
}
