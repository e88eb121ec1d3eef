package io.kronlaplace.spark;

import io.kronlaplace.hyperopt.ReplicaGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.apache.spark.BarrierTaskContext;

/**
 * The tasks of one Spark barrier stage as data-parallel replicas: rank = partition id, and {@link #sum} adds every
 * task's vector in rank order, so every task holds the bit-identical sum.
 *
 * <p>The vectors travel over TCP, not through {@link BarrierTaskContext#allGather}: Spark's barrier calls wait in
 * steps of one second (the task polls the coordinator's reply once a second), which made every synchronous training
 * step last at least a second. One {@code allGather} at the start tells every task where rank 0 listens; then every
 * other rank keeps one connection to rank 0, which receives the vectors, adds them in rank order and sends the total
 * back. Reads wake every {@value #POLL_MILLIS} ms to stop at once when Spark kills the task (a failed replica fails
 * the stage, which Spark reruns as a whole).
 */
final class BarrierReplicas implements ReplicaGroup, AutoCloseable {
    static final int POLL_MILLIS = 200;
    private final BarrierTaskContext context;
    private final int rank;
    private final int size;
    private final ServerSocket server;
    /** Rank 0: the connection of every other rank, indexed by rank (entry 0 unused); other ranks: entry 0, to rank 0. */
    private final Socket[] peers;

    /**
     * Connects the replicas of the calling barrier task's stage; every task of the stage must construct one.
     *
     * @param context the calling task's barrier context
     * @throws UncheckedIOException when rank 0 cannot listen or another rank cannot reach it
     */
    BarrierReplicas(BarrierTaskContext context) {
        this.context = Objects.requireNonNull(context, "context");
        this.rank = context.partitionId();
        this.size = context.getTaskInfos().length;
        try {
            if (rank == 0) {
                server = new ServerSocket();
                server.bind(new InetSocketAddress(InetAddress.getByName(host(context, 0)), 0), size);
                server.setSoTimeout(POLL_MILLIS);
                context.allGather(Integer.toString(server.getLocalPort()));
                peers = new Socket[size];
                for (int joined = 1; joined < size; joined++) {
                    Socket peer = accept();
                    int peerRank = readInt(peer);
                    if (peerRank < 1 || peerRank >= size || peers[peerRank] != null) {
                        throw new IllegalStateException("a replica announced rank " + peerRank + " of " + size);
                    }
                    peers[peerRank] = peer;
                }
            } else {
                server = null;
                String[] ports = context.allGather("");
                Socket root = new Socket(host(context, 0), Integer.parseInt(ports[0]));
                configure(root);
                peers = new Socket[] {root};
                write(root, ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0, rank));
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("replica " + rank + " of " + size + " could not connect", e);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public double[] sum(double[] local) {
        try {
            if (rank != 0) {
                write(peers[0], encode(local));
                return decode(read(peers[0], local.length * Double.BYTES), local.length);
            }
            double[] total = local.clone();
            for (int r = 1; r < size; r++) {
                double[] other = decode(read(peers[r], local.length * Double.BYTES), local.length);
                for (int i = 0; i < total.length; i++) {
                    total[i] += other[i];
                }
            }
            ByteBuffer message = encode(total);
            for (int r = 1; r < size; r++) {
                write(peers[r], message.duplicate());
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("replica " + rank + " of " + size + " lost its peers", e);
        }
    }

    /** Closes the connections; the stage's tasks call it when their steps are done. */
    @Override
    public void close() {
        if (peers != null) {
            for (Socket peer : peers) {
                closeQuietly(peer);
            }
        }
        closeQuietly(server);
    }

    /** The values' IEEE bits, little-endian, preceded by their count. */
    static ByteBuffer encode(double[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(Integer.BYTES + values.length * Double.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(values.length);
        bytes.asDoubleBuffer().put(values);
        return bytes;
    }

    /**
     * The values of {@link #encode}, after its count.
     *
     * @throws IllegalStateException when a replica sent a vector of another length
     */
    static double[] decode(ByteBuffer message, int length) {
        int sent = message.getInt(0);
        if (sent != length) {
            throw new IllegalStateException("a replica sent " + sent + " values, expected " + length
                    + ": the replicas are out of step");
        }
        double[] out = new double[length];
        message.position(Integer.BYTES);
        message.asDoubleBuffer().get(out);
        return out;
    }

    private static String host(BarrierTaskContext context, int rank) {
        String address = context.getTaskInfos()[rank].address();
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    private Socket accept() throws IOException {
        while (true) {
            try {
                Socket peer = server.accept();
                configure(peer);
                return peer;
            } catch (SocketTimeoutException e) {
                context.killTaskIfInterrupted();
            }
        }
    }

    private static void configure(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(POLL_MILLIS);
    }

    private int readInt(Socket socket) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(readFully(socket, Integer.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        return bytes.getInt();
    }

    private ByteBuffer read(Socket socket, int payload) throws IOException {
        return ByteBuffer.wrap(readFully(socket, Integer.BYTES + payload)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads exactly {@code length} bytes, checking between timeouts whether Spark killed this task. */
    private byte[] readFully(Socket socket, int length) throws IOException {
        byte[] out = new byte[length];
        InputStream in = socket.getInputStream();
        int filled = 0;
        while (filled < length) {
            try {
                int n = in.read(out, filled, length - filled);
                if (n < 0) {
                    throw new IOException("a replica closed its connection after " + filled + " of " + length
                            + " bytes");
                }
                filled += n;
            } catch (SocketTimeoutException e) {
                context.killTaskIfInterrupted();
            }
        }
        return out;
    }

    private static void write(Socket socket, ByteBuffer message) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(message.array(), message.arrayOffset(), message.capacity());
        out.flush();
    }

    private static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception ignored) {
            // closing after the steps: nothing left to lose
        }
    }
}
