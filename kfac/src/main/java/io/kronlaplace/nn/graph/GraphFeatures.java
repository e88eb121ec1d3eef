package io.kronlaplace.nn.graph;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Node, edge and global features between the blocks of a graph network (or their gradients, then with
 * {@code copies} copy-major blocks of rows). Edges or globals are null where a block has none (or, for gradients,
 * where the output does not depend on them).
 */
record GraphFeatures(INDArray nodes, INDArray edges, INDArray globals) {
}
