package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureBlock;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.graph.Activation;
import io.kronlaplace.nn.graph.Graph;
import io.kronlaplace.nn.graph.GraphNetwork;
import io.kronlaplace.nn.graph.GraphRows;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Posteriors over a graph network whose node and edge layers have ragged rows (graphs of 3, 2 and 4 nodes), float64:
 * the FULL and DIAG curvature against the finite-difference GGN, and the GLM functional covariance of every structure
 * against the dense J P^-1 J^T of its own curvature. Per-graph Jacobians come from the rows of each graph.
 */
class GraphLaplaceTest {

    private static INDArray graphs() {
        return GraphRows.pack(List.of(
                new Graph(3, new double[] {0.5, -0.2, 0.1, 0.9, -0.7, 0.3}, new double[0], new int[] {0, 1, 2, 1},
                        new int[] {1, 2, 0, 0}, 2, 0),
                new Graph(2, new double[] {-0.4, 0.8, 0.6, -0.1}, new double[0], new int[] {0}, new int[] {1}, 2, 0),
                new Graph(4, new double[] {0.2, 0.2, -0.5, 0.4, 0.7, -0.9, 0.1, 0.6}, new double[0],
                        new int[] {0, 1, 2, 3}, new int[] {1, 2, 3, 0}, 2, 0)), DataType.DOUBLE);
    }

    private static Network net() {
        return GraphNetwork.builder().nodeFeatures(2).width(2).mlpLayers(1).blocks(1).activation(Activation.TANH)
                .globalUpdates(false).outputs(2).seed(3).dataType(DataType.DOUBLE).build();
    }

    @ParameterizedTest
    @EnumSource(HessianStructure.class)
    void curvatureAndFunctionalCovarianceMatchDenseReferences(HessianStructure structure) {
        Network net = net();
        INDArray x = graphs();
        INDArray y = Fixtures.gaussian(4, 3, 2);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(structure)
                .likelihood(LikelihoodType.REGRESSION).prior(PriorPrecision.scalar(0.7)).build());
        post.fit(List.of(new Batch(x, y)).iterator());
        double[][] ggn = Fixtures.ggn(Fixtures.jacobians(net, SubsetOfWeights.ALL, x),
                Fixtures.outputHessians(net, x, LikelihoodType.REGRESSION));
        int p = ggn.length;
        double[][] h = new double[p][p];
        switch (structure) {
            case FULL -> h = ggn;
            case DIAG -> {
                for (int i = 0; i < p; i++) {
                    h[i][i] = ggn[i][i];
                }
            }
            case KRON -> {
                int off = 0;
                for (CurvatureBlock b : ((KronLaplace) post).blocks()) {
                    double[][] m = Fixtures.toArray(b.dense());
                    for (int i = 0; i < m.length; i++) {
                        System.arraycopy(m[i], 0, h[off + i], off, m.length);
                    }
                    off += m.length;
                }
            }
        }
        if (structure == HessianStructure.FULL) {
            double[][] mine = Fixtures.toArray(((FullLaplace) post).hessian());
            assertTrue(Fixtures.maxAbsDiff(mine, ggn) < 1e-6 * Fixtures.maxAbs(ggn), "FULL GGN of the graph network");
        }
        if (structure == HessianStructure.DIAG) {
            double[] mine = ((DiagLaplace) post).diagonal();
            for (int i = 0; i < p; i++) {
                assertTrue(Math.abs(mine[i] - ggn[i][i]) < 1e-6 * Fixtures.maxAbs(ggn), "DIAG entry " + i);
            }
        }
        DMatrixRMaj inv = Fixtures.inverse(Fixtures.precision(h, post.scale(),
                post.perParameterPrior(post.priorPrecision())));
        double[][][] j = Fixtures.jacobians(net, SubsetOfWeights.ALL, x);
        INDArray cov = post.functionalPrediction(x).covariance();
        double scale = 0;
        double worst = 0;
        for (int n = 0; n < j.length; n++) {
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    double ref = 0;
                    for (int u = 0; u < p; u++) {
                        for (int v = 0; v < p; v++) {
                            ref += j[n][a][u] * inv.get(u, v) * j[n][b][v];
                        }
                    }
                    scale = Math.max(scale, Math.abs(ref));
                    worst = Math.max(worst, Math.abs(ref - cov.getDouble(n, a, b)));
                }
            }
        }
        assertTrue(scale > 1e-4, "reference covariance is not trivially small: " + scale);
        assertTrue(worst < 1e-6 * scale, structure + ": GLM covariance differs from J P^-1 J^T by " + worst
                + " (scale " + scale + ")");
    }
}
