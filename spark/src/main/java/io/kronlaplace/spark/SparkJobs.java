package io.kronlaplace.spark;

import java.util.function.Supplier;

/** Runs Spark jobs so that a task's bad-input error reaches the caller as the single-machine path throws it. */
final class SparkJobs {
    private SparkJobs() {
    }

    /**
     * Runs a job. When it fails because a task threw an {@link IllegalArgumentException} (bad shapes, NaN inputs,
     * invalid targets: errors that retrying cannot fix), that exception's message is rethrown as an
     * {@link IllegalArgumentException} instead of Spark's wrapper; other failures (Spark's checked
     * {@code SparkException} after the retries are spent) become an {@link IllegalStateException}.
     */
    static <T> T run(Supplier<T> job) {
        try {
            return job.get();
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof IllegalArgumentException bad) {
                    throw new IllegalArgumentException(bad.getMessage(), e);
                }
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("Spark job failed: " + e.getMessage(), e);
        }
    }
}
