package io.kronlaplace.linalg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link ComputeKernels} implementation by device name among the providers that
 * {@link ServiceLoader} finds on the class path ({@code "cpu"} is built in). Rules:
 * <ul>
 *   <li>a provider with the requested name that reports itself available is used;</li>
 *   <li>when the device is one this project defines ({@value #CPU}, {@value #CUDA}) but its provider is missing, or
 *       a provider reports itself unavailable, the CPU kernels are used and a warning says why, e.g.
 *       {@code device 'cuda' requested but no 'cuda' compute-kernel provider is on the class path; using cpu};</li>
 *   <li>any other name is an error that lists the known devices.</li>
 * </ul>
 * The default device is the {@value #PROPERTY} system property, else {@value #CPU}; engine options (for example
 * {@code KfacOptions.device}) override it. See docs/compute-kernels.md, section "Selecting a device".
 */
public final class ComputeDevices {
    /** System property naming the default device, e.g. {@code -Dkronlaplace.device=cuda}. */
    public static final String PROPERTY = "kronlaplace.device";
    /** The CPU device: OpenBLAS and LAPACK, always available. */
    public static final String CPU = "cpu";
    /** The CUDA device, served by a provider in a separate module when that module is on the class path. */
    public static final String CUDA = "cuda";

    /** Devices this project defines: requesting one whose provider is absent falls back instead of failing. */
    private static final List<String> DEFINED = List.of(CPU, CUDA);
    private static final Logger LOG = LoggerFactory.getLogger(ComputeDevices.class);
    /** Resolved kernels per requested name, so that engines built often (one per optimiser step) look up once. */
    private static final Map<String, ComputeKernels> RESOLVED = new ConcurrentHashMap<>();

    private ComputeDevices() {
    }

    /** The class path's providers, loaded on first use. */
    private static final class ClassPath {
        static final List<ComputeKernels> PROVIDERS = loadProviders();
        static final ComputeKernels CPU_KERNELS = PROVIDERS.stream().filter(p -> CPU.equals(p.name())).findFirst()
                .orElseGet(CpuKernels::new);
    }

    /**
     * The CPU kernels.
     *
     * @return the {@value #CPU} provider found on the class path, else the built-in OpenBLAS and LAPACK kernels; the
     *         same instance on every call
     */
    public static ComputeKernels cpu() {
        return ClassPath.CPU_KERNELS;
    }

    /**
     * The default device name.
     *
     * @return the {@value #PROPERTY} system property trimmed and in lower case when set and not blank, else
     *         {@value #CPU}; not checked against the known devices
     */
    public static String configuredDevice() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? CPU : normalise(value);
    }

    /**
     * The kernels of the default device.
     *
     * @return the kernels of {@link #configuredDevice()}, as {@link #named} resolves them
     * @throws IllegalArgumentException when the {@value #PROPERTY} system property names an unknown device
     */
    public static ComputeKernels configured() {
        return named(configuredDevice());
    }

    /**
     * The kernels for a device name (case-insensitive): the named provider's when available, else the CPU's with a
     * logged warning (once per name) that says why.
     *
     * @param device a device name such as {@value #CPU} or {@value #CUDA}, in any case, with or without surrounding
     *               blanks
     * @return the kernels resolved for that name; the same instance for every later call with the name
     * @throws IllegalArgumentException when the name is blank or unknown (the message lists the known devices)
     */
    public static ComputeKernels named(String device) {
        String name = normalise(device);
        ComputeKernels resolved = RESOLVED.get(name);
        if (resolved != null) {
            return resolved;
        }
        return RESOLVED.computeIfAbsent(name, n -> {
            KernelSelection selection = select(n);
            selection.fallbackReason().ifPresent(LOG::warn);
            return selection.kernels();
        });
    }

    /**
     * Chooses the kernels for a device name by the rules above without logging; the reason of a fallback is in the
     * result.
     *
     * @param device a device name, in any case, with or without surrounding blanks
     * @return the normalised name, the kernels chosen and the reason of a fallback to the CPU, if any
     * @throws IllegalArgumentException when the name is blank or unknown
     * @throws IllegalStateException    when two providers on the class path claim the name
     */
    public static KernelSelection select(String device) {
        return select(device, ClassPath.PROVIDERS, ClassPath.CPU_KERNELS);
    }

    /**
     * Checks that a device name is known (defined by this project or served by a provider on the class path).
     *
     * @param device a device name, in any case, with or without surrounding blanks
     * @return the name trimmed and in lower case
     * @throws IllegalArgumentException when it is blank or unknown, listing the known devices
     */
    public static String requireKnown(String device) {
        String name = normalise(device);
        if (!knownDevices(ClassPath.PROVIDERS).contains(name)) {
            throw unknown(name, ClassPath.PROVIDERS);
        }
        return name;
    }

    /**
     * The device names that {@link #named} accepts.
     *
     * @return the ones this project defines and those of the providers found, sorted and without repeats
     */
    public static List<String> knownDevices() {
        return knownDevices(ClassPath.PROVIDERS);
    }

    /** {@link #select(String)} over the given providers, with {@code cpu} as the fallback. */
    static KernelSelection select(String device, List<ComputeKernels> providers, ComputeKernels cpu) {
        String name = normalise(device);
        List<ComputeKernels> matching = providers.stream().filter(p -> name.equals(p.name())).toList();
        if (matching.size() > 1) {
            throw new IllegalStateException("compute-kernel providers " + matching.stream()
                    .map(p -> p.getClass().getName()).toList() + " all claim device '" + name
                    + "'; keep one of them on the class path");
        }
        if (matching.isEmpty()) {
            if (CPU.equals(name)) {
                return new KernelSelection(name, cpu, Optional.empty());
            }
            if (!DEFINED.contains(name)) {
                throw unknown(name, providers);
            }
            return fallback(name, cpu, "no '" + name + "' compute-kernel provider is on the class path");
        }
        ComputeKernels kernels = matching.get(0);
        Optional<String> problem = unavailability(kernels);
        return problem.isEmpty() ? new KernelSelection(name, kernels, Optional.empty())
                : fallback(name, cpu, problem.get());
    }

    private static KernelSelection fallback(String name, ComputeKernels cpu, String reason) {
        return new KernelSelection(name, cpu,
                Optional.of("device '" + name + "' requested but " + reason + "; using " + cpu.name()));
    }

    /** Why a provider cannot be used here, or empty when its probe says it can. */
    private static Optional<String> unavailability(ComputeKernels kernels) {
        String provider = kernels.getClass().getName();
        try {
            return kernels.isAvailable() ? Optional.empty()
                    : Optional.of("its provider " + provider + " reports itself unavailable here");
        } catch (RuntimeException | LinkageError e) {
            // a provider whose native libraries are missing may fail in its probe instead of returning false
            return Optional.of("the availability probe of its provider " + provider + " failed (" + e + ")");
        }
    }

    private static IllegalArgumentException unknown(String name, List<ComputeKernels> providers) {
        return new IllegalArgumentException("unknown compute device '" + name + "'; known devices: "
                + String.join(", ", knownDevices(providers)));
    }

    private static List<String> knownDevices(List<ComputeKernels> providers) {
        TreeSet<String> names = new TreeSet<>(DEFINED);
        providers.forEach(p -> names.add(p.name()));
        return List.copyOf(names);
    }

    private static String normalise(String device) {
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("compute device name must not be null or blank");
        }
        return device.trim().toLowerCase(Locale.ROOT);
    }

    private static List<ComputeKernels> loadProviders() {
        List<ComputeKernels> providers = new ArrayList<>();
        try {
            ServiceLoader.load(ComputeKernels.class).stream().forEach(provider -> {
                try {
                    providers.add(provider.get());
                } catch (ServiceConfigurationError | LinkageError e) {
                    // one broken provider jar must not take the CPU kernels down with it
                    LOG.warn("compute-kernel provider {} cannot be created and is ignored: {}",
                            provider.type().getName(), e.toString());
                }
            });
        } catch (ServiceConfigurationError e) {
            LOG.warn("not every compute-kernel provider on the class path could be listed: {}", e.getMessage());
        }
        return List.copyOf(providers);
    }
}
