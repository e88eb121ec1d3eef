package io.kronlaplace.spark;

import java.util.Objects;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Spark contexts as this library runs them: embedded local mode bound to the loopback address, or a cluster. */
public final class SparkContexts {
    /** The default master: embedded Spark with one worker thread per core. */
    public static final String DEFAULT_MASTER = "local[*]";

    private SparkContexts() {
    }

    /**
     * A context for the given master. Local masters ({@code local}, {@code local[N]}, {@code local[N,F]}) bind driver
     * and block manager to 127.0.0.1 and need no network; the web UI is off; Spark logs at WARN.
     *
     * @param master  e.g. {@code local[2]}, {@code spark://host:7077}, {@code yarn}
     * @param appName the application name shown by the cluster manager
     * @return the started context
     */
    public static JavaSparkContext create(String master, String appName) {
        Objects.requireNonNull(master, "master");
        SparkConf conf = new SparkConf().setMaster(master).setAppName(Objects.requireNonNull(appName, "appName"))
                .set("spark.ui.enabled", "false")
                .set("spark.ui.showConsoleProgress", "false");
        if (master.startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        JavaSparkContext context = new JavaSparkContext(conf);
        context.setLogLevel("WARN");
        return context;
    }
}
