package io.kronlaplace.io;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a network's dotted parameter and buffer names are spelled in a PyTorch {@code state_dict}. Layouts need no
 * conversion (Linear {@code [out, in]}, Conv2d {@code [out, in, kh, kw]}, BatchNorm weight, bias, running mean and
 * unbiased running variance are stored as PyTorch stores them), so a mapping is a renaming only. See
 * docs/pytorch-import.md, section Name mapping.
 */
@FunctionalInterface
public interface TorchNames {
    /**
     * The PyTorch name of one of the network's tensors.
     *
     * @param name the dotted name in the network, e.g. {@code "group1.0.main.conv1.weight"}
     * @return the {@code state_dict} key, e.g. {@code "block1.layer.0.conv1.weight"}
     * @throws IllegalArgumentException when the name has no PyTorch counterpart under this mapping
     */
    String torchName(String name);

    /**
     * The identity: networks built as a {@code Sequential} of positionally named modules ({@code Mlp},
     * {@code ConvNet}) have the names of the equivalent {@code nn.Sequential}.
     *
     * @return the identity mapping
     */
    static TorchNames sequential() {
        return name -> name;
    }

    /**
     * Wide ResNets ({@code WideResNet}, both variants) onto the common PyTorch implementation of Zagoruyko and
     * Komodakis' network: {@code conv1}, {@code block<g>.layer.<b>.{bn1, conv1, bn2, conv2, convShortcut}},
     * {@code bn1}, {@code fc}; for Fixup {@code bias1} after the stem, {@code bias1..bias4} and {@code scale1} in each
     * block, {@code bias2} before {@code fc}.
     *
     * @return the Wide ResNet mapping
     */
    static TorchNames wideResNet() {
        record Rule(Pattern pattern, String replacement) {
        }
        String block = "^group(\\d+)\\.(\\d+)\\.(?:main|pre|residual\\.main)\\.";
        List<Rule> rules = List.of(
                new Rule(Pattern.compile("^conv\\.(.+)$"), "conv1.$1"),
                new Rule(Pattern.compile("^bias\\.(.+)$"), "bias1.$1"),
                new Rule(Pattern.compile(block + "scale\\.(.+)$"), "block$1.layer.$2.scale1.$3"),
                new Rule(Pattern.compile(block + "(.+)$"), "block$1.layer.$2.$3"),
                new Rule(Pattern.compile("^group(\\d+)\\.(\\d+)\\.residual\\.shortcut\\.(.+)$"),
                        "block$1.layer.$2.convShortcut.$3"),
                new Rule(Pattern.compile("^bn\\.(.+)$"), "bn1.$1"),
                new Rule(Pattern.compile("^((?:bias2|fc)\\..+)$"), "$1"));
        return name -> {
            for (Rule rule : rules) {
                Matcher m = rule.pattern().matcher(name);
                if (m.matches()) {
                    return m.replaceFirst(rule.replacement());
                }
            }
            throw new IllegalArgumentException("'" + name + "' is not a Wide ResNet tensor name");
        };
    }
}
