package io.kronlaplace.spark;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.HessianStructure;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Wall time of one curvature pass (K-FAC reduce, GGN) of a WRN-10-1 on synthetic 32 x 32 images: single JVM, Spark
 * local[1] and local[2], alternating, after one warm-up round. Run by hand, not by the test suite.
 */
public final class CurvaturePassTiming {
    private CurvaturePassTiming() {
    }

    public static void main(String[] args) {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        NetworkFactory factory = () -> WideResNet.builder().depth(10).widen(1).classes(10).inputChannels(3)
                .variant(WideResNet.Variant.FIXUP).seed(1).dataType(DataType.FLOAT).build();
        Network net = factory.build();
        Nd4j.getRandom().setSeed(2);
        List<Batch> batches = new ArrayList<>();
        for (int from = 0; from < images; from += 64) {
            long[] y = new long[64];
            for (int i = 0; i < y.length; i++) {
                y[i] = (from + i) % 10;
            }
            batches.add(new Batch(Nd4j.randn(DataType.FLOAT, 64, 3, 32, 32), Nd4j.createFromArray(y)));
        }
        LaplaceOptions options = LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .likelihood(LikelihoodType.CLASSIFICATION).prior(PriorPrecision.scalar(1)).flavour(KfacFlavour.REDUCE)
                .curvatureType(CurvatureType.GGN).build();
        JavaSparkContext one = SparkContexts.create("local[1]", "timing");
        double[][] seconds = new double[3][rounds + 1];
        for (int r = 0; r <= rounds; r++) {
            long t0 = System.nanoTime();
            LaplacePosterior p = Laplace.create(net, options);
            p.fit(batches.iterator());
            seconds[0][r] = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            new SparkCurvature(one, 1).fit(factory, net, options, batches);
            seconds[1][r] = (System.nanoTime() - t0) / 1e9;
        }
        one.stop();
        JavaSparkContext two = SparkContexts.create("local[2]", "timing");
        for (int r = 0; r <= rounds; r++) {
            long t0 = System.nanoTime();
            new SparkCurvature(two, 2).fit(factory, net, options, batches);
            seconds[2][r] = (System.nanoTime() - t0) / 1e9;
        }
        two.stop();
        String[] names = {"single JVM", "Spark local[1]", "Spark local[2]"};
        for (int k = 0; k < 3; k++) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-15s", names[k]));
            double sum = 0;
            for (int r = 1; r <= rounds; r++) {
                line.append(String.format(Locale.ROOT, " %.2f", seconds[k][r]));
                sum += seconds[k][r];
            }
            System.out.println(line.append(String.format(Locale.ROOT, "  mean %.2f s (warm-up %.2f s)",
                    sum / rounds, seconds[k][0])));
        }
    }
}
