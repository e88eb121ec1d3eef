package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The contract of every {@link ConvolutionBackend} on float32 arrays: forward, input gradient and all gradients agree
 * with plain loops in double precision over kernels, strides (also ones that leave input rows unread), paddings,
 * non-square images and biases; inputs that are views are read correctly; and calls inside a workspace, on many
 * geometries in a row, and on several threads at once give the same numbers. Subclasses name the backend.
 */
abstract class ConvolutionBackendContractTest {
    /** float32 against a double reference, relative to the largest reference entry. */
    private static final double TOLERANCE = 2e-5;

    /** @return the backend under test */
    abstract ConvolutionBackend create();

    @ParameterizedTest(name = "N={0} Cin={1} {2}x{3} Cout={4} k={5} s={6} p={7} bias={8}")
    @CsvSource({
        "2, 3, 7, 7, 4, 3, 1, 1, true",
        "1, 5, 8, 6, 3, 3, 2, 1, false",
        "3, 2, 9, 9, 17, 1, 2, 0, false",
        "2, 16, 6, 6, 32, 3, 1, 1, false",
        "2, 4, 10, 7, 5, 5, 3, 2, true",
        "1, 1, 4, 4, 1, 2, 2, 0, true",
        "2, 3, 5, 5, 2, 3, 1, 0, false"})
    void forwardAndGradientsMatchPlainLoops(long n, long cin, long h, long w, long cout, int k, int s, int p,
            boolean bias) {
        ConvolutionGeometry g = new ConvolutionGeometry(n, cin, h, w, cout, k, s, p, bias);
        Random random = new Random(31 * n + 7 * cin + k + s + p);
        double[] x = random(random, n * cin * h * w);
        double[] kernel = random(random, cout * cin * k * k);
        double[] b = bias ? random(random, cout) : null;
        double[] gy = random(random, n * cout * g.outHeight() * g.outWidth());
        Reference ref = new Reference(g, x, kernel, b, gy);
        ConvolutionBackend backend = create();

        INDArray out = backend.forward(g, f32(x, g.inputShape()), f32(kernel, g.kernelShape()),
                bias ? f32(b, cout) : null);
        assertClose(ref.forward(), out, "forward");
        INDArray gxAlone = backend.inputGradient(g, f32(gy, g.outputShape()), f32(kernel, g.kernelShape()));
        assertClose(ref.inputGradient(), gxAlone, "input gradient alone");

        INDArray gx = Nd4j.createUninitialized(DataType.FLOAT, g.inputShape());
        INDArray gw = Nd4j.createUninitialized(DataType.FLOAT, g.kernelShape());
        INDArray gb = bias ? Nd4j.createUninitialized(DataType.FLOAT, cout) : null;
        backend.gradients(g, f32(x, g.inputShape()), f32(kernel, g.kernelShape()), bias ? f32(b, cout) : null,
                f32(gy, g.outputShape()), gx, gw, gb);
        assertClose(ref.inputGradient(), gx, "input gradient");
        assertClose(ref.kernelGradient(), gw, "kernel gradient");
        if (bias) {
            assertClose(ref.biasGradient(), gb, "bias gradient");
        }
    }

    @Test
    void inputsThatAreViewsAreReadFromTheirOwnElements() {
        ConvolutionGeometry g = new ConvolutionGeometry(2, 3, 6, 6, 4, 3, 1, 1, false);
        Random random = new Random(5);
        double[] all = random(random, 4 * 3 * 6 * 6);
        INDArray batch = f32(all, 4, 3, 6, 6);
        // images 1 and 2 of 4: a view that starts inside its buffer
        INDArray view = batch.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        double[] x = new double[2 * 3 * 6 * 6];
        System.arraycopy(all, 3 * 6 * 6, x, 0, x.length);
        double[] kernel = random(random, 4 * 3 * 3 * 3);
        double[] gy = random(random, 2 * 4 * 6 * 6);
        Reference ref = new Reference(g, x, kernel, null, gy);
        ConvolutionBackend backend = create();
        assertClose(ref.forward(), backend.forward(g, view, f32(kernel, g.kernelShape()), null), "forward of a view");
        INDArray gx = Nd4j.create(DataType.FLOAT, g.inputShape());
        INDArray gw = Nd4j.create(DataType.FLOAT, g.kernelShape());
        backend.gradients(g, view, f32(kernel, g.kernelShape()), null, f32(gy, g.outputShape()), gx, gw, null);
        assertClose(ref.kernelGradient(), gw, "kernel gradient from a view");
    }

