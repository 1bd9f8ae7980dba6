package io.gantry.controlplane.secrets;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Encrypts secrets at rest (account secrets, cluster admin secrets) with AES-256-GCM.
 * Stored form: {@code v1:} + base64(nonce ‖ ciphertext+tag).
 */
@ApplicationScoped
public class SecretCipher {
    private static final Logger LOG = Logger.getLogger(SecretCipher.class);
    private static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;
    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    public SecretCipher(@ConfigProperty(name = "gantry.secrets.key") Optional<String> configuredKey) {
        byte[] raw;
        if (configuredKey.isPresent() && !configuredKey.get().isBlank()) {
            raw = Base64.getDecoder().decode(configuredKey.get().trim());
            if (raw.length != 32) {
                throw new IllegalStateException("gantry.secrets.key must be the base64 of 32 bytes, got " + raw.length);
            }
        } else {
            // Without a key nothing stored survives a restart; say so loudly rather than fail to start.
            LOG.warn("gantry.secrets.key is not set: using a random key, secrets stored now become unreadable after a restart");
            raw = new byte[32];
            random.nextBytes(raw);
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    /**
     * A key for another purpose derived from the master key (HMAC-SHA256 of the purpose), so that
     * every control-plane replica derives the same one without storing it.
     */
    public byte[] derivedKey(String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive a key", e);
        }
    }

    public String encrypt(String plain) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt a secret", e);
        }
    }

    public String decrypt(String stored) {
        if (!stored.startsWith(PREFIX)) {
            throw new IllegalStateException("unknown secret format");
        }
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE_BYTES));
            return new String(cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt a stored secret (was gantry.secrets.key changed?)", e);
        }
    }
}
