package io.kronlaplace.laplace;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KronDecomposition;
import io.kronlaplace.io.AtomicFiles;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.WeightLayer;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saving and loading fitted posteriors. Binary format, big-endian, version {@value #VERSION}:
 * <pre>
 * magic "KLAPPOST", int version
 * UTF structure, subset, [SUBNETWORK only: int count, count x int parameter index], likelihood, flavour
 * UTF prior kind, int count, count x double prior values; double sigma, double temperature
 * long examples, long outputs, double data term
 * int groups; per group: UTF name, int rank, rank x long shape
 * dim x double MAP weights (flat group order)
 * payload:  KRON: int layers; per layer: UTF path, long Din, long Dout, Qa (Din^2), la (Din), Qb (Dout^2), lb (Dout)
 *           DIAG: dim x double diagonal;  FULL: dim^2 x double dense GGN (row-major)
 * long CRC32 of all preceding bytes
 * </pre>
 * Files are written atomically with {@link AtomicFiles}. Loading checks the checksum before it parses the body, every
 * count against the bytes present, and that the network's covered parameters have the saved names and shapes; only
 * then does it write the saved MAP weights into the network.
 */
public final class PosteriorFile {
    /** Current format version. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'K', 'L', 'A', 'P', 'P', 'O', 'S', 'T'};

    private PosteriorFile() {
    }

    /**
     * Writes a fitted posterior atomically.
     *
     * @param posterior the fitted posterior
     * @param file      the file to write; replaced atomically when it exists
     * @throws IllegalStateException before fit
     * @throws IOException           when the file cannot be written
     */
    public static void save(LaplacePosterior posterior, Path file) throws IOException {
        posterior.requireFitted();
        AtomicFiles.write(file, raw -> write(posterior, raw));
    }

    /**
     * The bytes {@link #save} would write, e.g. to ship a fitted posterior to other processes.
     *
     * @param posterior the fitted posterior
     * @return the content of a posterior file
     * @throws IllegalStateException before fit
     */
    public static byte[] toBytes(LaplacePosterior posterior) {
        posterior.requireFitted();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(posterior, out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void write(LaplacePosterior posterior, OutputStream raw) throws IOException {
        CRC32 crc = new CRC32();
        try (OutputStream buffered = new BufferedOutputStream(raw, 1 << 20);
             DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc))) {
            writeBody(posterior, out);
            out.flush();
            new DataOutputStream(buffered).writeLong(crc.getValue());
        }
    }

    private static void writeBody(LaplacePosterior p, DataOutputStream out) throws IOException {
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(p.structure().name());
        out.writeUTF(p.subset().name());
        if (p.subset() == SubsetOfWeights.SUBNETWORK) {
            int[] indices = p.options().subnetwork().indices();
            out.writeInt(indices.length);
            for (int i : indices) {
                out.writeInt(i);
            }
        }
        out.writeUTF(p.likelihood().name());
        out.writeUTF(p.options().flavour().name());
        PriorPrecision prior = p.priorPrecision();
        out.writeUTF(prior.kind().name());
        out.writeInt(prior.size());
        writeDoubles(out, prior.values());
        out.writeDouble(p.sigma());
        out.writeDouble(p.temperature());
        out.writeLong(p.examples());
        out.writeLong(p.outputs());
        out.writeDouble(p.dataTerm());
        List<ParameterGroup> groups = p.groups();
        out.writeInt(groups.size());
        for (ParameterGroup g : groups) {
            out.writeUTF(g.name());
            long[] shape = g.parameter().value().shape();
            out.writeInt(shape.length);
            for (long s : shape) {
                out.writeLong(s);
            }
        }
        writeDoubles(out, p.thetaMapView());
        if (p instanceof KronLaplace k) {
            Map<String, KronDecomposition> decs = k.decompositions();
            out.writeInt(decs.size());
            for (Map.Entry<String, KronDecomposition> e : decs.entrySet()) {
                KronDecomposition d = e.getValue();
                out.writeUTF(e.getKey());
                out.writeLong(d.inFeatures());
                out.writeLong(d.outFeatures());
                writeDoubles(out, d.qa().dup('c').data().asDouble());
                writeDoubles(out, d.la().data().asDouble());
                writeDoubles(out, d.qb().dup('c').data().asDouble());
                writeDoubles(out, d.lb().data().asDouble());
            }
        } else if (p instanceof DiagLaplace d) {
            writeDoubles(out, d.diagonal());
        } else {
            writeDoubles(out, ((FullLaplace) p).hessian().dup('c').data().asDouble());
        }
    }

    /**
     * Loads a posterior saved with {@link #save} onto a network of the same architecture, writing the saved MAP weights
     * of the covered subset into it. The network is changed only after the whole file has been read and validated:
     * the checksum is verified before the body is parsed, every count and size is checked against the bytes present
     * before anything is allocated, and the body is parsed into a fresh posterior. See docs/file-formats.md, section
     * Posterior files.
     *
     * @param file    the posterior file
     * @param network the network of the saved architecture; receives the saved MAP weights
     * @return the fitted posterior, with the saved hyperparameters
     * @throws PosteriorFormatException  for a missing magic number, unknown version, truncated or corrupt file, or
     *                                   content the posterior rejects (non-finite values, invalid hyperparameters or
     *                                   factors); the message names the file
     * @throws IllegalArgumentException  when the network's covered parameters differ in names or shapes
     * @throws IOException               when the file cannot be read
     */
    public static LaplacePosterior load(Path file, Network network) throws IOException {
        return read(() -> new BufferedInputStream(Files.newInputStream(file), 1 << 20), Files.size(file),
                file.toString(), network);
    }

    /**
     * Loads a posterior from the bytes of {@link #toBytes} (or a posterior file's content) with the checks of
     * {@link #load}, writing the saved MAP weights of the covered subset into the network.
     *
     * @param bytes   the content of a posterior file
     * @param network the network of the saved architecture; receives the saved MAP weights
     * @param source  names the bytes in error messages, e.g. "the broadcast posterior"
     * @return the fitted posterior, with the saved hyperparameters
     * @throws PosteriorFormatException as {@link #load}, naming {@code source}
     * @throws IllegalArgumentException when the network's covered parameters differ in names or shapes
     */
    public static LaplacePosterior fromBytes(byte[] bytes, Network network, String source)
            throws PosteriorFormatException {
        try {
            return read(() -> new ByteArrayInputStream(bytes), bytes.length, source, network);
        } catch (PosteriorFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory failed", e);
        }
    }

    /** Opens the bytes of a posterior from their start; called once for the checksum and once for parsing. */
    @FunctionalInterface
    private interface Opener {
        InputStream open() throws IOException;
    }

    private static LaplacePosterior read(Opener opener, long size, String file, Network network)
            throws IOException {
        long body = size - Long.BYTES;
        verifyChecksum(opener, file, body);
        CRC32 crc = new CRC32();
        try (InputStream raw = opener.open()) {
            Source source = new Source(new CheckedInputStream(raw, crc), body, file);
            Restored restored = readBody(source, network);
            if (source.position() != body) {
                throw new PosteriorFormatException("posterior file " + file + " is corrupt: " + (body - source.position())
                        + " unexpected bytes between the payload (ending at offset " + source.position()
                        + ") and the checksum");
            }
            long stored = new DataInputStream(raw).readLong();
            if (stored != crc.getValue() || raw.read() != -1) {
                throw new PosteriorFormatException("posterior file " + file + " changed while it was read");
            }
            restored.install();
            return restored.posterior();
        } catch (EOFException e) {
            throw new PosteriorFormatException("posterior file " + file + " is truncated", e);
        } catch (UTFDataFormatException e) {
            throw new PosteriorFormatException("posterior file " + file + " is corrupt: a name is not valid modified "
                    + "UTF-8 (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Checks the magic number, the version and the CRC-32 of the first {@code body} bytes against the stored one,
     * streaming, before anything of the body is interpreted.
     */
    private static void verifyChecksum(Opener opener, String file, long body) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream raw = opener.open()) {
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new PosteriorFormatException(file + " is not a posterior file (bad magic number at offset 0)");
            }
            if (body < MAGIC.length + Integer.BYTES) {
                throw new PosteriorFormatException("posterior file " + file + " is truncated (" + (body + Long.BYTES)
                        + " bytes)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new PosteriorFormatException(file + " has format version " + version + " at offset 8, this "
                        + "library reads " + VERSION);
            }
            byte[] buffer = new byte[1 << 16];
            for (long left = body - MAGIC.length - Integer.BYTES; left > 0; ) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new EOFException();
                }
                left -= n;
            }
            long stored = new DataInputStream(raw).readLong();
            if (stored != crc.getValue()) {
                throw new PosteriorFormatException("posterior file " + file + " is truncated or corrupt (checksum "
                        + "mismatch: stored " + Long.toHexString(stored) + ", computed "
                        + Long.toHexString(crc.getValue()) + ")");
            }
        } catch (EOFException e) {
            throw new PosteriorFormatException("posterior file " + file + " is truncated", e);
        }
    }

    /** A posterior parsed and validated from a file, and the fitted state to install into the network last. */
    private record Restored(LaplacePosterior posterior, long examples, long outputs, double dataTerm,
                            double[] theta) {
        /** Writes the saved MAP weights into the network: the only change to the caller's state. */
        void install() {
            posterior.restoreFit(examples, outputs, dataTerm, theta);
        }
    }

    private static Restored readBody(Source src, Network network) throws IOException {
        String file = src.file;
        DataInputStream in = src.in;
        in.readFully(new byte[MAGIC.length + Integer.BYTES]);
        HessianStructure structure = readEnum(in, HessianStructure.class, file);
        SubsetOfWeights subset = readEnum(in, SubsetOfWeights.class, file);
        Subnetwork subnetwork = subset == SubsetOfWeights.SUBNETWORK ? readSubnetwork(src) : null;
        LikelihoodType likelihood = readEnum(in, LikelihoodType.class, file);
        KfacFlavour flavour = readEnum(in, KfacFlavour.class, file);
        PriorPrecision.Kind kind = readEnum(in, PriorPrecision.Kind.class, file);
        double[] priorValues = readDoubles(in, src.count(in.readInt(), Double.BYTES, "prior precisions"));
        double sigma = in.readDouble();
        double temperature = in.readDouble();
        long examples = in.readLong();
        long outputs = in.readLong();
        double dataTerm = in.readDouble();
        if (examples < 1 || outputs < 1 || !Double.isFinite(dataTerm)) {
            throw new PosteriorFormatException(file + " holds no valid fit (examples " + examples + ", outputs "
                    + outputs + ", data term " + dataTerm + ")");
        }
        LaplacePosterior posterior = validated(file, "hyperparameters", () -> Laplace.create(network,
                LaplaceOptions.builder().structure(structure).subset(subset).subnetwork(subnetwork)
                        .likelihood(likelihood).flavour(flavour).prior(PriorPrecision.of(kind, priorValues)).sigma(sigma).temperature(temperature).build()));
        List<ParameterGroup> groups = posterior.groups();
        int savedGroups = src.count(in.readInt(), Short.BYTES + Integer.BYTES, "parameter groups");
        if (savedGroups != groups.size()) {
            throw new IllegalArgumentException("posterior file " + file + " covers " + savedGroups
                    + " parameter groups, the network's " + subset + " subset has " + groups.size());
        }
        for (ParameterGroup g : groups) {
            String name = in.readUTF();
            long[] shape = new long[src.count(in.readInt(), Long.BYTES, "dimensions of '" + name + "'")];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = in.readLong();
            }
            if (!name.equals(g.name()) || !Arrays.equals(shape, g.parameter().value().shape())) {
                throw new IllegalArgumentException("posterior file " + file + " was saved for parameter '" + name
                        + "' of shape " + Arrays.toString(shape) + ", the network has '" + g.name() + "' of shape "
                        + Arrays.toString(g.parameter().value().shape()));
            }
        }
        double[] theta = readDoubles(in, src.count(posterior.dim(), Double.BYTES, "MAP weights"));
        requireFinite(theta, "MAP weights", file);
        if (posterior instanceof KronLaplace k) {
            Map<String, KronDecomposition> decompositions = readDecompositions(src, k, flavour);
            validated(file, "Kronecker factors", () -> {
                k.useDecompositions(decompositions);
                return k;
            });
        } else if (posterior instanceof DiagLaplace d) {
            double[] diag = readDoubles(in, src.count(posterior.dim(), Double.BYTES, "diagonal entries"));
            requireFinite(diag, "diagonal", file);
            validated(file, "diagonal", () -> {
                d.restoreDiagonal(diag);
                return d;
            });
        } else {
            int n = Math.toIntExact(posterior.dim());
            double[] h = readDoubles(in, src.count(Math.multiplyExact((long) n, n), Double.BYTES,
                    "dense Hessian entries"));
            requireFinite(h, "dense Hessian", file);
            validated(file, "dense Hessian", () -> {
                ((FullLaplace) posterior).restoreHessian(Nd4j.create(h, new long[] {n, n}, 'c'));
                return posterior;
            });
        }
        return new Restored(posterior, examples, outputs, dataTerm, theta);
    }

    /** The parameter indices of a SUBNETWORK posterior: a count, then that many ints. */
    private static Subnetwork readSubnetwork(Source src) throws IOException {
        int[] indices = new int[src.count(src.in.readInt(), Integer.BYTES, "subnetwork indices")];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = src.in.readInt();
        }
        return validated(src.file, "subnetwork indices", () -> Subnetwork.of(indices));
    }

    private static Map<String, KronDecomposition> readDecompositions(Source src, KronLaplace k, KfacFlavour flavour)
            throws IOException {
        String file = src.file;
        DataInputStream in = src.in;
        List<WeightLayer> layers = k.covered().curvatureNetwork().weightLayers();
        int count = src.count(in.readInt(), Short.BYTES + 2 * Long.BYTES, "factor layers");
        if (count != layers.size()) {
            throw new IllegalArgumentException("posterior file " + file + " has factors of " + count
                    + " layers, the network has " + layers.size());
        }
        Map<String, KronDecomposition> out = new LinkedHashMap<>();
        for (WeightLayer layer : layers) {
            String path = in.readUTF();
            long din = in.readLong();
            long dout = in.readLong();
            if (!path.equals(layer.path()) || din != layer.inFeatures() || dout != layer.outFeatures()) {
                throw new IllegalArgumentException("posterior file " + file + " has factors of layer '" + path + "' ("
                        + dout + " x " + din + "), the network has '" + layer.path() + "' (" + layer.outFeatures()
                        + " x " + layer.inFeatures() + ")");
            }
            int a = Math.toIntExact(din);
            int b = Math.toIntExact(dout);
            String of = " of layer '" + path + "'";
            INDArray qa = Nd4j.create(readDoubles(in, src.count((long) a * a, Double.BYTES, "QA" + of)),
                    new long[] {a, a}, 'c');
            INDArray la = Nd4j.createFromArray(readDoubles(in, src.count(a, Double.BYTES, "LA" + of)));
            INDArray qb = Nd4j.create(readDoubles(in, src.count((long) b * b, Double.BYTES, "QB" + of)),
                    new long[] {b, b}, 'c');
            INDArray lb = Nd4j.createFromArray(readDoubles(in, src.count(b, Double.BYTES, "LB" + of)));
            out.put(path, validated(file, "factors" + of, () -> new KronDecomposition(path, flavour, qa, la, qb, lb)));
        }
        return out;
    }

    /** Builds part of a posterior from file content; its validation failures become errors naming the file. */
    private static <T> T validated(String file, String what, Supplier<T> build) throws PosteriorFormatException {
        try {
            return build.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new PosteriorFormatException(file + " holds invalid " + what + ": " + e.getMessage(), e);
        }
    }

    private static <E extends Enum<E>> E readEnum(DataInputStream in, Class<E> type, String file) throws IOException {
        String name = in.readUTF();
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new PosteriorFormatException(file + ": unknown " + type.getSimpleName() + " '" + name + "'", e);
        }
    }

    private static void requireFinite(double[] v, String what, String file) throws PosteriorFormatException {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new PosteriorFormatException(file + ": " + what + " hold " + v[i] + " at index " + i);
            }
        }
    }

    /**
     * The body of a posterior file being parsed: a stream that counts the bytes read, so every count in the file is
     * checked against the bytes that are actually left before an array of that size is allocated.
     */
    private static final class Source {
        private final DataInputStream in;
        private final String file;
        private final long end;
        private long position;

        Source(InputStream raw, long end, String file) {
            this.in = new DataInputStream(new FilterInputStream(raw) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    position += b < 0 ? 0 : 1;
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    position += Math.max(n, 0);
                    return n;
                }
            });
            this.end = end;
            this.file = file;
        }

        long position() {
            return position;
        }

        /**
         * {@code count}, after checking that {@code count} items of at least {@code itemBytes} bytes each fit in the
         * rest of the body.
         */
        int count(long count, int itemBytes, String what) throws PosteriorFormatException {
            if (count < 0 || count > (end - position) / itemBytes) {
                throw new PosteriorFormatException(file + " is corrupt at offset " + position + ": " + count + " "
                        + what + " cannot fit in the " + (end - position) + " bytes left");
            }
            return (int) count;
        }
    }

    private static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8 * 8192);
        for (int i = 0; i < v.length; i += 8192) {
            int n = Math.min(8192, v.length - i);
            buf.clear();
            buf.asDoubleBuffer().put(v, i, n);
            out.write(buf.array(), 0, 8 * n);
        }
    }

    private static double[] readDoubles(DataInputStream in, int count) throws IOException {
        double[] v = new double[count];
        byte[] bytes = new byte[8 * 8192];
        for (int i = 0; i < count; i += 8192) {
            int n = Math.min(8192, count - i);
            in.readFully(bytes, 0, 8 * n);
            ByteBuffer.wrap(bytes, 0, 8 * n).asDoubleBuffer().get(v, i, n);
        }
        return v;
    }
}
