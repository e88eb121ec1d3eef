package io.kronlaplace.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file: a strict parser for exactly the subset the format uses (one object whose
 * members are tensor entries {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}} and an optional
 * {@code "__metadata__"} object of strings), and the matching writer. Anything else (other value types, unknown or
 * repeated keys, fractions, signs, trailing content other than the spaces writers pad with) is rejected with the
 * character offset, so a damaged header never reads as a plausible one.
 */
final class SafetensorsHeader {
    /** The header member holding free-form string metadata. */
    static final String METADATA = "__metadata__";
    /** ND4J's largest rank; higher ranks cannot be represented. */
    static final int MAX_RANK = 32;

    /** One tensor entry, offsets relative to the start of the data section. */
    record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
    }

    private final List<Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsHeader(List<Entry> entries, Map<String, String> metadata) {
        this.entries = entries;
        this.metadata = metadata;
    }

    /** The tensor entries in header order. */
    List<Entry> entries() {
        return entries;
    }

    /** The {@code __metadata__} strings in header order (empty when absent). */
    Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Parses a header.
     *
     * @param source names the file in error messages
     * @throws SafetensorsFormatException on anything but the strict subset described in the class comment
     */
    static SafetensorsHeader parse(String text, String source) throws SafetensorsFormatException {
        return new Parser(text, source).header();
    }

    /** The JSON text of a header with these metadata strings and entries, without padding. */
    static String format(Map<String, String> metadata, List<Entry> entries) {
        StringBuilder out = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            quote(out, METADATA).append(":{");
            String separator = "";
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                quote(out.append(separator), m.getKey()).append(':');
                quote(out, m.getValue());
                separator = ",";
            }
            out.append('}');
        }
        for (Entry e : entries) {
            if (out.length() > 1) {
                out.append(',');
            }
            quote(out, e.name()).append(":{\"dtype\":\"").append(e.dtype().name()).append("\",\"shape\":[");
            for (int d = 0; d < e.shape().length; d++) {
                out.append(d == 0 ? "" : ",").append(e.shape()[d]);
            }
            out.append("],\"data_offsets\":[").append(e.begin()).append(',').append(e.end()).append("]}");
        }
        return out.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /** Recursive-descent parser over the header text; {@code at} is the next unread character. */
    private static final class Parser {
        private final String text;
        private final String source;
        private int at;

        Parser(String text, String source) {
            this.text = text;
            this.source = source;
        }

        SafetensorsHeader header() throws SafetensorsFormatException {
            List<Entry> entries = new ArrayList<>();
            Map<String, String> metadata = Map.of();
            Set<String> seen = new HashSet<>();
            skipSpace();
            expect('{');
            skipSpace();
            if (!peek('}')) {
                do {
                    skipSpace();
                    int keyAt = at;
                    String key = string();
                    if (!seen.add(key)) {
                        throw error(keyAt, "duplicate name '" + key + "'");
                    }
                    skipSpace();
                    expect(':');
                    skipSpace();
                    if (key.equals(METADATA)) {
                        metadata = stringMap();
                    } else {
                        entries.add(entry(key));
                    }
                    skipSpace();
                } while (consume(','));
            }
            expect('}');
            // writers pad the header with spaces so that the data start aligned
            while (at < text.length() && text.charAt(at) == ' ') {
                at++;
            }
            if (at != text.length()) {
                throw error(at, "unexpected content after the header object");
            }
            return new SafetensorsHeader(Collections.unmodifiableList(entries),
                    Collections.unmodifiableMap(metadata));
        }

        private Entry entry(String name) throws SafetensorsFormatException {
            String dtypeName = null;
            long[] shape = null;
            long[] offsets = null;
            int start = at;
            expect('{');
            do {
                skipSpace();
                int keyAt = at;
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                switch (key) {
                    case "dtype" -> {
                        if (dtypeName != null) {
                            throw error(keyAt, "tensor '" + name + "' repeats \"dtype\"");
                        }
                        dtypeName = string();
                    }
                    case "shape" -> {
                        if (shape != null) {
                            throw error(keyAt, "tensor '" + name + "' repeats \"shape\"");
                        }
                        shape = integers(name, "shape");
                    }
                    case "data_offsets" -> {
                        if (offsets != null) {
                            throw error(keyAt, "tensor '" + name + "' repeats \"data_offsets\"");
                        }
                        offsets = integers(name, "data_offsets");
                    }
                    default -> throw error(keyAt, "tensor '" + name + "' has unknown field \"" + key + "\"");
                }
                skipSpace();
            } while (consume(','));
            expect('}');
            if (dtypeName == null || shape == null || offsets == null) {
                throw error(start, "tensor '" + name + "' lacks " + (dtypeName == null ? "\"dtype\""
                        : shape == null ? "\"shape\"" : "\"data_offsets\""));
            }
            String finalName = dtypeName;
            SafetensorsDtype dtype = SafetensorsDtype.byName(dtypeName).orElseThrow(() -> error(start, "tensor '"
                    + name + "' has unsupported dtype '" + finalName + "' (supported: F16, BF16, F32, F64, I64)"));
            if (shape.length > MAX_RANK) {
                throw error(start, "tensor '" + name + "' has rank " + shape.length + " (at most " + MAX_RANK + ")");
            }
            if (offsets.length != 2) {
                throw error(start, "tensor '" + name + "' has " + offsets.length + " data offsets, expected 2 "
                        + "(begin, end)");
            }
            return new Entry(name, dtype, shape, offsets[0], offsets[1]);
        }

        private Map<String, String> stringMap() throws SafetensorsFormatException {
            Map<String, String> out = new LinkedHashMap<>();
            expect('{');
            skipSpace();
            if (!peek('}')) {
                do {
                    skipSpace();
                    int keyAt = at;
                    String key = string();
                    if (out.containsKey(key)) {
                        throw error(keyAt, "duplicate metadata key '" + key + "'");
                    }
                    skipSpace();
                    expect(':');
                    skipSpace();
                    if (!peek('"')) {
                        throw error(at, "metadata value of '" + key + "' is not a string");
                    }
                    out.put(key, string());
                    skipSpace();
                } while (consume(','));
            }
            expect('}');
            return out;
        }

        private long[] integers(String name, String field) throws SafetensorsFormatException {
            List<Long> values = new ArrayList<>();
            expect('[');
            skipSpace();
            if (!peek(']')) {
                do {
                    skipSpace();
                    values.add(integer(name, field));
                    skipSpace();
                } while (consume(','));
            }
            expect(']');
            return values.stream().mapToLong(Long::longValue).toArray();
        }

        private long integer(String name, String field) throws SafetensorsFormatException {
            int start = at;
            while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                at++;
            }
            String digits = text.substring(start, at);
            if (digits.isEmpty() || (digits.length() > 1 && digits.charAt(0) == '0')) {
                throw error(start, "tensor '" + name + "': \"" + field + "\" must hold non-negative integers");
            }
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error(start, "tensor '" + name + "': \"" + field + "\" value " + digits + " is too large");
            }
        }

        private String string() throws SafetensorsFormatException {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (at >= text.length()) {
                    throw error(at, "unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw error(at - 1, "control character in a string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    throw error(at, "unterminated escape");
                }
                char e = text.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> out.append(hexCharacter());
                    default -> throw error(at - 1, "invalid escape '\\" + e + "'");
                }
            }
        }

        private char hexCharacter() throws SafetensorsFormatException {
            if (at + 4 > text.length()) {
                throw error(at, "truncated \\u escape");
            }
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int digit = Character.digit(text.charAt(at + i), 16);
                if (digit < 0) {
                    throw error(at + i, "invalid hex digit in a \\u escape");
                }
                value = value * 16 + digit;
            }
            at += 4;
            return (char) value;
        }

        private void skipSpace() {
            while (at < text.length() && " \t\n\r".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        private boolean peek(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private boolean consume(char c) {
            if (peek(c)) {
                at++;
                return true;
            }
            return false;
        }

        private void expect(char c) throws SafetensorsFormatException {
            if (!consume(c)) {
                throw error(at, at < text.length() ? "expected '" + c + "' but found '" + text.charAt(at) + "'"
                        : "expected '" + c + "' but the header ends");
            }
        }

        private SafetensorsFormatException error(int offset, String what) {
            return new SafetensorsFormatException(source + ": header (character " + offset + "): " + what);
        }
    }
}
