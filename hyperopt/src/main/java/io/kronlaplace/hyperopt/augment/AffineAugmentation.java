package io.kronlaplace.hyperopt.augment;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Learnable affine data augmentation (Immer, van der Ouderaa et al., NeurIPS 2022): each image n is resampled S
 * times at {@code T_{n,s} = expm(sum_k eps[n,s,k] eta_k G_k)}, with the six generators {@link AffineGenerator} and
 * noise {@code eps ~ U[-1, 1]} held in an {@link AugmentationNoise}. Exact derivatives w.r.t. eta in reverse mode
 * ({@link #vjp}) and forward mode ({@link #jvp}, {@link #jvpAll}).
 *
 * <p><b>Parametrisation.</b> eta is stored unconstrained and used as is. Because eps is symmetric around zero, eta_k
 * and -eta_k give the same distribution of transforms, so the augmentation strength is {@link #magnitudes()} =
 * |eta|; optimisers may step eta through zero without leaving the valid set. Using eta directly keeps T smooth in
 * eta: |eta| would put a kink at 0 (a zero subgradient there could stall learning from the usual start eta = 0),
 * and a softplus or exp would make eta = 0 unreachable. Online training nevertheless steps log |eta| and sets eta to
 * the positive magnitude, because from a small start Adam's fixed-size steps on eta can carry it through the
 * stationary point 0, where it stays (see docs/online-training.md, section The augmentation magnitudes in log space).
 *
 * <p><b>Coordinates.</b> Normalised coordinates x (along width, columns) and y (along height, rows) lie in [-1, 1]
 * with pixel centres at {@code x_j = (2j+1)/W - 1}, {@code y_i = (2i+1)/H - 1} (PyTorch's {@code grid_sample} with
 * {@code align_corners=False}): the image edges, not the outer pixel centres, are at +-1, so one pixel is 2/W in x.
 * Output pixel u = (x_j, y_i, 1) takes the value of the input at {@code T u}, interpolated bilinearly from the four
 * neighbouring pixels; pixels outside the image count as zero (zero padding). x and y are normalised separately,
 * so on non-square images the rotation and shear act on the stretched square (as PyTorch's {@code affine_grid}).
 *
 * <p><b>Derivatives at the pixel grid.</b> Bilinear interpolation is piecewise linear in the sampling coordinates,
 * with kinks where a coordinate is an integer (for example everywhere at eta = 0, where every sample point is a pixel
 * centre). There the derivatives are the one-sided ones towards larger coordinates, as in PyTorch's
 * {@code grid_sample}; everywhere else they are exact.
 *
 * <p><b>Layouts.</b> Images are NCHW {@code [N, C, H, W]}, float32 or float64 (results come back in the same type;
 * arithmetic is float64 inside). The augmented batch has {@code N * S} rows, the S copies of example n consecutive
 * at rows {@code n*S .. n*S + S - 1}: the layout of the curvature engine's weight-sharing axis
 * ({@code sharedRowsPerExample = S}), and what {@link InvariantModel} averages over.
 *
 * <p>Not thread-safe: eta is mutable ({@link #setEta}).
 */
public final class AffineAugmentation {
    private static final int K = AffineGenerator.COUNT;

    private final double[] eta;

    /**
     * An augmentation with the given parameters.
     *
     * @param eta initial values, one per generator in {@link AffineGenerator} order (finite)
     */
    public AffineAugmentation(double... eta) {
        this.eta = checkedEta(eta, "eta");
    }

    /**
     * The identity augmentation, the usual start of learning.
     *
     * @return an augmentation with eta = 0, under which every sample is the original image
     */
    public static AffineAugmentation identity() {
        return new AffineAugmentation(new double[K]);
    }

    /**
     * The raw parameters.
     *
     * @return a copy of eta, one value per generator in {@link AffineGenerator} order; their signs carry no meaning
     *         (see the class notes)
     */
    public double[] eta() {
        return eta.clone();
    }

    /**
     * Replaces the parameters, e.g. after an optimiser step.
     *
     * @param values the new eta, one finite value per generator in {@link AffineGenerator} order (copied)
     * @throws IllegalArgumentException when there are not six values or one is not finite; eta is then unchanged
     */
    public void setEta(double... values) {
        System.arraycopy(checkedEta(values, "eta"), 0, eta, 0, K);
    }

    /**
     * The augmentation strengths.
     *
     * @return |eta_k| per generator (a new array): eps_k eta_k is uniform on [-|eta_k|, |eta_k|]
     */
    public double[] magnitudes() {
        return Arrays.stream(eta).map(Math::abs).toArray();
    }

    /**
     * The generator combination of one augmented row, whose matrix exponential is the row's transform.
     *
     * @param noise the coefficients eps
     * @param row   augmented row {@code n*S + s}, in [0, {@code noise.rows()})
     * @return {@code M = sum_k eps[row,k] eta_k G_k}, row-major 3 x 3
     * @throws IndexOutOfBoundsException when the row is outside the noise's rows
     */
    public double[] generator(AugmentationNoise noise, int row) {
        Objects.checkIndex(row, noise.rows());
        return combine(noise, row, eta);
    }

    /**
     * The transform of one augmented row: output pixel u samples the input at {@code T u} (see the class notes).
     *
     * @param noise the coefficients eps
     * @param row   augmented row {@code n*S + s}, in [0, {@code noise.rows()})
     * @return {@code T = expm(M)} of {@link #generator}, row-major 3 x 3 (last row 0, 0, 1)
     * @throws IndexOutOfBoundsException when the row is outside the noise's rows
     */
    public double[] transform(AugmentationNoise noise, int row) {
        return MatrixExponential.expm(generator(noise, row), 3);
    }

    /**
     * The augmented batch.
     *
     * @param images {@code [N, C, H, W]}, N = {@code noise.examples()}
     * @param noise  the coefficients eps; reuse the same object to get the same transforms again
     * @return {@code [N*S, C, H, W]}, row {@code n*S + s} is sample s of image n
     */
    public INDArray apply(INDArray images, AugmentationNoise noise) {
        Geometry g = Geometry.of(images, noise);
        double[] in = ImageRows.reading(images).readAll("images");
        ImageRows out = ImageRows.writing(images.dataType(), g.batchShape(g.rows()));
        double[] row = new double[g.imageSize()];
        for (int r = 0; r < g.rows(); r++) {
            g.sampler().sample(checkedTransform(noise, r), in, g.imageOffset(r), row, 0);
            out.write(r, row, 0);
        }
        return out.array();
    }

    /**
     * Reverse mode: the gradient of a scalar loss L w.r.t. eta (and the images) given dL/d(augmented batch).
     * dL/dT comes from the bilinear weights' derivative in the sampling coordinates (linear in T); dL/dM =
     * {@code L(M^T, dL/dT)}, the adjoint of the matrix exponential's Fréchet derivative; dL/d eta_k =
     * {@code sum_{n,s} eps[n,s,k] <dL/dM_{n,s}, G_k>}.
     *
     * @param images        {@code [N, C, H, W]}, the images that were augmented
     * @param noise         the same noise as in {@link #apply}
     * @param gradOutput    dL/d(augmented batch), {@code [N*S, C, H, W]}
     * @param imageGradient whether to also return dL/d images
     * @return dL/d eta, and dL/d images ({@code [N, C, H, W]} in the images' type) when asked for, else null
     * @throws IllegalArgumentException when the images are not a non-empty floating-point NCHW batch of
     *                                  {@code noise.examples()} images, or the gradient's shape is not
     *                                  {@code [N*S, C, H, W]}
     * @throws IllegalStateException    when eta is so large that a transform overflows
     */
    public AugmentationGradient vjp(INDArray images, AugmentationNoise noise, INDArray gradOutput,
                                    boolean imageGradient) {
        Geometry g = Geometry.of(images, noise);
        g.requireBatch(gradOutput, "output gradient");
        double[] in = ImageRows.reading(images).readAll("images");
        ImageRows gradRows = ImageRows.reading(gradOutput);
        double[] gOut = new double[g.imageSize()];
        double[] gIn = imageGradient ? new double[in.length] : null;
        double[] gradEta = new double[K];
        for (int r = 0; r < g.rows(); r++) {
            gradRows.read(r, gOut, 0, "output gradient");
            double[] m = generator(noise, r);
            double[] t = checkedTransform(noise, r);
            double[] gradT = g.sampler().backward(t, in, g.imageOffset(r), gOut, 0, gIn, g.imageOffset(r));
            double[] gradM = MatrixExponential.frechet(MatrixExponential.transpose(m, 3), gradT, 3);
            for (AffineGenerator gen : AffineGenerator.values()) {
                int k = gen.ordinal();
                double eps = noise.epsilon(r, k);
                if (eps != 0) {
                    gradEta[k] += eps * frobenius(gradM, gen);
                }
            }
        }
        INDArray imageGrad = null;
        if (gIn != null) {
            ImageRows rows = ImageRows.writing(images.dataType(), g.batchShape(g.examples()));
            for (int n = 0; n < g.examples(); n++) {
                rows.write(n, gIn, n * g.imageSize());
            }
            imageGrad = rows.array();
        }
        return new AugmentationGradient(gradEta, imageGrad);
    }

    /**
     * Forward mode: the directional derivative of the augmented batch along a direction in eta,
     * {@code sum_k direction_k d(output)/d eta_k}, with the noise held fixed.
     *
     * @param images    {@code [N, C, H, W]}, the images that are augmented, float32 or float64
     * @param noise     the coefficients eps, as in {@link #apply}
     * @param direction 6 finite values in {@link AffineGenerator} order
     * @return {@code [N*S, C, H, W]} in the images' data type
     * @throws IllegalArgumentException when the images are not a non-empty floating-point NCHW batch of
     *                                  {@code noise.examples()} images, or the direction is not six finite values
     * @throws IllegalStateException    when eta is so large that a transform overflows
     */
    public INDArray jvp(INDArray images, AugmentationNoise noise, double[] direction) {
        double[] d = checkedEta(direction, "direction");
        Geometry g = Geometry.of(images, noise);
        double[] in = ImageRows.reading(images).readAll("images");
        ImageRows out = ImageRows.writing(images.dataType(), g.batchShape(g.rows()));
        double[][] row = {new double[g.imageSize()]};
        for (int r = 0; r < g.rows(); r++) {
            double[] t = checkedTransform(noise, r);
            double[] dT = MatrixExponential.frechet(generator(noise, r), combine(noise, r, d), 3);
            g.sampler().tangent(t, new double[][] {dT}, in, g.imageOffset(r), row, 0);
            out.write(r, row[0], 0);
        }
        return out.array();
    }

    /**
     * Forward mode for every generator at once: element k is d(output)/d eta_k, {@code [N*S, C, H, W]}. Cheaper
     * than six calls of {@link #jvp} because the bilinear interpolation is shared.
     *
     * @param images {@code [N, C, H, W]}, the images that are augmented, float32 or float64
     * @param noise  the coefficients eps, as in {@link #apply}
     * @return six arrays in {@link AffineGenerator} order, each {@code [N*S, C, H, W]} in the images' data type
     * @throws IllegalArgumentException when the images are not a non-empty floating-point NCHW batch of
     *                                  {@code noise.examples()} images
     * @throws IllegalStateException    when eta is so large that a transform overflows
     */
    public INDArray[] jvpAll(INDArray images, AugmentationNoise noise) {
        Geometry g = Geometry.of(images, noise);
        double[] in = ImageRows.reading(images).readAll("images");
        ImageRows[] out = new ImageRows[K];
        for (int k = 0; k < K; k++) {
            out[k] = ImageRows.writing(images.dataType(), g.batchShape(g.rows()));
        }
        double[][] rows = new double[K][g.imageSize()];
        double[][] dT = new double[K][];
        for (int r = 0; r < g.rows(); r++) {
            double[] m = generator(noise, r);
            double[] t = checkedTransform(noise, r);
            for (AffineGenerator gen : AffineGenerator.values()) {
                int k = gen.ordinal();
                double eps = noise.epsilon(r, k);
                dT[k] = eps == 0 ? new double[9] : scaled(MatrixExponential.frechet(m, gen.matrix(), 3), eps);
            }
            g.sampler().tangent(t, dT, in, g.imageOffset(r), rows, 0);
            for (int k = 0; k < K; k++) {
                out[k].write(r, rows[k], 0);
            }
        }
        INDArray[] result = new INDArray[K];
        for (int k = 0; k < K; k++) {
            result[k] = out[k].array();
        }
        return result;
    }

    private double[] checkedTransform(AugmentationNoise noise, int row) {
        double[] t = transform(noise, row);
        for (double v : t) {
            if (!Double.isFinite(v)) {
                throw new IllegalStateException("augmentation transform overflowed for eta=" + Arrays.toString(eta)
                        + " at row " + row + ": eta is far too large");
            }
        }
        return t;
    }

    private static double[] combine(AugmentationNoise noise, int row, double[] coefficients) {
        double[] m = new double[9];
        for (AffineGenerator gen : AffineGenerator.values()) {
            int k = gen.ordinal();
            double c = noise.epsilon(row, k) * coefficients[k];
            if (c != 0) {
                for (int i = 0; i < 9; i++) {
                    m[i] += c * gen.entry(i / 3, i % 3);
                }
            }
        }
        return m;
    }

    private static double frobenius(double[] a, AffineGenerator gen) {
        double s = 0;
        for (int i = 0; i < 9; i++) {
            s += a[i] * gen.entry(i / 3, i % 3);
        }
        return s;
    }

    private static double[] scaled(double[] a, double c) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= c;
        }
        return a;
    }

    private static double[] checkedEta(double[] values, String what) {
        if (values == null || values.length != K) {
            throw new IllegalArgumentException(what + " needs " + K + " values (one per affine generator "
                    + Arrays.toString(AffineGenerator.values()) + "), got "
                    + (values == null ? "null" : Arrays.toString(values)));
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(what + " must be finite, got " + Arrays.toString(values));
            }
        }
        return values.clone();
    }

    /** Sizes of one call, validated against the noise. */
    private record Geometry(int examples, int samples, int channels, int height, int width, BilinearSampler sampler) {
        static Geometry of(INDArray images, AugmentationNoise noise) {
            Objects.requireNonNull(images, "images");
            Objects.requireNonNull(noise, "noise");
            if (images.rank() != 4) {
                throw new IllegalArgumentException("images must be NCHW [N, C, H, W], got shape "
                        + Arrays.toString(images.shape()));
            }
            if (!images.dataType().isFPType()) {
                throw new IllegalArgumentException("images must be floating point, got " + images.dataType());
            }
            if (images.size(0) != noise.examples()) {
                throw new IllegalArgumentException("noise was drawn for " + noise.examples() + " examples but the"
                        + " batch has " + images.size(0) + " (shape " + Arrays.toString(images.shape()) + ")");
            }
            int c = Math.toIntExact(images.size(1));
            int h = Math.toIntExact(images.size(2));
            int w = Math.toIntExact(images.size(3));
            if (c < 1 || h < 1 || w < 1) {
                throw new IllegalArgumentException("images must be non-empty, got shape "
                        + Arrays.toString(images.shape()));
            }
            return new Geometry(noise.examples(), noise.samples(), c, h, w, new BilinearSampler(c, h, w));
        }

        int rows() {
            return examples * samples;
        }

        int imageSize() {
            return channels * height * width;
        }

        /** Offset of the source image of augmented row r (= n*S + s) in the images' values. */
        int imageOffset(int row) {
            return (row / samples) * imageSize();
        }

        long[] batchShape(int rows) {
            return new long[] {rows, channels, height, width};
        }

        void requireBatch(INDArray x, String what) {
            long[] expected = {rows(), channels, height, width};
            if (!Arrays.equals(x.shape(), expected)) {
                throw new IllegalArgumentException(what + " must have shape " + Arrays.toString(expected)
                        + " (N*S augmented images), got " + Arrays.toString(x.shape()));
            }
        }
    }
}
