package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class StandardizationTest {
    private static final double[][] TRAIN = {{1, 10, 5}, {3, 30, 5}, {5, 20, 5}};

    @Test
    void fitsColumnMeansAndPopulationStdsAndRoundTrips() {
        Standardization s = Standardization.fit(Nd4j.createFromArray(TRAIN));
        // column 0: mean 3, population variance (4 + 0 + 4) / 3; column 2 is constant and only centred
        assertArrayEquals(new double[] {3, 20, 5}, s.mean(), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(8.0 / 3), Math.sqrt(200.0 / 3), 1}, s.std(), 1e-12);
        INDArray z = s.apply(Nd4j.createFromArray(TRAIN));
        assertEquals((1 - 3) / Math.sqrt(8.0 / 3), z.getDouble(0, 0), 1e-12);
        assertEquals(0.0, z.getDouble(1, 2), 0.0);
        assertEquals(0.0, z.mean(0).amaxNumber().doubleValue(), 1e-12);
        assertArrayEquals(Nd4j.createFromArray(TRAIN).data().asDouble(), s.invert(z).data().asDouble(), 1e-12);
        INDArray unitVariance = Nd4j.ones(DataType.DOUBLE, 2, 3);
        assertEquals(200.0 / 3, s.invertVariance(unitVariance).getDouble(1, 1), 1e-12);
    }

    @Test
    void survivesJavaSerialisation() throws Exception {
        Standardization s = Standardization.fit(Nd4j.createFromArray(TRAIN));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(s, in.readObject());
        }
    }

    @Test
    void rejectsWrongShapesAndNonFiniteValues() {
        Standardization s = Standardization.fit(Nd4j.createFromArray(TRAIN));
        assertThrows(IllegalArgumentException.class, () -> s.apply(Nd4j.ones(2, 2)));
        assertThrows(IllegalArgumentException.class, () -> Standardization.fit(Nd4j.ones(3)));
        assertThrows(IllegalArgumentException.class,
                () -> Standardization.fit(Nd4j.createFromArray(new double[][] {{1}, {Double.NaN}})));
        assertThrows(IllegalArgumentException.class, () -> new Standardization(new double[] {0}, new double[] {0}));
    }
}
