package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.nn.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Save/load round trips and clear failures on corrupt, truncated and mismatched files. */
class PosteriorFileTest {
    @TempDir
    Path dir;

    private static LaplacePosterior fitted(HessianStructure h, SubsetOfWeights s, Network net) {
        LaplacePosterior post = Laplace.create(net, Fixtures.options(h, s).flavour(KfacFlavour.EXPAND).temperature(0.9).build());
        post.fit(Fixtures.batches(Fixtures.inputs(6, 3), Fixtures.classes(6, 3, 5), 3));
        double[] d = new double[post.groupNames().size()];
        Arrays.fill(d, 0.7);
        d[0] = 1.9;
        post.setPriorPrecision(PriorPrecision.perGroup(d));
        return post;
    }

    @ParameterizedTest
    @EnumSource(HessianStructure.class)
    void roundTripPreservesEverything(HessianStructure h) throws IOException {
        for (SubsetOfWeights s : SubsetOfWeights.values()) {
            if (!Fixtures.supported(h, s)) {
                continue;
            }
            LaplacePosterior post = fitted(h, s, Fixtures.mlp(3, 2));
            Path file = dir.resolve(h + "-" + s + ".post");
            PosteriorFile.save(post, file);
            // the same architecture with other covered weights (LAST_LAYER saves only the last layer, so the body is
            // the same): loading restores the MAP into it
            Network other = s == SubsetOfWeights.ALL ? Fixtures.mlp(3, 99) : Fixtures.mlp(3, 2);
            if (s == SubsetOfWeights.SUBNETWORK) {
                // flat index 17 is the second entry of 2.weight, a covered parameter; the others must stay the same
                other.parameter("2.weight").value().reshape(12).putScalar(1, 5.0);
            } else {
                other.parameter("2.weight").value().addi(1.0);
            }
            LaplacePosterior loaded = PosteriorFile.load(file, other);
            assertEquals(post.structure(), loaded.structure());
            assertEquals(post.subset(), loaded.subset());
            assertEquals(post.options().flavour(), loaded.options().flavour());
            assertEquals(post.priorPrecision().kind(), loaded.priorPrecision().kind());
            assertArrayEquals(post.priorPrecision().values(), loaded.priorPrecision().values());
            assertEquals(post.temperature(), loaded.temperature());
            assertEquals(post.logMarginalLikelihood(), loaded.logMarginalLikelihood(), 1e-10);
            assertArrayEquals(post.marginalLikelihood().logPriorGradient(),
                    loaded.marginalLikelihood().logPriorGradient(), 1e-10);
            assertArrayEquals(post.mapWeights().toDoubleVector(), Fixtures.flatCovered(other, s), 0.0);
            INDArray xs = Fixtures.gaussian(4, 3, Fixtures.IN);
            INDArray a = post.functionalPrediction(xs).covariance();
            INDArray b = loaded.functionalPrediction(xs).covariance();
            assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-12);
            assertEquals(0, Files.list(dir).filter(p -> p.toString().endsWith(".tmp")).count(), "temp file left");
        }
    }

    @Test
    void bytesAreTheFileContentAndLoadWithTheFileChecks() throws IOException {
        LaplacePosterior post = fitted(HessianStructure.KRON, SubsetOfWeights.ALL, Fixtures.mlp(3, 2));
        Path file = dir.resolve("k.post");
        PosteriorFile.save(post, file);
        byte[] bytes = PosteriorFile.toBytes(post);
        assertArrayEquals(Files.readAllBytes(file), bytes);

        Network other = Fixtures.mlp(3, 99);
        LaplacePosterior fromBytes = PosteriorFile.fromBytes(bytes, other, "the shipped posterior");
        LaplacePosterior fromFile = PosteriorFile.load(file, Fixtures.mlp(3, 98));
        assertEquals(fromFile.logMarginalLikelihood(), fromBytes.logMarginalLikelihood(), 0.0);
        INDArray xs = Fixtures.gaussian(4, 3, Fixtures.IN);
        assertEquals(0.0, fromFile.functionalPrediction(xs).covariance()
                .sub(fromBytes.functionalPrediction(xs).covariance()).amaxNumber().doubleValue());

        byte[] corrupt = bytes.clone();
        corrupt[bytes.length - 100] ^= 0x10;
        PosteriorFormatException e = assertThrows(PosteriorFormatException.class,
                () -> PosteriorFile.fromBytes(corrupt, Fixtures.mlp(3, 2), "the shipped posterior"));
        assertTrue(e.getMessage().contains("the shipped posterior") && e.getMessage().contains("checksum"),
                e.getMessage());
    }

    @Test
    void corruptTruncatedAndForeignFilesFailClearly() throws IOException {
        LaplacePosterior post = fitted(HessianStructure.KRON, SubsetOfWeights.ALL, Fixtures.mlp(3, 2));
        Path file = dir.resolve("k.post");
        PosteriorFile.save(post, file);
        byte[] bytes = Files.readAllBytes(file);

        Path truncated = dir.resolve("truncated.post");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        PosteriorFormatException e1 = assertThrows(PosteriorFormatException.class,
                () -> PosteriorFile.load(truncated, Fixtures.mlp(3, 2)));
        assertTrue(e1.getMessage().contains("truncated"), e1.getMessage());

        Path flipped = dir.resolve("flipped.post");
        byte[] corrupt = bytes.clone();
        corrupt[bytes.length - 100] ^= 0x10;
        Files.write(flipped, corrupt);
        PosteriorFormatException e2 = assertThrows(PosteriorFormatException.class,
                () -> PosteriorFile.load(flipped, Fixtures.mlp(3, 2)));
        assertTrue(e2.getMessage().contains("checksum"), e2.getMessage());

        Path foreign = dir.resolve("foreign.post");
        Files.writeString(foreign, "hello, this is not a posterior");
        PosteriorFormatException e3 = assertThrows(PosteriorFormatException.class,
                () -> PosteriorFile.load(foreign, Fixtures.mlp(3, 2)));
        assertTrue(e3.getMessage().contains("magic"), e3.getMessage());

        Path version = dir.resolve("version.post");
        byte[] v = bytes.clone();
        v[11] = 9;
        Files.write(version, v);
        PosteriorFormatException e4 = assertThrows(PosteriorFormatException.class,
                () -> PosteriorFile.load(version, Fixtures.mlp(3, 2)));
        assertTrue(e4.getMessage().contains("version"), e4.getMessage());

        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> PosteriorFile.load(dir.resolve("missing.post"), Fixtures.mlp(3, 2)));
    }

    @Test
    void loadingIntoAMismatchedModelFailsNamingTheParameter() throws IOException {
        LaplacePosterior post = fitted(HessianStructure.DIAG, SubsetOfWeights.ALL, Fixtures.mlp(3, 2));
        Path file = dir.resolve("d.post");
        PosteriorFile.save(post, file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PosteriorFile.load(file, Fixtures.mlp(4, 2)));
        assertTrue(e.getMessage().contains("2.weight"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> PosteriorFile.save(
                Laplace.create(Fixtures.mlp(3, 2), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).build()), dir.resolve("unfitted.post")));
    }
}
