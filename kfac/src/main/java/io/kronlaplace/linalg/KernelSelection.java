package io.kronlaplace.linalg;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of choosing compute kernels for a requested device.
 *
 * @param requested      the device name asked for, normalised (trimmed, lower case)
 * @param kernels        the kernels to use: the requested device's, or the CPU's after a fallback
 * @param fallbackReason why the CPU kernels are used instead of the requested device's, empty when there was no
 *                       fallback
 */
public record KernelSelection(String requested, ComputeKernels kernels, Optional<String> fallbackReason) {

    /**
     * Validates that no component is null.
     *
     * @param requested      the device name asked for, normalised (trimmed, lower case)
     * @param kernels        the kernels to use
     * @param fallbackReason why the CPU kernels are used instead of the requested device's; empty, not null, when
     *                       there was no fallback
     * @throws NullPointerException when a component is null
     */
    public KernelSelection {
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(fallbackReason, "fallbackReason");
    }
}
