package io.kronlaplace.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Splits NCHW images into non-overlapping {@code p x p} patches and maps each to a token of width D:
 * {@code [N, C, H, W]} to {@code [N, T, D]} with {@code T = (H/p)(W/p)} tokens in row-major patch order. The
 * projection is a {@link Conv2d} child "proj" with kernel = stride = p and no padding, so its K-FAC layout is the
 * convolution's (positions = the T patches, input features = one patch's {@code C p p} pixels in (channel, row,
 * column) order); this module only moves the channel axis last. See docs/transformers.md, section Patch embedding.
 */
public final class PatchEmbedding extends Module {
    private final long channels;
    private final int patch;
    private final Conv2d proj;
    private long[] convShape;

    /**
     * @param channels image channels C
     * @param width    token width D
     * @param patch    patch side p (kernel and stride of the projection)
     * @param init     weight initialisation of the projection (its bias starts at zero)
     */
    public PatchEmbedding(long channels, long width, int patch, Init init) {
        if (patch < 1) {
            throw new IllegalArgumentException("PatchEmbedding needs patch size >= 1, got " + patch);
        }
        this.channels = channels;
        this.patch = patch;
        this.proj = new Conv2d(channels, width, patch, patch, 0, true, init);
    }

    /**
     * The projection convolution.
     *
     * @return the child "proj", a {@link Conv2d} with kernel = stride = p mapping C channels to D
     */
    public Conv2d projection() {
        return proj;
    }

    @Override
    protected List<Child> children() {
        return List.of(new Child("proj", proj));
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        String what = "PatchEmbedding '" + path() + "' input (N, C, H, W)";
        Tensors.requireRank(input, what, 4);
        Tensors.requireSize(input, 1, channels, what);
        if (input.size(2) % patch != 0 || input.size(3) % patch != 0) {
            throw new IllegalArgumentException("PatchEmbedding '" + path() + "': image " + input.size(2) + " x "
                    + input.size(3) + " is not divisible into " + patch + " x " + patch + " patches");
        }
        INDArray z = proj.forward(input, mode);
        convShape = z.shape();
        return toTokens(z);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        long[] shape = requireShape();
        Tokens.requireTrailingShape(gradOutput, new long[] {shape[0], shape[2] * shape[3], shape[1]}, this,
                "output gradient");
        return proj.backward(toFeatureMaps(gradOutput), context);
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        requireShape();
        return toTokens(proj.jvp(tangent, tap));
    }

    /** {@code [K, D, Hp, Wp]} to {@code [K, Hp Wp, D]}. */
    private static INDArray toTokens(INDArray maps) {
        long k = maps.size(0);
        return maps.reshape('c', k, maps.size(1), maps.size(2) * maps.size(3)).permute(0, 2, 1).dup('c');
    }

    /** {@code [K, T, D]} back to {@code [K, D, Hp, Wp]}. */
    private INDArray toFeatureMaps(INDArray tokens) {
        long k = tokens.size(0);
        return tokens.permute(0, 2, 1).dup('c').reshape('c', k, convShape[1], convShape[2], convShape[3]);
    }

    private long[] requireShape() {
        if (convShape == null) {
            throw new IllegalStateException("PatchEmbedding '" + path() + "': backward called before forward");
        }
        return convShape;
    }
}
