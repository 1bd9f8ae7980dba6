package io.gantry.dataplane.upstream;

import io.grpc.Metadata;
import java.util.List;

/**
 * The headers of an upstream call: an allow-list of the SDK's descriptive headers copied, the client id
 * prefixed with the instance ({@code <instanceId>!<clientId>}), and the gateway's own signature.
 *
 * <p>Everything else a client sends is dropped: its {@code authorization} and date (the gateway signs
 * with the cluster's credentials), {@code x-mq-namespace} (the namespace comes from the credential),
 * {@code x-mq-session-token}, and the headers the proxy fills only when absent
 * ({@code rpc-remote-address}, {@code rpc-local-address}, {@code x-mq-channel-id}), which a client could
 * otherwise spoof.
 */
public final class HeaderPolicy {
    public static final Metadata.Key<String> AUTHORIZATION = key("authorization");
    public static final Metadata.Key<String> DATE_TIME = key("x-mq-date-time");
    public static final Metadata.Key<String> CLIENT_ID = key("x-mq-client-id");
    /** Copied as they are. */
    public static final List<Metadata.Key<String>> COPIED = List.of(
            key("x-mq-request-id"), key("x-mq-language"), key("x-mq-protocol"), key("x-mq-protocol-version"),
            key("x-mq-client-version"));

    private HeaderPolicy() {
    }

    /** The client id as the proxy sees it; null when the client sent none. */
    public static String upstreamClientId(String clientIdPrefix, String clientId) {
        return clientId == null || clientId.isEmpty() ? null : clientIdPrefix + clientId;
    }

    public static Metadata upstreamHeaders(Metadata client, String upstreamClientId, UpstreamSigner signer) {
        Metadata out = new Metadata();
        for (Metadata.Key<String> k : COPIED) {
            String v = client.get(k);
            if (v != null) {
                out.put(k, v);
            }
        }
        if (upstreamClientId != null) {
            out.put(CLIENT_ID, upstreamClientId);
        }
        UpstreamSigner.Signed signed = signer.current();
        out.put(DATE_TIME, signed.dateTime());
        out.put(AUTHORIZATION, signed.authorization());
        return out;
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}
