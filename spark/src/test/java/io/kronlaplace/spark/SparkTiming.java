package io.kronlaplace.spark;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.EpochSummary;
import io.kronlaplace.hyperopt.ModelEvaluation;
import io.kronlaplace.hyperopt.OnlineMarglikOptions;
import io.kronlaplace.hyperopt.OnlineMarglikTrainer;
import io.kronlaplace.hyperopt.TrainingListener;
import io.kronlaplace.hyperopt.TrainingResult;
import io.kronlaplace.hyperopt.search.GridSearch;
import io.kronlaplace.hyperopt.search.SearchConfig;
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
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import io.kronlaplace.validation.report.EvaluationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Wall time of one distributed workload on a WRN-10-1 (Fixup, float32) and synthetic 32 x 32 images, in this JVM or
 * on one Spark master: {@code curvature} (one K-FAC-reduce GGN pass over 512 images), {@code evaluate} (curvature on
 * 512 training images, MAP / probit / MC with 20 samples on 256 test images), {@code train} (one epoch of 512 images
 * in batches of 64 with a marginal-likelihood update of 10 hyper-steps), {@code search} (a grid of four points, one
 * epoch of 128 images each). One untimed warm-up run, then the timed runs, one line each. Run by hand, one JVM per
 * variant, alternating variants (see docs/spark.md, section Measurements); not part of the test suite.
 *
 * <p>Arguments: workload, then {@code single} or a master such as {@code local[2]}, then the timed runs (default 1).
 */
public final class SparkTiming {
    private SparkTiming() {
    }

    private static Network wrn() {
        return WideResNet.builder().depth(10).widen(1).classes(10).inputChannels(3).variant(WideResNet.Variant.FIXUP)
                .seed(1).dataType(DataType.FLOAT).build();
    }

    private static ImageDataset images(String name, int count, long seed) {
        ImageDataset raw = new SyntheticImages().generate(name, count, seed);
        return ChannelNormalization.fit(raw).apply(raw);
    }

    public static void main(String[] args) {
        String workload = args[0];
        String master = args[1];
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        JavaSparkContext spark = master.equals("single") ? null : SparkContexts.create(master, "timing");
        int partitions = spark == null ? 1 : spark.defaultParallelism();
        DoubleSupplier run = switch (workload) {
            case "curvature" -> curvature(spark, partitions);
            case "evaluate" -> evaluate(spark, partitions);
            case "train" -> train(spark, partitions);
            case "search" -> search(spark);
            default -> throw new IllegalArgumentException("unknown workload " + workload);
        };
        run.getAsDouble();
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            double detail = run.getAsDouble();
            System.out.printf(Locale.ROOT, "%s %s %.3f s%s%n", workload, master, (System.nanoTime() - t0) / 1e9,
                    Double.isNaN(detail) ? "" : String.format(Locale.ROOT, " (steps %.3f s)", detail));
        }
        if (spark != null) {
            spark.stop();
        }
    }

    private static LaplaceOptions kron() {
        return LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .likelihood(LikelihoodType.CLASSIFICATION).prior(PriorPrecision.scalar(1)).flavour(KfacFlavour.REDUCE)
                .curvatureType(CurvatureType.GGN).build();
    }

    private static DoubleSupplier curvature(JavaSparkContext spark, int partitions) {
        Network net = wrn();
        ImageDataset train = images("train", 512, 1);
        List<Batch> batches = new ArrayList<>();
        for (int from = 0; from < train.size(); from += 64) {
            int[] idx = new int[64];
            long[] y = new long[64];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
                y[i] = train.label(from + i);
            }
            batches.add(new Batch(train.subset(idx).images(), Nd4j.createFromArray(y)));
        }
        return () -> {
            if (spark == null) {
                LaplacePosterior p = Laplace.create(net, kron());
                p.fit(batches.iterator());
            } else {
                new SparkCurvature(spark, partitions).fit(SparkTiming::wrn, net, kron(), batches);
            }
            return Double.NaN;
        };
    }

    private static DoubleSupplier evaluate(JavaSparkContext spark, int partitions) {
        Network net = wrn();
        ImageDataset train = images("train", 512, 1);
        ImageDataset test = images("test", 256, 2);
        return () -> {
            ModelEvaluation evaluation = new ModelEvaluation(net, PriorPrecision.scalar(1), KfacFlavour.REDUCE, 64,
                    20, 3, line -> { });
            EvaluationReport.Builder report = EvaluationReport.builder("timing");
            if (spark == null) {
                evaluation.evaluate(train, test, List.of(), null, report);
            } else {
                new SparkEvaluation(spark, partitions).evaluate(evaluation, SparkTiming::wrn, train, test, List.of(),
                        null, report);
            }
            return Double.NaN;
        };
    }

    private static DoubleSupplier train(JavaSparkContext spark, int partitions) {
        ImageDataset train = images("train", 512, 1);
        OnlineMarglikOptions options = OnlineMarglikOptions.builder().epochs(1).batchSize(64).marglikFrequency(1)
                .burnIn(1).hypersteps(10).augmentationSamples(1).curvatureBatchSize(64).seed(4).build();
        return () -> {
            Network net = wrn();
            TrainingResult result;
            if (spark == null) {
                result = new OnlineMarglikTrainer(net, train, options).train(TrainingListener.NONE);
            } else {
                try (SparkTraining training = new SparkTraining(spark, partitions, SparkTiming::wrn, train, options)) {
                    result = training.trainer(net).train(TrainingListener.NONE);
                }
            }
            EpochSummary epoch = result.history().get(0);
            return epoch.trainSeconds();
        };
    }

    private static DoubleSupplier search(JavaSparkContext spark) {
        ImageDataset train = images("train", 128, 1);
        ImageDataset validation = images("validation", 64, 2);
        OnlineMarglikOptions base = OnlineMarglikOptions.builder().epochs(1).batchSize(64).burnIn(1).hypersteps(10)
                .seed(4).curvatureBatchSize(100).build();
        List<SearchConfig> grid = GridSearch.grid(List.of(1), List.of(0.1, 1.0, 10.0, 100.0), List.of(1));
        return () -> {
            GridSearch search = new GridSearch(10, WideResNet.Variant.FIXUP, base, line -> { });
            if (spark == null) {
                search.run(grid, train, validation, TrainingListener.NONE);
            } else {
                new SparkGridSearch(spark).run(search, grid, train, validation);
            }
            return Double.NaN;
        };
    }
}
