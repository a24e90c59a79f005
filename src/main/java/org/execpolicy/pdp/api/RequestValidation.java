package org.execpolicy.pdp.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a request against its operation in openapi.yaml, after {@link AccessControl} and the
 * body handler. It replaces the OpenAPI router's own extractor, which percent-decodes query values a
 * second time: {@code ?trace_id=%2541} became trace {@code A}, and a value holding a literal
 * {@code %} failed with a 500. Here every value is decoded exactly once, by Vert.x Web.
 * The validated request is left where {@link Http#query} and the handlers read it.
 *
 * <p>A decision request (createDecision) that {@link DecisionRequestShape} recognises as certainly
 * valid skips the schema validator, which was the costliest step of a decision under load; it gets
 * the validated request the validator would have left. Everything else is validated in full.
 */
final class RequestValidation implements Handler<RoutingContext> {
    private static final RequestParameter ABSENT = new RequestParameterImpl(null);

    /** The one operation with a fast path; its parameters must all be optional query parameters. */
    static final String FAST_OPERATION = "createDecision";

    private final RequestValidator validator;
    private final Operation operation;
    private final boolean recognisesDecisions;

    RequestValidation(RequestValidator validator, Operation operation) {
        this.validator = validator;
        this.operation = operation;
        this.recognisesDecisions = FAST_OPERATION.equals(operation.getOperationId());
        if (recognisesDecisions) {
            for (Parameter parameter : operation.getParameters()) {
                if (parameter.isRequired() || parameter.getIn() != Location.QUERY) {
                    // recognised() would leave a different validated request than the validator: fail at start
                    throw new IllegalStateException("openapi.yaml: " + FAST_OPERATION + " has parameter '"
                            + parameter.getName() + "' that the decision fast path does not model");
                }
            }
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        // no query at all: a parameter such as ?explain=full is left to the validator
        if (recognisesDecisions && ctx.request().query() == null && ctx.body() != null
                && ctx.body().buffer() != null
                && DecisionRequestShape.certainlyValid(ctx.request().getHeader("content-type"),
                        ctx.body().buffer().getBytes())) {
            ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, recognised(operation, ctx.body().buffer()));
            ctx.next();
            return;
        }
        Map<String, RequestParameter> headers = new HashMap<>();
        Map<String, RequestParameter> path = new HashMap<>();
        Map<String, RequestParameter> query = new HashMap<>();
        for (Parameter parameter : operation.getParameters()) {
            String name = parameter.getName();
            switch (parameter.getIn()) {
                case PATH -> path.put(name, parameter(ctx.pathParam(name)));
                case QUERY -> query.put(name, parameter(first(ctx.queryParam(name))));
                case HEADER -> headers.put(name, parameter(ctx.request().getHeader(name)));
                case COOKIE -> throw new IllegalStateException("openapi.yaml: no cookie parameters are served");
            }
        }
        ValidatableRequestImpl request = operation.getRequestBody() == null
                ? new ValidatableRequestImpl(Map.of(), headers, path, query)
                : new ValidatableRequestImpl(Map.of(), headers, path, query,
                        new RequestParameterImpl(ctx.body().buffer()), ctx.request().getHeader("content-type"));
        validator.validate(request, operation.getOperationId()).onSuccess(validated -> {
            ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
            ctx.next();
        }).onFailure(e -> ctx.fail(e instanceof ValidatorException ? new HttpException(400, e.getMessage(), e) : e));
    }

    /**
     * What the validator leaves for a valid request of {@link #FAST_OPERATION} with no query: every
     * (optional, query) parameter absent, and the body as Vert.x JSON, decoded only if someone asks
     * (no handler does: they read the raw body through {@link Http#body}).
     */
    static ValidatedRequest recognised(Operation operation, Buffer body) {
        Map<String, RequestParameter> query = new HashMap<>();
        for (Parameter parameter : operation.getParameters()) {
            query.put(parameter.getName(), new RequestParameterImpl(null));
        }
        return new ValidatedRequestImpl(new HashMap<>(), new HashMap<>(), new HashMap<>(), query,
                new DeferredJsonBody(body));
    }

    /** The body as the validator would hold it (Vert.x's Json.decodeValue), decoded on first use. */
    private static final class DeferredJsonBody implements RequestParameter {
        private final Buffer raw;
        private Object decoded;

        DeferredJsonBody(Buffer raw) {
            this.raw = raw;
        }

        @Override
        public Object get() {
            if (decoded == null) {
                decoded = Json.decodeValue(raw);
            }
            return decoded;
        }
    }

    private static RequestParameter parameter(String value) {
        return value == null ? ABSENT : new RequestParameterImpl(value);
    }

    /** Every query parameter of this API is a single value; a repeated one is read as its first. */
    private static String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0);
    }
}
