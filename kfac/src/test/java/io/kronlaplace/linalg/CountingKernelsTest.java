package io.kronlaplace.linalg;

/** The test backend meets the contract too: the smallest example of a backend's contract test. */
class CountingKernelsTest extends ComputeKernelsContractTest {
    @Override
    protected ComputeKernels create() {
        return new CountingKernels();
    }
}
