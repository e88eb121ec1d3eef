package io.kronlaplace.hyperopt.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.hyperopt.NetworkState;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.graph.Activation;
import io.kronlaplace.nn.graph.Aggregation;
import io.kronlaplace.nn.graph.Readout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A saved graph network reads back as the same network; image normalisation in a graph model file is refused. */
class SavedGraphModelTest {
    private static final ModelArchitecture GNN = ModelArchitecture.gnn(new GraphSizes(2, 1, 6, 2, 2,
            Aggregation.SUM, Activation.RELU, Readout.GLOBAL), 3);

    @TempDir
    Path dir;

    @Test
    void graphModelRoundTripsWithoutNormalisation() throws Exception {
        Network trained = GNN.build(7);
        Path file = dir.resolve("model.klm");
        new SavedModel(GNN, new double[0], new double[0], new double[] {0.5, 2.0}, new double[0],
                NetworkState.capture(trained)).write(file);
        SavedModel read = SavedModel.read(file);
        assertEquals(GNN, read.architecture());
        assertEquals(0, read.network().flatParameters().sub(trained.flatParameters()).norm2Number().doubleValue(),
                0.0);
    }

    @Test
    void graphModelWithImageNormalisationIsRefused() throws Exception {
        Path file = dir.resolve("model.klm");
        new SavedModel(GNN, new double[] {0.1}, new double[] {1.0}, new double[] {1.0}, new double[0],
                NetworkState.capture(GNN.build(0))).write(file);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> SavedModel.read(file));
        assertTrue(e.getMessage().contains("GNN has no input channels to normalise"), e.getMessage());
    }
}
