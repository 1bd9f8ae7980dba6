package io.gantry.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealComponentsExtension.class)
class OidcTestServerIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void servesADiscoveryDocumentForItsIssuer(OidcTestServer oidc) throws Exception {
        assertTrue(oidc.issuerUrl().startsWith("http://127.0.0.1:"), oidc.issuerUrl());
        assertTrue(oidc.issuerUrl().endsWith("/" + OidcTestServer.ISSUER_ID), oidc.issuerUrl());

        Map<String, Object> discovery = JSONObjectUtils.parse(get(oidc.issuerUrl() + "/.well-known/openid-configuration"));
        assertEquals(oidc.issuerUrl(), discovery.get("issuer"));
        assertEquals(oidc.jwksUrl(), discovery.get("jwks_uri"));
        assertEquals(oidc.tokenEndpointUrl(), discovery.get("token_endpoint"));
        assertEquals(oidc.discoveryUrl(), oidc.issuerUrl() + "/.well-known/openid-configuration");
    }

    @Test
    void issuesSignedTokensWithTenantAndRoles(OidcTestServer oidc) throws Exception {
        Instant before = Instant.now().minusSeconds(5);
        SignedJWT jwt = SignedJWT.parse(oidc.token("alice", "acme", "tenant-admin", "tenant-viewer"));

        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        RSAKey key = (RSAKey) JWKSet.parse(get(oidc.jwksUrl())).getKeyByKeyId(jwt.getHeader().getKeyID());
        assertTrue(jwt.verify(new RSASSAVerifier(key)), "signature verifies with the served JWKS");

        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals("alice", claims.getSubject());
        assertEquals("alice", claims.getStringClaim("preferred_username"));
        assertEquals("acme", claims.getStringClaim("tenant"));
        assertEquals(oidc.issuerUrl(), claims.getIssuer());
        assertEquals(List.of(OidcTestServer.AUDIENCE), claims.getAudience());
        assertEquals(List.of("tenant-admin", "tenant-viewer"), claims.getJSONObjectClaim("realm_access").get("roles"));
        Instant expiry = claims.getExpirationTime().toInstant();
        assertTrue(expiry.isAfter(before.plus(Duration.ofMinutes(59))) && expiry.isBefore(Instant.now().plus(Duration.ofMinutes(61))),
            "expires in an hour: " + expiry);
    }

    @Test
    void leavesOutAMissingTenant(OidcTestServer oidc) throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(oidc.token("operator", null, "platform-operator")).getJWTClaimsSet();
        assertNull(claims.getClaim("tenant"));
        assertFalse(claims.getClaims().containsKey("tenant"));
        assertEquals(List.of("platform-operator"), claims.getJSONObjectClaim("realm_access").get("roles"));
    }

    @Test
    void issuesTokensWithArbitraryClaims(OidcTestServer oidc) throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(oidc.token("robot", Map.of(
            "aud", List.of("gantry", "terraform"),
            "scope", "instances:write",
            "custom", Map.of("n", 3)))).getJWTClaimsSet();
        assertEquals("robot", claims.getSubject());
        assertEquals(List.of("gantry", "terraform"), claims.getAudience());
        assertEquals("instances:write", claims.getStringClaim("scope"));
        assertEquals(3L, ((Number) claims.getJSONObjectClaim("custom").get("n")).longValue());
        assertTrue(oidc == SharedComponents.oidc());
    }

    @Test
    void encodesClaimValuesThatNeedEscaping(OidcTestServer oidc) throws Exception {
        String odd = "quote \" backslash \\ newline \n tab \t unicode \u00e9\u4e2d \u0001 & = + %";
        JWTClaimsSet claims = SignedJWT.parse(oidc.token("s p a c e & more", Map.of(
            "odd", odd,
            "flag", false,
            "big", 12345678901L,
            "ratio", 0.25,
            "nested", Map.of("list", List.of(1, "two", Map.of("three", true))),
            "aud", "only-one"))).getJWTClaimsSet();
        assertEquals("s p a c e & more", claims.getSubject());
        assertEquals(odd, claims.getStringClaim("odd"));
        assertEquals(false, claims.getBooleanClaim("flag"));
        assertEquals(12345678901L, claims.getLongClaim("big"));
        assertEquals(0.25, claims.getDoubleClaim("ratio"));
        assertEquals(List.of("only-one"), claims.getAudience());
        List<?> list = (List<?>) claims.getJSONObjectClaim("nested").get("list");
        assertEquals(1L, ((Number) list.get(0)).longValue());
        assertEquals("two", list.get(1));
        assertEquals(Map.of("three", true), list.get(2));
    }

    @Test
    void runsInAChildJvmThatStopsOnClose() throws Exception {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("no.nav.security.mock.oauth2.MockOAuth2Server"),
            "mock-oauth2-server must not be on the caller's classpath");
        OidcTestServer own = OidcTestServer.start();
        ProcessHandle child;
        try {
            child = ProcessHandle.of(own.pid()).orElseThrow();
            assertTrue(child.isAlive());
            assertEquals(ProcessHandle.current().pid(), child.parent().orElseThrow().pid());
            assertEquals("own", SignedJWT.parse(own.token("own", (String) null)).getJWTClaimsSet().getSubject());
        } finally {
            own.close();
        }
        assertFalse(child.isAlive(), "the child JVM is gone after close()");
        own.close();
        assertThrows(IllegalStateException.class, () -> own.token("late", (String) null));
    }

    private String get(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url);
        return response.body();
    }
}
