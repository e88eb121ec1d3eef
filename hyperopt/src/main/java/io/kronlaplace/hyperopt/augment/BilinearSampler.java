package io.kronlaplace.hyperopt.augment;

/**
 * Bilinear resampling of one C x H x W image (row-major {@code double[]} planes) at an affinely transformed grid,
 * with its reverse-mode and forward-mode derivatives. Shared by {@link AffineAugmentation}; see there for the
 * coordinate convention.
 *
 * <p>For a transform T (row-major 3 x 3 on normalised coordinates) the sampled input pixel coordinates of output
 * pixel (row i, column j) are, with centred indices {@code cj = j - (W-1)/2} and {@code ci = i - (H-1)/2},
 * <pre>
 * ix = T00 cj + T01 (W/H) ci + T02 (W/2) + (W-1)/2
 * iy = T10 (H/W) cj + T11 ci + T12 (H/2) + (H-1)/2
 * </pre>
 * which is {@code T} applied to {@code x = (2j+1)/W - 1, y = (2i+1)/H - 1} mapped back to pixels. Written in centred
 * pixel form so that the identity transform hits pixel centres exactly (no rounding) and copies the image bit for
 * bit. Pixels outside the image read as zero.
 */
final class BilinearSampler {
    private final int channels;
    private final int height;
    private final int width;
    private final int plane;

