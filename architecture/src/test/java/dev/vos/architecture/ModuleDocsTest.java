package dev.vos.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module tables of {@code docs/architecture.md} and the README's "What is here" name every module the build
 * has, with its artifact, and no module it does not have: a reader learns the layout from them, so they may not
 * drift from the poms.
 */
class ModuleDocsTest {

    private static final Path ROOT = Path.of(System.getProperty("vos.repository"));
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern ARTIFACT = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>");
    /** A table row that starts with a module folder and its artifact: "| `folder/` | `artifact` ...". */
    private static final Pattern ROW = Pattern.compile("^\\| `([\\w./-]+)/` \\| `(vos-[\\w-]+)`", Pattern.MULTILINE);

    /** Every module that is not an aggregator of others, as "folder artifact", in reactor order. */
    private static List<String> modules() throws IOException {
        List<String> found = new ArrayList<>();
        collect(Path.of(""), found);
        return found;
    }

    private static void collect(Path folder, List<String> found) throws IOException {
        String pom = Files.readString(ROOT.resolve(folder).resolve("pom.xml"));
        if (!MODULE.matcher(pom).find()) {
            Matcher artifact = ARTIFACT.matcher(pom);
            assertTrue(artifact.find(), folder + "/pom.xml has no artifactId after its parent");
            found.add(folder + " " + artifact.group(1));
        }
        Matcher module = MODULE.matcher(pom);
        while (module.find()) {
            collect(folder.resolve(module.group(1)), found);
        }
    }

    private static List<String> rows(String doc) throws IOException {
        List<String> rows = new ArrayList<>();
        Matcher row = ROW.matcher(Files.readString(ROOT.resolve(doc)));
        while (row.find()) {
            rows.add(row.group(1) + " " + row.group(2));
        }
        return rows;
    }

    @Test
    void architectureDoc_listsEveryModuleWithItsArtifact() throws IOException {
        assertEquals(modules().stream().sorted().toList(), rows("docs/architecture.md").stream().sorted().toList(),
                "docs/architecture.md's module table (folder, artifact) against the poms");
    }

    @Test
    void readme_listsEveryModuleWithItsArtifact() throws IOException {
        List<String> readme = rows("README.md");
        List<String> modules = modules();
        List<String> missing = modules.stream().filter(m -> !readme.contains(m)).toList();
        assertTrue(missing.isEmpty(), "README.md's 'What is here' lacks " + missing);
        List<String> extra = readme.stream().filter(r -> !modules.contains(r)).toList();
        assertTrue(extra.isEmpty(), "README.md's 'What is here' names modules the build does not have: " + extra);
    }
}
