package io.kronlaplace.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library snippets compile as written. Every {@code ```java} block of README.md becomes the body of one
 * method in a fixed frame: the imports of the library's packages, and fields for the variables the snippets use
 * without declaring them (the network, the data, a MAP predictor). It lives in this module because its test class
 * path holds every other module and Spark, which the snippets use. A snippet that stops compiling after an API change
 * fails this test with the compiler's message and the snippet's number.
 */
class ReadmeSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\R(.*?)```", Pattern.DOTALL);

    /** The frame around the snippets: imports and the free variables, with the types the README implies. */
    private static final String HEADER = String.join("\n",
            "import io.kronlaplace.curvature.*;",
            "import io.kronlaplace.hyperopt.*;",
            "import io.kronlaplace.hyperopt.augment.*;",
            "import io.kronlaplace.io.*;",
            "import io.kronlaplace.laplace.*;",
            "import io.kronlaplace.laplace.predictive.*;",
            "import io.kronlaplace.laplace.tuning.*;",
            "import io.kronlaplace.likelihood.*;",
            "import io.kronlaplace.nn.*;",
            "import io.kronlaplace.nn.models.*;",
            "import io.kronlaplace.optim.*;",
            "import io.kronlaplace.spark.*;",
            "import io.kronlaplace.validation.data.*;",
            "import io.kronlaplace.validation.report.*;",
            "import java.nio.file.Path;",
            "import java.util.List;",
            "import org.nd4j.linalg.api.buffer.DataType;",
            "import org.apache.spark.api.java.JavaSparkContext;",
            "import org.nd4j.linalg.api.ndarray.INDArray;",
            "",
            "abstract class ReadmeSnippets {",
            "    Network net;",
            "    ImageDataset data;",
            "    ImageDataset test;",
            "    double[] eta;",
            "    long totalSteps;",
            "    INDArray images;",
            "    INDArray labels;",
            "    List<Batch> batches;",
            "    List<Batch> trainBatches;",
            "    INDArray testImages;",
            "    ImageDataset testSet;",
            "    ChannelNormalization norm;",
            "    LaplacePosterior la;",
            "    LaplaceOptions options;",
            "    INDArray x;",
            "    INDArray y;",
            "",
            "    abstract INDArray mapProbabilities(INDArray images);",
            "");

    static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private static Path readme() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "README.md not found above " + Path.of("").toAbsolutePath());
        return dir.resolve("README.md");
    }

    @Test
    void everyJavaSnippetOfTheReadmeCompiles(@TempDir Path out) throws IOException {
        List<String> blocks = javaBlocks(Files.readString(readme(), StandardCharsets.UTF_8));
        assertTrue(blocks.size() >= 4, "expected the README's library snippets, found " + blocks.size());
        StringBuilder source = new StringBuilder(HEADER);
        for (int i = 0; i < blocks.size(); i++) {
            source.append("    void snippet").append(i + 1).append("() throws Exception {\n")
                    .append(blocks.get(i)).append("    }\n\n");
        }
        source.append("}\n");

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///ReadmeSnippets.java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        boolean ok;
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            ok = compiler.getTask(null, files, diagnostics,
                    List.of("-proc:none", "-classpath", classPath, "-d", out.toString()), null, List.of(file))
                    .call();
        }
        StringBuilder errors = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.append("\nline ").append(d.getLineNumber()).append(" (").append(snippetAt(source, d))
                        .append("): ").append(d.getMessage(Locale.ROOT));
            }
        }
        assertTrue(ok, "README snippets do not compile:" + errors);
    }

    /** Which snippet a compiler message points into, by the nearest method header above its line. */
    private static String snippetAt(CharSequence source, Diagnostic<?> d) {
        String[] lines = source.toString().split("\n", -1);
        for (long i = Math.min(d.getLineNumber(), lines.length) - 1; i >= 0; i--) {
            Matcher m = Pattern.compile("void (snippet\\d+)\\(").matcher(lines[(int) i]);
            if (m.find()) {
                return m.group(1);
            }
        }
        return "frame";
    }
}
