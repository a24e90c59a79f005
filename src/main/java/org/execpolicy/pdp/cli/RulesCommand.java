package org.execpolicy.pdp.cli;

import picocli.CommandLine.Command;

/** `rules`: commands for governance authors; it does nothing by itself. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work on the DRL rules.",
        subcommands = RulesCheckCommand.class)
final class RulesCommand {
}
