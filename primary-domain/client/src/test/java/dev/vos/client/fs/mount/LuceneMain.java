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
import java.util.List;
import java.util.Random;

/**
 * A program that knows nothing of vos: Lucene on plain paths ({@code Path.of}), its default directory
 * ({@code FSDirectory.open}, which maps files). Run in a child JVM, with or without vos as the default provider;
 * the merge between its two steps is Lucene's own {@code IndexMergeTool}, run as it is.
 *
 * <pre>
 * build BASE              BASE/a and BASE/b, two hundred documents of random words each, in several segments
 * search DIR WORD...      the hits for each word: id and score, in rank order
 * </pre>
 */
public final class LuceneMain {

    private static final String[] WORDS = {"ring", "domain", "storage", "kernel", "slot", "futex", "page", "path",
        "mount", "index", "segment", "merge"};

    private LuceneMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "build" -> {
                index(Path.of(args[1], "a"), 1);
                index(Path.of(args[1], "b"), 2);
            }
            case "search" -> search(Path.of(args[1]), List.of(args).subList(2, args.length));
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
