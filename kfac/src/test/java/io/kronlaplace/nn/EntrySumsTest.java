package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class EntrySumsTest {
    /** Lengths below, at and around whole rows of 4096 entries, and several rows with a tail. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 4095, 4096, 4097, 3 * 4096, 5 * 4096 + 123})
    void sumsAndSumsOfProductsMatchLoopsInDoublePrecision(int length) {
        double[] a = values(length, 1);
        double[] b = values(length, 2);
        double sum = 0;
        double products = 0;
        for (int i = 0; i < length; i++) {
            sum += a[i];
            products += a[i] * b[i];
        }
        INDArray x = Nd4j.createFromArray(a);
        INDArray y = Nd4j.createFromArray(b);
        assertEquals(sum, EntrySums.sum(x), 1e-12 * Math.max(1, length));
        assertEquals(products, EntrySums.sumOfProducts(x, y), 1e-12 * Math.max(1, length));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4097, 7 * 4096 + 9})
    void float32SumsAreAccurateToFloatRounding(int length) {
        double[] a = values(length, 3);
        double[] b = values(length, 4);
        double sum = 0;
        double products = 0;
        double scale = 0;
        float[] af = new float[length];
        float[] bf = new float[length];
        for (int i = 0; i < length; i++) {
            af[i] = (float) a[i];
            bf[i] = (float) b[i];
            sum += af[i];
            products += (double) af[i] * bf[i];
            scale += Math.abs(af[i]);
        }
        double tolerance = 1e-6 * scale;
        assertEquals(sum, EntrySums.sum(Nd4j.createFromArray(af)), tolerance);
        assertEquals(products, EntrySums.sumOfProducts(Nd4j.createFromArray(af), Nd4j.createFromArray(bf)),
                tolerance);
    }

    @Test
    void viewsAndTheirShapesAreSummedByTheirOwnEntries() {
        INDArray whole = Nd4j.createFromArray(values(6 * 3000, 5)).reshape(6, 3000);
        INDArray rows = whole.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
        INDArray columns = whole.get(NDArrayIndex.all(), NDArrayIndex.interval(100, 3, 2900));
        assertEquals(loopSum(rows), EntrySums.sum(rows), 1e-10);
        assertEquals(loopSum(columns), EntrySums.sum(columns), 1e-10);
        INDArray transposed = whole.transpose();
        assertEquals(loopSum(whole), EntrySums.sum(transposed), 1e-10);
        INDArray other = Nd4j.createFromArray(values(6 * 3000, 6)).reshape(3000, 6);
        assertEquals(whole.transpose().mul(other).sumNumber().doubleValue(),
                EntrySums.sumOfProducts(whole.transpose(), other), 1e-10);
        INDArray blocked = Nd4j.createFromArray(values(2 * 2 * 3 * 3 * 16, 7)).reshape(2, 2, 3, 3, 16);
        assertEquals(loopSum(blocked), EntrySums.sum(blocked), 1e-12);
    }

    @Test
    void integerArraysUseTheGeneralReduction() {
        assertEquals(10.0, EntrySums.sum(Nd4j.createFromArray(1, 2, 3, 4)));
        assertEquals(20.0, EntrySums.sumOfProducts(Nd4j.createFromArray(1, 2, 3), Nd4j.createFromArray(2, 3, 4)));
    }

    @Test
    void nonFiniteEntriesGiveANonFiniteSum() {
        double[] a = values(3 * 4096 + 2, 8);
        a[4100] = Double.NaN;
        assertTrue(Double.isNaN(EntrySums.sum(Nd4j.createFromArray(a))));
        float[] f = new float[5000];
        f[4999] = Float.POSITIVE_INFINITY;
        assertEquals(Double.POSITIVE_INFINITY, EntrySums.sum(Nd4j.createFromArray(f)));
    }

    @Test
    void productsOfDifferentShapesOrTypesAreRefused() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> EntrySums.sumOfProducts(Nd4j.zeros(DataType.DOUBLE, 2, 3), Nd4j.zeros(DataType.DOUBLE, 3, 2)));
        assertTrue(shape.getMessage().contains("[2, 3]") && shape.getMessage().contains("[3, 2]"),
                shape.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> EntrySums.sumOfProducts(Nd4j.zeros(DataType.DOUBLE, 4), Nd4j.zeros(DataType.FLOAT, 4)));
        assertTrue(type.getMessage().contains("FLOAT"), type.getMessage());
    }

    private static double[] values(int length, long seed) {
        return new SplittableRandom(seed).doubles(length, -1, 1).toArray();
    }

    private static double loopSum(INDArray x) {
        double[] v = x.dup('c').data().asDouble();
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s;
    }
}
