package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.nn.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The compute device of a posterior: chosen by {@link LaplaceOptions#device()}, CPU when CUDA is not on hand. */
class LaplaceDeviceTest {

    private static LaplacePosterior fitted(HessianStructure h, String device) {
        Network net = Fixtures.mlp(3, 11);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(h).device(device).build());
        post.fit(Fixtures.batches(Fixtures.inputs(6, 3), Fixtures.classes(6, 3, 5), 4));
        return post;
    }

    @ParameterizedTest
    @EnumSource(value = HessianStructure.class, names = {"KRON", "FULL"})
    void aMissingCudaProviderFallsBackToTheCpuAndFitsTheSamePosterior(HessianStructure h) {
        LaplacePosterior cpu = fitted(h, ComputeDevices.CPU);
        LaplacePosterior cuda = fitted(h, " CUDA");
        assertSame(ComputeDevices.cpu(), cpu.kernels());
        assertSame(ComputeDevices.cpu(), cuda.kernels());
        assertEquals("cuda", cuda.options().device());
        MarginalLikelihood expected = cpu.marginalLikelihood();
        MarginalLikelihood actual = cuda.marginalLikelihood();
        assertEquals(expected.value(), actual.value(), 0.0);
        assertArrayEquals(expected.logPriorGradient(), actual.logPriorGradient(), 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = HessianStructure.class, names = {"KRON", "FULL"})
    void theDefaultDeviceIsTheConfiguredOne(HessianStructure h) {
        LaplaceOptions options = LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(h).build();
        assertEquals(ComputeDevices.configuredDevice(), options.device());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL).device("tpu").build());
        assertTrue(e.getMessage().contains("known devices: cpu, cuda"), e.getMessage());
    }
}
