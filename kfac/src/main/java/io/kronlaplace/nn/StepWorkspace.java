package io.kronlaplace.nn;

import java.util.Objects;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A reusable arena for every array allocated during one repeated unit of work (a training step: forward, loss
 * gradient, backward). Fresh off-heap arrays cost page faults on first touch, which on small machines take longer
 * than the arithmetic of a whole layer; inside this scope ND4J allocates from one block that is sized during the
 * first use and reused by every later use on the same thread, so a step of constant shape allocates nothing new.
 *
 * <p>Rules: arrays created inside the scope (layer outputs, caches, gradients returned by {@link Module#backward})
 * are valid only until the scope is closed — copy ({@code detach()}) anything kept beyond it, such as the loss
 * value's source or logits. Parameters, their gradients, BatchNorm running statistics and optimiser state live
 * outside and are updated in place, so create the optimiser's state and call its step outside the scope. Not
 * thread-safe: one scope per thread.
 *
 * <pre>{@code
 * try (StepWorkspace ws = StepWorkspace.open("train")) {
 *     INDArray logits = net.forward(x, Mode.TRAIN);
 *     net.backward(likelihood.gradient(logits, y, Reduction.MEAN), BackwardContext.training());
 * }
 * sgd.step(net);
 * }</pre>
 */
public final class StepWorkspace implements AutoCloseable {
    private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.05)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private static final String PREFIX = "kronlaplace-";

    private final MemoryWorkspace workspace;

    private StepWorkspace(MemoryWorkspace workspace) {
        this.workspace = workspace;
    }

    /**
     * Opens (activates) the workspace with this id on the current thread; the same id reuses the same memory.
     *
     * @param id a name for the kind of step, e.g. "train" or "curvature"; not blank
     * @return the open scope, to be closed by try-with-resources on the same thread
     * @throws NullPointerException     when {@code id} is null
     * @throws IllegalArgumentException when {@code id} is blank
     */
    public static StepWorkspace open(String id) {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("workspace id must not be blank");
        }
        return new StepWorkspace(Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, PREFIX + id));
    }

    /**
     * Whether the current thread keeps memory under this id: from the first {@link #open} until {@link #release}.
     *
     * @param id the workspace id given to {@link #open}
     * @return true when a workspace with this id exists on the current thread
     */
    public static boolean isAllocated(String id) {
        Objects.requireNonNull(id, "id");
        return Nd4j.getWorkspaceManager().checkIfWorkspaceExists(PREFIX + id);
    }

    /**
     * Frees the memory of the workspace with this id on the current thread, e.g. before a different kind of pass that
     * needs its own memory; the next {@link #open} with the id allocates and sizes it again. Does nothing when no such
     * workspace exists.
     *
     * @param id the id given to {@link #open}
     * @throws NullPointerException  when {@code id} is null
     * @throws IllegalStateException when the workspace is open
     */
    public static void release(String id) {
        Objects.requireNonNull(id, "id");
        String name = PREFIX + id;
        if (!Nd4j.getWorkspaceManager().checkIfWorkspaceExists(name)) {
            return;
        }
        MemoryWorkspace workspace = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(name);
        if (workspace.isScopeActive()) {
            throw new IllegalStateException("workspace '" + id + "' is open: close it before releasing its memory");
        }
        Nd4j.getWorkspaceManager().destroyWorkspace(workspace);
    }

    /** Closes the scope; memory is kept for the next {@link #open} with the same id on this thread. */
    @Override
    public void close() {
        workspace.close();
    }
}
