package io.kronlaplace.curvature;

import io.kronlaplace.nn.Conv2d;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The mean im2col patch of a convolution over its output locations, {@code abar[n] = 1/R sum_r patches(x)[n, r]},
 * computed without unfolding: entry (c, i, j) is the sum of input channel c over the pixels that kernel offset (i, j)
 * visits, a strided box of the input (rows {@code t*s - p + i}, columns {@code u*s - p + j} inside the image; padding
 * adds zeros and is skipped). Column sums are shared by all kernel rows, so the cost is
 * O(N Cin H Wout kw + N Cin Hout kh kw) additions and no N x R x Din buffer.
 */
public final class ConvPatchMean {
    private ConvPatchMean() {
    }

    /** Mean patch {@code [N, Cin*kh*kw]} (features ordered channel, kernel row, kernel column), input's type. */
    public static INDArray of(Conv2d conv, INDArray x) {
        long n = x.size(0);
        long cin = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        long[] out = conv.outputSize(h, w);
        int kh = conv.kernelH();
        int kw = conv.kernelW();
        INDArray mean = Nd4j.zeros(x.dataType(), n, cin, kh, kw);
        for (int j = 0; j < kw; j++) {
            INDArrayIndex cols = window(j, conv.strideW(), conv.padW(), w, out[1]);
            if (cols == null) {
                continue;
            }
            INDArray columnSums = x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), cols).sum(3);
            for (int i = 0; i < kh; i++) {
                INDArrayIndex rows = window(i, conv.strideH(), conv.padH(), h, out[0]);
                if (rows == null) {
                    continue;
                }
                INDArray box = columnSums.get(NDArrayIndex.all(), NDArrayIndex.all(), rows).sum(2);
                mean.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(i), NDArrayIndex.point(j))
                        .assign(box);
            }
        }
        return mean.divi(out[0] * out[1]).reshape(n, cin * kh * kw);
    }

    /**
     * Input indices {@code t*stride - pad + offset} for output positions t in [0, outSize) that fall inside
     * [0, size), as a strided interval; null when the offset only ever reads padding.
     */
    private static INDArrayIndex window(int offset, int stride, int pad, long size, long outSize) {
        long first = Math.max(0, Math.floorDiv(pad - offset + stride - 1, stride));
        long last = Math.min(outSize - 1, Math.floorDiv(size - 1 + pad - offset, stride));
        if (last < first) {
            return null;
        }
        long begin = first * stride - pad + offset;
        long end = last * stride - pad + offset + 1;
        return NDArrayIndex.interval(begin, stride, end, false);
    }
}
