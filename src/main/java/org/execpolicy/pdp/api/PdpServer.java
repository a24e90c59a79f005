package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.execpolicy.pdp.decision.DecisionService;
import org.execpolicy.pdp.execution.ExecutionService;
import org.execpolicy.pdp.execution.TraceDeadlineSchedule;
import org.execpolicy.pdp.execution.TraceLimits;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.engine.Warmup;
import org.execpolicy.pdp.decision.RulesReloader;
import org.execpolicy.pdp.decision.RulesWatcher;
import org.execpolicy.pdp.registry.RegistryService;
import org.execpolicy.pdp.registry.WaiverCoverage;
import org.execpolicy.pdp.model.SecretRedactor;
import org.execpolicy.pdp.recorder.ChainCheckpoints;
import org.execpolicy.pdp.recorder.Database;
import org.execpolicy.pdp.recorder.EvidenceStore;
import org.execpolicy.pdp.recorder.FlightRecorder;
import org.execpolicy.pdp.recorder.RegistryStore;
import org.execpolicy.pdp.recorder.RegistrySync;
import org.execpolicy.pdp.recorder.Retention;
import org.execpolicy.pdp.recorder.RetentionSchedule;
import org.execpolicy.pdp.recorder.TraceDeadlineScan;
import org.execpolicy.pdp.recorder.TraceArtifacts;
import org.execpolicy.pdp.recorder.TraceRetentionScan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running PDP: rules compiled, Flight Recorder open, HTTP API listening.
 * Everything that can be done once (compiling rules, loading schemas, building
 * the router) is done here, before the first request.
 */
