package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line in a report can be pasted into a shell and gives the same arguments. */
class RunDetailsTest {
    @Test
    void quotesOnlyArgumentsThatNeedIt() {
        assertEquals("kronlaplace train --epochs 3 --out /tmp/run-1 --aug-generators=ROTATION,SHEAR",
                RunDetails.commandLine("kronlaplace", List.of("train", "--epochs", "3", "--out", "/tmp/run-1",
                        "--aug-generators=ROTATION,SHEAR")));
        assertEquals("kronlaplace train --out 'my runs/a' --data-dir 'it'\\''s' ''",
                RunDetails.commandLine("kronlaplace", List.of("train", "--out", "my runs/a", "--data-dir", "it's",
                        "")));
    }
}
