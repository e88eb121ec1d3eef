package io.kronlaplace.laplace;

/** Validation of scalar hyperparameters, with messages naming the value. */
final class Hyperparameters {
    private Hyperparameters() {
    }

    static void requirePositive(String what, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be finite and > 0, got " + value);
        }
    }

    static void requireSigma(LikelihoodType likelihood, double sigma) {
        requirePositive("observation noise sigma", sigma);
        if (!likelihood.hasObservationNoise() && sigma != 1.0) {
            throw new IllegalArgumentException(likelihood.name().toLowerCase(java.util.Locale.ROOT)
                    + " has no observation noise: sigma must be 1, got "
                    + sigma);
        }
    }
}
