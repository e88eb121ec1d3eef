package io.kronlaplace.hyperopt.fuzz;

/** What one mutated file did to its reader. */
public enum FuzzOutcome {
    /** Read back exactly equal to the original (the mutation did not change the meaning, e.g. a padding byte). */
    READ_EQUAL(false),
    /** Read without complaint as different content: acceptable only where no checksum protects the content. */
    READ_CHANGED(false),
    /** Rejected with an exception the reader documents (the corrupt-file family), caller state unchanged. */
    REJECTED(false),
    /** A checksummed file whose content changed, with its original checksum, was accepted. */
    SILENT_ACCEPTANCE(true),
    /** The read failed with an exception outside the documented family (or an Error). */
    UNDOCUMENTED_EXCEPTION(true),
    /** The read failed but changed the caller's state. */
    STATE_CHANGED(true);

    private final boolean bug;

    FuzzOutcome(boolean bug) {
        this.bug = bug;
    }

    /**
     * Whether this outcome is a reader bug.
     *
     * @return true for an outcome a correct reader never produces, false for a read or a documented rejection
     */
    public boolean isBug() {
        return bug;
    }
}
