package org.execpolicy.pdp.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.execpolicy.pdp.engine.DecisionService;
import org.execpolicy.pdp.engine.RuleEngine;
import org.execpolicy.pdp.engine.Ruleset;
import org.execpolicy.pdp.engine.RulesReloader;
import org.execpolicy.pdp.engine.RulesWatcher;
import org.execpolicy.pdp.recorder.Database;
import org.execpolicy.pdp.recorder.FlightRecorder;
import org.execpolicy.pdp.recorder.RecordSchemas;
import org.execpolicy.pdp.recorder.RegistryStore;

/**
 * The running PDP: rules compiled, Flight Recorder open, HTTP API listening.
 * Everything that can be done once (compiling rules, loading schemas, building
 * the router) is done here, before the first request.
 */
public final class PdpServer implements AutoCloseable {
    public static final int BODY_LIMIT_BYTES = 1024 * 1024;

    /** Where to listen, where the data and rules live, and whether rule edits reload by themselves. */
    public record Options(String host, int port, Path dataDir, Path rulesDir, boolean watchRules) {
        public Options(String host, int port, Path dataDir, Path rulesDir) {
            this(host, port, dataDir, rulesDir, true);
        }
    }

    private final Vertx vertx;
    private final HttpServer http;
    private final RulesWatcher watcher;
    private final RulesReloader reloader;
    private final FlightRecorder recorder;
    private final Database database;

    private PdpServer(Vertx vertx, HttpServer http, RulesWatcher watcher, RulesReloader reloader,
                      FlightRecorder recorder, Database database) {
        this.vertx = vertx;
        this.http = http;
        this.watcher = watcher;
        this.reloader = reloader;
        this.recorder = recorder;
        this.database = database;
    }

    /** Starts and returns once listening; a ruleset that does not compile stops the start. */
    public static PdpServer start(Options options) {
        Ruleset ruleset = Ruleset.compile(options.rulesDir());
        Database database = Database.open(options.dataDir());
        FlightRecorder recorder = new FlightRecorder(database, new RecordSchemas());
        RegistryStore registry = new RegistryStore(database);
        Clock clock = Clock.systemUTC();
        RuleEngine engine = new RuleEngine(ruleset);
        DecisionService decisions = new DecisionService(engine, registry, recorder, clock);
        RulesReloader reloader = new RulesReloader(options.rulesDir(), engine, recorder);
        Vertx vertx = Vertx.vertx();
        RulesWatcher watcher = null;
        try {
            reloader.recordStartup();
            watcher = options.watchRules() ? new RulesWatcher(options.rulesDir(), reloader) : null;
            Router router = router(vertx, decisions, registry, recorder, reloader, engine, clock);
            HttpServer http = await(vertx.createHttpServer().requestHandler(router)
                    .listen(options.port(), options.host()).toCompletionStage().toCompletableFuture());
            return new PdpServer(vertx, http, watcher, reloader, recorder, database);
        } catch (RuntimeException e) {
            if (watcher != null) {
                watcher.close();
            }
            reloader.close();
            vertx.close();
            recorder.close();
            database.close();
            throw e;
        }
    }

    private static Router router(Vertx vertx, DecisionService decisions, RegistryStore registry,
                                 FlightRecorder recorder, RulesReloader reloader, RuleEngine engine, Clock clock) {
        String yaml = resource("openapi.yaml");
        OpenAPIContract contract = await(OpenAPIContract.from(vertx, yamlToJson(yaml))
                .toCompletionStage().toCompletableFuture());
        RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
        builder.rootHandler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES));

        DecisionHandlers decisionHandlers = new DecisionHandlers(vertx, decisions);
        EventHandlers events = new EventHandlers(vertx, recorder);
        RegistryHandlers registryHandlers = new RegistryHandlers(vertx, registry, clock);
        SystemHandlers system = new SystemHandlers(engine, recorder);
        RulesHandlers rules = new RulesHandlers(engine, reloader);
        Map<String, Handler<RoutingContext>> operations = Map.ofEntries(
                Map.entry("createDecision", decisionHandlers::decide),
                Map.entry("getDecision", decisionHandlers::get),
                Map.entry("listEvents", events::list),
                Map.entry("getEvent", events::get),
                Map.entry("listProfiles", registryHandlers::listProfiles),
                Map.entry("getProfile", registryHandlers::getProfile),
                Map.entry("putProfile", registryHandlers::putProfile),
                Map.entry("activateProfile", registryHandlers::activateProfile),
                Map.entry("listRoles", registryHandlers::listRoles),
                Map.entry("getRole", registryHandlers::getRole),
                Map.entry("putRole", registryHandlers::putRole),
                Map.entry("listWaivers", registryHandlers::listWaivers),
                Map.entry("createWaiver", registryHandlers::createWaiver),
                Map.entry("getWaiver", registryHandlers::getWaiver),
                Map.entry("revokeWaiver", registryHandlers::revokeWaiver),
                Map.entry("getRules", rules::describe),
                Map.entry("reloadRules", rules::reload),
                Map.entry("live", system::live),
                Map.entry("ready", system::ready));
        operations.forEach((operationId, handler) -> builder.getRoute(operationId).addHandler(handler));
        Router api = builder.createRouter();
        api.route().failureHandler(Problems::handle);

        Router root = Router.router(vertx);
        Buffer rawYaml = Buffer.buffer(yaml);
        root.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml").end(rawYaml));
        root.route("/*").subRouter(api);
        root.route().failureHandler(Problems::handle);
        root.errorHandler(404, Problems::handle);
        AllowedMethods allowed = new AllowedMethods(contract);
        root.errorHandler(405, ctx -> {
            String allow = allowed.of(ctx.request().path());
            if (allow != null) {
                ctx.response().putHeader("allow", allow);
            }
            Problems.handle(ctx);
        });
        return root;
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
            reloader.close();
            recorder.close();
            database.close();
            vertx.close();
        }
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
