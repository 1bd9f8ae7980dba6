package io.gantry.sdktests.support;

/** An instance's account: the access key and secret key the API answered when it was created. */
public record Account(String username, String accessKey, String secretKey) {

    /** The same access key with another secret. */
    public Account withSecret(String secret) {
        return new Account(username, accessKey, secret);
    }

    @Override
    public String toString() {
        return "account " + username + " (" + accessKey + ")";
    }
}
