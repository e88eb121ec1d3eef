package io.kronlaplace.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.Network;
import org.junit.jupiter.api.Test;

class NetworkTrainingTest {
    private final TinyClassification problem = new TinyClassification(3);

    @Test
    void sgdWithMomentumReducesTheTrainingLossOfAnMlp() {
        Network net = TinyClassification.mlp(5);
        double before = problem.loss(net);
        double after = problem.train(net, Sgd.builder().learningRate(0.1).momentum(0.9).weightDecay(1e-4).build(), 60);
        System.out.printf("loss %.4f -> %.4f%n", before, after);
        assertTrue(after < 0.3 * before, "loss " + before + " -> " + after);
    }

    @Test
    void adamReducesTheTrainingLossOfAnMlp() {
        Network net = TinyClassification.mlp(5);
        double before = problem.loss(net);
        double after = problem.train(net, Adam.builder().learningRate(0.01).build(), 60);
        System.out.printf("loss %.4f -> %.4f%n", before, after);
        assertTrue(after < 0.3 * before, "loss " + before + " -> " + after);
    }
}
