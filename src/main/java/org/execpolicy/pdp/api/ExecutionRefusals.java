package org.execpolicy.pdp.api;

import java.util.List;
import org.execpolicy.pdp.execution.ExecutionRefusedException;
import org.execpolicy.pdp.json.FieldError;

/** The HTTP answer to a refused trace upload or runtime report (SPEC.md section 5: all `invalid_request`). */
final class ExecutionRefusals {
    private ExecutionRefusals() {
    }

    static ApiException toApi(ExecutionRefusedException refused) {
        if (refused.kind() == ExecutionRefusedException.Kind.PURGED) {
            return ApiException.purged(refused.getMessage(), refused.checkpoint());
        }
        int status = switch (refused.kind()) {
            case UNKNOWN -> 404;
            case CONFLICT -> 409;
            case MALFORMED -> 400;
            case INVALID -> 422;
            case PURGED -> 410;
        };
        List<FieldError> errors = refused.path().isEmpty() ? List.of()
                : List.of(new FieldError(refused.path(), refused.getMessage()));
        return new ApiException(status, "invalid_request", refused.getMessage(), errors);
    }

    /** An engine refusal as its HTTP problem; anything else as it is. */
    static Throwable translate(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof ExecutionRefusedException refused ? toApi(refused) : failure;
    }
}
