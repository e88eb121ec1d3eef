package io.kronlaplace.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reads and writes safetensors files, the format of {@code safetensors.torch.save_file}: an unsigned 64-bit
 * little-endian header length N, N bytes of UTF-8 JSON header (tensor names to dtype, shape and data offsets relative
 * to the data section, plus optional {@code __metadata__} strings), then the data section of little-endian elements
 * in C order. Element types F16, BF16, F32, F64 and I64 (see {@link SafetensorsDtype}).
 *
 * <p>Reading validates before it allocates data: the header length against the file size, the header's strict JSON
 * (see {@code SafetensorsHeader}), each tensor's byte count against its shape and dtype, offsets inside the data
 * section, and that the tensors tile the data section exactly (no overlaps, gaps or trailing bytes), as the reference
 * implementation requires. Every problem is a {@link SafetensorsFormatException} naming the file and the tensor.
 * Writing pads the header with spaces to a multiple of 8 bytes and goes through {@link AtomicFiles}. See
 * docs/pytorch-import.md, section Safetensors.
 */
public final class SafetensorsFile {
    /** Bytes of the header-length prefix. */
    private static final int PREFIX = 8;
    /** Header alignment the reference writer pads to. */
    private static final int ALIGNMENT = 8;
    /** The reference implementation refuses headers above 100 MB; so does this reader. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private SafetensorsFile() {
    }

    /**
     * Reads a whole file.
     *
     * @param file the safetensors file
     * @return its tensors and metadata
     * @throws NoSuchFileException         when the file does not exist
     * @throws SafetensorsFormatException  when it is truncated or malformed (the message names the tensor)
     * @throws IOException                 when it cannot be read
     */
    public static SafetensorsContent read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such safetensors file");
        }
        // the file's own size bounds this allocation; every size the header claims is checked against it
        return fromBytes(Files.readAllBytes(file), file.toString());
    }

    /**
     * Reads the bytes of a safetensors file held in memory, with the checks of {@link #read(Path)}.
     *
     * @param bytes  the file's content
     * @param source names the bytes in error messages
     * @return its tensors and metadata
     * @throws SafetensorsFormatException when the bytes are truncated or malformed
     */
    public static SafetensorsContent fromBytes(byte[] bytes, String source) throws SafetensorsFormatException {
        ByteBuffer all = ByteBuffer.wrap(bytes);
        long headerLength = headerLength(all.slice(0, Math.min(PREFIX, bytes.length)), bytes.length, source);
        SafetensorsHeader header = header(Arrays.copyOfRange(bytes, PREFIX, PREFIX + (int) headerLength), source);
        int dataStart = PREFIX + (int) headerLength;
        checkLayout(header.entries(), bytes.length - dataStart, source);
        List<SafetensorsTensor> tensors = new ArrayList<>();
        for (SafetensorsHeader.Entry e : header.entries()) {
            byte[] data = Arrays.copyOfRange(bytes, dataStart + (int) e.begin(), dataStart + (int) e.end());
            tensors.add(SafetensorsTensor.ofBytes(e.name(), e.dtype(), e.shape(), data));
        }
        return SafetensorsContent.of(tensors, header.metadata());
    }

    /**
     * Writes {@code content} to {@code file} atomically, tensors in the content's order.
     *
     * @param file    the target, replaced if it exists
     * @param content tensors and metadata
     * @throws IOException when the file cannot be written (the message names it)
     */
    public static void write(Path file, SafetensorsContent content) throws IOException {
        AtomicFiles.write(file, toBytes(content));
    }

    /**
     * The bytes {@link #write} writes.
     *
     * @param content tensors and metadata
     * @return the file's content
     */
    public static byte[] toBytes(SafetensorsContent content) {
        List<SafetensorsHeader.Entry> entries = new ArrayList<>();
        long offset = 0;
        for (SafetensorsTensor t : content.tensors().values()) {
            long end = offset + t.elementCount() * (long) t.dtype().width();
            entries.add(new SafetensorsHeader.Entry(t.name(), t.dtype(), t.shape(), offset, end));
            offset = end;
        }
        byte[] json = SafetensorsHeader.format(content.metadata(), entries).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(PREFIX + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (SafetensorsTensor t : content.tensors().values()) {
            out.put(t.bytes());
        }
        return out.array();
    }

    private static long headerLength(ByteBuffer prefix, long size, String source) throws SafetensorsFormatException {
        if (size < PREFIX) {
            throw new SafetensorsFormatException(source + ": truncated: " + size + " bytes, shorter than the 8-byte "
                    + "header length");
        }
        long length = prefix.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (length < 2 || length > MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(source + ": header length " + Long.toUnsignedString(length)
                    + " is not plausible (2 to " + MAX_HEADER_BYTES + " bytes)");
        }
        if (length > size - PREFIX) {
            throw new SafetensorsFormatException(source + ": header length " + length + " reaches beyond the end of "
                    + "the file (" + size + " bytes): truncated or not a safetensors file");
        }
        return length;
    }

    private static SafetensorsHeader header(byte[] bytes, String source) throws SafetensorsFormatException {
        String text;
        try {
            text = Utf8Text.decode(bytes);
        } catch (Utf8Text.MalformedException e) {
            throw new SafetensorsFormatException(source + ": header is not UTF-8: " + e.getMessage());
        }
        return SafetensorsHeader.parse(text, source);
    }

    /**
     * Checks each entry's byte count against shape and dtype, and that the entries, sorted by offset, tile
     * {@code [0, dataBytes)} exactly.
     */
    private static void checkLayout(List<SafetensorsHeader.Entry> entries, long dataBytes, String source)
            throws SafetensorsFormatException {
        for (SafetensorsHeader.Entry e : entries) {
            String tensor = source + ": tensor '" + e.name() + "'";
            if (e.end() < e.begin()) {
                throw new SafetensorsFormatException(tensor + " has data offsets [" + e.begin() + ", " + e.end()
                        + "] that end before they begin");
            }
            long count;
            try {
                count = SafetensorsTensor.elementCount(e.shape(), e.name());
            } catch (IllegalArgumentException ex) {
                throw new SafetensorsFormatException(tensor + ": shape " + Arrays.toString(e.shape())
                        + " has more elements than a file can hold");
            }
            if (count > Integer.MAX_VALUE / e.dtype().width()) {
                throw new SafetensorsFormatException(tensor + ": shape " + Arrays.toString(e.shape())
                        + " exceeds the 2 GiB this reader holds per tensor");
            }
            long expected = count * e.dtype().width();
            if (e.end() - e.begin() != expected) {
                throw new SafetensorsFormatException(tensor + ": shape " + Arrays.toString(e.shape()) + " of "
                        + e.dtype() + " needs " + expected + " bytes, but its data offsets [" + e.begin() + ", "
                        + e.end() + "] span " + (e.end() - e.begin()));
            }
            if (e.end() > dataBytes) {
                throw new SafetensorsFormatException(tensor + ": data offsets [" + e.begin() + ", " + e.end()
                        + "] reach beyond the data section of " + dataBytes + " bytes (truncated file?)");
            }
        }
        List<SafetensorsHeader.Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(SafetensorsHeader.Entry::begin)
                .thenComparingLong(SafetensorsHeader.Entry::end));
        long covered = 0;
        String previous = null;
        for (SafetensorsHeader.Entry e : sorted) {
            if (e.begin() < covered) {
                throw new SafetensorsFormatException(source + ": tensor '" + e.name() + "' at data offsets ["
                        + e.begin() + ", " + e.end() + "] overlaps tensor '" + previous + "' (which ends at "
                        + covered + ")");
            }
            if (e.begin() > covered) {
                throw new SafetensorsFormatException(source + ": data bytes [" + covered + ", " + e.begin()
                        + ") belong to no tensor (before tensor '" + e.name() + "')");
            }
            covered = e.end();
            previous = e.name();
        }
        if (covered != dataBytes) {
            throw new SafetensorsFormatException(source + ": " + (dataBytes - covered) + " data bytes after the last "
                    + "tensor belong to no tensor");
        }
    }
}
