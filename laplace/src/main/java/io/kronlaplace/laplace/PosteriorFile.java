package io.kronlaplace.laplace;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KronDecomposition;
import io.kronlaplace.io.AtomicFiles;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.WeightLayer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saving and loading fitted posteriors. Binary format, big-endian, version {@value #VERSION}:
 * <pre>
 * magic "KLAPPOST", int version
 * UTF structure, subset, likelihood, flavour
 * UTF prior kind, int count, count x double prior values; double sigma, double temperature
 * long examples, long outputs, double data term
 * int groups; per group: UTF name, int rank, rank x long shape
 * dim x double MAP weights (flat group order)
 * payload:  KRON: int layers; per layer: UTF path, long Din, long Dout, Qa (Din^2), la (Din), Qb (Dout^2), lb (Dout)
 *           DIAG: dim x double diagonal;  FULL: dim^2 x double dense GGN (row-major)
 * long CRC32 of all preceding bytes
 * </pre>
 * Files are written atomically with {@link AtomicFiles}. Loading checks the
 * checksum, the version, and that the network's covered parameters have the saved names and shapes; it writes the
 * saved MAP weights into the network.
 */
public final class PosteriorFile {
    /** Current format version. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'K', 'L', 'A', 'P', 'P', 'O', 'S', 'T'};
    /** Upper bound on counts read from a file, so a corrupt header cannot trigger a huge allocation. */
    private static final long MAX_ENTRIES = 1L << 31;

    private PosteriorFile() {
    }

    /**
     * Writes a fitted posterior atomically.
     *
     * @throws IllegalStateException before fit
     */
    public static void save(LaplacePosterior posterior, Path file) throws IOException {
        posterior.requireFitted();
        AtomicFiles.write(file, raw -> {
            CRC32 crc = new CRC32();
            try (OutputStream buffered = new BufferedOutputStream(raw, 1 << 20);
                 DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc))) {
                writeBody(posterior, out);
                out.flush();
                new DataOutputStream(buffered).writeLong(crc.getValue());
            }
        });
    }

    private static void writeBody(LaplacePosterior p, DataOutputStream out) throws IOException {
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(p.structure().name());
        out.writeUTF(p.subset().name());
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
     * of the covered subset into it.
     *
     * @throws PosteriorFormatException  for a missing magic number, unknown version, truncated or corrupt file
     * @throws IllegalArgumentException  when the network's covered parameters differ in names or shapes
     */
    public static LaplacePosterior load(Path file, Network network) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            LaplacePosterior posterior = readBody(in, network, file);
            long expected = crc.getValue();
            long stored = new DataInputStream(raw).readLong();
            if (stored != expected) {
                throw new PosteriorFormatException("posterior file " + file + " is corrupt (checksum mismatch)");
            }
            if (raw.read() != -1) {
                throw new PosteriorFormatException("posterior file " + file + " has trailing bytes");
            }
            return posterior;
        } catch (EOFException e) {
            throw new PosteriorFormatException("posterior file " + file + " is truncated", e);
        }
    }

    private static LaplacePosterior readBody(DataInputStream in, Network network, Path file) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new PosteriorFormatException(file + " is not a posterior file (bad magic number)");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new PosteriorFormatException(file + " has format version " + version + ", this library reads "
                    + VERSION);
        }
        HessianStructure structure = readEnum(in, HessianStructure.class, file);
        SubsetOfWeights subset = readEnum(in, SubsetOfWeights.class, file);
        LikelihoodType likelihood = readEnum(in, LikelihoodType.class, file);
        KfacFlavour flavour = readEnum(in, KfacFlavour.class, file);
        PriorPrecision.Kind kind = readEnum(in, PriorPrecision.Kind.class, file);
        double[] priorValues = readDoubles(in, count(in.readInt(), file));
        double sigma = in.readDouble();
        double temperature = in.readDouble();
        long examples = in.readLong();
        long outputs = in.readLong();
        double dataTerm = in.readDouble();
        LaplaceOptions options;
        try {
            options = LaplaceOptions.builder().structure(structure).subset(subset).likelihood(likelihood)
                    .flavour(flavour).prior(PriorPrecision.of(kind, priorValues)).sigma(sigma)
                    .temperature(temperature).build();
        } catch (IllegalArgumentException e) {
            throw new PosteriorFormatException(file + " holds invalid hyperparameters: " + e.getMessage(), e);
        }
        LaplacePosterior posterior = Laplace.create(network, options);
        List<ParameterGroup> groups = posterior.groups();
        int savedGroups = count(in.readInt(), file);
        if (savedGroups != groups.size()) {
            throw new IllegalArgumentException("posterior file " + file + " covers " + savedGroups
                    + " parameter groups, the network's " + subset + " subset has " + groups.size());
        }
        for (ParameterGroup g : groups) {
            String name = in.readUTF();
            long[] shape = new long[count(in.readInt(), file)];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = in.readLong();
            }
            if (!name.equals(g.name()) || !Arrays.equals(shape, g.parameter().value().shape())) {
                throw new IllegalArgumentException("posterior file " + file + " was saved for parameter '" + name
                        + "' of shape " + Arrays.toString(shape) + ", the network has '" + g.name() + "' of shape "
                        + Arrays.toString(g.parameter().value().shape()));
            }
        }
        if (examples < 1 || outputs < 1) {
            throw new PosteriorFormatException(file + " holds no fitted data (examples " + examples + ", outputs "
                    + outputs + ")");
        }
        double[] theta = readDoubles(in, Math.toIntExact(posterior.dim()));
        requireFinite(theta, "MAP weights", file);
        if (posterior instanceof KronLaplace k) {
            k.useDecompositions(readDecompositions(in, k, flavour, file));
        } else if (posterior instanceof DiagLaplace d) {
            double[] diag = readDoubles(in, Math.toIntExact(posterior.dim()));
            requireFinite(diag, "diagonal", file);
            d.restoreDiagonal(diag);
        } else {
            int n = Math.toIntExact(posterior.dim());
            double[] h = readDoubles(in, Math.multiplyExact(n, n));
            requireFinite(h, "dense Hessian", file);
            ((FullLaplace) posterior).restoreHessian(Nd4j.create(h, new long[] {n, n}, 'c'));
        }
        posterior.restoreFit(examples, outputs, dataTerm, theta);
        return posterior;
    }

    private static Map<String, KronDecomposition> readDecompositions(DataInputStream in, KronLaplace k,
                                                                     KfacFlavour flavour, Path file)
            throws IOException {
        List<WeightLayer> layers = k.covered().curvatureNetwork().weightLayers();
        int count = count(in.readInt(), file);
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
            INDArray qa = Nd4j.create(readDoubles(in, Math.multiplyExact(a, a)), new long[] {a, a}, 'c');
            INDArray la = Nd4j.createFromArray(readDoubles(in, a));
            INDArray qb = Nd4j.create(readDoubles(in, Math.multiplyExact(b, b)), new long[] {b, b}, 'c');
            INDArray lb = Nd4j.createFromArray(readDoubles(in, b));
            try {
                out.put(path, new KronDecomposition(path, flavour, qa, la, qb, lb));
            } catch (IllegalArgumentException e) {
                throw new PosteriorFormatException(file + ": invalid factors of layer '" + path + "': "
                        + e.getMessage(), e);
            }
        }
        return out;
    }

    private static <E extends Enum<E>> E readEnum(DataInputStream in, Class<E> type, Path file) throws IOException {
        String name = in.readUTF();
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new PosteriorFormatException(file + ": unknown " + type.getSimpleName() + " '" + name + "'", e);
        }
    }

    private static int count(int n, Path file) throws PosteriorFormatException {
        if (n < 0 || n > MAX_ENTRIES) {
            throw new PosteriorFormatException(file + " is corrupt (count " + n + ")");
        }
        return n;
    }

    private static void requireFinite(double[] v, String what, Path file) throws PosteriorFormatException {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new PosteriorFormatException(file + ": " + what + " hold " + v[i] + " at index " + i);
            }
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
