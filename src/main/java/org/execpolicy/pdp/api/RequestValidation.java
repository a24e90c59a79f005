package org.execpolicy.pdp.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a request against its operation in openapi.yaml, after {@link AccessControl} and the
 * body handler. It replaces the OpenAPI router's own extractor, which percent-decodes query values a
 * second time: {@code ?trace_id=%2541} became trace {@code A}, and a value holding a literal
 * {@code %} failed with a 500. Here every value is decoded exactly once, by Vert.x Web.
 * The validated request is left where {@link Http#query} and the handlers read it.
 */
final class RequestValidation implements Handler<RoutingContext> {
    private static final RequestParameter ABSENT = new RequestParameterImpl(null);

    private final RequestValidator validator;
    private final Operation operation;

    RequestValidation(RequestValidator validator, Operation operation) {
        this.validator = validator;
        this.operation = operation;
    }

    @Override
    public void handle(RoutingContext ctx) {
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

    private static RequestParameter parameter(String value) {
        return value == null ? ABSENT : new RequestParameterImpl(value);
    }

    /** Every query parameter of this API is a single value; a repeated one is read as its first. */
    private static String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0);
    }
}
