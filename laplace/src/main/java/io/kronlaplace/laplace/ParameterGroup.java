package io.kronlaplace.laplace;

import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.WeightLayer;

/**
 * One parameter group of a posterior: the weight or the bias of one weight layer (for the SUBNETWORK subset, its
 * chosen entries), with its position in the posterior's flat parameter vector. Groups are the unit of layer-wise prior precisions and of curvature blocks.
 *
 * @param name      the dotted parameter name in the user's network ("fc.weight")
 * @param layer     the layer whose backward pass the Jacobians are read from
 * @param bias      whether this is the layer's bias (else its weight)
 * @param parameter the live parameter
 * @param offset    first index in the flat posterior vector
 * @param size      number of entries (for a subnetwork group, of chosen entries, fewer than the parameter's)
 */
public record ParameterGroup(String name, WeightLayer layer, boolean bias, Parameter parameter, long offset,
                             long size) {
}
