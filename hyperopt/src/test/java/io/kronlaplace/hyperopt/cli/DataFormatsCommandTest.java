package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.hyperopt.RegressionEvaluation;
import io.kronlaplace.hyperopt.checkpoint.DataFormat;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.io.Npy;
import io.kronlaplace.laplace.LikelihoodType;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Tiny IDX, CSV and NPY files written here, trained on (tiny MLP, 2 epochs) and evaluated in-process; the regression
 * standardisation stored with the model; bad files exit 3 naming the file and the problem.
 */
class DataFormatsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TINY = {"--quiet", "--model-kind", "MLP", "--hidden", "4", "--epochs", "2", "-F",
        "1", "-B", "1", "-K", "2", "--batch-size", "8", "--mc-samples", "4"};

    @TempDir
    Path dir;

    private MainTest.Run train(Path out, String... args) {
        List<String> all = new ArrayList<>(List.of("train"));
        all.addAll(List.of(TINY));
        all.addAll(List.of(args));
        all.addAll(List.of("--out", out.toString()));
        return MainTest.run(all.toArray(String[]::new));
    }

    private static JsonNode report(Path out) throws Exception {
        return JSON.readTree(out.resolve("report.json").toFile());
    }

    /** IDX images (gzip) and labels: three classes of 4 x 4 images, each class with its own bright row. */
    private void writeIdx(Path images, Path labels, int n, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        ByteArrayOutputStream classes = new ByteArrayOutputStream();
        pixels.write(new byte[] {0, 0, 8, 3});
        pixels.write(ByteBuffer.allocate(12).putInt(n).putInt(4).putInt(4).array());
        classes.write(new byte[] {0, 0, 8, 1});
        classes.write(ByteBuffer.allocate(4).putInt(n).array());
        for (int i = 0; i < n; i++) {
            int label = i % 3;
            classes.write(label);
            for (int p = 0; p < 16; p++) {
                pixels.write(p / 4 == label ? 200 + random.nextInt(50) : random.nextInt(60));
            }
        }
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(images))) {
            gz.write(pixels.toByteArray());
        }
        Files.write(labels, classes.toByteArray());
    }

    @Test
    void idxImagesTrainAndEvaluateFromTheRecordedSource() throws Exception {
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        writeIdx(images, labels, 30, 1);
        Path out = dir.resolve("idx");
        MainTest.Run r = train(out, "--train-file", images + "," + labels);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        SavedModel model = SavedModel.read(out.resolve("model.klm"));
        assertEquals(DataFormat.IDX, model.data().format());
        assertEquals(LikelihoodType.CLASSIFICATION, model.data().task());
        assertNull(model.regression());
        assertEquals(3, model.architecture().classes());
        // 20% of 30 held out: the report's test set has 6 images
        assertEquals(6, report(out).get("classification").get(0).get("count").asInt());

        MainTest.Run e = MainTest.run("evaluate", "--quiet", "-m", out.resolve("model.klm").toString(),
                "--mc-samples", "4", "--batch-size", "8", "--out", dir.resolve("idx-eval").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertEquals(6, report(dir.resolve("idx-eval")).get("classification").get(0).get("count").asInt());

        Files.delete(labels);
        MainTest.Run gone = MainTest.run("evaluate", "--quiet", "-m", out.resolve("model.klm").toString(),
                "--out", dir.resolve("idx-gone").toString());
        assertEquals(ExitCodes.INPUT, gone.code(), gone.err());
        assertTrue(gone.err().contains(labels.getFileName().toString()), gone.err());
    }

    /** y = 2 x1 - x2 + 0.1 noise + 5, with the target between the features. */
    static String regressionCsv(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder("x1,y,x2\n");
        for (int i = 0; i < n; i++) {
            double x1 = random.nextDouble(-1, 1);
            double x2 = random.nextDouble(-1, 1) * 10;
            double y = 5 + 2 * x1 - x2 + 0.1 * random.nextDouble(-1, 1);
            b.append(String.format(java.util.Locale.ROOT, "%.6f,%.6f,%.6f%n", x1, y, x2));
        }
        return b.toString();
    }

    @Test
    void csvRegressionStoresItsStandardisationAndEvaluateAppliesTheSame() throws Exception {
        Path trainFile = Files.writeString(dir.resolve("train.csv"), regressionCsv(40, 3));
        Path testFile = Files.writeString(dir.resolve("test.csv"), regressionCsv(12, 4));
        Path out = dir.resolve("csv");
        MainTest.Run r = train(out, "--train-file", trainFile.toString(), "--test-file", testFile.toString(),
                "--target-column", "y");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        SavedModel model = SavedModel.read(out.resolve("model.klm"));
        assertEquals(LikelihoodType.REGRESSION, model.data().task());
        assertTrue(model.data().header());
        // the standardisation is that of the training file, computed here by hand (population std)
        double[][] columns = new double[3][40];
        List<String> lines = Files.readAllLines(trainFile);
        for (int i = 0; i < 40; i++) {
            String[] cells = lines.get(i + 1).split(",");
            for (int c = 0; c < 3; c++) {
                columns[c][i] = Double.parseDouble(cells[c]);
            }
        }
        assertEquals(mean(columns[1]), model.regression().mean(), 1e-9);
        assertEquals(std(columns[1]), model.regression().std(), 1e-9);
        assertArrayEquals(new double[] {mean(columns[0]), mean(columns[2])}, model.normalizationMean(), 1e-9);
        assertArrayEquals(new double[] {std(columns[0]), std(columns[2])}, model.normalizationStd(), 1e-9);
        assertTrue(model.regression().sigma() > 0);

        JsonNode trained = report(out).get("regression");
        assertEquals("MAP", trained.get(0).get("method").asText());
        assertEquals(RegressionEvaluation.LAPLACE_GLM, trained.get(1).get("method").asText());
        assertEquals(12, trained.get(0).get("count").asInt());
        assertEquals(10, trained.get(1).get("pitHistogram").size());

        MainTest.Run e = MainTest.run("evaluate", "--quiet", "-m", out.resolve("model.klm").toString(),
                "--out", dir.resolve("csv-eval").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        JsonNode evaluated = report(dir.resolve("csv-eval")).get("regression");
        // the same weights on the same rows through the stored standardisation: the MAP row is reproduced exactly
        assertEquals(trained.get(0).get("rmse").asDouble(), evaluated.get(0).get("rmse").asDouble(), 1e-12);
        assertEquals(trained.get(0).get("nll").asDouble(), evaluated.get(0).get("nll").asDouble(), 1e-12);
        assertTrue(Files.exists(dir.resolve("csv-eval").resolve("report.html")));
    }

    @Test
    void npyClassificationAndRegressionInferTheTaskFromTheTargetType() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        int n = 24;
        double[] x = new double[n * 3];
        double[] label = new double[n];
        double[] value = new double[n];
        for (int i = 0; i < n; i++) {
            label[i] = i % 2;
            for (int d = 0; d < 3; d++) {
                x[3 * i + d] = random.nextDouble() + (d == 0 ? label[i] : 0);
            }
            value[i] = x[3 * i] - x[3 * i + 1];
        }
        Path inputs = npy("x.npy", Nd4j.createFromArray(x).castTo(DataType.FLOAT).reshape(n, 3));
        Path labels = npy("labels.npy", Nd4j.createFromArray(label).castTo(DataType.INT64));
        Path values = npy("values.npy", Nd4j.createFromArray(value));

        MainTest.Run c = train(dir.resolve("npy-c"), "--train-file", inputs + "," + labels);
        assertEquals(ExitCodes.OK, c.code(), c.err());
        SavedModel classifier = SavedModel.read(dir.resolve("npy-c").resolve("model.klm"));
        assertEquals(LikelihoodType.CLASSIFICATION, classifier.data().task());
        assertEquals(2, classifier.architecture().classes());

        MainTest.Run g = train(dir.resolve("npy-r"), "--train-file", inputs + "," + values);
        assertEquals(ExitCodes.OK, g.code(), g.err());
        SavedModel regressor = SavedModel.read(dir.resolve("npy-r").resolve("model.klm"));
        assertNotNull(regressor.regression());
        MainTest.Run e = MainTest.run("evaluate", "--quiet", "-m", dir.resolve("npy-r").resolve("model.klm")
                .toString(), "--out", dir.resolve("npy-r-eval").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertEquals(5, report(dir.resolve("npy-r-eval")).get("regression").get(0).get("count").asInt());

        // a label file with one row too few
        Path short23 = npy("short.npy", Nd4j.createFromArray(java.util.Arrays.copyOf(label, n - 1))
                .castTo(DataType.INT64));
        assertInputError(train(dir.resolve("bad1"), "--train-file", inputs + "," + short23), "short.npy",
                "holds 23 targets but x.npy holds 24 rows");
        Path truncated = dir.resolve("truncated.npy");
        byte[] whole = Files.readAllBytes(inputs);
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 5));
        assertInputError(train(dir.resolve("bad2"), "--train-file", truncated + "," + labels), "truncated.npy",
                "truncated");
        // numpy's complex64 has 8-byte elements like the float64 array whose header is relabelled here
        String relabelled = new String(Npy.toBytes(Nd4j.createFromArray(value), "complex.npy"),
                StandardCharsets.ISO_8859_1).replace("'<f8'", "'<c8'");
        Path complex = Files.write(dir.resolve("complex.npy"), relabelled.getBytes(StandardCharsets.ISO_8859_1));
        assertInputError(train(dir.resolve("bad3"), "--train-file", inputs + "," + complex), "complex.npy",
                "unsupported dtype '<c8'");
    }

    @Test
    void badTablesAndIdxFilesExitThreeNamingFileAndProblem() throws Exception {
        Path table = Files.writeString(dir.resolve("table.csv"), regressionCsv(20, 1));
        assertInputError(train(dir.resolve("b1"), "--train-file", table.toString(), "--target-column", "price"),
                "table.csv", "target column 'price' not in header");
        Path ragged = Files.writeString(dir.resolve("ragged.csv"), "a,b,c\n1,2,3\n4,5\n6,7,8\n");
        assertInputError(train(dir.resolve("b2"), "--train-file", ragged.toString()), "ragged.csv",
                "line 3 has 2 columns, expected 3");
        Path images = dir.resolve("images.idx");
        Path labels = dir.resolve("labels.idx");
        writeIdx(images, labels, 30, 2);
        Path fewer = dir.resolve("fewer-labels.idx");
        writeIdx(dir.resolve("other-images.idx"), fewer, 29, 2);
        assertInputError(train(dir.resolve("b3"), "--train-file", images + "," + fewer), "fewer-labels.idx",
                "holds 29 labels but images.idx holds 30 images");
    }

    private static void assertInputError(MainTest.Run r, String file, String problem) {
        assertEquals(ExitCodes.INPUT, r.code(), r.err());
        assertTrue(r.err().contains(file) && r.err().contains(problem), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }

    private Path npy(String name, INDArray array) throws Exception {
        Path file = dir.resolve(name);
        Npy.write(file, array);
        return file;
    }
}
