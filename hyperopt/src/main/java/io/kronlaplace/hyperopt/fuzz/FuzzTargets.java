package io.kronlaplace.hyperopt.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KronFactorFiles;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.hyperopt.NetworkState;
import io.kronlaplace.hyperopt.checkpoint.CheckpointData;
import io.kronlaplace.hyperopt.checkpoint.CheckpointFile;
import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.io.CorruptFileException;
import io.kronlaplace.io.Npy;
import io.kronlaplace.io.WeightsFile;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.HessianStructure;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.PosteriorFile;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.nn.models.WideResNet;
import io.kronlaplace.validation.data.Cifar10Reader;
import io.kronlaplace.validation.data.CsvRegressionReader;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.MnistReader;
import io.kronlaplace.validation.data.RegressionDataset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The nine file formats under fuzzing, each as a small valid file and its reader. Values are compared exactly (as
 * lists of doubles and longs), so any change to content that a reader accepts is seen.
 */
final class FuzzTargets {
    /** Format names, in the order the fuzz command runs them. */
    static final List<String> FORMATS = List.of("npy", "weights", "posterior", "checkpoint", "model", "kfac-index",
            "csv", "idx", "cifar10");

    private static final Predicate<Throwable> CORRUPT = e -> e instanceof CorruptFileException;
    private static final ObjectMapper JSON = new ObjectMapper();

    private FuzzTargets() {
    }

    /** A valid file of {@code format} in {@code dir} and its reader. */
    static FuzzTarget create(String format, Path dir) throws IOException {
        Files.createDirectories(dir);
        return switch (format) {
            case "npy" -> npy(dir);
            case "weights" -> weights(dir);
            case "posterior" -> posterior(dir);
            case "checkpoint" -> checkpoint(dir);
            case "model" -> model(dir);
            case "kfac-index" -> kfacIndex(dir);
            case "csv" -> csv(dir);
            case "idx" -> idx(dir);
            case "cifar10" -> cifar(dir);
            default -> throw new IllegalArgumentException("unknown format '" + format + "'; choose from " + FORMATS);
        };
    }

    private static FuzzTarget npy(Path dir) throws IOException {
        Path file = dir.resolve("array.npy");
        Npy.write(file, Nd4j.linspace(DataType.DOUBLE, -2, 0.5, 12).reshape(3, 4));
        return new FuzzTarget("npy", file, null, () -> exact(Npy.read(file)), null, CORRUPT);
    }

    private static Network tinyWrn() {
        return WideResNet.builder().depth(10).widen(1).classes(2).seed(3).variant(WideResNet.Variant.BATCHNORM)
                .dataType(DataType.FLOAT).build();
    }

    private static FuzzTarget weights(Path dir) throws IOException {
        Path file = dir.resolve("weights.klw");
        WeightsFile.save(tinyWrn(), file);
        Network target = WideResNet.builder().depth(10).widen(1).classes(2).seed(4)
                .variant(WideResNet.Variant.BATCHNORM).dataType(DataType.FLOAT).build();
        return new FuzzTarget("weights", file, crc32AtEnd(ByteOrder.BIG_ENDIAN), () -> {
            WeightsFile.load(target, file);
            return exact(NetworkState.capture(target));
        }, () -> exact(NetworkState.capture(target)), CORRUPT);
    }

