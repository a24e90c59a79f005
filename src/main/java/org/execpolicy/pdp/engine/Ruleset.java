package org.execpolicy.pdp.engine;

import org.execpolicy.pdp.json.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.kie.api.KieBase;
import org.kie.api.runtime.KieSession;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.Message;
import org.kie.api.definition.rule.Global;
import org.kie.api.io.ResourceType;

/**
 * The compiled DRL files of a rules directory. Compiled once; sessions are cheap
 * to open from the KieBase. The digest is SHA-256 over the files' bytes
 * concatenated in name order, so it names exactly the policy that decided.
 */
public final class Ruleset {
    /**
     * The last ruleset compiled, reused when exactly the same files are compiled again (a reload or
     * a watcher event that changed nothing, a replay under the serving rules, servers started in one
     * JVM): the KieBase is never changed once built and opens sessions for any number of callers.
     * One entry, so at most one KieBase beyond the serving one stays in memory.
     */
    private static final AtomicReference<Ruleset> LAST_COMPILED = new AtomicReference<>();

    private final KieBase kieBase;
    /** The names of the globals the files declare: the engine gives a session only those (Drools refuses others). */
    private final Set<String> globals;
    private final String digest;
    private final List<RuleFile> files;
    private final List<RuleSource> sources;
    private final List<RuleInfo> rules;
    private final Instant loadedAt;
    /** The KieBase's sessions, shared by every Ruleset of that KieBase (see {@link #LAST_COMPILED}). */
    private final SessionPool sessions;

    private Ruleset(KieBase kieBase, SessionPool sessions, String digest, List<RuleFile> files,
                    List<RuleSource> sources, List<RuleInfo> rules, Instant loadedAt) {
        this.kieBase = kieBase;
        this.sessions = sessions;
        this.globals = kieBase.getKiePackages().stream().flatMap(pkg -> pkg.getGlobalVariables().stream())
                .map(Global::getName).collect(Collectors.toUnmodifiableSet());
        this.digest = digest;
        this.files = List.copyOf(files);
        this.sources = List.copyOf(sources);
        this.rules = List.copyOf(rules);
        this.loadedAt = loadedAt;
    }

    /** The SHA-256 a directory's ruleset would have, without compiling it. */
    public static String digestOf(Path rulesDir) {
        return digestOf(sourcesOf(rulesDir));
    }

    /** The SHA-256 of sources in the given order: the digest a ruleset compiled from them has. */
    public static String digestOf(List<RuleSource> sources) {
        MessageDigest all = Sha256.newDigest();
        sources.forEach(source -> all.update(source.bytes()));
        return Sha256.hex(all);
    }

    /** Compiles every `*.drl` directly in the directory; throws with file and line when one does not compile. */
    public static Ruleset compile(Path rulesDir) {
        return compile(sourcesOf(rulesDir));
    }

    /** The `*.drl` files directly in the directory, in file-name order, as they are compiled. */
    public static List<RuleSource> sourcesOf(Path rulesDir) {
        return drlFiles(rulesDir).stream()
                .map(file -> new RuleSource(file.getFileName().toString(), read(file)))
                .toList();
    }

    /**
     * Compiles DRL sources in the given order (the digest covers their bytes in that order), e.g. the
     * files of a directory or a ruleset stored by the Flight Recorder; throws with file and line when
     * one does not compile.
     */
    public static Ruleset compile(List<RuleSource> sources) {
        if (sources.isEmpty()) {
            throw new RulesCompileException(List.of(new RuleMessage("?", 0, "no .drl files")));
        }
        List<RuleFile> files = sources.stream().map(source -> new RuleFile(source.name(), Sha256.hex(source.bytes())))
                .toList();
        Ruleset last = LAST_COMPILED.get();
        if (last != null && last.files.equals(files)) {
            return new Ruleset(last.kieBase, last.sessions, last.digest, files, sources, last.rules, Instant.now());
        }
        KieServices kie = KieServices.Factory.get();
        KieFileSystem kfs = kie.newKieFileSystem();
        Map<String, String> texts = new HashMap<>();
        for (RuleSource source : sources) {
            texts.put(source.name(), new String(source.bytes(), StandardCharsets.UTF_8));
            kfs.write(kie.getResources().newByteArrayResource(source.bytes())
                    .setSourcePath("org/execpolicy/rules/" + source.name()).setResourceType(ResourceType.DRL));
        }
        KieBuilder builder = kie.newKieBuilder(kfs).buildAll();
        List<RuleMessage> errors = builder.getResults().getMessages(Message.Level.ERROR).stream()
                .map(m -> new RuleMessage(fileName(m.getPath()), m.getLine(), m.getText().strip()))
                .toList();
        if (!errors.isEmpty()) {
            throw new RulesCompileException(errors);
        }
        KieBase kieBase = kie.newKieContainer(builder.getKieModule().getReleaseId()).getKieBase();
        List<RuleInfo> rules = RuleHygiene.check(kieBase, texts);
        Ruleset compiled = new Ruleset(kieBase, new SessionPool(kieBase), digestOf(sources), files, sources, rules,
                Instant.now());
        LAST_COMPILED.set(compiled);
        return compiled;
    }

    private static List<Path> drlFiles(Path rulesDir) {
        if (!Files.isDirectory(rulesDir)) {
            throw new RulesCompileException(List.of(new RuleMessage(rulesDir.toString(), 0, "no such rules directory")));
        }
        try (Stream<Path> list = Files.list(rulesDir)) {
            List<Path> files = list.filter(p -> p.getFileName().toString().endsWith(".drl"))
                    .filter(Files::isRegularFile).sorted().toList();
            if (files.isEmpty()) {
                throw new RulesCompileException(List.of(new RuleMessage(rulesDir.toString(), 0, "no .drl files")));
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fileName(String path) {
        return path == null ? "?" : path.substring(path.lastIndexOf('/') + 1);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    KieBase kieBase() {
        return kieBase;
    }

    /** A clean session of this ruleset; {@link KieSession#dispose()} hands it back for reuse. */
    KieSession newSession() {
        return sessions.newSession();
    }

    /** True when a file declares the global (e.g. {@code global Outcome outcome;}). */
    boolean declaresGlobal(String name) {
        return globals.contains(name);
    }

    public String digest() {
        return digest;
    }

    public List<RuleFile> files() {
        return files;
    }

    /** The DRL files compiled, with their bytes, in digest order. */
    public List<RuleSource> sources() {
        return sources;
    }

    /** Every rule, in file and line order. */
    public List<RuleInfo> rules() {
        return rules;
    }

    public Instant loadedAt() {
        return loadedAt;
    }
}
