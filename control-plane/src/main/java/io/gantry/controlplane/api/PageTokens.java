package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque page tokens carrying the last key of the previous page, and page-size bounds. */
public final class PageTokens {
    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 100;
    private static final String PREFIX = "p1:";

    private PageTokens() {
    }

    public static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    /** The last key of the previous page, or "" for the first page. */
    public static String decode(String token) {
        if (token == null || token.isEmpty()) {
            return "";
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (raw.startsWith(PREFIX)) {
                return raw.substring(PREFIX.length());
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw new ApiException(ErrorCode.INVALID_PAGE_TOKEN, "pageToken is not a token this list issued", "pageToken");
    }

    public static int pageSize(String raw) {
        if (raw == null || raw.isEmpty()) {
            return DEFAULT_PAGE_SIZE;
        }
        int requested;
        try {
            requested = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("pageSize", "must be a whole number between 1 and " + MAX_PAGE_SIZE);
        }
        if (requested < 1 || requested > MAX_PAGE_SIZE) {
            throw ApiException.invalid("pageSize", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        return requested;
    }
}
