package io.kronlaplace.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The one option style of the benchmarks: both spellings, flags, help, and every kind of bad argument named. */
class BenchmarkArgumentsTest {
    private static final Set<String> OPTIONS = Set.of("--batch", "--units", "--sizes");
    private static final Set<String> FLAGS = Set.of("--verbose");

    private static BenchmarkArguments parse(String... args) {
        return BenchmarkArguments.parse(args, OPTIONS, FLAGS);
    }

    private static String rejection(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(args)).getMessage();
    }

    @Test
    void bothSpellingsGiveTheSameValues() {
        for (BenchmarkArguments a : List.of(parse("--batch", "7", "--units", "seconds", "--sizes", "1,2,3"),
                parse("--batch=7", "--units=SECONDS", "--sizes=1,2,3"))) {
            assertEquals(7, a.positiveInt("--batch", 1));
            assertEquals(TimeUnit.SECONDS, a.enumValue("--units", TimeUnit.DAYS, TimeUnit.class));
            assertArrayEquals(new int[] {1, 2, 3}, a.positiveInts("--sizes", 9));
            assertFalse(a.flag("--verbose"));
            assertFalse(a.help());
        }
    }

    @Test
    void absentOptionsTakeTheirDefaultsAndFlagsAndHelpAreSeen() {
        BenchmarkArguments a = parse("--verbose", "-h");
        assertTrue(a.flag("--verbose"));
        assertTrue(a.help());
        assertEquals(4, a.positiveInt("--batch", 4));
        assertEquals(0, a.intAtLeast("--batch", 0, 0));
        assertArrayEquals(new int[] {5, 6}, a.positiveInts("--sizes", 5, 6));
        assertEquals(List.of(TimeUnit.SECONDS, TimeUnit.DAYS), a.enums("--units", "seconds,Days", TimeUnit.class));
        assertTrue(parse("--help").help());
    }

    @Test
    void everyBadArgumentIsRejectedWithItsName() {
        assertTrue(rejection("--bach", "7").contains("unknown option '--bach'"));
        assertTrue(rejection("--bach", "7").contains("--batch"), "the message lists the known options");
        assertTrue(rejection("7").contains("unexpected argument '7'"));
        assertTrue(rejection("--batch").contains("'--batch' needs a value"));
        assertTrue(rejection("--batch", "--verbose").contains("'--batch' needs a value"));
        assertTrue(rejection("--verbose=yes").contains("'--verbose' is a flag"));
        assertTrue(rejection("--batch", "1", "--batch=2").contains("'--batch' is given twice"));
        assertTrue(rejection("--verbose", "--verbose").contains("'--verbose' is given twice"));
        String zero = assertThrows(IllegalArgumentException.class,
                () -> parse("--batch", "0").positiveInt("--batch", 1)).getMessage();
        assertTrue(zero.contains("--batch needs an integer >= 1, got '0'"), zero);
        String list = assertThrows(IllegalArgumentException.class,
                () -> parse("--sizes", "1,x").positiveInts("--sizes")).getMessage();
        assertTrue(list.contains("--sizes needs integers >= 1"), list);
        String unit = assertThrows(IllegalArgumentException.class,
                () -> parse("--units", "fortnights").enumValue("--units", TimeUnit.DAYS, TimeUnit.class))
                .getMessage();
        assertTrue(unit.contains("--units: unknown value 'fortnights'") && unit.contains("SECONDS"), unit);
    }
}
