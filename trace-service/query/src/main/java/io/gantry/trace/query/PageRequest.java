package io.gantry.trace.query;

/**
 * Which page of a list to return: at most {@code size} items after the page that issued {@code token}
 * (null or empty for the first page). A token is only valid for the same query (same instance and
 * arguments) that issued it; any other use throws {@link InvalidPageTokenException}.
 */
public record PageRequest(int size, String token) {
    public static final int MAX_SIZE = 1000;

    public PageRequest {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("page size must be between 1 and " + MAX_SIZE + ": " + size);
        }
        if (token != null && token.isEmpty()) {
            token = null;
        }
    }

    public static PageRequest first(int size) {
        return new PageRequest(size, null);
    }

    public static PageRequest after(int size, String token) {
        return new PageRequest(size, token);
    }
}