    @Test
    void callsInsideAWorkspaceGiveTheSameNumbers() {
        ConvolutionGeometry g = new ConvolutionGeometry(3, 4, 8, 8, 6, 3, 2, 1, true);
        Random random = new Random(9);
        double[] x = random(random, 3 * 4 * 8 * 8);
        double[] kernel = random(random, 6 * 4 * 3 * 3);
        double[] b = random(random, 6);
        double[] gy = random(random, 3 * 6 * 4 * 4);
        Reference ref = new Reference(g, x, kernel, b, gy);
        ConvolutionBackend backend = create();
        WorkspaceConfiguration config = WorkspaceConfiguration.builder().initialSize(8L << 20).build();
        for (int cycle = 0; cycle < 3; cycle++) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(config, "CONV_CONTRACT")) {
                INDArray out = backend.forward(g, f32(x, g.inputShape()), f32(kernel, g.kernelShape()), f32(b, 6));
                INDArray gx = Nd4j.createUninitialized(DataType.FLOAT, g.inputShape());
                INDArray gw = Nd4j.createUninitialized(DataType.FLOAT, g.kernelShape());
                INDArray gb = Nd4j.createUninitialized(DataType.FLOAT, 6);
                // a transposed copy of the output gradient: not dense in C order, so the backend must copy it
                INDArray gyPermuted = f32(gy, g.outputShape()).permute(0, 1, 3, 2).dup('c').permute(0, 1, 3, 2);
                backend.gradients(g, f32(x, g.inputShape()), f32(kernel, g.kernelShape()), f32(b, 6), gyPermuted,
                        gx, gw, gb);
                assertClose(ref.forward(), out.detach(), "forward in a workspace, cycle " + cycle);
                assertClose(ref.inputGradient(), gx.detach(), "input gradient in a workspace, cycle " + cycle);
                assertClose(ref.kernelGradient(), gw.detach(), "kernel gradient in a workspace, cycle " + cycle);
                assertClose(ref.biasGradient(), gb.detach(), "bias gradient in a workspace, cycle " + cycle);
            }
        }
    }

    @Test
    void manyGeometriesInARowAndBackAgain() {
        ConvolutionBackend backend = create();
        Random random = new Random(13);
        double[] kernel = random(random, 2 * 2 * 3 * 3);
        List<double[]> inputs = new ArrayList<>();
        int sizes = OneDnn.PLANS_PER_THREAD + 8;
        for (int i = 0; i < sizes; i++) {
            inputs.add(random(random, 2L * (4 + i) * (4 + i)));
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < sizes; i++) {
                ConvolutionGeometry g = new ConvolutionGeometry(1, 2, 4 + i, 4 + i, 2, 3, 1, 1, false);
                double[] gyNone = new double[(int) (2 * g.outHeight() * g.outWidth())];
                Reference ref = new Reference(g, inputs.get(i), kernel, null, gyNone);
                assertClose(ref.forward(), backend.forward(g, f32(inputs.get(i), g.inputShape()),
                        f32(kernel, g.kernelShape()), null), "round " + round + ", image size " + (4 + i));
            }
        }
    }

    @Test
    void threadsAtOnceGetTheirOwnResults() throws Exception {
        ConvolutionBackend backend = create();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int seed = t;
                runs.add(pool.submit(() -> {
                    Random random = new Random(100 + seed);
                    ConvolutionGeometry g = new ConvolutionGeometry(2, 3 + seed % 2, 9, 9, 5, 3, 1 + seed % 2, 1,
                            seed % 3 == 0);
                    double[] x = random(random, g.batch() * g.inChannels() * 81);
                    double[] kernel = random(random, 5 * g.inChannels() * 9);
                    double[] b = g.bias() ? random(random, 5) : null;
                    double[] gy = random(random, 2 * 5 * g.outHeight() * g.outWidth());
                    Reference ref = new Reference(g, x, kernel, b, gy);
                    for (int repeat = 0; repeat < 20; repeat++) {
                        INDArray gx = Nd4j.create(DataType.FLOAT, g.inputShape());
                        INDArray gw = Nd4j.create(DataType.FLOAT, g.kernelShape());
                        INDArray gb = g.bias() ? Nd4j.create(DataType.FLOAT, 5) : null;
                        INDArray out = backend.forward(g, f32(x, g.inputShape()), f32(kernel, g.kernelShape()),
                                g.bias() ? f32(b, 5) : null);
                        backend.gradients(g, f32(x, g.inputShape()), f32(kernel, g.kernelShape()),
                                g.bias() ? f32(b, 5) : null, f32(gy, g.outputShape()), gx, gw, gb);
                        assertClose(ref.forward(), out, "thread run " + seed);
                        assertClose(ref.kernelGradient(), gw, "thread run " + seed);
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static double[] random(Random random, long length) {
        double[] values = new double[(int) length];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() * 2 - 1;
        }
        return values;
    }

    private static INDArray f32(double[] values, long... shape) {
        return Nd4j.create(values, shape, DataType.DOUBLE).castTo(DataType.FLOAT);
    }

    private static void assertClose(double[] expected, INDArray actual, String what) {
        assertEquals(DataType.FLOAT, actual.dataType(), what);
        assertEquals(expected.length, actual.length(), what + ": length");
        double[] got = actual.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - expected[i]));
        }
        assertTrue(worst <= TOLERANCE * Math.max(scale, 1e-30),
                what + ": largest difference " + worst + " against entries up to " + scale);
    }

    /** Plain loops in double precision: z = conv(x, w) + b and its gradients for an output gradient gy. */
    private static final class Reference {
        final ConvolutionGeometry g;
        final double[] x;
        final double[] w;
        final double[] b;
        final double[] gy;

        Reference(ConvolutionGeometry g, double[] x, double[] w, double[] b, double[] gy) {
            this.g = g;
            this.x = x;
            this.w = w;
            this.b = b;
            this.gy = gy;
        }

        /** Calls visit(xIndex, wIndex, outIndex) for every product x * w that makes up an output. */
        private void forEachProduct(Visitor visit) {
            int n = (int) g.batch();
            int ci = (int) g.inChannels();
            int h = (int) g.height();
            int wd = (int) g.width();
            int co = (int) g.outChannels();
            int oh = (int) g.outHeight();
            int ow = (int) g.outWidth();
            int k = g.kernel();
            for (int e = 0; e < n; e++) {
                for (int o = 0; o < co; o++) {
                    for (int r = 0; r < oh; r++) {
                        for (int c = 0; c < ow; c++) {
                            int out = ((e * co + o) * oh + r) * ow + c;
                            for (int ch = 0; ch < ci; ch++) {
                                for (int i = 0; i < k; i++) {
                                    for (int j = 0; j < k; j++) {
                                        int row = r * g.stride() - g.padding() + i;
                                        int col = c * g.stride() - g.padding() + j;
                                        if (row >= 0 && row < h && col >= 0 && col < wd) {
                                            visit.product(((e * ci + ch) * h + row) * wd + col,
                                                    ((o * ci + ch) * k + i) * k + j, out);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        double[] forward() {
            double[] z = new double[(int) (g.batch() * g.outChannels() * g.outHeight() * g.outWidth())];
            int area = (int) (g.outHeight() * g.outWidth());
            if (b != null) {
                for (int i = 0; i < z.length; i++) {
                    z[i] = b[(i / area) % (int) g.outChannels()];
                }
            }
            forEachProduct((xi, wi, out) -> z[out] += x[xi] * w[wi]);
            return z;
        }

        double[] inputGradient() {
            double[] gx = new double[x.length];
            forEachProduct((xi, wi, out) -> gx[xi] += gy[out] * w[wi]);
            return gx;
        }

        double[] kernelGradient() {
            double[] gw = new double[w.length];
            forEachProduct((xi, wi, out) -> gw[wi] += gy[out] * x[xi]);
            return gw;
        }

        double[] biasGradient() {
            double[] gb = new double[(int) g.outChannels()];
            int area = (int) (g.outHeight() * g.outWidth());
            for (int i = 0; i < gy.length; i++) {
                gb[(i / area) % (int) g.outChannels()] += gy[i];
            }
            return gb;
        }
    }

    private interface Visitor {
        void product(int xIndex, int wIndex, int outIndex);
    }
}
