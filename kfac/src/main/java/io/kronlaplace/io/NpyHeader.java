package io.kronlaplace.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dictionary of a {@code .npy} file, e.g.
 * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}
 * (a Python literal; see the NumPy format specification, {@code numpy.lib.format}).
 *
 * @param descr        the NumPy type string, e.g. {@code "<f4"}
 * @param fortranOrder whether the data are stored column-major
 * @param shape        dimensions; empty for a 0-d array
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    /** The dictionary literal as NumPy writes it (without padding). */
    String format() {
        StringBuilder s = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': ")
                .append(fortranOrder ? "True" : "False").append(", 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]).append(i == 0 && shape.length == 1 ? ",)" : i + 1 < shape.length ? ", " : ")");
        }
        if (shape.length == 0) {
            s.append(')');
        }
        return s.append(", }").toString();
    }

    /** Parses the dictionary literal; {@code source} names the file in error messages. */
    static NpyHeader parse(String text, String source) throws NpyFormatException {
        Map<String, Object> dict = new Parser(text, source).dictionary();
        Object descr = dict.get("descr");
        Object fortran = dict.get("fortran_order");
        Object shape = dict.get("shape");
        if (!(descr instanceof String d) || !(fortran instanceof Boolean f) || !(shape instanceof long[] s)) {
            throw new NpyFormatException(source + ": header must have 'descr' (string), 'fortran_order' (bool) and "
                    + "'shape' (tuple of ints), got " + text.strip());
        }
        if (dict.size() != 3) {
            throw new NpyFormatException(source + ": header has unexpected keys " + dict.keySet());
        }
        return new NpyHeader(d, f, s);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.descr.equals(descr) && h.fortranOrder == fortranOrder
                && Arrays.equals(h.shape, shape);
    }

    @Override
    public int hashCode() {
        return descr.hashCode() * 31 + Arrays.hashCode(shape) + (fortranOrder ? 1 : 0);
    }

    @Override
    public String toString() {
        return format();
    }

    /** A recursive-descent parser for the small subset of Python literals a header uses. */
    private static final class Parser {
        private final String text;
        private final String source;
        private int pos;

        Parser(String text, String source) {
            this.text = text;
            this.source = source;
        }

        Map<String, Object> dictionary() throws NpyFormatException {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            while (peek() != '}') {
                String key = string();
                expect(':');
                if (out.put(key, value()) != null) {
                    throw error("duplicate key '" + key + "'");
                }
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            pos++;
            skipSpace();
            if (pos != text.length()) {
                throw error("unexpected text after the dictionary");
            }
            return out;
        }

        private Object value() throws NpyFormatException {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (text.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            throw error("unsupported value");
        }

        private long[] tuple() throws NpyFormatException {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (peek() != ')') {
                int start = pos;
                while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                    pos++;
                }
                if (start == pos) {
                    throw error("expected a non-negative integer dimension");
                }
                try {
                    dims.add(Long.parseLong(text.substring(start, pos)));
                } catch (NumberFormatException e) {
                    throw error("dimension too large");
                }
                if (peek() == ',') {
                    pos++;
                } else if (peek() != ')') {
                    throw error("expected ',' or ')'");
                }
            }
            pos++;
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        private String string() throws NpyFormatException {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw error("expected a quoted string");
            }
            int end = text.indexOf(quote, pos + 1);
            if (end < 0) {
                throw error("unterminated string");
            }
            String s = text.substring(pos + 1, end);
            pos = end + 1;
            return s;
        }

        private void expect(char c) throws NpyFormatException {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        /** The next non-space character (without consuming it), or 0 at the end. */
        private char peek() {
            skipSpace();
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private NpyFormatException error(String what) {
            return new NpyFormatException(source + ": corrupt header at character " + pos + " (" + what + "): "
                    + text.strip());
        }
    }
}
