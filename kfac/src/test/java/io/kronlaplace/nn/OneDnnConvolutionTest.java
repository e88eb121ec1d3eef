package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertNull(OneDnn.loadFailure());
        assertEquals(Boolean.TRUE, OneDnn.enabledBy(null));
        assertEquals(Boolean.TRUE, OneDnn.enabledBy(" TRUE "));
        assertEquals(Boolean.FALSE, OneDnn.enabledBy("false"));
        assertNull(OneDnn.enabledBy("nd4j"));
        assertSame(OneDnnConvolution.INSTANCE, ConvolutionBackend.forType(DataType.FLOAT));
        assertSame(Nd4jConvolution.INSTANCE, ConvolutionBackend.forType(DataType.DOUBLE));
    }
}
