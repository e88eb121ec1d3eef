package io.kronlaplace.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MlpAndConvNetTest {
    @Test
    void mlpHasTheNamesAndShapesOfTheEquivalentSequential() {
        Network net = Mlp.builder().inputs(12).hidden(5, 4).classes(3).build();
        assertEquals(List.of("1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"),
                List.copyOf(net.parameters().keySet()));
        assertArrayEquals(new long[] {5, 12}, net.parameter("1.weight").value().shape());
        assertArrayEquals(new long[] {3, 4}, net.parameter("5.weight").value().shape());
    }

    @Test
    void mlpForwardIsTheExplicitMatrixComposition() {
        Network net = Mlp.builder().inputs(6).hidden(4).classes(2).seed(3).dataType(DataType.DOUBLE).build();
        net.parameter("1.bias").value().assign(Nd4j.createFromArray(0.1, -0.2, 0.3, -0.4));
        net.parameter("3.bias").value().assign(Nd4j.createFromArray(0.5, -0.5));
        INDArray x = Nd4j.linspace(DataType.DOUBLE, -1, 0.25, 12).reshape(2, 1, 2, 3);
        double[][] w1 = net.parameter("1.weight").value().toDoubleMatrix();
        double[] b1 = net.parameter("1.bias").value().toDoubleVector();
        double[][] w2 = net.parameter("3.weight").value().toDoubleMatrix();
        double[] b2 = net.parameter("3.bias").value().toDoubleVector();
        INDArray out = net.forward(x, Mode.EVAL);
        for (int n = 0; n < 2; n++) {
            double[] in = x.slice(n).dup().reshape(6).toDoubleVector();
            double[] hidden = new double[4];
            for (int i = 0; i < 4; i++) {
                double s = b1[i];
                for (int j = 0; j < 6; j++) {
                    s += w1[i][j] * in[j];
                }
                hidden[i] = Math.max(0, s);
            }
            for (int k = 0; k < 2; k++) {
                double s = b2[k];
                for (int i = 0; i < 4; i++) {
                    s += w2[k][i] * hidden[i];
                }
                assertEquals(s, out.getDouble(n, k), 1e-12);
            }
        }
    }

    @Test
    void convNetHasTheNamesAndShapesOfTheEquivalentSequential() {
        Network net = ConvNet.builder().inputChannels(1).imageSize(9).channels(4, 6).hidden(7).classes(3).build();
        // 9 -> pool 4 -> pool 2: the flattened features are 6 * 2 * 2
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"),
                List.copyOf(net.parameters().keySet()));
        assertArrayEquals(new long[] {4, 1, 3, 3}, net.parameter("0.weight").value().shape());
        assertArrayEquals(new long[] {7, 24}, net.parameter("7.weight").value().shape());
        assertArrayEquals(new long[] {5, 3}, net.forward(Nd4j.rand(DataType.FLOAT, 5, 1, 9, 9), Mode.EVAL).shape());
    }

    @Test
    void badSizesAreRejectedWithTheirName() {
        assertEquals("MLP hidden widths must be positive, got [3, 0]", assertThrows(IllegalArgumentException.class,
                () -> Mlp.builder().hidden(3, 0)).getMessage());
        assertThrows(IllegalStateException.class, () -> Mlp.builder().build());
        assertThrows(IllegalArgumentException.class, () -> ConvNet.builder().channels());
        assertEquals("2x2 images are too small for 2 pooling stages (each halves the side)",
                assertThrows(IllegalArgumentException.class,
                        () -> ConvNet.builder().imageSize(2).channels(2, 2).build()).getMessage());
    }
}
