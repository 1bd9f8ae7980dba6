package io.gantry.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.isolation.credentials.RequestSignature;
import io.grpc.Metadata;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeaderPolicyTest {
    static Metadata.Key<String> k(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }

    @Test
    void forwardsOnlyTheAllowListPrefixesTheClientIdAndResigns() {
        Metadata client = new Metadata();
        client.put(k("authorization"), "MQv2-HMAC-SHA1 Credential=tenantKey, SignedHeaders=x-mq-date-time, Signature=AB");
        client.put(k("x-mq-date-time"), "20200101T000000Z");
        client.put(k("x-mq-client-id"), "host@123@0@abc");
        client.put(k("x-mq-request-id"), "r1");
        client.put(k("x-mq-language"), "JAVA");
        client.put(k("x-mq-protocol"), "v2");
        client.put(k("x-mq-client-version"), "5.2.0");
        client.put(k("x-mq-namespace"), "rmq-bbbbbbbbbbbb");
        client.put(k("x-mq-session-token"), "sts");
        client.put(k("rpc-remote-address"), "6.6.6.6:1");
        client.put(k("rpc-local-address"), "6.6.6.6:2");
        client.put(k("x-mq-channel-id"), "spoofed");
        client.put(k("x-custom"), "whatever");

        Instant now = Instant.parse("2026-11-21T10:15:30.700Z");
        UpstreamSigner signer = new UpstreamSigner("gantryKey", "gantrySecret", Clock.fixed(now, ZoneOffset.UTC));
        Metadata out = HeaderPolicy.upstreamHeaders(client, HeaderPolicy.upstreamClientId("rmq-aaaaaaaaaaaa!",
                client.get(HeaderPolicy.CLIENT_ID)), signer);

        assertEquals(Set.of("authorization", "x-mq-date-time", "x-mq-client-id", "x-mq-request-id", "x-mq-language",
                "x-mq-protocol", "x-mq-client-version"), out.keys());
        assertEquals("rmq-aaaaaaaaaaaa!host@123@0@abc", out.get(k("x-mq-client-id")));
        assertEquals("20261121T101530Z", out.get(k("x-mq-date-time")));
        RequestSignature.Credential c = RequestSignature.parse(out.get(k("authorization"))).orElseThrow();
        assertEquals("gantryKey", c.accessKey());
        assertTrue(RequestSignature.verify("gantrySecret", "20261121T101530Z", c.signatureHex()));
        assertEquals("r1", out.get(k("x-mq-request-id")));
    }

    @Test
    void noClientIdStaysAbsentAndTheSignatureIsReusedWithinASecond() {
        assertNull(HeaderPolicy.upstreamClientId("p!", null));
        assertNull(HeaderPolicy.upstreamClientId("p!", ""));
        UpstreamSigner signer = new UpstreamSigner("a", "s", Clock.fixed(Instant.parse("2026-11-21T10:15:30Z"), ZoneOffset.UTC));
        assertSame(signer.current(), signer.current());
    }
}
