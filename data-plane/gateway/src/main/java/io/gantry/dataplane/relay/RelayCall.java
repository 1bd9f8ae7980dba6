package io.gantry.dataplane.relay;

import apache.rocketmq.v2.Code;
import io.gantry.dataplane.limits.InstanceClients;
import io.gantry.dataplane.metrics.GatewayMetrics;
import io.gantry.dataplane.pipeline.CallContext;
import io.gantry.dataplane.pipeline.Ingress;
import io.gantry.dataplane.pipeline.Pipeline;
import io.gantry.dataplane.pipeline.Refusal;
import io.gantry.dataplane.trace.TraceTap;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client call relayed to one upstream call, for any of the four call shapes (unary, server stream,
 * bidirectional stream): the server-side listener and the upstream listener in one object.
 *
 * <p>Flow control: one message is requested at a time in each direction, and the next only when the
 * other side can take it ({@code isReady}, else on its {@code onReady}), so a slow consumer of a
 * ReceiveMessage or Telemetry stream slows the upstream instead of filling memory; nothing is buffered
 * beyond the message in hand.
 *
 * <p>Lifecycle: the upstream call starts with the first mapped message, inherits the client's deadline,
 * is cancelled when the client cancels or goes away, and its failure becomes a RocketMQ status in the
 * RPC's own response type (unary and ReceiveMessage/PullMessage) or a gRPC status (Telemetry, which the
 * SDK re-opens). A refused call never starts an upstream call.
 *
 * <p>Threading: server callbacks run on the server transport's event loop and upstream callbacks on the
 * channel's (direct executors); every method synchronizes on this object, so both sides see one state.
 * No method blocks.
 */
final class RelayCall<Req, Resp> extends ServerCall.Listener<Req> {
    private static final Logger LOG = Logger.getLogger(RelayCall.class.getName());

    private final Rpc<Req, Resp> rpc;
    private final ServerCall<Req, Resp> serverCall;
    private final Metadata headers;
    private final Pipeline pipeline;
    private final GatewayMetrics metrics;
    private final TraceTap traceTap;
    private final Deadline deadline;
    private CallContext context;
    private Refusal admissionRefusal;
    /** Telemetry and long-poll receives: the instance's share of open streams, held until the call ends. */
    private InstanceClients.Lease lease;
    private ClientCall<Req, Resp> upstream;
    private Req clientRequest;
    private long requestStartNanos;
    private boolean headersSent;
    private boolean responded;
    private boolean closed;
    private boolean upstreamWantsMore;
    private boolean clientWantsMore;
    private String lastCode;
    /**
     * Telemetry only: nonces of the commands the proxy sent down this stream (verify a message, print
     * thread stacks). The proxy matches answers by nonce across all its clients, so an answer is
     * forwarded only for a nonce this stream was asked about; any other would let one tenant answer for
     * another's client.
     */
    private java.util.Set<String> awaitedNonces;

