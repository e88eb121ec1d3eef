package io.kronlaplace.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command-line options of the benchmark entry points, all in one style: {@code --name value} or {@code --name=value}
 * for options with a value, {@code --name} alone for on/off flags, and {@code --help} (or {@code -h}). Every argument
 * must be a known option, so a typing error fails instead of silently running the default benchmark.
 */
public final class BenchmarkArguments {
    private final Map<String, String> values;
    private final Set<String> flagsGiven;
    private final boolean help;

    private BenchmarkArguments(Map<String, String> values, Set<String> flagsGiven, boolean help) {
        this.values = values;
        this.flagsGiven = flagsGiven;
        this.help = help;
    }

    /**
     * Parses {@code args} against the known option names (with their leading dashes), none of them a flag.
     *
     * @param args    the command line
     * @param options the options that take a value
     * @return the parsed options
     * @throws IllegalArgumentException naming the first unknown option, an option without a value, one given twice, or
     *                                  a positional argument
     */
    public static BenchmarkArguments parse(String[] args, Set<String> options) {
        return parse(args, options, Set.of());
    }

    /**
     * Parses {@code args} against the known option and flag names (with their leading dashes).
     *
     * @param args    the command line
     * @param options the options that take a value
     * @param flags   the on/off options that take none
     * @return the parsed options
     * @throws IllegalArgumentException naming the first unknown option, an option without a value, a flag with one,
     *                                  one given twice, or a positional argument
     */
    public static BenchmarkArguments parse(String[] args, Set<String> options, Set<String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> flagsGiven = new TreeSet<>();
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
            boolean duplicate;
            if (flags.contains(name)) {
                if (eq >= 0) {
                    throw new IllegalArgumentException("option '" + name + "' is a flag and takes no value");
                }
                duplicate = !flagsGiven.add(name);
            } else if (options.contains(name)) {
                String value;
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("option '" + name + "' needs a value");
                }
                duplicate = values.put(name, value) != null;
            } else {
                Set<String> known = new TreeSet<>(options);
                known.addAll(flags);
                throw new IllegalArgumentException("unknown option '" + name + "'; known options: " + known
                        + " and --help");
            }
            if (duplicate) {
                throw new IllegalArgumentException("option '" + name + "' is given twice");
            }
        }
        return new BenchmarkArguments(values, flagsGiven, help);
    }

    /**
     * Whether {@code --help} (or {@code -h}) was given.
     *
     * @return true when the usage should be printed instead of running
     */
    public boolean help() {
        return help;
    }

    /**
     * Whether an on/off flag was given.
     *
     * @param name the flag, with its leading dashes
     * @return true when the flag is on the command line
     */
    public boolean flag(String name) {
        return flagsGiven.contains(name);
    }

    /**
     * A positive integer option, or its default.
     *
     * @param name the option, with its leading dashes
     * @param def  the value when the option is absent
     * @return the option's value
     * @throws IllegalArgumentException when the value is not an integer &gt;= 1
     */
    public int positiveInt(String name, int def) {
        return intAtLeast(name, def, 1);
    }

    /**
     * An integer option with a lower bound, or its default.
     *
     * @param name    the option, with its leading dashes
     * @param def     the value when the option is absent
     * @param minimum the smallest valid value
     * @return the option's value
     * @throws IllegalArgumentException when the value is not an integer &gt;= minimum
     */
    public int intAtLeast(String name, int def, int minimum) {
        String v = values.get(name);
        return v == null ? def : atLeast(name, v, v, minimum, "an integer >= " + minimum);
    }

    /**
     * A comma-separated list of positive integers, or the default.
     *
     * @param name the option, with its leading dashes
     * @param def  the values when the option is absent
     * @return the option's values, in the order given
     * @throws IllegalArgumentException when an element is not an integer &gt;= 1
     */
    public int[] positiveInts(String name, int... def) {
        String v = values.get(name);
        if (v == null) {
            return def.clone();
        }
        return Arrays.stream(v.split(","))
                .mapToInt(part -> atLeast(name, part, v, 1, "integers >= 1 separated by commas")).toArray();
    }

    /**
     * A string option, or its default.
     *
     * @param name the option, with its leading dashes
     * @param def  the value when the option is absent
     * @return the option's value
     */
    public String string(String name, String def) {
        return values.getOrDefault(name, def);
    }

    /**
     * A comma-separated list of enum constants (case-insensitive), or the default list.
     *
     * @param <E>  the enum type
     * @param name the option, with its leading dashes
     * @param def  the comma-separated constants when the option is absent
     * @param type the enum class
     * @return the constants in the order given
     * @throws IllegalArgumentException naming the option, the unknown value and the valid constants
     */
    public <E extends Enum<E>> List<E> enums(String name, String def, Class<E> type) {
        List<E> out = new ArrayList<>();
        for (String part : string(name, def).split(",")) {
            out.add(constant(name, part, type));
        }
        return out;
    }

    /**
     * One enum constant (case-insensitive), or the default.
     *
     * @param <E>  the enum type
     * @param name the option, with its leading dashes
     * @param def  the constant when the option is absent
     * @param type the enum class
     * @return the constant given
     * @throws IllegalArgumentException naming the option, the unknown value and the valid constants
     */
    public <E extends Enum<E>> E enumValue(String name, E def, Class<E> type) {
        String v = values.get(name);
        return v == null ? def : constant(name, v, type);
    }

    private static <E extends Enum<E>> E constant(String name, String text, Class<E> type) {
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": unknown value '" + text.trim() + "'; choose from "
                    + Arrays.toString(type.getEnumConstants()), e);
        }
    }

    private static int atLeast(String name, String part, String whole, int minimum, String expected) {
        try {
            int n = Integer.parseInt(part.trim());
            if (n >= minimum) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the option's name
        }
        throw new IllegalArgumentException(name + " needs " + expected + ", got '" + whole + "'");
    }
}
