package io.kronlaplace.validation.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Applies per-image pixel transforms on Java arrays, a bounded chunk of images at a time, so a transform of a large
 * evaluation set never holds more than one chunk in double precision on the heap.
 */
final class PixelChunks {
    /** Images per chunk: 256 CIFAR images are 6 MB of doubles. */
    static final int CHUNK = 256;

    /** A transform of a chunk of images [n, C, H, W] stored c-order in {@code in}, written to {@code out}. */
    interface ChunkTransform {
        /**
         * @param first index of the chunk's first image in the whole tensor (for per-image seeding)
         * @param n     images in the chunk
         */
        void apply(int first, int n, double[] in, double[] out);
    }

    private PixelChunks() {
    }

    /** A new tensor of the same shape and type whose chunks are {@code transform} of the input chunks. */
    static INDArray map(INDArray images, ChunkTransform transform) {
        long n = images.size(0);
        INDArray out = Nd4j.create(images.dataType(), images.shape());
        for (long first = 0; first < n; first += CHUNK) {
            long last = Math.min(n, first + CHUNK);
            INDArray chunk = images.get(NDArrayIndex.interval(first, last), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.all());
            double[] in = Nd4j.toFlattened('c', chunk).toDoubleVector();
            double[] result = new double[in.length];
            transform.apply((int) first, (int) (last - first), in, result);
            out.get(NDArrayIndex.interval(first, last), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(Nd4j.createFromArray(result).reshape('c', chunk.shape()).castTo(images.dataType()));
        }
        return out;
    }
}
