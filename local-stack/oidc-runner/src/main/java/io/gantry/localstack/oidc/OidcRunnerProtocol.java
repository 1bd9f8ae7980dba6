package io.gantry.localstack.oidc;

/**
 * The contract between a parent process and the child JVM that runs {@link OidcRunnerMain}.
 *
 * <p>This class references no mock-oauth2-server, Kotlin or Jackson type, so a parent may load it
 * without those on its classpath.
 *
 * <p>Tokens: a parent asks the child's token endpoint ({@code <issuer>/token}) with
 * {@code grant_type=client_credentials}, any client credentials ({@code client_id} and
 * {@code client_secret} form parameters), {@link #PARAM_SUBJECT} and {@link #PARAM_CLAIMS}; the
 * {@code access_token} of the JSON answer is a JWT signed with the key the JWKS serves.
 */
public final class OidcRunnerProtocol {

    /** Fully qualified name of the child's main class. */
    public static final String MAIN_CLASS = "io.gantry.localstack.oidc.OidcRunnerMain";

    /**
     * Classpath resource holding mock-oauth2-server's runtime classpath (absolute jar paths joined
     * with the platform path separator), written at build time by maven-dependency-plugin.
     */
    public static final String CLASSPATH_RESOURCE = "io/gantry/localstack/oidc/runner.classpath";

    /** The issuer id: the path of the issuer URL, {@code http://127.0.0.1:PORT/gantry}. */
    public static final String ISSUER_ID = "gantry";

    /** The {@code aud} of a token whose claims give none. */
    public static final String DEFAULT_AUDIENCE = "gantry";

    /** Lifetime of the tokens, in seconds. */
    public static final long TOKEN_LIFETIME_SECONDS = 3600;

    /**
     * Printed on stdout, at the start of a line, once the discovery document is served:
     * {@code GANTRY-OIDC-READY port=<port> issuer=<issuer url> pid=<pid>}.
     */
    public static final String READY_LINE = "GANTRY-OIDC-READY";

    /** Printed on stdout, at the start of a line, when the child gives up starting. */
    public static final String FAILED_LINE = "GANTRY-OIDC-FAILED";

    /** Port to listen on (127.0.0.1); 0 picks a free one. Optional (default 0). */
    public static final String ARG_PORT = "--port";
    /** Seconds the child waits for its own discovery document before it exits with a failure. Optional (default 60). */
    public static final String ARG_READY_TIMEOUT_SECONDS = "--ready-timeout-seconds";
    /**
     * Whether the child exits when its standard input reaches end of file, i.e. when its parent dies
     * or closes the pipe: {@code true} (default) or {@code false} (for running it by hand).
     */
    public static final String ARG_EXIT_ON_STDIN_EOF = "--exit-on-stdin-eof";

    /** Token request form parameter: the {@code sub} of the token (default: the client id). */
    public static final String PARAM_SUBJECT = "gantry_subject";

    /**
     * Token request form parameter: a JSON object of the token's claims (strings, numbers, booleans,
     * lists, nested objects). {@code aud}, a string or a list, becomes the audience (default
     * {@value #DEFAULT_AUDIENCE}); {@code sub} is ignored (see {@link #PARAM_SUBJECT}); the others are
     * added as they are, after {@code tid} = {@value #ISSUER_ID}, which they may override.
     */
    public static final String PARAM_CLAIMS = "gantry_claims";

    private OidcRunnerProtocol() {
    }
}
