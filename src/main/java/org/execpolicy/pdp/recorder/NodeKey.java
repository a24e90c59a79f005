package org.execpolicy.pdp.recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The node's own Ed25519 key, which signs its chain checkpoints. It stays in the node's data
 * directory, created on first start: DATA/node_key (PKCS#8, owner-only) and DATA/node_key.pub
 * (X.509, base64; kept beside it because the JDK cannot derive an Ed25519 public key from the
 * private one). The public key is also stored in the database (node_keys) for every auditor.
 */
final class NodeKey {
    private static final String FILE = "node_key";

    private final PrivateKey privateKey;
    private final String publicKeyBase64;

    private NodeKey(PrivateKey privateKey, String publicKeyBase64) {
        this.privateKey = privateKey;
        this.publicKeyBase64 = publicKeyBase64;
    }

    static NodeKey of(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        Path publicFile = dataDir.resolve(FILE + ".pub");
        try {
            if (!Files.exists(file) || !Files.exists(publicFile)) {
                KeyPair pair = KeyPairGenerator.getInstance(SignedCheckpoint.ALGORITHM).generateKeyPair();
                Files.deleteIfExists(file);
                Files.deleteIfExists(publicFile);
                Files.write(PrivateFiles.newFile(file), pair.getPrivate().getEncoded());
                Files.writeString(PrivateFiles.newFile(publicFile),
                        Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n");
            }
            PrivateKey key = KeyFactory.getInstance(SignedCheckpoint.ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(file)));
            return new NodeKey(key, Files.readString(publicFile, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(file + " is not an " + SignedCheckpoint.ALGORITHM + " private key", e);
        }
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    String publicKeyBase64() {
        return publicKeyBase64;
    }
}
