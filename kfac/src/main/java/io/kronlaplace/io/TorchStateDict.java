package io.kronlaplace.io;

import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves a network's weights to and from PyTorch {@code state_dict}s in safetensors files, with a {@link TorchNames}
 * mapping for the names.
 *
 * <p>Import checks the whole file against the whole network before it changes anything and reports every problem at
 * once: each missing tensor, each extra tensor, each tensor whose shape differs, each integer-typed or non-finite
 * one. BatchNorm's {@code num_batches_tracked} counters, which this library does not keep, are accepted and ignored
 * next to their {@code running_mean}. Values are converted to the network's type (F16 and BF16 exactly, F64 rounded
 * for a float32 network).
 *
 * <p>Export writes every parameter and buffer under its PyTorch name in the network's own precision (F32 or F64),
 * a zero {@code num_batches_tracked} next to each running mean (so {@code load_state_dict(strict=True)} accepts the
 * file) and the metadata {@code {"format": "pt"}} that {@code safetensors.torch.save_file} writes. Export then import
 * restores every value bit for bit. See docs/pytorch-import.md.
 */
public final class TorchStateDict {
    private static final String RUNNING_MEAN = "running_mean";
    private static final String BATCH_COUNTER = "num_batches_tracked";

    private TorchStateDict() {
    }

    /**
     * Loads a safetensors {@code state_dict} into {@code network}'s parameters and buffers.
     *
     * @param network receives the values; unchanged when anything does not match
     * @param file    a safetensors file
     * @param names   the network's PyTorch names
     * @throws WeightsFileException        listing every missing, extra, mis-shaped or unusable tensor
     * @throws SafetensorsFormatException  when the file is not valid safetensors
     * @throws IOException                 when the file cannot be read
     */
    public static void load(Network network, Path file, TorchNames names) throws IOException {
        load(network, SafetensorsFile.read(file), names, file.toString());
    }

    /**
     * Loads tensors already read into {@code network}, with the checks of {@link #load(Network, Path, TorchNames)}.
     *
     * @param network receives the values; unchanged when anything does not match
     * @param content the tensors of a {@code state_dict}
     * @param names   the network's PyTorch names
     * @param source  names the tensors' origin in the error message
     * @throws WeightsFileException listing every missing, extra, mis-shaped or unusable tensor
     */
    public static void load(Network network, SafetensorsContent content, TorchNames names, String source)
            throws WeightsFileException {
        Map<String, INDArray> targets = targets(network, names);
        Map<String, SafetensorsTensor> stored = content.tensors();
        List<String> problems = new ArrayList<>();
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> t : targets.entrySet()) {
            String name = t.getKey();
            long[] want = t.getValue().shape();
            SafetensorsTensor got = stored.get(name);
            if (got == null) {
                problems.add("missing '" + name + "' " + Arrays.toString(want));
            } else if (!Arrays.equals(want, got.shape())) {
                problems.add("wrong shape '" + name + "': " + Arrays.toString(got.shape()) + " in the file, "
                        + Arrays.toString(want) + " in the network");
            } else if (!got.dtype().isFloatingPoint()) {
                problems.add("wrong type '" + name + "': " + got.dtype() + " in the file, a floating-point type in "
                        + "the network");
            } else {
                INDArray value = got.toINDArray(t.getValue().dataType());
                if (!Tensors.allFinite(value)) {
                    problems.add("non-finite values in '" + name + "'");
                }
                values.put(name, value);
            }
        }
        for (SafetensorsTensor got : stored.values()) {
            if (!targets.containsKey(got.name()) && !isBatchCounter(got.name(), targets)) {
                problems.add("extra '" + got.name() + "' " + Arrays.toString(got.shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightsFileException(source + " does not match the network (" + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", problems));
        }
        for (Map.Entry<String, INDArray> t : targets.entrySet()) {
            t.getValue().assign(values.get(t.getKey()));
        }
    }

    /**
     * The {@code state_dict} of {@code network} under PyTorch names, as {@link #save} writes it.
     *
     * @param network the weights to export
     * @param names   the network's PyTorch names
     * @return tensors in the network's order, metadata {@code format = pt}
     */
    public static SafetensorsContent toContent(Network network, TorchNames names) {
        SafetensorsDtype dtype = network.dataType() == DataType.DOUBLE ? SafetensorsDtype.F64 : SafetensorsDtype.F32;
        List<SafetensorsTensor> tensors = new ArrayList<>();
        for (Map.Entry<String, INDArray> t : targets(network, names).entrySet()) {
            tensors.add(SafetensorsTensor.of(t.getKey(), t.getValue(), dtype));
            String prefix = batchNormPrefix(t.getKey());
            if (prefix != null) {
                tensors.add(SafetensorsTensor.ofLongs(prefix + BATCH_COUNTER, new long[0], 0L));
            }
        }
        return SafetensorsContent.of(tensors, Map.of("format", "pt"));
    }

    /**
     * Writes {@code network}'s weights as a PyTorch {@code state_dict} in safetensors format, atomically.
     *
     * @param network the weights to export
     * @param file    the target file
     * @param names   the network's PyTorch names
     * @throws IOException when the file cannot be written
     */
    public static void save(Network network, Path file, TorchNames names) throws IOException {
        SafetensorsFile.write(file, toContent(network, names));
    }

    /** Every parameter and buffer by PyTorch name, in network order; two tensors under one name is a mapping bug. */
    private static Map<String, INDArray> targets(Network network, TorchNames names) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> p : network.parameters().entrySet()) {
            put(out, names.torchName(p.getKey()), p.getValue().value(), p.getKey());
        }
        for (Map.Entry<String, INDArray> b : network.buffers().entrySet()) {
            put(out, names.torchName(b.getKey()), b.getValue(), b.getKey());
        }
        return out;
    }

    private static void put(Map<String, INDArray> out, String torchName, INDArray value, String name) {
        if (out.put(torchName, value) != null) {
            throw new IllegalArgumentException("the name mapping sends two tensors to '" + torchName + "' (one is '"
                    + name + "')");
        }
    }

    /** Whether {@code name} is the batch counter of a BatchNorm whose running mean the network has. */
    private static boolean isBatchCounter(String name, Map<String, INDArray> targets) {
        return name.endsWith(BATCH_COUNTER)
                && targets.containsKey(name.substring(0, name.length() - BATCH_COUNTER.length()) + RUNNING_MEAN);
    }

    /** {@code "bn1."} for {@code "bn1.running_mean"}, else null. */
    private static String batchNormPrefix(String torchName) {
        return torchName.endsWith(RUNNING_MEAN) ? torchName.substring(0, torchName.length() - RUNNING_MEAN.length())
                : null;
    }
}
