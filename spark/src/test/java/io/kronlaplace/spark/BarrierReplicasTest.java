package io.kronlaplace.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BarrierReplicasTest {
    @Test
    void aMessageCarriesTheExactBitsAndTheirCount() {
        double[] values = {1.0, -0.0, Double.MIN_VALUE, Math.PI, Double.NaN, -1e300};
        ByteBuffer message = BarrierReplicas.encode(values);
        assertTrue(message.order() == ByteOrder.LITTLE_ENDIAN);
        ByteBuffer received = ByteBuffer.wrap(message.array().clone()).order(ByteOrder.LITTLE_ENDIAN);
        double[] back = BarrierReplicas.decode(received, values.length);
        for (int i = 0; i < values.length; i++) {
            assertTrue(Double.doubleToRawLongBits(values[i]) == Double.doubleToRawLongBits(back[i]), "value " + i);
        }
        assertArrayEquals(new byte[] {6, 0, 0, 0}, Arrays.copyOf(message.array(), 4));
    }

    @Test
    void aVectorOfAnotherLengthIsRefusedAsOutOfStep() {
        ByteBuffer message = BarrierReplicas.encode(new double[3]);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BarrierReplicas.decode(message, 4));
        assertTrue(e.getMessage().contains("sent 3 values, expected 4"), e.getMessage());
    }
}
