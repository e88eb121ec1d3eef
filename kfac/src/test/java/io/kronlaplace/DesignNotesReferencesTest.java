package io.kronlaplace;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Javadoc and comments point readers at the design notes in {@code docs/} ("see docs/kfac.md, section Exactness").
 * This check keeps those pointers valid across all modules: every named notes file exists, every named section is a
 * heading of it, and no source refers to design documents that are not part of the repository.
 */
class DesignNotesReferencesTest {
    /** A notes file, optionally followed by ", section Heading" or " (section Heading". */
    private static final Pattern POINTER = Pattern.compile(
            "docs/([A-Za-z0-9_-]+\\.md)(?:(?:,|\\s\\()\\s*section\\s+([A-Z][A-Za-z0-9 -]*))?");
    /** Comment continuation: a line break, the leading '*' of the next Javadoc line or '//' of a line comment. */
    private static final Pattern CONTINUATION = Pattern.compile("\\s*\\R\\s*(?:\\*(?!/)|//)?\\s*");

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("docs"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "no docs/ folder above " + Path.of("").toAbsolutePath());
        return dir;
    }

    private static List<Path> javaSources(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> root.relativize(p).toString().matches("[^/]+/src/.*"))
                    .sorted().collect(Collectors.toList());
        }
    }

    private static List<String> headings(Path notes) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(notes, StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) {
                out.add(line.replaceFirst("^#+\\s*", "").trim());
            }
        }
        return out;
    }

    private static boolean namesHeading(String text, List<String> headings) {
        for (String h : headings) {
            if (text.equals(h) || text.startsWith(h + " ")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void noSourceMentionsTheRemovedDesignDocument() throws IOException {
        Path root = repositoryRoot();
        List<Path> sources = javaSources(root);
        assertFalse(sources.isEmpty(), "no Java sources found under " + root);
        List<String> offenders = new ArrayList<>();
        for (Path p : sources) {
            if (Files.readString(p, StandardCharsets.UTF_8).contains("DESIGN" + ".md")) {
                offenders.add(root.relativize(p).toString());
            }
        }
        assertTrue(offenders.isEmpty(), "point to docs/<notes>.md instead of DESIGN" + ".md in " + offenders);
    }

    @Test
    void everyPointerNamesAnExistingNotesFileAndHeading() throws IOException {
        Path root = repositoryRoot();
        List<String> broken = new ArrayList<>();
        int pointers = 0;
        for (Path p : javaSources(root)) {
            String text = CONTINUATION.matcher(Files.readString(p, StandardCharsets.UTF_8)).replaceAll(" ");
            Matcher m = POINTER.matcher(text);
            while (m.find()) {
                pointers++;
                Path notes = root.resolve("docs").resolve(m.group(1));
                String where = root.relativize(p) + ": " + m.group();
                if (!Files.isRegularFile(notes)) {
                    broken.add(where + " (no such file)");
                } else if (m.group(2) != null && !namesHeading(m.group(2).trim(), headings(notes))) {
                    broken.add(where + " (no such heading in " + m.group(1) + ")");
                }
            }
        }
        assertTrue(pointers > 0, "expected Javadoc pointers into docs/");
        assertTrue(broken.isEmpty(), "broken pointers into docs/: " + broken);
    }

    @Test
    void pointerPatternReadsWrappedJavadoc() {
        String javadoc = "/**\n * exact (see docs/laplace.md, section\n * Hyper-gradients), with the\n */";
        Matcher m = POINTER.matcher(CONTINUATION.matcher(javadoc).replaceAll(" "));
        assertTrue(m.find());
        assertTrue(m.group(2).startsWith("Hyper-gradients"), m.group(2));
        assertTrue(namesHeading(m.group(2).trim(), List.of("Posteriors", "Hyper-gradients")));
        assertFalse(namesHeading("Hyper", List.of("Hyper-gradients")));
    }
}
