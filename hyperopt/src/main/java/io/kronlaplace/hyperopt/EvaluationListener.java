package io.kronlaplace.hyperopt;

/**
 * Progress callbacks of {@link ModelEvaluation}'s passes over data (for progress bars): the curvature pass over the
 * training set, then one prediction pass per evaluated set. Passes run one after another; all methods default to
 * no-ops.
 */
public interface EvaluationListener {
    /** Ignores every callback. */
    EvaluationListener NONE = new EvaluationListener() { };

    /**
     * A pass starts.
     *
     * @param set     the name of the data set it goes over
     * @param methods what it computes, e.g. "K-FAC curvature" or the methods whose probabilities it predicts
     * @param total   the examples it goes over
     */
    default void passStarted(String set, String methods, int total) {
    }

    /**
     * More examples of the current pass are done.
     *
     * @param examples how many finished since the last call
     */
    default void examplesDone(int examples) {
    }

    /** The current pass ended. */
    default void passFinished() {
    }
}