    RelayCall(Rpc<Req, Resp> rpc, ServerCall<Req, Resp> serverCall, Metadata headers, Pipeline pipeline,
            Ingress ingress, GatewayMetrics metrics, TraceTap traceTap) {
        this.rpc = rpc;
        this.serverCall = serverCall;
        this.headers = headers;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.traceTap = traceTap;
        this.deadline = Context.current().getDeadline();
        try {
            java.net.SocketAddress remote = serverCall.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            this.context = pipeline.admit(headers, rpc.name(), ingress,
                    remote instanceof java.net.InetSocketAddress inet ? inet.getAddress() : null);
        } catch (Refusal r) {
            this.admissionRefusal = r;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, rpc.name() + ": admission failed", e);
            this.admissionRefusal = new Refusal(Code.INTERNAL_SERVER_ERROR, "gateway error");
        }
    }

    synchronized RelayCall<Req, Resp> start() {
        if (admissionRefusal == null) {
            if (rpc == Rpcs.TELEMETRY && pipeline.terminations().isTerminated(context.instance(), context.upstreamClientId())) {
                // a late re-open by a client that already terminated (ClientTerminations): end it at once
                finish(Status.OK, "TERMINATED_CLIENT");
                return this;
            }
            try {
                if (rpc == Rpcs.TELEMETRY) {
                    lease = pipeline.clients().openTelemetry(context.instance());
                } else if (rpc == Rpcs.RECEIVE_MESSAGE || rpc == Rpcs.PULL_MESSAGE) {
                    lease = pipeline.clients().openReceive(context.instance());
                }
            } catch (Refusal r) {
                admissionRefusal = r;
            }
        }
        if (admissionRefusal != null) {
            // Decided on the headers alone: the request is never asked for, so a refused caller cannot make
            // the gateway read or buffer its body (grpc-java reads a message only once it is requested).
            // A Telemetry stream ends too, instead of answering each command of a caller that cannot pass.
            send(rpc.errorResponse().apply(apache.rocketmq.v2.Status.newBuilder().setCode(admissionRefusal.code())
                    .setMessage(admissionRefusal.getMessage()).build()));
            finish(Status.OK, null);
            return this;
        }
        serverCall.request(1);
        return this;
    }

    // ------------------------------------------------------------------ client -> gateway

    @Override
    public synchronized void onMessage(Req message) {
        if (closed) {
            return;
        }
        try {
            if (rpc.clientStreaming() && upstream != null && !stillAdmitted()) {
                return;
            }
            if (rpc == Rpcs.TELEMETRY && !answersAwaitedCommand((apache.rocketmq.v2.TelemetryCommand) message)) {
                serverCall.request(1);
                return;
            }
            // names first (a forged one is ILLEGAL_*, whatever else is wrong), then rights and limits
            Req mapped = rpc.toUpstream().apply(message, context.scope());
            if (mapped == null) {
                serverCall.request(1);
                return;
            }
            rpc.admission().accept(message, context);
            clientRequest = message;
            requestStartNanos = System.nanoTime();
            traceTap.onRequest(rpc.name(), message, context, requestStartNanos);
            if (upstream == null) {
                startUpstream();
            }
            upstream.sendMessage(mapped);
            if (rpc.clientStreaming()) {
                if (upstream.isReady()) {
                    serverCall.request(1);
                } else {
                    clientWantsMore = true;
                }
            }
        } catch (Refusal r) {
            refuse(r);
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    @Override
    public synchronized void onHalfClose() {
        if (closed) {
            return;
        }
        if (upstream != null) {
            upstream.halfClose();
        } else if (rpc.clientStreaming()) {
            finish(Status.OK, null);
        } else {
            finish(Status.INTERNAL.withDescription("no request"), null);
        }
    }

    @Override
    public synchronized void onCancel() {
        if (closed) {
            return;
        }
        closed = true;
        releaseLease();
        if (upstream != null) {
            upstream.cancel("client cancelled", null);
        }
        record("CANCELLED");
    }

    @Override
    public synchronized void onComplete() {
        releaseLease();
    }

    private void releaseLease() {
        if (lease != null) {
            lease.release();
        }
    }

    @Override
    public synchronized void onReady() {
        if (upstreamWantsMore && upstream != null && !closed) {
            upstreamWantsMore = false;
            upstream.request(1);
        }
    }

    // ------------------------------------------------------------------ gateway -> upstream

    private void startUpstream() {
        CallOptions options = CallOptions.DEFAULT;
        if (deadline != null) {
            options = options.withDeadline(deadline);
        }
        upstream = context.proxy().channel().newCall(rpc.upstreamMethod(), options);
        metrics.upstreamStarted(rpc.name());
        upstream.start(new UpstreamListener(), context.upstreamHeaders());
        upstream.request(1);
    }

    private final class UpstreamListener extends ClientCall.Listener<Resp> {
        @Override
        public void onMessage(Resp message) {
            synchronized (RelayCall.this) {
                if (closed) {
                    return;
                }
                try {
                    if (rpc.clientStreaming() && !stillAdmitted()) {
                        return;
                    }
                    Resp mapped = rpc.toClient().apply(message, context.scope());
                    if (rpc == Rpcs.TELEMETRY && mapped != null) {
                        awaitAnswer((apache.rocketmq.v2.TelemetryCommand) mapped);
                    }
                    if (mapped == null) {
                        metrics.foreignDropped();
                        LOG.warning(rpc.name() + ": dropped an upstream answer naming another namespace (instance "
                                + context.instance().id() + ")");
                    } else {
                        send(mapped);
                        rpc.accounting().count(clientRequest, mapped, context, metrics);
                        traceTap.onResponse(rpc.name(), clientRequest, mapped, context, requestStartNanos);
                        if (rpc == Rpcs.NOTIFY_CLIENT_TERMINATION) {
                            pipeline.terminations().terminated(context.instance(), context.upstreamClientId());
                        }
                    }
                    if (serverCall.isReady()) {
                        upstream.request(1);
                    } else {
                        upstreamWantsMore = true;
                    }
                } catch (RuntimeException e) {
                    fail(e);
                }
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            metrics.upstreamEnded(rpc.name());
            synchronized (RelayCall.this) {
                if (closed) {
                    return;
                }
                if (status.isOk()) {
                    finish(Status.OK, null);
                } else if (!rpc.clientStreaming() && (!responded || rpc.serverStreaming())) {
                    // answer in the RPC's own response type so that the SDK reports a RocketMQ status
                    apache.rocketmq.v2.Status st = UpstreamErrors.toRocketMq(status);
                    send(rpc.errorResponse().apply(st));
                    finish(Status.OK, null);
                } else {
                    // the proxy's own text stays in the gateway's log: it names brokers, namespaces and internals
                    LOG.fine(() -> rpc.name() + ": upstream ended " + status);
                    finish(Status.UNAVAILABLE.withDescription("the RocketMQ cluster ended the stream (" + status.getCode() + ")"),
                            status.getCode().name());
                }
            }
        }

        @Override
        public void onReady() {
            synchronized (RelayCall.this) {
                if (clientWantsMore && !closed) {
                    clientWantsMore = false;
                    serverCall.request(1);
                }
            }
        }
    }

    /**
     * For long-lived streams: re-runs authentication against the current config; when the account was
     * disabled, removed or re-keyed meanwhile, answers the refusal and ends the stream (and the upstream).
     */
    private boolean stillAdmitted() {
        try {
            context = pipeline.recheck(headers, context);
            return true;
        } catch (Refusal r) {
            send(rpc.errorResponse().apply(apache.rocketmq.v2.Status.newBuilder().setCode(r.code()).setMessage(r.getMessage()).build()));
            upstream.cancel("client no longer admitted", null);
            finish(Status.OK, r.code().name());
            return false;
        }
    }

    // ------------------------------------------------------------------ telemetry nonces

    /** Bounds what a client that never answers can make the gateway remember per stream. */
    private static final int MAX_AWAITED_NONCES = 1024;

    private void awaitAnswer(apache.rocketmq.v2.TelemetryCommand command) {
        String nonce = switch (command.getCommandCase()) {
            case VERIFY_MESSAGE_COMMAND -> command.getVerifyMessageCommand().getNonce();
            case PRINT_THREAD_STACK_TRACE_COMMAND -> command.getPrintThreadStackTraceCommand().getNonce();
            default -> null;
        };
        if (nonce == null) {
            return;
        }
        if (awaitedNonces == null) {
            awaitedNonces = new java.util.LinkedHashSet<>();
        }
        if (awaitedNonces.size() >= MAX_AWAITED_NONCES) {
            java.util.Iterator<String> oldest = awaitedNonces.iterator();
            oldest.next();
            oldest.remove();
        }
        awaitedNonces.add(nonce);
    }

    /** False for an answer (verify result, thread stacks) to a nonce this stream was not asked about. */
    private boolean answersAwaitedCommand(apache.rocketmq.v2.TelemetryCommand command) {
        String nonce = switch (command.getCommandCase()) {
            case VERIFY_MESSAGE_RESULT -> command.getVerifyMessageResult().getNonce();
            case THREAD_STACK_TRACE -> command.getThreadStackTrace().getNonce();
            default -> null;
        };
        if (nonce == null) {
            return true;
        }
        if (awaitedNonces != null && awaitedNonces.remove(nonce)) {
            return true;
        }
        LOG.warning("Telemetry: dropped an answer to nonce '" + nonce + "' that was not sent to this stream (instance "
                + context.instance().id() + ")");
        metrics.foreignDropped();
        return false;
    }

    // ------------------------------------------------------------------ answers

    private void send(Resp response) {
        if (!headersSent) {
            serverCall.sendHeaders(new Metadata());
            headersSent = true;
        }
        apache.rocketmq.v2.Status st = rpc.statusOf().apply(response);
        if (st != null) {
            lastCode = st.getCode().name();
        }
        serverCall.sendMessage(response);
        responded = true;
    }

    /** Answers a refusal in the RPC's response type; a stream of commands stays open, anything else ends. */
    private void refuse(Refusal r) {
        send(rpc.errorResponse().apply(apache.rocketmq.v2.Status.newBuilder().setCode(r.code()).setMessage(r.getMessage()).build()));
        if (rpc.clientStreaming()) {
            record(r.code().name());
            serverCall.request(1);
        } else {
            finish(Status.OK, null);
        }
    }

    private void fail(RuntimeException e) {
        LOG.log(Level.WARNING, rpc.name() + ": relay failed", e);
        if (upstream != null) {
            upstream.cancel("gateway error", e);
        }
        finish(Status.INTERNAL.withDescription("gateway error"), null);
    }

    private void finish(Status status, String code) {
        if (closed) {
            return;
        }
        closed = true;
        releaseLease();
        try {
            serverCall.close(status, new Metadata());
        } catch (IllegalStateException alreadyClosed) {
            // the transport closed it first
        }
        record(code != null ? code : lastCode != null ? lastCode : status.getCode().name());
    }

    private void record(String code) {
        metrics.call(context == null ? "" : context.instance().id(), rpc.name(), code);
    }
}
