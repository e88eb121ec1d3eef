package io.kronlaplace.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The host-side transpose that turns batched cuSOLVER results (column-major) into row-major eigenvectors. */
class TransposeSquareTest {

    @Test
    void swapsRowsAndColumnsInPlace() {
        double[] m = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        CudaLinearAlgebra.transposeSquare(m, 3);
        assertArrayEquals(new double[] {1, 4, 7, 2, 5, 8, 3, 6, 9}, m, 0.0);
        double[] one = {42};
        CudaLinearAlgebra.transposeSquare(one, 1);
        assertArrayEquals(new double[] {42}, one, 0.0);
    }
}
