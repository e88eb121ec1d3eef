package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The contract on oneDNN 3, which must load on the platforms the build supports, and its choice for float32. */
class OneDnnConvolutionTest extends ConvolutionBackendContractTest {
    @Override
    ConvolutionBackend create() {
        return OneDnnConvolution.INSTANCE;
    }

    @Test
    void loadsAndServesFloat32ByDefault() {
        assertNull(OneDnnConvolution.loadFailure());
        assertSame(OneDnnConvolution.INSTANCE, ConvolutionBackend.Choice.floatBackend(null));
        assertSame(OneDnnConvolution.INSTANCE, ConvolutionBackend.Choice.floatBackend(" OneDNN "));
        assertSame(Nd4jConvolution.INSTANCE, ConvolutionBackend.Choice.floatBackend("nd4j"));
        assertNull(ConvolutionBackend.Choice.floatBackend("cudnn"));
        assertSame(Nd4jConvolution.INSTANCE, ConvolutionBackend.forType(DataType.DOUBLE));
    }
}
