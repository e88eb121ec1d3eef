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

    /** Runs {@code work} and returns the resident sizes before and at the peak. */
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

    /** Peak minus before, in MiB. */
    public double increaseMiB() {
        return (peakBytes - beforeBytes) / 1048576.0;
    }
}
