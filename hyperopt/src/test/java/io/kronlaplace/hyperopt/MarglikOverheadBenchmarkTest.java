package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The overhead benchmark's command line: the shared option style, with bad options named before anything runs. */
class MarglikOverheadBenchmarkTest {
    @Test
    void unknownOptionsAndMalformedConfigurationsAreRejected() {
        String typo = assertThrows(IllegalArgumentException.class,
                () -> MarglikOverheadBenchmark.main(new String[] {"--image=64"})).getMessage();
        assertTrue(typo.contains("unknown option '--image'") && typo.contains("--images"), typo);
        String config = assertThrows(IllegalArgumentException.class,
                () -> MarglikOverheadBenchmark.main(new String[] {"--configs", "reduce"})).getMessage();
        assertTrue(config.contains("is not FLAVOUR:S"), config);
        String curvature = assertThrows(IllegalArgumentException.class,
                () -> MarglikOverheadBenchmark.main(new String[] {"--curvature", "hessian"})).getMessage();
        assertTrue(curvature.contains("--curvature: unknown value 'hessian'"), curvature);
        assertTrue(MarglikOverheadBenchmark.USAGE.contains("--aug-batch"));
    }
}
