/**
 * The API room: the HTTP adapter. It owns the router built from {@code openapi.yaml} (the contract
 * clients generate from; {@code LoaderContract} hands the Vert.x loader a copy it can read), who may
 * call what ({@code Authentication}, {@code AccessControl}, {@code OperationScopes}), the limits every
 * request is held to ({@code JsonLimits}, {@code RateLimiter}, {@code ConnectionDeadlines}), request
 * validation against the contract ({@code RequestValidation}; {@code DecisionRequestShape} lets plain,
 * certainly valid decision requests skip the schema validator), the
 * handlers of each operation, and how every error reads ({@code Problems}: RFC 9457). It turns
 * requests into calls on {@code registry}, {@code decision}, {@code execution} and {@code recorder}
 * (parse, call, answer); policy is never decided here.
 */
package org.execpolicy.pdp.api;
