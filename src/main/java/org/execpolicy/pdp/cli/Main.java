package org.execpolicy.pdp.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `java -jar target/pdp.jar <command>`: the PDP's command line. */
@Command(name = "pdp", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Policy decision point for LLM execution policies.",
        subcommands = {ServeCommand.class, BenchCommand.class, RulesCommand.class, DecideCommand.class,
                RecorderCommand.class, ReplayCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** The version the jar's manifest names (the pom's), or says it runs from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pdp " + (version == null ? "(not packaged: run from classes)" : version)};
        }
    }
}
