package io.kronlaplace.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bytedeco.openblas.global.openblas_full;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class OpenBlasThreadsTest {
    private int before;

    @BeforeEach
    void twoThreads() {
        Nd4j.create(1);
        before = OpenBlasThreads.current();
        openblas_full.openblas_set_num_threads(2);
    }

    @AfterEach
    void restore() {
        openblas_full.openblas_set_num_threads(before);
    }

    @Test
    void aSectionRunsOnOneThreadAndRestoresTheCount() {
        try (OpenBlasThreads.Section ignored = OpenBlasThreads.singleThreaded()) {
            assertEquals(1, OpenBlasThreads.current());
        }
        assertEquals(2, OpenBlasThreads.current());
    }

    @Test
    void nestedSectionsRestoreOnlyWhenTheOutermostCloses() {
        OpenBlasThreads.Section outer = OpenBlasThreads.singleThreaded();
        OpenBlasThreads.Section inner = OpenBlasThreads.singleThreaded();
        inner.close();
        inner.close();
        assertEquals(1, OpenBlasThreads.current(), "closing the inner section twice must not end the outer one");
        outer.close();
        assertEquals(2, OpenBlasThreads.current());
    }

    @Test
    void overlappingSectionsOnTwoThreadsRestoreTheFirstCount() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch opened = new CountDownLatch(1);
            CountDownLatch mainClosed = new CountDownLatch(1);
            OpenBlasThreads.Section first = OpenBlasThreads.singleThreaded();
            Future<Integer> other = pool.submit(() -> {
                try (OpenBlasThreads.Section ignored = OpenBlasThreads.singleThreaded()) {
                    opened.countDown();
                    mainClosed.await(10, TimeUnit.SECONDS);
                    return OpenBlasThreads.current();
                }
            });
            opened.await(10, TimeUnit.SECONDS);
            first.close();
            assertEquals(1, OpenBlasThreads.current(), "the other thread's section is still open");
            mainClosed.countDown();
            assertEquals(1, other.get(10, TimeUnit.SECONDS));
            assertEquals(2, OpenBlasThreads.current());
        } finally {
            pool.shutdownNow();
        }
    }
}
