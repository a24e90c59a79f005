package org.execpolicy.pdp.registry;

import java.util.List;
import org.execpolicy.pdp.json.FieldError;

/**
 * A registry change that is refused; nothing of it is stored. The kind says what an HTTP answer
 * should say (404, 409, 403 or 422); the errors name the fields at fault (JSON pointers into the entry).
 */
public final class RegistryRefusedException extends RuntimeException {
    public enum Kind { UNKNOWN, CONFLICT, FORBIDDEN, INVALID }

    private final Kind kind;
    private final List<FieldError> errors;

    public RegistryRefusedException(Kind kind, String message, List<FieldError> errors) {
        super(message);
        this.kind = kind;
        this.errors = List.copyOf(errors);
    }

    RegistryRefusedException(Kind kind, String message) {
        this(kind, message, List.of());
    }

    static RegistryRefusedException unknown(String message) {
        return new RegistryRefusedException(Kind.UNKNOWN, message);
    }

    static RegistryRefusedException conflict(String message) {
        return new RegistryRefusedException(Kind.CONFLICT, message);
    }

    /** One field the entry may not have as it is: the detail names it, as every 422 does. */
    static RegistryRefusedException invalid(FieldError error) {
        return new RegistryRefusedException(Kind.INVALID, error.message() + " (at " + error.path() + ")",
                List.of(error));
    }

    public Kind kind() {
        return kind;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
