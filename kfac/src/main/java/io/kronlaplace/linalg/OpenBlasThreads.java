package io.kronlaplace.linalg;

import org.bytedeco.openblas.global.openblas_full;

/**
 * Scoped single-threaded sections of the OpenBLAS that ND4J's GEMM, the factor Gram updates and the LAPACK
 * eigendecompositions share (one {@code libopenblas} behind all of them, with one process-wide thread count).
 *
 * <p>Why: after every multi-threaded call OpenBLAS's worker threads busy-wait for the next one (about 2^28 cycles,
 * some 0.1 s) before they sleep. Between the oneDNN convolutions of a backward pass that spin takes cores from
 * oneDNN's own OpenMP threads: on 2 cores a WRN-16-4 K-FAC-reduce pass (32 images x 4 augmentations) took 2.0-2.5 s
 * with its Gram updates on two OpenBLAS threads and 1.4-1.7 s with them on one. Short calls therefore run in a
 * {@link #singleThreaded()} section.
 *
 * <p>Sections nest and may be held by several threads at once: the first to open sets the count to one, the last to
 * close restores the count that was in effect before the first opened. See docs/compute-kernels.md, section "The CPU
 * implementation".
 */
public final class OpenBlasThreads {
    private static final Object LOCK = new Object();
    private static int holders;
    private static int restoreTo;

    private OpenBlasThreads() {
    }

    /**
     * OpenBLAS's thread count now.
     *
     * @return the process-wide number of threads OpenBLAS uses for its next call; 1 inside a section
     */
    public static int current() {
        return openblas_full.openblas_get_num_threads();
    }

    /**
     * Opens a section in which OpenBLAS runs on the calling thread alone; close it (try-with-resources) to restore
     * the previous count.
     *
     * @return the open section; until every open section is closed OpenBLAS uses one thread in the whole process
     */
    public static Section singleThreaded() {
        synchronized (LOCK) {
            if (holders == 0) {
                restoreTo = current();
                if (restoreTo != 1) {
                    openblas_full.openblas_set_num_threads(1);
                }
            }
            holders++;
        }
        return new Section();
    }

    /** An open single-threaded section; closing it twice has no further effect. */
    public static final class Section implements AutoCloseable {
        private boolean closed;

        private Section() {
        }

        @Override
        public void close() {
            synchronized (LOCK) {
                if (closed) {
                    return;
                }
                closed = true;
                holders--;
                if (holders == 0 && restoreTo != 1) {
                    openblas_full.openblas_set_num_threads(restoreTo);
                }
            }
        }
    }
}
