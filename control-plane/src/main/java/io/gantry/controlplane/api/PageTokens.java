package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

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

    /**
     * One page of a keyset-paged list: {@code queryAfter} gets the last key of the previous page
     * ("" for the first) and must order by that key.
     */
    public static <E, V> Dtos.Page<V> page(String pageSize, String pageToken,
                                           Function<String, PanacheQuery<E>> queryAfter,
                                           Function<E, String> key, Function<E, V> view) {
        return pageOfViews(pageSize, pageToken, queryAfter, key, rows -> rows.stream().map(view).toList());
    }

    /** {@link #page} for views built a page at a time ({@link Views#instances}: a few queries per page, not per row). */
    public static <E, V> Dtos.Page<V> pageOfViews(String pageSize, String pageToken,
                                                  Function<String, PanacheQuery<E>> queryAfter,
                                                  Function<E, String> key, Function<List<E>, List<V>> views) {
        int size = pageSize(pageSize);
        // range() is inclusive: one row more than the page tells whether another page follows.
        List<E> rows = queryAfter.apply(decode(pageToken)).range(0, size).list();
        boolean more = rows.size() > size;
        List<E> shown = more ? rows.subList(0, size) : rows;
        return new Dtos.Page<>(views.apply(shown), more ? encode(key.apply(shown.get(size - 1))) : null);
    }
}
