package io.gantry.localstack.oidc;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import no.nav.security.mock.oauth2.OAuth2Exception;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;

/**
 * The token callback of issuer {@value OidcRunnerProtocol#ISSUER_ID}: subject and claims come from the
 * token request's {@value OidcRunnerProtocol#PARAM_SUBJECT} and {@value OidcRunnerProtocol#PARAM_CLAIMS}
 * form parameters (see {@link OidcRunnerProtocol}). Stateless, so one instance serves every request.
 */
final class GantryTokenCallback implements OAuth2TokenCallback {

    @Override
    public String issuerId() {
        return OidcRunnerProtocol.ISSUER_ID;
    }

    @Override
    public String subject(TokenRequest tokenRequest) {
        String subject = parameter(tokenRequest, OidcRunnerProtocol.PARAM_SUBJECT);
        if (subject != null && !subject.isEmpty()) {
            return subject;
        }
        ClientAuthentication authentication = tokenRequest.getClientAuthentication();
        if (authentication != null) {
            return authentication.getClientID().getValue();
        }
        return tokenRequest.getClientID() != null ? tokenRequest.getClientID().getValue() : null;
    }

    @Override
    public String typeHeader(TokenRequest tokenRequest) {
        return JOSEObjectType.JWT.getType();
    }

    @Override
    public List<String> audience(TokenRequest tokenRequest) {
        Object audience = claims(tokenRequest).get("aud");
        if (audience == null) {
            return List.of(OidcRunnerProtocol.DEFAULT_AUDIENCE);
        }
        if (audience instanceof Collection<?> many) {
            List<String> audiences = new ArrayList<>();
            for (Object one : many) {
                audiences.add(String.valueOf(one));
            }
            return audiences;
        }
        return List.of(audience.toString());
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest tokenRequest) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("tid", OidcRunnerProtocol.ISSUER_ID);
        for (Map.Entry<String, Object> claim : claims(tokenRequest).entrySet()) {
            if (!"aud".equals(claim.getKey()) && !"sub".equals(claim.getKey()) && claim.getValue() != null) {
                claims.put(claim.getKey(), claim.getValue());
            }
        }
        return claims;
    }

    @Override
    public long tokenExpiry() {
        return OidcRunnerProtocol.TOKEN_LIFETIME_SECONDS;
    }

    private static Map<String, Object> claims(TokenRequest tokenRequest) {
        String json = parameter(tokenRequest, OidcRunnerProtocol.PARAM_CLAIMS);
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            return JSONObjectUtils.parse(json);
        } catch (ParseException e) {
            String message = OidcRunnerProtocol.PARAM_CLAIMS + " is not a JSON object: " + e.getMessage();
            throw new OAuth2Exception(OAuth2Error.INVALID_REQUEST.setDescription(message), message);
        }
    }

    private static String parameter(TokenRequest tokenRequest, String name) {
        List<String> values = tokenRequest.getCustomParameter(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
