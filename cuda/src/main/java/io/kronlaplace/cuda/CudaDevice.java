package io.kronlaplace.cuda;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cusolver;
import org.bytedeco.javacpp.Loader;

/**
 * Whether this process can run CUDA kernels: the JavaCPP bindings load the machine's CUDA runtime, cuBLAS and
 * cuSOLVER, and the runtime sees at least one device. Probed once per process, without throwing; the result says why
 * when the answer is no. See docs/gpu.md, section "What runs on the GPU".
 *
 * @param available   whether the CUDA kernels can run here
 * @param description the device (name, compute capability, memory, runtime and driver versions) when available,
 *                    else why not, e.g. {@code the CUDA libraries did not load: java.lang.UnsatisfiedLinkError: ...}
 */
public record CudaDevice(boolean available, String description) {

    private static final double GIB = 1024.0 * 1024 * 1024;

    /** The probe's result, computed on first use. */
    private static final class Probe {
        static final CudaDevice RESULT = probe();
    }

    /**
     * The process-wide probe result; never throws.
     *
     * @return the probe result, available or not with the reason
     */
    public static CudaDevice detect() {
        return Probe.RESULT;
    }

    /**
     * Prints the probe's result and exits with status 0 when a device is usable, 1 otherwise: the first check of
     * {@code cuda/scripts/run-on-gpu.sh}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        CudaDevice device = detect();
        System.out.println((device.available() ? "CUDA device: " : "no CUDA device: ") + device.description());
        System.exit(device.available() ? 0 : 1);
    }

    private static CudaDevice probe() {
        try {
            Loader.load(cudart.class);
            int[] count = new int[1];
            int status = cudart.cudaGetDeviceCount(count);
            if (status != cudart.cudaSuccess) {
                return new CudaDevice(false, "the CUDA runtime found no usable device ("
                        + CudaStatus.runtimeError(status) + ")");
            }
            if (count[0] < 1) {
                return new CudaDevice(false, "the CUDA runtime sees no device");
            }
            // cuBLAS and cuSOLVER are separate libraries: a machine may have the runtime without them
            Loader.load(cublas.class);
            Loader.load(cusolver.class);
            return new CudaDevice(true, describeCurrentDevice(count[0]));
        } catch (LinkageError | RuntimeException e) {
            // UnsatisfiedLinkError when a library is missing, NoClassDefFoundError on a retry after that
            return new CudaDevice(false, "the CUDA libraries did not load: " + e);
        }
    }

    private static String describeCurrentDevice(int deviceCount) {
        int[] device = new int[1];
        CudaStatus.checkRuntime(cudart.cudaGetDevice(device), "cudaGetDevice");
        int[] runtime = new int[1];
        int[] driver = new int[1];
        CudaStatus.checkRuntime(cudart.cudaRuntimeGetVersion(runtime), "cudaRuntimeGetVersion");
        CudaStatus.checkRuntime(cudart.cudaDriverGetVersion(driver), "cudaDriverGetVersion");
        try (cudaDeviceProp properties = new cudaDeviceProp()) {
            CudaStatus.checkRuntime(cudart.cudaGetDeviceProperties(properties, device[0]), "cudaGetDeviceProperties");
            return String.format(java.util.Locale.ROOT,
                    "device %d of %d: %s, compute capability %d.%d, %.1f GiB; CUDA runtime %s, driver %s",
                    device[0], deviceCount, properties.name().getString().trim(), properties.major(),
                    properties.minor(), properties.totalGlobalMem() / GIB, version(runtime[0]), version(driver[0]));
        }
    }

    /** CUDA encodes versions as 1000 * major + 10 * minor. */
    private static String version(int encoded) {
        return encoded / 1000 + "." + encoded % 1000 / 10;
    }
}
