package io.kronlaplace.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.linalg.ComputeKernelsContractTest;

/** The {@link ComputeKernels} contract for the CUDA kernels; skipped, with the probe's reason, without a device. */
class CudaKernelsTest extends ComputeKernelsContractTest {

    @Override
    protected ComputeKernels create() {
        CudaDevice device = CudaDevice.detect();
        assumeTrue(device.available(), "no CUDA device: " + device.description());
        return new CudaKernels();
    }
}
