package io.kronlaplace.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.linalg.CpuKernels;
import io.kronlaplace.linalg.KernelSelection;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Selecting the {@code cuda} device with this module on the class path: the provider is found by the service loader,
 * its probe never throws, and without a usable device the CPU kernels are chosen with a reason; with one, the CUDA
 * kernels are.
 */
class CudaFallbackTest {

    @Test
    void theProbeAnswersWithoutThrowingAndExplainsItself() {
        CudaKernels kernels = new CudaKernels();
        boolean available = kernels.isAvailable();
        CudaDevice device = CudaDevice.detect();
        assertEquals(device.available(), available);
        assertSame(device, CudaDevice.detect(), "probed once per process");
        assertFalse(device.description().isBlank());
        assertEquals("cuda", kernels.name());
    }

    @Test
    void withoutADeviceTheCpuKernelsAreChosenWithTheReason() {
        CudaDevice device = CudaDevice.detect();
        assumeFalse(device.available(), "a CUDA device is present: " + device.description());
        KernelSelection selection = ComputeDevices.select("cuda");
        assertInstanceOf(CpuKernels.class, selection.kernels());
        assertEquals(Optional.of("device 'cuda' requested but its provider " + CudaKernels.class.getName()
                + " reports itself unavailable here; using cpu"), selection.fallbackReason());
        assertSame(ComputeDevices.cpu(), ComputeDevices.named("cuda"));
        IllegalStateException e = assertThrows(IllegalStateException.class, CudaLinearAlgebra::open);
        assertTrue(e.getMessage().startsWith("no CUDA device: "), e.getMessage());
    }

    @Test
    void withADeviceTheCudaKernelsAreChosen() {
        CudaDevice device = CudaDevice.detect();
        assumeTrue(device.available(), "no CUDA device: " + device.description());
        KernelSelection selection = ComputeDevices.select("cuda");
        assertInstanceOf(CudaKernels.class, selection.kernels());
        assertTrue(selection.fallbackReason().isEmpty());
    }
}
