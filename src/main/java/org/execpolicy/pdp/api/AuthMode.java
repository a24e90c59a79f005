package org.execpolicy.pdp.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Who needs a token. Writes to profiles, roles, waivers and rules need an operator
 * token in every mode; the modes differ only for reads and runtime calls.
 */
public enum AuthMode {
    /** Reads and runtime calls need no token; allowed only while listening on a loopback address. */
    LOOPBACK,
    /** Every /v1 call needs a token with the scope its operation names. */
    REQUIRED;

    /** {@code loopback} or {@code required}, as `serve --auth` takes it. */
    public static AuthMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--auth must be 'loopback' or 'required', was '" + text + "'");
        }
    }

    /** A server reachable from other hosts always requires tokens, whatever was asked. */
    public AuthMode forHost(String host) {
        return isLoopback(host) ? this : REQUIRED;
    }

    static boolean isLoopback(String host) {
        try {
            // literal addresses and "localhost" resolve without a lookup on the network
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
