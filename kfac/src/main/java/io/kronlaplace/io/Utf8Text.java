package io.kronlaplace.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of whole text files: an invalid byte is reported with its byte offset, 1-based line and column
 * instead of being replaced (Java's lenient decoding) or surfacing as a bare {@code MalformedInputException} without
 * a position.
 */
public final class Utf8Text {
    private Utf8Text() {
    }

    /** The first invalid byte of a text: where it is, for the caller's own corrupt-file message. */
    public static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final long offset;
        private final long line;
        private final long column;

        MalformedException(long offset, long line, long column) {
            super("invalid UTF-8 at byte offset " + offset + " (line " + line + ", column " + column + ")");
            this.offset = offset;
            this.line = line;
            this.column = column;
        }

        /**
         * Where the first invalid byte is in the input.
         *
         * @return its 0-based byte offset
         */
        public long offset() {
            return offset;
        }

        /**
         * The line of the first invalid byte.
         *
         * @return its 1-based line, counting the '\n' characters decoded before it
         */
        public long line() {
            return line;
        }

        /**
         * The column of the first invalid byte.
         *
         * @return its 1-based column: the characters decoded on that line before it, plus one
         */
        public long column() {
            return column;
        }
    }

    /**
     * Decodes {@code bytes} as UTF-8, rejecting malformed and overlong sequences.
     *
     * @param bytes the whole text; a leading byte-order mark is kept as U+FEFF
     * @return the decoded text
     * @throws MalformedException at the first invalid byte
     */
    public static String decode(byte[] bytes) throws MalformedException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            out.flip();
            long line = 1;
            long column = 1;
            for (int i = 0; i < out.limit(); i++) {
                if (out.get(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            throw new MalformedException(in.position(), line, column);
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
