package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run per output directory: concurrent acquisitions, stale locks, and the CLI's exit code. */
class OutputDirectoryLockTest {
    @TempDir
    Path dir;

    /** Issue 20: two runs into one --out both succeeded; now exactly one of many concurrent acquisitions does. */
    @Test
    void concurrentAcquisitionsInOneJvmHaveExactlyOneOwner() throws Exception {
        int threads = 8;
        for (int round = 0; round < 20; round++) {
            Path out = dir.resolve("run" + round);
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<OutputDirectoryLock>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit((Callable<OutputDirectoryLock>) () -> {
                        start.await();
                        try {
                            return OutputDirectoryLock.acquire(out, line -> { });
                        } catch (OutputDirectoryLockedException e) {
                            // the owner's pid is named unless its lock file was read the instant it was created
                            assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
                            return null;
                        }
                    }));
                }
                start.countDown();
                List<OutputDirectoryLock> owners = new ArrayList<>();
                for (Future<OutputDirectoryLock> f : results) {
                    if (f.get() != null) {
                        owners.add(f.get());
                    }
                }
                assertEquals(1, owners.size(), "round " + round);
                owners.get(0).close();
                assertFalse(Files.exists(out.resolve(OutputDirectoryLock.FILE_NAME)), "released");
                OutputDirectoryLock.acquire(out, line -> { }).close();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }

    @Test
    void staleLockOfADeadProcessIsTakenOverWithAMessage() throws Exception {
        Path out = Files.createDirectories(dir.resolve("stale"));
        long pid = deadPid();
        Files.writeString(out.resolve(OutputDirectoryLock.FILE_NAME), "pid=" + pid + "\nstarted=unknown\ntoken=x\n");
        List<String> messages = new ArrayList<>();
        try (OutputDirectoryLock lock = OutputDirectoryLock.acquire(out, messages::add)) {
            assertEquals(1, messages.size());
            assertTrue(messages.get(0).contains("stale") && messages.get(0).contains(String.valueOf(pid)),
                    messages.get(0));
            String content = Files.readString(out.resolve(OutputDirectoryLock.FILE_NAME));
            assertTrue(content.startsWith("pid=" + ProcessHandle.current().pid() + "\n"), content);
            assertThrows(OutputDirectoryLockedException.class, () -> OutputDirectoryLock.acquire(out, m -> { }));
        }
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(0, left.count(), "no lock and no set-aside stale lock left");
        }
    }

    @Test
    void liveLockWithAnotherStartTimeIsStaleButOneWithoutIsNot() {
        long self = ProcessHandle.current().pid();
        assertTrue(OutputDirectoryLock.isStale("pid=" + self + "\nstarted=1970-01-01T00:00:00Z\n"), "pid reused");
        assertFalse(OutputDirectoryLock.isStale("pid=" + self + "\nstarted=unknown\n"));
        assertFalse(OutputDirectoryLock.isStale(""), "a lock being written is not stale");
    }

    private static Map<Path, FileTime> listing(Path out) throws IOException {
        Map<Path, FileTime> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(out)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                files.put(p, Files.getLastModifiedTime(p));
            }
        }
        return files;
    }

    /** Issue 20: a second train run into a directory owned by a live run fails with LOCKED and touches nothing. */
    @Test
    void secondRunIntoALockedOutputDirectoryExitsLockedAndTouchesNothing() throws Exception {
        Path out = dir.resolve("owned");
        try (OutputDirectoryLock first = OutputDirectoryLock.acquire(out, line -> { })) {
            Files.writeString(out.resolve("report.json"), "{\"first\": true}");
            Map<Path, FileTime> before = listing(out);
            String lockContent = Files.readString(out.resolve(OutputDirectoryLock.FILE_NAME));
            for (String command : new String[] {"train", "search"}) {
                MainTest.Run r = MainTest.run(command, "--out", out.toString(), "--quiet");
                assertEquals(ExitCodes.LOCKED, r.code(), r.err());
                assertTrue(r.err().contains("in use by another run"), r.err());
            }
            assertEquals(before, listing(out));
            assertEquals(lockContent, Files.readString(out.resolve(OutputDirectoryLock.FILE_NAME)));
            assertEquals("{\"first\": true}", Files.readString(out.resolve("report.json")));
        }
    }
}
