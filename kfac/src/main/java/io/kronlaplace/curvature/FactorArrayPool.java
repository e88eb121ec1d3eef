package io.kronlaplace.curvature;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float64 square arrays handed back by closed {@link KronFactors}, for an estimator's next factor read-out: a refit
 * then writes its factors into memory the process already holds instead of into fresh pages, which cost page faults
 * on every first touch (docs/kfac.md, section Cost model). The pool keeps at most as many arrays of a size as one
 * read-out takes and frees the rest. Thread-safe, since factors may be closed on any thread.
 */
final class FactorArrayPool {
    private final Map<Long, ArrayDeque<INDArray>> free = new HashMap<>();
    private final Map<Long, Integer> limits = new HashMap<>();

    /**
     * Sets how many arrays of each size the pool keeps: what one read-out takes. Arrays of sizes no longer listed are
     * freed.
     *
     * @param arraysPerSize for each matrix size n, the number of n x n factors one read-out writes
     */
    synchronized void limitTo(Map<Long, Integer> arraysPerSize) {
        limits.clear();
        limits.putAll(arraysPerSize);
        for (var entry : free.entrySet()) {
            ArrayDeque<INDArray> arrays = entry.getValue();
            int keep = limits.getOrDefault(entry.getKey(), 0);
            while (arrays.size() > keep) {
                arrays.pop().close();
            }
        }
    }

    /** A C-order float64 n x n array with unspecified contents: a returned one if the pool has one, else a new one. */
    @SuppressWarnings("try") // the out-of-workspace scope is held for its effect only
    INDArray take(long n) {
        synchronized (this) {
            ArrayDeque<INDArray> arrays = free.get(n);
            if (arrays != null && !arrays.isEmpty()) {
                return arrays.pop();
            }
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.createUninitialized(DataType.DOUBLE, new long[] {n, n}, 'c');
        }
    }

    /** Takes back an array from {@link #take}; it is kept for the next read-out or freed when the pool is full. */
    synchronized void give(INDArray array) {
        long n = array.size(0);
        ArrayDeque<INDArray> arrays = free.computeIfAbsent(n, k -> new ArrayDeque<>());
        if (arrays.size() < limits.getOrDefault(n, 0)) {
            arrays.push(array);
        } else {
            array.close();
        }
    }

    /** Frees every array held. */
    synchronized void clear() {
        free.values().forEach(arrays -> arrays.forEach(INDArray::close));
        free.clear();
    }
}
