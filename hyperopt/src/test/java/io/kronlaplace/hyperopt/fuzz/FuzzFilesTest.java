package io.kronlaplace.hyperopt.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bounded mutation fuzz of every reader in the build: no undocumented exception, no state change on failure, no
 * checksummed file accepted with changed content. {@code -Dfuzz.mutations=N} runs more.
 */
class FuzzFilesTest {
    private static final int MUTATIONS = Integer.getInteger("fuzz.mutations", 80);

    @TempDir
    Path dir;

    static Iterable<String> formats() {
        return FuzzFiles.formats();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void mutatedFilesAreRejectedOrReadBackWithoutBugs(String format) throws IOException {
        FuzzFiles.Result r = FuzzFiles.run(format, MUTATIONS, 20, dir);
        System.out.println(format + ": " + r.counts());
        assertEquals(0, r.bugs(), format + " " + r.counts() + " " + r.examples());
        assertTrue(r.counts().getOrDefault(FuzzOutcome.REJECTED, 0) > 0, "mutations reached the reader");
        assertEquals(MUTATIONS, r.counts().values().stream().mapToInt(Integer::intValue).sum());
    }
}