    private static Network mlp(long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Linear(3, 4, true, init), new ReLU(), new Linear(4, 3, true, init)));
    }

    private static FuzzTarget posterior(Path dir) throws IOException {
        Path file = dir.resolve("posterior.klp");
        LaplacePosterior fitted = Laplace.create(mlp(1), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .flavour(KfacFlavour.EXPAND).build());
        SplittableRandom r = new SplittableRandom(5);
        double[] x = new double[18];
        double[] y = new double[6];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() - 0.5;
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(3);
        }
        fitted.fit(List.of(new Batch(Nd4j.create(x, new long[] {6, 3}, 'c'), Nd4j.createFromArray(y))).iterator());
        PosteriorFile.save(fitted, file);
        Network target = mlp(2);
        // a network whose covered parameters differ is documented as IllegalArgumentException naming the file
        Predicate<Throwable> documented = CORRUPT.or(e -> e instanceof IllegalArgumentException
                && e.getMessage() != null && e.getMessage().contains(file.toString()));
        return new FuzzTarget("posterior", file, crc32AtEnd(ByteOrder.BIG_ENDIAN), () -> {
            LaplacePosterior loaded = PosteriorFile.load(file, target);
            return List.of(exact(NetworkState.capture(target)), loaded.structure(), loaded.priorPrecision().kind(),
                    Arrays.toString(loaded.priorPrecision().values()), loaded.sigma(), loaded.temperature(),
                    loaded.logMarginalLikelihood());
        }, () -> exact(NetworkState.capture(target)), documented);
    }

    private static FuzzTarget checkpoint(Path dir) throws IOException {
        Path file = dir.resolve("checkpoint.klck");
        ObjectNode meta = JSON.createObjectNode();
        meta.put("epoch", 3).put("note", "fuzz");
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("w", Nd4j.createFromArray(new float[][] {{1f, 2f, 3f}, {4f, 5f, 6f}}));
        tensors.put("d", Nd4j.createFromArray(0.5, -1.0, 3.25));
        tensors.put("rng", Nd4j.createFromArray(new long[] {42L, -7L}));
        CheckpointFile.write(file, new CheckpointData("fuzz", meta, tensors));
        return new FuzzTarget("checkpoint", file, crc32AtEnd(ByteOrder.LITTLE_ENDIAN), () -> {
            CheckpointData data = CheckpointFile.read(file);
            return List.of(data.kind(), data.metadata(), exact(data.tensors()));
        }, null, CORRUPT);
    }

    private static FuzzTarget model(Path dir) throws IOException {
        Path file = dir.resolve("model.klm");
        ModelArchitecture arch = new ModelArchitecture(10, 1, 2, 3, WideResNet.Variant.FIXUP);
        new SavedModel(arch, new double[] {0.5, 0.4, 0.3}, new double[] {0.2, 0.25, 0.3}, new double[] {1.5},
                new double[6], NetworkState.capture(arch.build(1))).write(file);
        return new FuzzTarget("model", file, crc32AtEnd(ByteOrder.LITTLE_ENDIAN), () -> {
            SavedModel m = SavedModel.read(file);
            return List.of(m.architecture(), Arrays.toString(m.normalizationMean()),
                    Arrays.toString(m.normalizationStd()), Arrays.toString(m.priorPrecisions()),
                    Arrays.toString(m.eta()), exact(m.state()));
        }, null, CORRUPT);
    }

    private static FuzzTarget kfacIndex(Path dir) throws IOException {
        Map<String, KronFactors> factors = new LinkedHashMap<>();
        factors.put("conv", new KronFactors("conv", Nd4j.eye(3).castTo(DataType.DOUBLE).muli(2),
                Nd4j.eye(2).castTo(DataType.DOUBLE), KfacFlavour.REDUCE));
        factors.put("fc", new KronFactors("fc", Nd4j.eye(2).castTo(DataType.DOUBLE),
                Nd4j.eye(4).castTo(DataType.DOUBLE).muli(3), KfacFlavour.REDUCE));
        KronFactorFiles.writeFactors(dir, factors);
        return new FuzzTarget("kfac-index", dir.resolve(KronFactorFiles.INDEX), null, () -> {
            List<Object> out = new ArrayList<>();
            for (KronFactors f : KronFactorFiles.readFactors(dir).values()) {
                out.add(List.of(f.layerPath(), f.flavour(), exact(f.a()), exact(f.b())));
            }
            return out;
        }, null, CORRUPT);
    }

    private static FuzzTarget csv(Path dir) throws IOException {
        Path file = dir.resolve("table.csv");
        Files.writeString(file, "size,rooms,price\n1.5,3,200\n2.25,4,-3.5e2\n0.75,1,1e-3\n");
        CsvRegressionReader reader = CsvRegressionReader.builder().targetColumn("price").build();
        return new FuzzTarget("csv", file, null, () -> {
            RegressionDataset d = reader.read(file);
            return List.of(exact(d.features()), exact(d.targets()));
        }, null, CORRUPT);
    }

    private static FuzzTarget idx(Path dir) throws IOException {
        Path images = dir.resolve("images-idx3-ubyte");
        Path labels = dir.resolve("labels-idx1-ubyte");
        ByteBuffer img = ByteBuffer.allocate(16 + 3 * 4 * 5);
        img.putInt(0x00000803).putInt(3).putInt(4).putInt(5);
        for (int i = 0; i < 60; i++) {
            img.put((byte) (i * 7));
        }
        Files.write(images, img.array());
        Files.write(labels, ByteBuffer.allocate(11).putInt(0x00000801).putInt(3).put(new byte[] {1, 0, 9}).array());
        return new FuzzTarget("idx", images, null, () -> dataset(new MnistReader().read("idx", images, labels)),
                null, CORRUPT);
    }

    private static FuzzTarget cifar(Path dir) throws IOException {
        Path file = dir.resolve("data_batch_1.bin");
        byte[] records = new byte[2 * Cifar10Reader.RECORD_BYTES];
        for (int i = 0; i < records.length; i++) {
            records[i] = (byte) (i * 31);
        }
        records[0] = 3;
        records[Cifar10Reader.RECORD_BYTES] = 9;
        Files.write(file, records);
        Cifar10Reader reader = new Cifar10Reader(2);
        return new FuzzTarget("cifar10", file, null, () -> dataset(reader.read("cifar", List.of(file))), null,
                CORRUPT);
    }

    private static Object dataset(ImageDataset d) {
        return List.of(exact(d.images()), Arrays.toString(d.labels()));
    }

    /** The CRC-32 of every byte before the last eight, stored in those eight in the given byte order. */
    private static UnaryOperator<byte[]> crc32AtEnd(ByteOrder order) {
        return bytes -> {
            if (bytes.length < 8) {
                return bytes;
            }
            byte[] out = bytes.clone();
            CRC32 crc = new CRC32();
            crc.update(out, 0, out.length - 8);
            ByteBuffer.wrap(out, out.length - 8, 8).order(order).putLong(out.length - 8, crc.getValue());
            return out;
        };
    }

    /** An exactly comparable form of an array: type, shape and every value (bit patterns for floating point). */
    static Object exact(INDArray a) {
        Object values = a.dataType().isFPType() ? Arrays.toString(Arrays.stream(a.dup('c').reshape(a.length())
                .toDoubleVector()).mapToLong(Double::doubleToRawLongBits).toArray())
                : Arrays.toString(a.length() == 0 ? new long[0] : a.dup('c').reshape(a.length()).toLongVector());
        return List.of(a.dataType(), Arrays.toString(a.shape()), values);
    }

    static Object exact(Map<String, INDArray> tensors) {
        Map<String, Object> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, exact(v)));
        return out;
    }
}
