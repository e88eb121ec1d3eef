package io.kronlaplace.laplace;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command-line options of a benchmark entry point in one style, {@code --name value} or {@code --name=value}, plus
 * {@code --help}: every argument must be a known option with a value, so a typing error fails instead of silently
 * running the default benchmark.
 */
final class BenchmarkArguments {
    private final Map<String, String> values;
    private final boolean help;

    private BenchmarkArguments(Map<String, String> values, boolean help) {
        this.values = values;
        this.help = help;
    }

    /**
     * Parses {@code args} against the known option names (with their leading dashes).
     *
     * @throws IllegalArgumentException naming the first unknown option, an option without a value, one given twice, or
     *                                  a positional argument
     */
    static BenchmarkArguments parse(String[] args, Set<String> known) {
        Map<String, String> values = new LinkedHashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': options are --name value "
                        + "(see --help)");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "'; known options: "
                        + new TreeSet<>(known) + " and --help");
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("option '" + name + "' needs a value");
            }
            if (values.put(name, value) != null) {
                throw new IllegalArgumentException("option '" + name + "' is given twice");
            }
        }
        return new BenchmarkArguments(values, help);
    }

    /** Whether {@code --help} (or {@code -h}) was given. */
    boolean help() {
        return help;
    }

    /**
     * A positive integer option, or its default.
     *
     * @throws IllegalArgumentException when the value is not an integer >= 1
     */
    int positiveInt(String name, int def) {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the option's name
        }
        throw new IllegalArgumentException(name + " needs an integer >= 1, got '" + v + "'");
    }

    /**
     * A comma-separated list of positive integers, or the default.
     *
     * @throws IllegalArgumentException when an element is not an integer >= 1
     */
    int[] positiveInts(String name, int... def) {
        String v = values.get(name);
        if (v == null) {
            return def.clone();
        }
        return Arrays.stream(v.split(",")).mapToInt(part -> {
            try {
                int n = Integer.parseInt(part.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below with the option's name
            }
            throw new IllegalArgumentException(name + " needs integers >= 1 separated by commas, got '" + v + "'");
        }).toArray();
    }

    /** A string option, or its default. */
    String string(String name, String def) {
        return values.getOrDefault(name, def);
    }
}
