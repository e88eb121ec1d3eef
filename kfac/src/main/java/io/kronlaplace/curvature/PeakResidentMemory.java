package io.kronlaplace.curvature;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * The peak resident set size of the process while a piece of work runs, sampled every 2 ms on a daemon thread (ND4J
 * arrays live off the Java heap, so the heap does not show them). For benchmarks, not for tests: the samples can miss
 * a peak shorter than the interval.
 *
 * @param beforeBytes resident bytes just before the work (after a garbage collection)
 * @param peakBytes   the largest resident size sampled while it ran
 */
public record PeakResidentMemory(long beforeBytes, long peakBytes) {

    /**
     * Runs a piece of work and measures the process's resident size around it; a garbage collection runs first.
     *
     * @param work the work to measure, run on the calling thread; an exception it throws propagates after the
     *             sampling stops
     * @return the resident sizes just before the work and at the largest sample while it ran
     */
    public static PeakResidentMemory during(Runnable work) {
        System.gc();
        long before = Pointer.physicalBytes();
        AtomicLong peak = new AtomicLong(before);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        try {
            work.run();
        } finally {
            sampler.interrupt();
        }
        peak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
        return new PeakResidentMemory(before, peak.get());
    }

    /**
     * The growth of the resident size during the work.
     *
     * @return peak minus before, in MiB (2^20 bytes); 0 or more, as the peak includes the size before
     */
    public double increaseMiB() {
        return (peakBytes - beforeBytes) / 1048576.0;
    }
}
