package dev.vos.bench.storage;

import dev.vos.client.fs.VosFileSystemProvider;
import dev.vos.ring.client.WaitStrategy;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.NIOFSDirectory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Lucene's directory workload: index {@value #DOCS} small documents (an id and ten words of a 2,000-word vocabulary)
 * with a commit every {@value #COMMIT_EVERY}, then run {@value #QUERIES} two-term queries for the top 10, all through
 * an {@link NIOFSDirectory} (FileChannel reads and writes, no mapping) of the default file system
 * ({@code --target native}) or of a {@code vos://} path over a storage domain ({@code --target vos}, one worker
 * busy-polling on CPU 1; with {@code --domain-idle-spin-us N} it polls an empty queue for N us and then sleeps until
 * a call rings it, which gives CPU 1 back to Lucene's merge thread, the JIT and the GC while the domain is idle). A
 * warm-up run of a fifth of the size first (the JIT), then the measured run, each in a fresh directory. A row per
 * run: seconds to index and commit, seconds to query, and the total; the target is {@code vos-idle-N} for a domain
 * that sleeps.
 *
 * <p>That first full run is a cold figure: the JIT is still compiling Lucene (and, on vos, the client's own path)
 * through it, on whatever CPU the application has. With {@code --steady-runs N} the same JVM goes on with N more
 * full runs, each in a fresh directory deleted after it, and writes a second row, {@code NAME-steady}: the run whose
 * total is the median of the last {@value #STEADY_TAIL} (the JIT's steady state, as a benchmark harness's measured
 * iterations after its warm-up ones).
 *
 * <pre>usage: LuceneWorkload --target native|vos [--domain-idle-spin-us N] [--name ROW-NAME] [--steady-runs N]
 *                      [--out FILE.tsv]</pre>
 *
 * {@code --name} names the row instead (the sitting runs vos with the whole JVM kept on CPU 0 by {@code taskset}, so
 * that no thread of Lucene's shares CPU 1 with the domain's busy-polling worker, and names it so).
 */
public final class LuceneWorkload {

    /** The TSV columns. */
    public static final String HEADER = "target\tdocs\tqueries\tindexS\tqueryS\ttotalS\ttime";
    static final int DOCS = 20_000;
    static final int COMMIT_EVERY = 2_000;
    static final int QUERIES = 1_000;
    /** How many of the last steady runs the steady row's median is taken from. */
    static final int STEADY_TAIL = 5;
    private static final int VOCABULARY = 2_000;

    private LuceneWorkload() {
    }

    public static void main(String[] args) throws Exception {
        String target = null;
        Path out = null;
        Duration idleSpin = null;
        String rowName = null;
        int steadyRuns = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--target" -> target = args[i + 1];
                case "--out" -> out = Path.of(args[i + 1]);
                case "--name" -> rowName = args[i + 1];
                case "--steady-runs" -> steadyRuns = Integer.parseInt(args[i + 1]);
                case "--domain-idle-spin-us" -> idleSpin = Duration.ofNanos(Long.parseLong(args[i + 1]) * 1_000);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!"native".equals(target) && !"vos".equals(target)) {
            throw new IllegalArgumentException("--target native|vos is required");
        }
        if (steadyRuns != 0 && steadyRuns < STEADY_TAIL) {
            throw new IllegalArgumentException("--steady-runs takes 0 or at least " + STEADY_TAIL);
        }
        Path scratch = Files.createTempDirectory("vos-bench-lucene");
        try {
            Path export = Files.createDirectories(scratch.resolve("export"));
            boolean vos = target.equals("vos");
            try (StorageDomain domain = vos ? StorageDomain.start(export, StorageDomain.GEOMETRY,
                    WaitStrategy.spinThenPark(Duration.ofNanos(50_000)), 1, Integer.toString(StorageDomain.SERVER_CPU),
                    idleSpin)
                    : null;
                 FileSystem vosFs = vos ? new VosFileSystemProvider().newFileSystem(URI.create("vos://bench-lucene/"),
                         Map.of(VosFileSystemProvider.ENV_CALL_SOURCE, domain.ring())) : null) {
                Path root = vos ? vosFs.getPath("/") : export;
                run(root.resolve("warmup"), DOCS / 5, QUERIES / 5);
                double[] t = run(root.resolve("measured"), DOCS, QUERIES);
                String name = rowName != null ? rowName
                        : vos && idleSpin != null ? "vos-idle-" + idleSpin.toNanos() / 1_000 : target;
                write(out, name, t);
                if (steadyRuns > 0) {
                    write(out, name + "-steady", steady(root, steadyRuns));
                }
            }
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * Runs the full workload {@code runs} more times, each in a fresh directory deleted after it, and returns the
     * run whose total is the median of the last {@value #STEADY_TAIL}.
     */
    private static double[] steady(Path root, int runs) throws IOException {
        List<double[]> tail = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Path dir = root.resolve("steady-" + i);
            double[] t = run(dir, DOCS, QUERIES);
            deleteTree(dir);
            System.out.println("steady run " + (i + 1) + " of " + runs + ": " + f(t[0] + t[1]) + " s");
            if (i >= runs - STEADY_TAIL) {
                tail.add(t);
            }
        }
        tail.sort(Comparator.comparingDouble(t -> t[0] + t[1]));
        return tail.get(tail.size() / 2);
    }

    private static void write(Path out, String name, double[] t) throws IOException {
        String row = String.join("\t", name, Integer.toString(DOCS), Integer.toString(QUERIES),
                f(t[0]), f(t[1]), f(t[0] + t[1]), Instant.now().toString());
        System.out.println(row.replace('\t', ' '));
        if (out != null) {
            if (!Files.exists(out) || Files.size(out) == 0) {
                Files.writeString(out, HEADER + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            Files.writeString(out, row + "\n", StandardOpenOption.APPEND);
        }
    }

    /** Indexes {@code docs} documents and runs {@code queries} queries in {@code dir}; seconds of each phase. */
    private static double[] run(Path dir, int docs, int queries) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(20_000);
        long t0 = System.nanoTime();
        try (Directory directory = new NIOFSDirectory(dir);
             IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(new StandardAnalyzer()))) {
            StringBuilder body = new StringBuilder();
            for (int d = 0; d < docs; d++) {
                body.setLength(0);
                for (int w = 0; w < 10; w++) {
                    body.append(word(random.nextInt(VOCABULARY))).append(' ');
                }
                Document doc = new Document();
                doc.add(new StringField("id", Integer.toString(d), Field.Store.YES));
                doc.add(new TextField("body", body.toString(), Field.Store.YES));
                writer.addDocument(doc);
                if ((d + 1) % COMMIT_EVERY == 0) {
                    writer.commit();
                }
            }
            writer.commit();
        }
        long t1 = System.nanoTime();
        long hits = 0;
        try (Directory directory = new NIOFSDirectory(dir);
             DirectoryReader reader = DirectoryReader.open(directory)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            for (int q = 0; q < queries; q++) {
                BooleanQuery query = new BooleanQuery.Builder()
                        .add(term(random), BooleanClause.Occur.SHOULD)
                        .add(term(random), BooleanClause.Occur.SHOULD)
                        .build();
                hits += searcher.search(query, 10).scoreDocs.length;
                if (q % 10 == 0) {
                    hits += searcher.storedFields().document(random.nextInt(docs)).getField("id") != null ? 1 : 0;
                }
            }
        }
        long t2 = System.nanoTime();
        if (hits == 0) {
            throw new IllegalStateException("no query found anything: the index is empty");
        }
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9};
    }

    private static TermQuery term(SplittableRandom random) {
        return new TermQuery(new Term("body", word(random.nextInt(VOCABULARY))));
    }

    private static String word(int n) {
        return "w" + Integer.toString(n * 7919 % 100_003, 36);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
