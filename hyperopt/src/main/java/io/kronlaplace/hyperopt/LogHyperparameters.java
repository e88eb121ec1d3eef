package io.kronlaplace.hyperopt;

import io.kronlaplace.laplace.MarginalLikelihood;
import io.kronlaplace.laplace.PriorPrecision;
import java.util.Arrays;

/**
 * The layout of the vector online training takes hyper-steps on: the log prior precisions, followed by log sigma when
 * the observation noise is learned (regression). One Adam runs on the whole vector, so each coordinate takes the same
 * steps as with an Adam of its own.
 *
 * @param kind        SCALAR or PER_GROUP
 * @param priorSize   number of prior precisions (1 for SCALAR)
 * @param learnsSigma whether log sigma follows them
 */
record LogHyperparameters(PriorPrecision.Kind kind, int priorSize, boolean learnsSigma) {
    LogHyperparameters {
        if (priorSize < 1 || (kind == PriorPrecision.Kind.SCALAR && priorSize != 1)) {
            throw new IllegalArgumentException("a " + kind + " prior cannot have " + priorSize + " precisions");
        }
    }

    /** Length of the vector. */
    int length() {
        return priorSize + (learnsSigma ? 1 : 0);
    }

    /** The vector at the given precision (every group) and sigma. */
    double[] initial(double precision, double sigma) {
        double[] x = new double[length()];
        Arrays.fill(x, 0, priorSize, Math.log(precision));
        if (learnsSigma) {
            x[priorSize] = Math.log(sigma);
        }
        return x;
    }

    /** The log prior precisions of a vector (a copy). */
    double[] logPrior(double[] x) {
        return Arrays.copyOf(x, priorSize);
    }

    /** The prior precision of a vector; rejects non-finite logarithms. */
    PriorPrecision prior(double[] x) {
        double[] ones = new double[priorSize];
        Arrays.fill(ones, 1.0);
        return PriorPrecision.of(kind, ones).withLogValues(logPrior(x));
    }

    /** sigma of a vector (1 when it is not learned). */
    double sigma(double[] x) {
        return learnsSigma ? Math.exp(x[priorSize]) : 1.0;
    }

    /** The gradient of the log marginal likelihood w.r.t. the vector. */
    double[] gradient(MarginalLikelihood value) {
        double[] g = Arrays.copyOf(value.logPriorGradient(), length());
        if (learnsSigma) {
            g[priorSize] = value.logSigmaGradient();
        }
        return g;
    }

    /** The vector from its stored parts (log sigma ignored unless learned). */
    double[] join(double[] logPrior, double logSigma) {
        if (logPrior.length != priorSize) {
            throw new IllegalArgumentException("expected " + priorSize + " log prior precisions, got "
                    + logPrior.length);
        }
        double[] x = Arrays.copyOf(logPrior, length());
        if (learnsSigma) {
            x[priorSize] = logSigma;
        }
        return x;
    }
}
