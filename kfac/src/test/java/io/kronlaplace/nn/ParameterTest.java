package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ParameterTest {

    @Test
    void aNewParameterAndAReplacedValueStartFromAZeroGradient() {
        Parameter p = new Parameter("weight", Parameter.Kind.WEIGHT, Nd4j.rand(DataType.DOUBLE, 3, 4));
        assertEquals(0.0, p.grad().norm1Number().doubleValue());
        p.grad().addi(1.5);
        p.setValue(Nd4j.rand(DataType.DOUBLE, 3, 4));
        assertEquals(0.0, p.grad().norm1Number().doubleValue());
        assertEquals(12, p.grad().length());
    }

    @Test
    void aValueOfAnotherShapeIsRejectedNamingTheParameter() {
        Parameter p = new Parameter("bias", Parameter.Kind.BIAS, Nd4j.zeros(DataType.DOUBLE, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.setValue(Nd4j.zeros(DataType.DOUBLE, 5)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'bias'"));
    }
}