    BilinearSampler(int channels, int height, int width) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.plane = height * width;
    }

    /** Pixel-space coefficients (ax0, ax1, ax2, ay0, ay1, ay2) of a transform, or of its derivative when offset=false. */
    private double[] pixelCoefficients(double[] t, boolean offset) {
        double w = width;
        double h = height;
        return new double[] {
            t[0], t[1] * (w / h), t[2] * (w / 2) + (offset ? (w - 1) / 2 : 0),
            t[3] * (h / w), t[4], t[5] * (h / 2) + (offset ? (h - 1) / 2 : 0)
        };
    }

    /** The x (column) coordinate that pixel coefficients {@code a} give centred output pixel (cj, ci). */
    private static double sourceX(double[] a, double cj, double ci) {
        return a[0] * cj + a[1] * ci + a[2];
    }

    /** The y (row) coordinate that pixel coefficients {@code a} give centred output pixel (cj, ci). */
    private static double sourceY(double[] a, double cj, double ci) {
        return a[3] * cj + a[4] * ci + a[5];
    }

    private boolean outside(double x0, double y0) {
        return x0 < -1 || x0 > width - 1 || y0 < -1 || y0 > height - 1 || Double.isNaN(x0) || Double.isNaN(y0);
    }

    /** Writes the resampled image of {@code in[inOff ..]} into {@code out[outOff ..]}. */
    void sample(double[] t, double[] in, int inOff, double[] out, int outOff) {
        double[] a = pixelCoefficients(t, true);
        Taps taps = new Taps();
        for (int i = 0; i < height; i++) {
            double ci = i - (height - 1) / 2.0;
            for (int j = 0; j < width; j++) {
                double cj = j - (width - 1) / 2.0;
                int p = i * width + j;
                if (!taps.locate(a, cj, ci)) {
                    for (int c = 0; c < channels; c++) {
                        out[outOff + c * plane + p] = 0.0;
                    }
                    continue;
                }
                for (int c = 0; c < channels; c++) {
                    out[outOff + c * plane + p] = taps.interpolate(in, inOff + c * plane);
                }
            }
        }
    }

    /**
     * Reverse mode for one image: adds the input gradient to {@code gradIn[gradInOff ..]} (when gradIn is not null)
     * and returns dL/dT as a row-major 3 x 3 matrix (last row zero: T's last row is constant).
     */
    double[] backward(double[] t, double[] in, int inOff, double[] gradOut, int gradOutOff,
                      double[] gradIn, int gradInOff) {
        double[] a = pixelCoefficients(t, true);
        Taps taps = new Taps();
        double sxj = 0;
        double sxi = 0;
        double sx = 0;
        double syj = 0;
        double syi = 0;
        double sy = 0;
        for (int i = 0; i < height; i++) {
            double ci = i - (height - 1) / 2.0;
            for (int j = 0; j < width; j++) {
                double cj = j - (width - 1) / 2.0;
                if (!taps.locate(a, cj, ci)) {
                    continue;
                }
                int p = i * width + j;
                double gx = 0;
                double gy = 0;
                for (int c = 0; c < channels; c++) {
                    double g = gradOut[gradOutOff + c * plane + p];
                    if (g == 0) {
                        continue;
                    }
                    taps.slopes(in, inOff + c * plane);
                    gx += g * taps.slopeX;
                    gy += g * taps.slopeY;
                    if (gradIn != null) {
                        taps.scatter(g, gradIn, gradInOff + c * plane);
                    }
                }
                sxj += gx * cj;
                sxi += gx * ci;
                sx += gx;
                syj += gy * cj;
                syi += gy * ci;
                sy += gy;
            }
        }
        double w = width;
        double h = height;
        return new double[] {sxj, sxi * (w / h), sx * (w / 2), syj * (h / w), syi, sy * (h / 2), 0, 0, 0};
    }

    /**
     * Forward mode for one image: for each transform tangent {@code dT[k]} writes d(output)/d(along dT[k]) into
     * {@code out[k][outOff ..]}.
     */
    void tangent(double[] t, double[][] dT, double[] in, int inOff, double[][] out, int outOff) {
        double[] a = pixelCoefficients(t, true);
        Taps taps = new Taps();
        int directions = dT.length;
        double[][] da = new double[directions][];
        for (int k = 0; k < directions; k++) {
            da[k] = pixelCoefficients(dT[k], false);
        }
        double[] dix = new double[directions];
        double[] diy = new double[directions];
        for (int i = 0; i < height; i++) {
            double ci = i - (height - 1) / 2.0;
            for (int j = 0; j < width; j++) {
                double cj = j - (width - 1) / 2.0;
                int p = i * width + j;
                if (!taps.locate(a, cj, ci)) {
                    for (int k = 0; k < directions; k++) {
                        for (int c = 0; c < channels; c++) {
                            out[k][outOff + c * plane + p] = 0.0;
                        }
                    }
                    continue;
                }
                for (int k = 0; k < directions; k++) {
                    dix[k] = sourceX(da[k], cj, ci);
                    diy[k] = sourceY(da[k], cj, ci);
                }
                for (int c = 0; c < channels; c++) {
                    taps.slopes(in, inOff + c * plane);
                    for (int k = 0; k < directions; k++) {
                        out[k][outOff + c * plane + p] = taps.slopeX * dix[k] + taps.slopeY * diy[k];
                    }
                }
            }
        }
    }

    /**
     * The sampling point of one output pixel. Its four neighbours (y0, x0), (y0, x0+1), (y0+1, x0), (y0+1, x0+1) are
     * flat in-plane indices with 0/1 masks: a neighbour outside the image gets mask 0 and index 0, so loops read a
     * valid element and multiply it away instead of branching (zero padding).
     */
    private final class Taps {
        int i00;
        int i01;
        int i10;
        int i11;
        double m00;
        double m01;
        double m10;
        double m11;
        /** Fractional offsets of the point from neighbour (y0, x0), in [0, 1). */
        double fx;
        double fy;
        /** Bilinear weights of the four neighbours (masks included). */
        double w00;
        double w01;
        double w10;
        double w11;
        /** Derivatives of the interpolated value along x and y, as set by {@link #slopes}. */
        double slopeX;
        double slopeY;

        /**
         * Moves to the point that pixel coefficients {@code a} give centred output pixel (cj, ci); false (and nothing
         * set) when all four neighbours lie outside the image, so the output there is zero.
         */
        boolean locate(double[] a, double cj, double ci) {
            double ix = sourceX(a, cj, ci);
            double iy = sourceY(a, cj, ci);
            double x0d = Math.floor(ix);
            double y0d = Math.floor(iy);
            if (outside(x0d, y0d)) {
                return false;
            }
            setNeighbours((int) x0d, (int) y0d);
            fx = ix - x0d;
            fy = iy - y0d;
            w00 = m00 * (1 - fy) * (1 - fx);
            w01 = m01 * (1 - fy) * fx;
            w10 = m10 * fy * (1 - fx);
            w11 = m11 * fy * fx;
            return true;
        }

        /** The interpolated value of the plane starting at {@code in[base]}. */
        double interpolate(double[] in, int base) {
            return w00 * in[base + i00] + w01 * in[base + i01] + w10 * in[base + i10] + w11 * in[base + i11];
        }

        /** Sets {@link #slopeX} and {@link #slopeY} for the plane starting at {@code in[base]}. */
        void slopes(double[] in, int base) {
            double v00 = m00 * in[base + i00];
            double v01 = m01 * in[base + i01];
            double v10 = m10 * in[base + i10];
            double v11 = m11 * in[base + i11];
            slopeX = (1 - fy) * (v01 - v00) + fy * (v11 - v10);
            slopeY = (1 - fx) * (v10 - v00) + fx * (v11 - v01);
        }

        /** Adds {@code g} times each neighbour's weight to the plane of {@code gradIn} starting at {@code base}. */
        void scatter(double g, double[] gradIn, int base) {
            gradIn[base + i00] += m00 * g * (1 - fy) * (1 - fx);
            gradIn[base + i01] += m01 * g * (1 - fy) * fx;
            gradIn[base + i10] += m10 * g * fy * (1 - fx);
            gradIn[base + i11] += m11 * g * fy * fx;
        }

        /** Sets the neighbours of a point with floor coordinates x0 in [-1, W-1] and y0 in [-1, H-1]. */
        private void setNeighbours(int x0, int y0) {
            boolean left = x0 >= 0;
            boolean right = x0 + 1 < width;
            boolean top = y0 >= 0;
            boolean bottom = y0 + 1 < height;
            int xl = left ? x0 : 0;
            int xr = right ? x0 + 1 : 0;
            int yt = top ? y0 * width : 0;
            int yb = bottom ? (y0 + 1) * width : 0;
            i00 = yt + xl;
            i01 = yt + xr;
            i10 = yb + xl;
            i11 = yb + xr;
            m00 = top && left ? 1.0 : 0.0;
            m01 = top && right ? 1.0 : 0.0;
            m10 = bottom && left ? 1.0 : 0.0;
            m11 = bottom && right ? 1.0 : 0.0;
        }
    }
}
