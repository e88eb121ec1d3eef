package io.kronlaplace.curvature;

import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Dense curvature references computed independently of the engine: per-example Jacobians of the outputs w.r.t. all
 * parameters by central finite differences, and loss Hessians written out by hand.
 */
final class DenseReference {
    private static final double EPS = 1e-5;

    private DenseReference() {
    }

    /**
     * Jacobians of f_e (the mean output of each group of {@code shared} rows) w.r.t. the flat parameters:
     * [E, C, P].
     */
    static INDArray jacobians(Network net, INDArray inputs, int shared) {
        INDArray theta = net.flatParameters().dup();
        long p = theta.length();
        INDArray base = outputs(net, inputs, shared);
        long e = base.size(0);
        long c = base.size(1);
        INDArray jac = Nd4j.zeros(DataType.DOUBLE, e, c, p);
        for (long i = 0; i < p; i++) {
            INDArray plus = theta.dup();
            plus.putScalar(i, theta.getDouble(i) + EPS);
            net.setFlatParameters(plus);
            INDArray fp = outputs(net, inputs, shared);
            INDArray minus = theta.dup();
            minus.putScalar(i, theta.getDouble(i) - EPS);
            net.setFlatParameters(minus);
            INDArray fm = outputs(net, inputs, shared);
            jac.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(i)).assign(fp.sub(fm).divi(2 * EPS));
        }
        net.setFlatParameters(theta);
        return jac;
    }

    static INDArray outputs(Network net, INDArray inputs, int shared) {
        INDArray f = net.forward(inputs, Mode.EVAL);
        return shared == 1 ? f : f.reshape(f.size(0) / shared, shared, f.size(1)).mean(1);
    }

    /** sum_e J_e^T Lambda_e J_e with Lambda_e from the per-example outputs. */
    static INDArray ggn(Network net, INDArray inputs, int shared, Function<INDArray, INDArray> hessianOfOutput) {
        INDArray jac = jacobians(net, inputs, shared);
        INDArray f = outputs(net, inputs, shared);
        long p = jac.size(2);
        INDArray g = Nd4j.zeros(DataType.DOUBLE, p, p);
        for (long e = 0; e < jac.size(0); e++) {
            INDArray j = jac.get(NDArrayIndex.point(e), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray lambda = hessianOfOutput.apply(f.getRow(e).dup());
            g.addi(j.transpose().mmul(lambda).mmul(j));
        }
        return g;
    }

    /** Hessian of 1/2 ||f - y||^2: the identity. */
    static INDArray mseHessian(INDArray f) {
        return Nd4j.eye(f.length()).castTo(DataType.DOUBLE);
    }

    /** Hessian of softmax cross-entropy: diag(p) - p p^T. */
    static INDArray crossEntropyHessian(INDArray f) {
        double[] z = f.data().asDouble();
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        double[][] h = new double[z.length][z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z.length; j++) {
                h[i][j] = (i == j ? p[i] : 0) - p[i] * p[j];
            }
        }
        return Nd4j.createFromArray(h);
    }

    /** The sub-block of a dense matrix over one parameter's flat range. */
    static INDArray block(Network net, INDArray dense, String parameter) {
        long offset = 0;
        for (var entry : net.parameters().entrySet()) {
            Parameter p = entry.getValue();
            if (entry.getKey().equals(parameter)) {
                return dense.get(NDArrayIndex.interval(offset, offset + p.size()),
                        NDArrayIndex.interval(offset, offset + p.size())).dup();
            }
            offset += p.size();
        }
        throw new IllegalArgumentException("no parameter " + parameter);
    }

    /** kron(b, a) written out directly. */
    static INDArray kron(INDArray b, INDArray a) {
        long nb = b.size(0);
        long na = a.size(0);
        INDArray out = Nd4j.zeros(DataType.DOUBLE, nb * na, nb * na);
        for (long i = 0; i < nb; i++) {
            for (long k = 0; k < nb; k++) {
                out.get(NDArrayIndex.interval(i * na, (i + 1) * na), NDArrayIndex.interval(k * na, (k + 1) * na))
                        .assign(a.mul(b.getDouble(i, k)));
            }
        }
        return out;
    }

    /** ||x - y||_F / ||y||_F. */
    static double relativeError(INDArray x, INDArray y) {
        return x.sub(y).norm2Number().doubleValue() / y.norm2Number().doubleValue();
    }
}
