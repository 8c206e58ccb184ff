package dev.vos.client.fs.mount;

import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A program that knows nothing of vos: Lucene on plain paths ({@code Path.of}), its default directory
 * ({@code FSDirectory.open}, which maps files). Run in a child JVM, with or without vos as the default provider.
 *
 * <pre>
 * index DIR SEED          two hundred documents of random words, in several segments
 * merge OUT IN...         every input's segments into OUT, merged to one (as Lucene's IndexMergeTool does)
 * search DIR WORD...      the hits for each word: id and score, in rank order
 * all BASE WORD...        BASE/a and BASE/b indexed, merged into BASE/merged, which is searched (one JVM)
 * </pre>
 */
public final class LuceneMain {

    private static final String[] WORDS = {"ring", "domain", "storage", "kernel", "slot", "futex", "page", "path",
        "mount", "index", "segment", "merge"};

    private LuceneMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "index" -> index(Path.of(args[1]), Long.parseLong(args[2]));
            case "merge" -> merge(Path.of(args[1]), List.of(args).subList(2, args.length));
            case "search" -> search(Path.of(args[1]), List.of(args).subList(2, args.length));
            case "all" -> {
                index(Path.of(args[1], "a"), 1);
                index(Path.of(args[1], "b"), 2);
                merge(Path.of(args[1], "merged"), List.of(args[1] + "/a", args[1] + "/b"));
                search(Path.of(args[1], "merged"), List.of(args).subList(2, args.length));
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void index(Path dir, long seed) throws Exception {
        Random random = new Random(seed);
        try (Directory d = FSDirectory.open(dir);
             IndexWriter w = new IndexWriter(d, new IndexWriterConfig(new StandardAnalyzer()).setMaxBufferedDocs(50))) {
            for (int i = 0; i < 200; i++) {
                StringBuilder text = new StringBuilder();
                for (int j = 0; j < 20; j++) {
                    text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
                }
                Document doc = new Document();
                doc.add(new StringField("id", seed + "-" + i, Field.Store.YES));
                doc.add(new TextField("body", text.toString(), Field.Store.NO));
                w.addDocument(doc);
            }
            w.commit();
        }
        System.out.println("indexed " + dir);
    }

    private static void merge(Path out, List<String> inputs) throws Exception {
        List<Directory> dirs = new ArrayList<>();
        try (Directory target = FSDirectory.open(out);
             IndexWriter w = new IndexWriter(target, new IndexWriterConfig(null)
                     .setOpenMode(IndexWriterConfig.OpenMode.CREATE))) {
            for (String in : inputs) {
                dirs.add(FSDirectory.open(Path.of(in)));
            }
            w.addIndexes(dirs.toArray(Directory[]::new));
            w.forceMerge(1);
            w.commit();
        } finally {
            for (Directory d : dirs) {
                d.close();
            }
        }
        System.out.println("merged " + inputs + " into " + out);
    }

    private static void search(Path dir, List<String> words) throws Exception {
        try (Directory d = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(d)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            StoredFields stored = searcher.storedFields();
            System.out.println("docs " + reader.numDocs() + " segments " + reader.leaves().size());
            for (String word : words) {
                StringBuilder line = new StringBuilder(word).append(':');
                for (ScoreDoc hit : searcher.search(new TermQuery(new Term("body", word)), 10).scoreDocs) {
                    line.append(' ').append(stored.document(hit.doc).get("id")).append('=').append(hit.score);
                }
                System.out.println(line);
            }
        }
    }
}
