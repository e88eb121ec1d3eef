package io.kronlaplace.validation.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class DatasetTest {
    /** n images of 2 x 2 x 3 whose every pixel equals the image index; label = index % 3. */
    static ImageDataset indexed(int n) {
        double[] v = new double[n * 12];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(v, i * 12, (i + 1) * 12, i);
            labels[i] = i % 3;
        }
        return new ImageDataset("idx", Nd4j.createFromArray(v).reshape(n, 2, 2, 3), labels, 3);
    }

    private static int[] ids(ImageDataset d) {
        int[] ids = new int[d.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) d.images().getDouble(i, 1, 1, 2);
        }
        return ids;
    }

    @Test
    void subsetKeepsImagesAndLabelsTogether() {
        ImageDataset d = indexed(10).subset(new int[] {7, 2, 2, 9});
        assertArrayEquals(new int[] {7, 2, 2, 9}, ids(d));
        assertArrayEquals(new int[] {1, 2, 2, 0}, d.labels());
        assertArrayEquals(new long[] {4, 2, 2, 3}, d.images().shape());
        assertEquals(0, indexed(5).subset(new int[0]).size());
        assertThrows(IndexOutOfBoundsException.class, () -> indexed(5).subset(new int[] {5}));
    }

    @Test
    void shuffleIsASeededPermutation() {
        ImageDataset d = indexed(50);
        int[] a = ids(d.shuffled(3));
        int[] b = ids(d.shuffled(3));
        int[] c = ids(d.shuffled(4));
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void splitIsDisjointAndComplete() {
        Split<ImageDataset> split = indexed(50).split(0.2, 9);
        assertEquals(40, split.train().size());
        assertEquals(10, split.validation().size());
        List<Integer> all = new ArrayList<>();
        Arrays.stream(ids(split.train())).forEach(all::add);
        Arrays.stream(ids(split.validation())).forEach(all::add);
        assertEquals(50, all.stream().distinct().count());
        assertArrayEquals(ids(split.validation()), ids(indexed(50).split(0.2, 9).validation()));
        assertThrows(IllegalArgumentException.class, () -> indexed(5).split(1.0, 1));
    }

    @Test
    void batchesCoverEveryExampleOnceAndRepeat() {
        ImageDataset d = indexed(23);
        MiniBatches<ImageDataset> batches = d.batches(5, 11, false);
        assertEquals(5, batches.count());
        List<Integer> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (ImageDataset batch : batches) {
            sizes.add(batch.size());
            for (int id : ids(batch)) {
                seen.add(id);
                assertEquals(id % 3, batch.label(seen.size() - 1 - (seen.size() - 1) / 5 * 5));
            }
        }
        assertEquals(List.of(5, 5, 5, 5, 3), sizes);
        assertEquals(23, seen.stream().distinct().count());
        List<Integer> again = new ArrayList<>();
        for (ImageDataset batch : batches) {
            Arrays.stream(ids(batch)).forEach(again::add);
        }
        assertEquals(seen, again);
        assertEquals(4, d.batches(5, 11, true).count());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, ids(d.batchesInOrder(5).iterator().next()));
    }

    @Test
    void invalidImageDataIsRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ImageDataset("x", Nd4j.zeros(2, 3, 4),
                new int[2], 3)).getMessage().contains("NCHW"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ImageDataset("x",
                Nd4j.zeros(2, 1, 2, 2), new int[] {0, 3}, 3)).getMessage().contains("label 3 of example 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ImageDataset("x",
                Nd4j.zeros(2, 1, 2, 2), new int[3], 3)).getMessage().contains("2 images but 3 labels"));
    }

    @Test
    void regressionSubsetAndCast() {
        RegressionDataset d = new RegressionDataset("r", Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4},
            {5, 6}}), Nd4j.createFromArray(10.0, 20.0, 30.0));
        RegressionDataset s = d.subset(new int[] {2, 0});
        assertArrayEquals(new double[][] {{5, 6}, {1, 2}}, s.features().toDoubleMatrix());
        assertArrayEquals(new double[] {30, 10}, s.targets().toDoubleVector(), 0);
        assertEquals(DataType.FLOAT, d.castTo(DataType.FLOAT).features().dataType());
        assertEquals(2, d.split(0.34, 1).train().size());
        assertThrows(IllegalArgumentException.class, () -> new RegressionDataset("r", Nd4j.zeros(3, 2),
                Nd4j.zeros(2)));
    }

    @Test
    void asBatchesGivesEveryExampleOnceInOrderWithItsTarget() {
        ImageDataset data = indexed(5);
        List<Double> ids = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        int batches = 0;
        for (var it = data.asBatches(2); it.hasNext(); batches++) {
            io.kronlaplace.laplace.Batch b = it.next();
            assertEquals(b.inputs().size(0), b.targets().length());
            for (int i = 0; i < b.inputs().size(0); i++) {
                ids.add(b.inputs().getDouble(i, 0, 0, 0));
                targets.add(b.targets().getLong(i));
            }
        }
        assertEquals(3, batches);
        assertEquals(List.of(0.0, 1.0, 2.0, 3.0, 4.0), ids);
        assertEquals(List.of(0L, 1L, 2L, 0L, 1L), targets);
        assertThrows(IllegalArgumentException.class, () -> data.asBatches(0));
    }
}
