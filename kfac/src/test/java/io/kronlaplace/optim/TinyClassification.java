package io.kronlaplace.optim;

import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A learnable synthetic 3-class problem (labels = argmax of a fixed linear map) and a small float64 MLP for it. */
final class TinyClassification {
    static final int N = 64;
    static final int IN = 4;
    static final int CLASSES = 3;
    final INDArray inputs;
    final INDArray labels;
    final CrossEntropy likelihood = new CrossEntropy();

    TinyClassification(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] teacher = new double[CLASSES][IN];
        for (double[] row : teacher) {
            for (int j = 0; j < IN; j++) {
                row[j] = 2 * random.nextDouble() - 1;
            }
        }
        double[][] x = new double[N][IN];
        long[] y = new long[N];
        for (int n = 0; n < N; n++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < IN; j++) {
                x[n][j] = 2 * random.nextDouble() - 1;
            }
            for (int c = 0; c < CLASSES; c++) {
                double score = 0;
                for (int j = 0; j < IN; j++) {
                    score += teacher[c][j] * x[n][j];
                }
                if (score > best) {
                    best = score;
                    y[n] = c;
                }
            }
        }
        inputs = Nd4j.createFromArray(x);
        labels = Nd4j.createFromArray(y);
    }

    static Network mlp(long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Linear(IN, 16, true, init), new ReLU(),
                new Linear(16, CLASSES, true, init)));
    }

    /** Mean cross-entropy of the network on the whole data set. */
    double loss(Network net) {
        return likelihood.loss(net.forward(inputs, Mode.EVAL), labels, Reduction.MEAN);
    }

    /** Forward and backward on the whole data set: leaves the mean-loss gradient in the parameters. */
    double computeGradients(Network net) {
        net.zeroGrad();
        INDArray f = net.forward(inputs, Mode.TRAIN);
        net.backward(likelihood.gradient(f, labels, Reduction.MEAN), BackwardContext.training());
        return likelihood.loss(f, labels, Reduction.MEAN);
    }

    /** Trains with the optimiser for the given number of full-batch steps and returns the final loss. */
    double train(Network net, Optimizer optimizer, int steps) {
        for (int s = 0; s < steps; s++) {
            computeGradients(net);
            optimizer.step(net);
        }
        return loss(net);
    }
}
