package io.gantry.dataplane.support;

import apache.rocketmq.v2.TelemetryCommand;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** One Telemetry stream of a {@link TestClient}: commands sent in order, answers queued as they arrive. */
public final class TelemetrySession implements AutoCloseable {
    private final BlockingQueue<TelemetryCommand> answers = new LinkedBlockingQueue<>();
    private final CompletableFuture<Status> ended = new CompletableFuture<>();
    private final StreamObserver<TelemetryCommand> requests;
    private final TestClient client;

    public TelemetrySession(TestClient client) {
        this.client = client;
        this.requests = client.async().telemetry(new StreamObserver<>() {
            @Override
            public void onNext(TelemetryCommand value) {
                answers.add(value);
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended.complete(Status.OK);
            }
        });
    }

    public synchronized void send(TelemetryCommand command) {
        requests.onNext(command);
    }

    /** The next answer, or null when none arrived within {@code millis}. */
    public TelemetryCommand next(long millis) throws InterruptedException {
        return answers.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The next answer that matches, skipping others; null when none arrived within {@code millis}. */
    public TelemetryCommand next(Predicate<TelemetryCommand> matching, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TelemetryCommand c = answers.poll(left, TimeUnit.NANOSECONDS);
            if (c == null || matching.test(c)) {
                return c;
            }
        }
    }

    /**
     * Sends one command and reads its answer: the status code of the answer (a Settings echo without a
     * status is "OK"), {@code ENDED <grpc code>} when the stream ended instead, {@code NO_ANSWER} after
     * {@code millis}.
     */
    public RawRpc.Answer ask(TelemetryCommand command, long millis) throws InterruptedException {
        // a stream refused from its headers answers and ends before anything is sent: that answer counts
        if (ended() && answers.isEmpty()) {
            return RawRpc.Answer.of("ENDED " + ended.getNow(Status.UNKNOWN).getCode(), "");
        }
        send(command);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            TelemetryCommand answer = answers.poll(20, TimeUnit.MILLISECONDS);
            if (answer != null) {
                String code = answer.hasStatus() ? answer.getStatus().getCode().name() : "OK";
                return RawRpc.Answer.of(code, answer.toString());
            }
            if (ended() && answers.isEmpty()) {
                return RawRpc.Answer.of("ENDED " + ended.getNow(Status.UNKNOWN).getCode(), "");
            }
        }
        return RawRpc.Answer.of("NO_ANSWER", "");
    }

    public TestClient client() {
        return client;
    }

    public boolean ended() {
        return ended.isDone();
    }

    @Override
    public void close() {
        try {
            requests.onCompleted();
        } catch (IllegalStateException alreadyClosed) {
            // the stream ended first
        }
    }
}
