package io.kronlaplace.linalg;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Eigendecomposition A = V diag(w) V^T of a real symmetric n x n matrix, float64.
 *
 * @param values  eigenvalues w, length n, ascending
 * @param vectors orthonormal eigenvectors in the columns of an n x n matrix V (column i belongs to values[i])
 */
public record Eigendecomposition(INDArray values, INDArray vectors) {
}
