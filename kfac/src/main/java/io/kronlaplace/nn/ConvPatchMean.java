package io.kronlaplace.nn;

import io.kronlaplace.linalg.StridedGemm;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mean im2col patch of a convolution over its output locations,
 * {@code abar[n] = 1/R sum_r inputPositions(x)[n, r]}, computed without unfolding.
 *
 * <p>Entry (c, i, j) of an image's mean patch is 1/R times the sum of input channel c over the pixels that kernel
 * offset (i, j) visits: the pixels {@code (t*s - p + i, u*s - p + j)} over all output locations (t, u) that fall inside
 * the image (padding adds zeros). That is a fixed linear map of each image plane, so all planes of the batch go
 * through one matrix product: the {@code [N*Cin, H*W]} input times a {@code [H*W, kh*kw]} matrix holding 1/R at every
 * (pixel, offset) pair that the offset visits. The product reads the input once and runs as an OpenBLAS GEMM on all
 * cores; summing the boxes plane by plane in Java was four to seven times slower than reading the input. Cost
 * O(N Cin H W kh kw) with no {@code N x R x Din} buffer. This is {@link Conv2d#meanInput}.
 */
final class ConvPatchMean {
    private ConvPatchMean() {
    }

    /**
     * Mean patch {@code [N, Cin*kh*kw]} (features ordered channel, kernel row, kernel column), in the input's type.
     */
    static INDArray of(Conv2d conv, INDArray x) {
        DataType type = x.dataType();
        boolean blasType = type == DataType.FLOAT || type == DataType.DOUBLE;
        INDArray planes = Tensors.denseBuffer(blasType ? x : x.castTo(DataType.DOUBLE));
        long n = planes.size(0);
        long channels = planes.size(1);
        int h = Math.toIntExact(planes.size(2));
        int w = Math.toIntExact(planes.size(3));
        int rows = Math.toIntExact(n * channels);
        int pixels = h * w;
        int area = conv.kernelH() * conv.kernelW();
        INDArray visits = Tensors.denseBuffer(boxMatrix(conv, h, w).castTo(planes.dataType()));
        INDArray mean = Nd4j.createUninitialized(planes.dataType(), n, channels * area);
        // OpenBLAS splits a product over output rows and columns only, never along the summed axis, so every entry
        // is summed in the same order on any number of threads: a batch's factors are the same whether it is
        // accumulated alone or on a cluster (ND4J's own matrix product gave differences in the 14th digit there)
        StridedGemm.gemm(false, false, rows, area, pixels, 1.0, planes, 0, pixels, visits, 0, area, 0.0, mean, 0,
                area);
        return blasType ? mean : mean.castTo(type);
    }

    /**
     * The {@code [H*W, kh*kw]} float64 matrix with 1/R at (pixel, offset) when the kernel offset reads that pixel at
     * some output location, 0 elsewhere.
     */
    static INDArray boxMatrix(Conv2d conv, int h, int w) {
        long[] out = conv.outputSize(h, w);
        int kh = conv.kernelH();
        int kw = conv.kernelW();
        int area = kh * kw;
        double scale = 1.0 / (out[0] * out[1]);
        double[] m = new double[h * w * area];
        for (int i = 0; i < kh; i++) {
            for (int t = 0; t < out[0]; t++) {
                int row = t * conv.strideH() - conv.padH() + i;
                if (row < 0 || row >= h) {
                    continue;
                }
                for (int j = 0; j < kw; j++) {
                    for (int u = 0; u < out[1]; u++) {
                        int col = u * conv.strideW() - conv.padW() + j;
                        if (col >= 0 && col < w) {
                            m[(row * w + col) * area + i * kw + j] = scale;
                        }
                    }
                }
            }
        }
        return Nd4j.create(m, new long[] {(long) h * w, area}, 'c');
    }
}
