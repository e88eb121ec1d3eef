package io.kronlaplace.nn;

/** The contract on libnd4j's ops, the float64 path and the float32 fallback. */
class Nd4jConvolutionTest extends ConvolutionBackendContractTest {
    @Override
    ConvolutionBackend create() {
        return Nd4jConvolution.INSTANCE;
    }
}