public final class PdpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PdpServer.class);
    public static final int BODY_LIMIT_BYTES = 1024 * 1024;

    /** Largest request head (request line and headers) accepted; larger is answered 431. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Default of {@link Options#requestTimeoutMs()}. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
    /** Default of {@link Options#retentionDays()}. */
    public static final int DEFAULT_RETENTION_DAYS = 30;
    /** The operator console's pages load only their own script and style: no inline script, no eval. */
    static final String CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /**
     * Where to listen, where the data and rules live, whether rule edits reload by themselves,
     * requests per second allowed per client (0: no limit), the time a request may take
     * before it is answered 504 (0: no limit), how long records are kept and who needs a token
     * (a non-loopback host always requires tokens, see {@link AuthMode#forHost}), and the store:
     * a PostgreSQL URL shared by several nodes (null: H2 in the data directory), this node's chain id
     * (null: the data directory's) and the token file (null: DATA/tokens.json); see {@link #withStore}.
     */
    public record Options(String host, int port, Path dataDir, Path rulesDir, boolean watchRules,
                          int rateLimit, long requestTimeoutMs, int retentionDays, AuthMode auth, long warmupMs,
                          String databaseUrl, String nodeId, Path tokensFile) {
        public Options {
            if (warmupMs < 0) {
                throw new IllegalArgumentException("warm-up must be 0 (off) or positive, was " + warmupMs);
            }
            if (retentionDays < 1) {
                throw new IllegalArgumentException("retention must be at least 1 day, was " + retentionDays);
            }
            if (rateLimit < 0) {
                throw new IllegalArgumentException("rate limit must be 0 (off) or positive, was " + rateLimit);
            }
            if (requestTimeoutMs < 0) {
                throw new IllegalArgumentException("request timeout must be 0 (off) or positive, was " + requestTimeoutMs);
            }
            auth = auth.forHost(host);
        }

        public Options(String host, int port, Path dataDir, Path rulesDir, boolean watchRules) {
            this(host, port, dataDir, rulesDir, watchRules, 0, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETENTION_DAYS,
                    AuthMode.LOOPBACK, 0, null, null, null);
        }

        public Options(String host, int port, Path dataDir, Path rulesDir) {
            this(host, port, dataDir, rulesDir, true);
        }

        /** The same options with at most {@code perSecond} requests per second per client; 0 turns it off. */
        public Options withRateLimit(int perSecond) {
            return new Options(host, port, dataDir, rulesDir, watchRules, perSecond, requestTimeoutMs, retentionDays, auth,
                    warmupMs, databaseUrl, nodeId, tokensFile);
        }

        /** The same options serving the rules of {@code dir}. */
        public Options withRulesDir(Path dir) {
            return new Options(host, port, dataDir, dir, watchRules, rateLimit, requestTimeoutMs, retentionDays, auth,
                    warmupMs, databaseUrl, nodeId, tokensFile);
        }

        /** The same options with a request time limit in milliseconds; 0 turns it off. */
        public Options withRequestTimeoutMs(long millis) {
            return new Options(host, port, dataDir, rulesDir, watchRules, rateLimit, millis, retentionDays, auth,
                    warmupMs, databaseUrl, nodeId, tokensFile);
        }

        /** The same options keeping records (and their proofs) for {@code days} days. */
        public Options withRetentionDays(int days) {
            return new Options(host, port, dataDir, rulesDir, watchRules, rateLimit, requestTimeoutMs, days, auth,
                    warmupMs, databaseUrl, nodeId, tokensFile);
        }

        /** The same options with the given token mode (still forced to REQUIRED off loopback). */
        public Options withAuth(AuthMode mode) {
            return new Options(host, port, dataDir, rulesDir, watchRules, rateLimit, requestTimeoutMs, retentionDays, mode,
                    warmupMs, databaseUrl, nodeId, tokensFile);
        }

        /**
         * The same options spending up to {@code millis} on rehearsed decisions before listening and
         * before a reloaded ruleset serves (0: none; tests that start many servers skip it).
         */
        public Options withWarmupMs(long millis) {
            return new Options(host, port, dataDir, rulesDir, watchRules, rateLimit, requestTimeoutMs, retentionDays,
                    auth, millis, databaseUrl, nodeId, tokensFile);
        }

        /**
         * The same options on a shared PostgreSQL database ({@code jdbc:postgresql:} URL; null: H2 in the data
         * directory), writing the chain {@code nodeId} (null: the data directory's persisted id), with the token
         * file every node is given (null: DATA/tokens.json).
         */
        public Options withStore(String url, String node, Path tokens) {
            return new Options(host, port, dataDir, rulesDir, watchRules, rateLimit, requestTimeoutMs, retentionDays,
                    auth, warmupMs, url, node, tokens);
        }
    }

    private final Vertx vertx;
    private final HttpServer http;
    private final RulesWatcher watcher;
    private final RulesReloader reloader;
    private final RetentionSchedule retention;
    private final TraceDeadlineSchedule traceDeadlines;
    private final EvidenceStore recorder;
    private final Database database;
    private final RegistrySync registrySync; // null: one node on H2, nothing else changes the registry
    private final ChainCheckpoints checkpoints;
    private final int rehearsed; // decisions the start's warm-up rehearsed (answered 2xx)

    private PdpServer(Vertx vertx, HttpServer http, RulesWatcher watcher, RulesReloader reloader,
                      RetentionSchedule retention, TraceDeadlineSchedule traceDeadlines, EvidenceStore recorder,
                      Database database, RegistrySync registrySync, ChainCheckpoints checkpoints, int rehearsed) {
        this.vertx = vertx;
        this.http = http;
        this.watcher = watcher;
        this.reloader = reloader;
        this.retention = retention;
        this.traceDeadlines = traceDeadlines;
        this.recorder = recorder;
        this.database = database;
        this.registrySync = registrySync;
        this.checkpoints = checkpoints;
        this.rehearsed = rehearsed;
    }

    /** Starts and returns once listening; a ruleset that does not compile stops the start. */
    public static PdpServer start(Options options) {
        return start(options, Clock.systemUTC());
    }

    /** As {@link #start(Options)}, telling time by {@code clock} (tests move it to expire waivers and deadlines). */
    public static PdpServer start(Options options, Clock clock) {
        return start(options, clock, TraceLimits.defaults());
    }

    /** As {@link #start(Options, Clock)}, with the limits of trace uploads and the trace deadline. */
    public static PdpServer start(Options options, Clock clock, TraceLimits traces) {
        Ruleset ruleset = Ruleset.compile(options.rulesDir());
        Database database = Database.open(options.dataDir(), options.databaseUrl());
        FlightRecorder recorder = FlightRecorder.forNode(database, options.nodeId(), clock);
        RegistryStore registry = new RegistryStore(database, recorder, clock);
        RuleEngine engine = new RuleEngine(ruleset);
        DecisionService decisions = new DecisionService(engine, registry, recorder, clock);
        RulesReloader reloader = new RulesReloader(options.rulesDir(), engine, recorder,
                Duration.ofMillis(Math.min(options.warmupMs(), Warmup.RELOAD_BUDGET.toMillis())), clock);
        // Netty's native epoll where there is one (the jar carries Linux x86_64 and aarch64): on this
        // 2-core machine the event loop's CPU a decision fell from about 41 to 35 us against Java NIO
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        LOG.info("network transport: {}", vertx.isNativeTransportEnabled() ? "native epoll"
                : "Java NIO (" + vertx.unavailableNativeTransportCause() + ")");
        RulesWatcher watcher = null;
        ChainCheckpoints checkpoints = null;
        try {
            SecretRedactor redactor = new SecretRedactor();
            ExecutionService runtime = new ExecutionService(recorder, new TraceArtifacts(database, clock),
                    new TraceDeadlineScan(database), new TraceRetentionScan(database), clock, traces, engine, redactor);
            checkpoints = ChainCheckpoints.start(database, recorder.nodeId(), clock);
            AccessTokens tokens = options.tokensFile() == null ? AccessTokens.openOrCreate(options.dataDir())
                    : AccessTokens.openOrCreateFile(options.tokensFile());
            LOG.info("access tokens {}: {} (auth mode {})", tokens.created() ? "written to" : "read from",
                    tokens.file().toAbsolutePath(), options.auth().name().toLowerCase(java.util.Locale.ROOT));
            reloader.recordStartup();
            long warmStart = System.nanoTime();
            int rehearsed = HttpRehearsal.run(options, clock, Duration.ofMillis(options.warmupMs()));
            if (options.warmupMs() > 0) { // a scratch PDP of the warm-up has none of its own: nothing to say
                LOG.info("warmed up: {} decisions rehearsed over HTTP on a scratch PDP in {} ms", rehearsed,
                        (System.nanoTime() - warmStart) / 1_000_000);
            }
            watcher = options.watchRules() ? new RulesWatcher(options.rulesDir(), reloader) : null;
            ConnectionDeadlines deadlines = new ConnectionDeadlines(vertx, options.requestTimeoutMs() > 0
                    ? Math.max(options.requestTimeoutMs(), ConnectionDeadlines.MIN_MS) : DEFAULT_REQUEST_TIMEOUT_MS);
            Router router = router(vertx, options, tokens, deadlines, decisions, runtime, registry, recorder, reloader,
                    engine, clock, redactor);
            // HTTP/1.1 only: in Vert.x 5.0.7 an h2c upgrade request whose headers are over the limit is
            // upgraded all the same and then hangs instead of being answered 431
            HttpServerOptions serverOptions = new HttpServerOptions().setMaxHeaderSize(MAX_HEADER_BYTES)
                    .setHttp2ClearTextEnabled(false);
            HttpServer http = await(vertx.createHttpServer(serverOptions)
                    .connectionHandler(deadlines::opened)
                    .requestHandler(deadlines.around(router))
                    .invalidRequestHandler(Problems::invalidRequest)
                    .listen(options.port(), options.host()).toCompletionStage().toCompletableFuture());
            RetentionSchedule retention = new RetentionSchedule(new Retention(database, recorder),
                    options.retentionDays(), clock);
            TraceDeadlineSchedule traceDeadlines = new TraceDeadlineSchedule(runtime);
            RegistrySync registrySync = database.shared() ? new RegistrySync(registry) : null;
            return new PdpServer(vertx, http, watcher, reloader, retention, traceDeadlines, recorder, database,
                    registrySync, checkpoints, rehearsed);
        } catch (RuntimeException e) {
            if (watcher != null) {
                watcher.close();
            }
            reloader.close();
            vertx.close();
            recorder.close();
            if (checkpoints != null) {
                checkpoints.close();
            }
            database.close();
            throw e;
        }
    }

    private static Router router(Vertx vertx, Options options, AccessTokens tokens, ConnectionDeadlines deadlines,
                                 DecisionService decisions,
                                 ExecutionService runtime, RegistryStore registry,
                                 EvidenceStore recorder, RulesReloader reloader, RuleEngine engine, Clock clock,
                                 SecretRedactor redactor) {
        ServedContract served = loadContract(vertx);
        String yaml = served.yaml();
        OperationScopes scopes = served.scopes();
        OpenAPIContract contract = served.contract();
        scopes.requireOnEveryV1Operation(contract);
        RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());

        Metrics metrics = new Metrics(recorder, engine, runtime, redactor);
        DecisionHandlers decisionHandlers = new DecisionHandlers(vertx, decisions, metrics);
        EventHandlers events = new EventHandlers(vertx, recorder);
        RegistryHandlers registryHandlers = new RegistryHandlers(vertx,
                new RegistryService(registry, new WaiverCoverage(engine, registry::waiver), clock, redactor));
        SystemHandlers system = new SystemHandlers(engine, recorder);
        RulesHandlers rules = new RulesHandlers(engine, reloader);
        RecorderHandlers evidence = new RecorderHandlers(vertx, recorder);
        TraceHandlers traces = new TraceHandlers(vertx, runtime, options.requestTimeoutMs());
        ReportHandlers reports = new ReportHandlers(vertx, runtime);
        Map<String, Handler<RoutingContext>> operations = Map.ofEntries(
                Map.entry("createDecision", decisionHandlers::decide),
                Map.entry("getDecision", decisionHandlers::get),
                Map.entry("listEvents", events::list),
                Map.entry("getEvent", events::get),
                Map.entry("listProfiles", registryHandlers::listProfiles),
                Map.entry("getProfile", registryHandlers::getProfile),
                Map.entry("putProfile", registryHandlers::putProfile),
                Map.entry("activateProfile", registryHandlers::activateProfile),
                Map.entry("getProfileHistory", registryHandlers::profileHistory),
                Map.entry("listRoles", registryHandlers::listRoles),
                Map.entry("getRole", registryHandlers::getRole),
                Map.entry("putRole", registryHandlers::putRole),
                Map.entry("listWaivers", registryHandlers::listWaivers),
                Map.entry("createWaiver", registryHandlers::createWaiver),
                Map.entry("getWaiver", registryHandlers::getWaiver),
                Map.entry("revokeWaiver", registryHandlers::revokeWaiver),
                Map.entry("approveWaiver", registryHandlers::approveWaiver),
                Map.entry("getRules", rules::describe),
                Map.entry("reloadRules", rules::reload),
                Map.entry("verifyRecorder", evidence::verify),
                Map.entry("reportDecision", reports::report),
                // served on the root router (streamed, ahead of the body handler); never reached here
                Map.entry("uploadTrace", ctx -> ctx.fail(new IllegalStateException("trace upload reached the API router"))),
                Map.entry("getTrace", traces::get),
                Map.entry("live", system::live),
                Map.entry("ready", system::ready));
        // Each operation's route runs, in order: its access check (before the body is read, so a refused
        // request changes nothing), the body, the JSON limits (before the validator builds a tree of it),
        // validation against the contract, the operation. Authorised by the route the router chose.
        BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES);
        JsonLimits jsonLimits = new JsonLimits();
        RequestValidator validator = requestValidator(vertx, contract);
        operations.forEach((operationId, handler) -> builder.getRoute(operationId).setDoValidation(false)
                .addHandler(new AccessControl(operationId, scopes, options.auth()))
                .addHandler(body::handle) // as a plain handler: Vert.x would refuse a body handler after another
                .addHandler(jsonLimits)
                .addHandler(new RequestValidation(validator, contract.operation(operationId)))
                .addHandler(handler));
        Router api = builder.createRouter();
        api.route().failureHandler(Problems::handle);

        Router root = Router.router(vertx);
        // HEAD is GET without the body (RFC 9110 9.3.2): routed as GET, so it is authorised, validated and
        // answered as GET is; Vert.x leaves the body out of the answer to a HEAD request.
        root.route().method(HttpMethod.HEAD).handler(ctx -> ctx.reroute(HttpMethod.GET, ctx.request().uri()));
        root.route().handler(deadlines::restartWhenAnswered);
        root.route().handler(new ContractPaths(contract));
        RateLimiter failedAuthentications = new RateLimiter(Authentication.FAILED_PER_SECOND, RateLimiter.MAX_CLIENTS,
                System::nanoTime);
        vertx.setPeriodic(RateLimiter.SWEEP_EVERY_MS, id -> failedAuthentications.evictIdle());
        root.route().handler(new Authentication(tokens, failedAuthentications));
        if (options.rateLimit() > 0) {
            RateLimiter limiter = new RateLimiter(options.rateLimit(), RateLimiter.MAX_CLIENTS, System::nanoTime);
            root.route().handler(limiter);
            vertx.setPeriodic(RateLimiter.SWEEP_EVERY_MS, id -> limiter.evictIdle());
        }
        if (options.requestTimeoutMs() > 0) {
            Handler<RoutingContext> timeout = TimeoutHandler.create(options.requestTimeoutMs(), 504);
            // a trace upload may stream 64 MiB: it is cut when idle that long instead (TraceHandlers)
            root.route().handler(ctx -> {
                if (TraceHandlers.isUpload(ctx)) {
                    ctx.next();
                } else {
                    timeout.handle(ctx);
                }
            });
        }
        // traces stream: registered before the API router and its 1 MiB body handler
        root.put(TraceHandlers.PATH).handler(new AccessControl("uploadTrace", scopes, options.auth()))
                .handler(traces::upload);
        root.get(TraceHandlers.PATH).handler(new AccessControl("getTrace", scopes, options.auth()))
                .handler(traces::get);
        root.route().handler(new FormBodies());
        Buffer rawYaml = Buffer.buffer(yaml);
        root.get("/metrics").handler(metrics::scrape);
        // the operator console: static files from the classpath (src/main/resources/console), only these paths:
        // the page, its style and its ES modules (one lower-case name each, served as text/javascript)
        // (a regex route: the handler then looks up the whole path; "/" answers index.html)
        StaticHandler console = StaticHandler.create("console").setDirectoryListing(false).setCachingEnabled(false);
        root.getWithRegex("/(index\\.html|app\\.css|[a-z][a-z-]*\\.js)?").handler(ctx -> {
            ctx.response().putHeader("content-security-policy", CONSOLE_CSP)
                    .putHeader("x-content-type-options", "nosniff")
                    .putHeader("referrer-policy", "no-referrer")
                    .putHeader("cache-control", "no-cache");
            ctx.next();
        }).handler(console);
        root.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml").end(rawYaml));
        root.route("/*").subRouter(api);
        root.route().failureHandler(Problems::handle);
        root.errorHandler(404, Problems::handle);
        root.errorHandler(405, Problems::handle); // a path of the contract: ContractPaths answers with Allow
        return root;
    }

    /** How many decisions the start's warm-up rehearsed over HTTP (answered 2xx); 0 without a warm-up. */
    int rehearsedDecisions() {
        return rehearsed;
    }

    public int port() {
        return http.actualPort();
    }

    /** Stops taking requests, then flushes the recorder before the database closes. */
    @Override
    public void close() {
        try {
            if (watcher != null) {
                watcher.close();
            }
            await(http.close().toCompletionStage().toCompletableFuture());
        } finally {
            if (registrySync != null) {
                registrySync.close();
            }
            retention.close();
            traceDeadlines.close();
            reloader.close();
            recorder.close();
            checkpoints.close(); // after the recorder's last commit: signs the final head
            database.close();
            vertx.close();
        }
    }

    /**
     * openapi.yaml as this server routes and validates by: its scopes taken out (AccessControl holds them),
     * then loaded without what the loader cannot read. Tests that compare against the validator load it here
     * too, so they check the contract the server really serves.
     */
    record ServedContract(String yaml, OperationScopes scopes, OpenAPIContract contract) {
    }

    static ServedContract loadContract(Vertx vertx) {
        String yaml = resource("openapi.yaml");
        JsonObject rawContract = yamlToJson(yaml);
        OperationScopes scopes = OperationScopes.takeFrom(rawContract);
        LoaderContract.strip(rawContract);
        OpenAPIContract contract = await(OpenAPIContract.from(vertx, rawContract)
                .toCompletionStage().toCompletableFuture());
        return new ServedContract(yaml, scopes, contract);
    }

    /** The one request validator of every operation, with a schema validator per schema (CachedSchemaContract). */
    static RequestValidator requestValidator(Vertx vertx, OpenAPIContract contract) {
        return RequestValidator.create(vertx, new CachedSchemaContract(contract));
    }

    private static String resource(String name) {
        try (InputStream in = PdpServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonObject yamlToJson(String yaml) {
        try {
            Object tree = new ObjectMapper(new YAMLFactory()).readValue(yaml, Object.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) tree;
            return new JsonObject(map);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
