package io.kronlaplace.laplace;

import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Tiny float64 networks, data and brute-force dense references for the Laplace tests. */
final class Fixtures {
    static final int IN = 3;
    static final int HIDDEN = 4;

    private Fixtures() {
    }

    /** Linear(3, 4) - ReLU - Linear(4, C), float64. */
    static Network mlp(int outputs, long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        Network net = new Network(new Sequential(new Linear(IN, HIDDEN, true, init), new ReLU(),
                new Linear(HIDDEN, outputs, true, init)));
        // non-zero biases so that bias terms are exercised
        SplittableRandom r = new SplittableRandom(seed + 7);
        for (Parameter p : net.parameters().values()) {
            if (p.kind() == Parameter.Kind.BIAS) {
                for (long i = 0; i < p.size(); i++) {
                    p.value().putScalar(i, 0.3 * (r.nextDouble() - 0.5));
                }
            }
        }
        return net;
    }

    /** Conv2d(2, 3, k=3, pad 1, bias) - ReLU - Conv2d(3, 2, k=1, bias) - global average pool - Linear(2, C): R > 1. */
    static Network convNet(int outputs, long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new io.kronlaplace.nn.Conv2d(2, 3, 3, 1, 1, true, init), new ReLU(),
                new io.kronlaplace.nn.Conv2d(3, 2, 1, 1, 0, true, init), new io.kronlaplace.nn.GlobalAvgPool2d(),
                new Linear(2, outputs, true, init)));
    }

    static INDArray inputs(int n, long seed) {
        return gaussian(seed, n, IN);
    }

    static INDArray gaussian(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long len = 1;
        for (long s : shape) {
            len *= s;
        }
        double[] v = new double[Math.toIntExact(len)];
        for (int i = 0; i < v.length; i++) {
            v[i] = LaplacePosterior.gaussian(r);
        }
        return Nd4j.create(v, shape, 'c');
    }

    static INDArray classes(int n, int c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(c);
        }
        return Nd4j.createFromArray(t);
    }

    static Iterator<Batch> batches(INDArray x, INDArray y, int size) {
        List<Batch> out = new ArrayList<>();
        for (long i = 0; i < x.size(0); i += size) {
            long end = Math.min(x.size(0), i + size);
            out.add(new Batch(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, end)).dup(),
                    y.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, end)).dup()));
        }
        return out.iterator();
    }

    /**
     * The parameters the SUBNETWORK cases cover, as indices into the flat ALL order of {@link #mlp}: two of the first
     * layer's biases (none of its weights, so that layer's weight direction is zero), and weights and a bias (two
     * outputs) or weights only (three outputs) of the last layer.
     */
    static final Subnetwork SUBNETWORK = Subnetwork.of(25, 13, 17, 15, 22);

    /** Whether the tests build a posterior of this combination: SUBNETWORK takes FULL only. */
    static boolean supported(HessianStructure h, SubsetOfWeights s) {
        return s != SubsetOfWeights.SUBNETWORK || h == HessianStructure.FULL;
    }

    /** Options of a structure and subset, with {@link #SUBNETWORK} for the SUBNETWORK subset. */
    static LaplaceOptions.Builder options(HessianStructure h, SubsetOfWeights s) {
        return LaplaceOptions.builder().structure(h).subset(s)
                .subnetwork(s == SubsetOfWeights.SUBNETWORK ? SUBNETWORK : null);
    }

    /** Indices of the covered parameters in the flat order of all weight-layer parameters, ascending. */
    static int[] coveredIndices(Network net, SubsetOfWeights subset) {
        List<Parameter> all = new ArrayList<>(net.parameters().values());
        int total = all.stream().mapToInt(q -> (int) q.size()).sum();
        return switch (subset) {
            case ALL -> java.util.stream.IntStream.range(0, total).toArray();
            case LAST_LAYER -> java.util.stream.IntStream.range(total - (int) (all.get(all.size() - 1).size()
                    + all.get(all.size() - 2).size()), total).toArray();
            case SUBNETWORK -> SUBNETWORK.indices();
        };
    }

    /**
     * Jacobians of the outputs w.r.t. the covered parameters by central finite differences: {@code [N][C][P]}.
     */
    static double[][][] jacobians(Network net, SubsetOfWeights subset, INDArray x) {
        int[] covered = coveredIndices(net, subset);
        INDArray f0 = net.forward(x, Mode.EVAL);
        int n = (int) f0.size(0);
        int c = (int) f0.size(1);
        double[][][] j = new double[n][c][covered.length];
        double h = 1e-6;
        int global = 0;
        int col = 0;
        for (Parameter q : net.parameters().values()) {
            INDArray flat = q.value().reshape(q.size());
            for (int i = 0; i < q.size(); i++, global++) {
                if (col == covered.length || covered[col] != global) {
                    continue;
                }
                double v = flat.getDouble(i);
                flat.putScalar(i, v + h);
                INDArray fp = net.forward(x, Mode.EVAL).dup();
                flat.putScalar(i, v - h);
                INDArray fm = net.forward(x, Mode.EVAL).dup();
                flat.putScalar(i, v);
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < c; b++) {
                        j[a][b][col] = (fp.getDouble(a, b) - fm.getDouble(a, b)) / (2 * h);
                    }
                }
                col++;
            }
        }
        return j;
    }

    /** The loss Hessian w.r.t. the outputs, by the textbook formulas: diag(p) - p p^T or I. */
    static double[][][] outputHessians(Network net, INDArray x, LikelihoodType type) {
        return outputHessians(net, x, type, null);
    }

    /**
     * Per-example Hessians of the loss w.r.t. the outputs; for BINARY diag(p (1 - p)) on the labels that
     * {@code targets} observes (not NaN; all when null).
     */
    static double[][][] outputHessians(Network net, INDArray x, LikelihoodType type, INDArray targets) {
        if (type == LikelihoodType.BINARY) {
            INDArray f = net.forward(x, Mode.EVAL);
            int n = (int) f.size(0);
            int c = (int) f.size(1);
            double[][][] lam = new double[n][c][c];
            for (int a = 0; a < n; a++) {
                for (int k = 0; k < c; k++) {
                    double p = 1 / (1 + Math.exp(-f.getDouble(a, k)));
                    boolean observed = targets == null || !Double.isNaN(targets.getDouble(a, k));
                    lam[a][k][k] = observed ? p * (1 - p) : 0;
                }
            }
            return lam;
        }
        INDArray f = net.forward(x, Mode.EVAL);
        int n = (int) f.size(0);
        int c = (int) f.size(1);
        double[][][] lam = new double[n][c][c];
        for (int a = 0; a < n; a++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                max = Math.max(max, f.getDouble(a, k));
            }
            double[] pr = new double[c];
            double z = 0;
            for (int k = 0; k < c; k++) {
                pr[k] = Math.exp(f.getDouble(a, k) - max);
                z += pr[k];
            }
            for (int k = 0; k < c; k++) {
                pr[k] /= z;
            }
            for (int k = 0; k < c; k++) {
                for (int l = 0; l < c; l++) {
                    lam[a][k][l] = type == LikelihoodType.REGRESSION ? (k == l ? 1 : 0)
                            : (k == l ? pr[k] : 0) - pr[k] * pr[l];
                }
            }
        }
        return lam;
    }

    /** GGN sum_n J_n^T Lambda_n J_n, P x P. */
    static double[][] ggn(double[][][] j, double[][][] lam) {
        int p = j[0][0].length;
        int c = j[0].length;
        double[][] h = new double[p][p];
        for (int n = 0; n < j.length; n++) {
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    double s = 0;
                    for (int k = 0; k < c; k++) {
                        for (int l = 0; l < c; l++) {
                            s += j[n][k][a] * lam[n][k][l] * j[n][l][b];
                        }
                    }
                    h[a][b] += s;
                }
            }
        }
        return h;
    }

    /** s H + diag(delta) as an EJML matrix. */
    static DMatrixRMaj precision(double[][] h, double s, double[] delta) {
        int p = h.length;
        DMatrixRMaj m = new DMatrixRMaj(p, p);
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                m.set(a, b, s * h[a][b] + (a == b ? delta[a] : 0));
            }
        }
        return m;
    }

    static double logDet(DMatrixRMaj spd) {
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(spd.numRows, true);
        if (!chol.decompose(spd.copy())) {
            throw new AssertionError("not positive definite");
        }
        DMatrixRMaj l = chol.getT(null);
        double s = 0;
        for (int i = 0; i < l.numRows; i++) {
            s += 2 * Math.log(l.get(i, i));
        }
        return s;
    }

    static DMatrixRMaj inverse(DMatrixRMaj m) {
        DMatrixRMaj inv = new DMatrixRMaj(m.numRows, m.numCols);
        if (!CommonOps_DDRM.invert(m.copy(), inv)) {
            throw new AssertionError("singular");
        }
        return inv;
    }

    static double[][] toArray(INDArray m) {
        return m.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    static double[] flatCovered(Network net, SubsetOfWeights subset) {
        double[] all = net.parameters().values().stream()
                .flatMapToDouble(q -> java.util.Arrays.stream(q.value().dup('c').data().asDouble())).toArray();
        return java.util.Arrays.stream(coveredIndices(net, subset)).mapToDouble(i -> all[i]).toArray();
    }

    static double maxAbsDiff(double[][] a, double[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }

    static double maxAbs(double[][] a) {
        double m = 0;
        for (double[] row : a) {
            for (double v : row) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}
