package io.kronlaplace.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacOptions;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Choosing kernels by device name: default, system property, options field, fallbacks and errors. */
class ComputeDevicesTest {
    private String savedProperty;

    @BeforeEach
    void clearProperty() {
        savedProperty = System.clearProperty(ComputeDevices.PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (savedProperty == null) {
            System.clearProperty(ComputeDevices.PROPERTY);
        } else {
            System.setProperty(ComputeDevices.PROPERTY, savedProperty);
        }
    }

    @Test
    void theDefaultDeviceIsTheCpu() {
        assertEquals(ComputeDevices.CPU, ComputeDevices.configuredDevice());
        assertInstanceOf(CpuKernels.class, ComputeDevices.configured());
        assertSame(ComputeDevices.cpu(), ComputeDevices.named("cpu"));
        assertEquals(ComputeDevices.CPU, KfacOptions.defaults().device());
        KernelSelection selection = ComputeDevices.select("cpu");
        assertEquals("cpu", selection.requested());
        assertTrue(selection.fallbackReason().isEmpty());
    }

    @Test
    void theSystemPropertyAndTheOptionsChooseTheDeviceCaseInsensitively() {
        System.setProperty(ComputeDevices.PROPERTY, " Counting ");
        assertEquals(CountingKernels.NAME, ComputeDevices.configuredDevice());
        assertInstanceOf(CountingKernels.class, ComputeDevices.configured());
        assertEquals(CountingKernels.NAME, KfacOptions.defaults().device());
        System.clearProperty(ComputeDevices.PROPERTY);
        assertEquals(CountingKernels.NAME, KfacOptions.builder().device("COUNTING").build().device());
        assertEquals(CountingKernels.NAME,
                KfacOptions.builder().device(CountingKernels.NAME).build().toBuilder().build().device());
    }

    @Test
    void anUnknownNameFailsListingTheKnownDevices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputeDevices.select("tpu"));
        assertEquals("unknown compute device 'tpu'; known devices: counting, cpu, cuda", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ComputeDevices.named("tpu"));
        IllegalArgumentException options = assertThrows(IllegalArgumentException.class,
                () -> KfacOptions.builder().device("tpu").build());
        assertTrue(options.getMessage().contains("known devices: counting, cpu, cuda"), options.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KfacOptions.builder().device(" ").build());
        assertThrows(IllegalArgumentException.class, () -> KfacOptions.builder().device(null).build());
        assertEquals(List.of("counting", "cpu", "cuda"), ComputeDevices.knownDevices());
    }

    @Test
    void aMissingCudaProviderFallsBackToTheCpuWithTheReason() {
        KernelSelection selection = ComputeDevices.select("CUDA");
        assertEquals("cuda", selection.requested());
        assertSame(ComputeDevices.cpu(), selection.kernels());
        assertEquals(Optional.of("device 'cuda' requested but no 'cuda' compute-kernel provider is on the class path;"
                + " using cpu"), selection.fallbackReason());
        assertSame(ComputeDevices.cpu(), ComputeDevices.named("cuda"));
        assertEquals("cuda", KfacOptions.builder().device("cuda").build().device(), "the request is kept");
    }

    @Test
    void aProviderThatReportsItselfUnavailableFallsBack() {
        ComputeKernels cpu = new CpuKernels();
        KernelSelection selection = ComputeDevices.select("cuda", List.of(cpu, new FakeKernels("cuda", () -> false)),
                cpu);
        assertSame(cpu, selection.kernels());
        assertEquals(Optional.of("device 'cuda' requested but its provider " + FakeKernels.class.getName()
                + " reports itself unavailable here; using cpu"), selection.fallbackReason());
    }

    @Test
    void aProviderWhoseProbeFailsFallsBack() {
        ComputeKernels cpu = new CpuKernels();
        FakeKernels broken = new FakeKernels("cuda", () -> {
            throw new UnsatisfiedLinkError("no jnicudart in java.library.path");
        });
        KernelSelection selection = ComputeDevices.select("cuda", List.of(broken), cpu);
        assertSame(cpu, selection.kernels());
        String reason = selection.fallbackReason().orElseThrow();
        assertTrue(reason.startsWith("device 'cuda' requested but the availability probe of its provider"), reason);
        assertTrue(reason.contains("no jnicudart") && reason.endsWith("; using cpu"), reason);
    }

    @Test
    void anAvailableProviderIsChosenEvenUnderANameThisProjectDoesNotDefine() {
        ComputeKernels cpu = new CpuKernels();
        FakeKernels cuda = new FakeKernels("cuda", () -> true);
        FakeKernels rocm = new FakeKernels("rocm", () -> true);
        List<ComputeKernels> providers = List.of(cpu, cuda, rocm);
        assertSame(cuda, ComputeDevices.select("cuda", providers, cpu).kernels());
        KernelSelection selection = ComputeDevices.select("rocm", providers, cpu);
        assertSame(rocm, selection.kernels());
        assertTrue(selection.fallbackReason().isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ComputeDevices.select("metal", providers, cpu));
        assertTrue(e.getMessage().endsWith("known devices: cpu, cuda, rocm"), e.getMessage());
    }

    @Test
    void twoProvidersOfOneNameAreAnError() {
        ComputeKernels cpu = new CpuKernels();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ComputeDevices.select("cuda",
                List.of(new FakeKernels("cuda", () -> true), new FakeKernels("cuda", () -> true)), cpu));
        assertTrue(e.getMessage().contains("all claim device 'cuda'"), e.getMessage());
    }

    /** A provider whose operations are never called by the selection. */
    private record FakeKernels(String name, BooleanSupplier available) implements ComputeKernels {
        @Override
        public boolean isAvailable() {
            return available.getAsBoolean();
        }

        @Override
        public void addTransposeProductUpper(INDArray rows, INDArray target, double beta) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addProductsOfUpper(INDArray stack, INDArray target, double beta) {
            throw new UnsupportedOperationException();
        }

        @Override
        public INDArray mirrorUpper(INDArray square) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void gemm(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha,
                         double beta) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Eigendecomposition decomposeSymmetric(INDArray symmetric) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Eigendecomposition> decomposeAllSymmetric(List<INDArray> matrices) {
            throw new UnsupportedOperationException();
        }
    }
}
